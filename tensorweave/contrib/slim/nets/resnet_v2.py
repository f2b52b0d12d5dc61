"""TF-slim's ResNet v2 (He et al. 2016, pre-activation) with bottleneck units, as
tf.contrib.slim.nets.resnet_v2 builds it: a plain 7x7/2 root convolution and 3x3/2 max pool,
four blocks of units that batch-normalize and ReLU their input first ("preact"), a final
"postnorm", global average pool "pool5" and 1x1 "logits"."""
from tensorweave.contrib import layers
from tensorweave.contrib.framework.arg_scope import add_arg_scope
from tensorweave.contrib.layers import utils
from tensorweave.contrib.slim.nets import resnet_utils
from tensorweave.ops import nn_ops
from tensorweave.variable_scope import variable_scope

__all__ = ["bottleneck", "resnet_v2", "resnet_v2_block", "resnet_v2_50", "resnet_v2_101",
           "resnet_v2_152", "resnet_v2_200", "resnet_arg_scope"]

resnet_arg_scope = resnet_utils.resnet_arg_scope


@add_arg_scope
def bottleneck(inputs, depth, depth_bottleneck, stride, rate=1, outputs_collections=None,
               scope=None):
    """shortcut + (1x1 -> 3x3 (strided, atrous) -> 1x1 convolutions of the pre-activation
    batch_norm + ReLU of the input); the shortcut is the input subsampled, or a strided 1x1
    projection of the pre-activation when the depth changes."""
    with variable_scope(scope, "bottleneck_v2", [inputs]) as sc:
        depth_in = utils.last_dimension(inputs.shape, min_rank=4)
        preact = layers.batch_norm(inputs, activation_fn=nn_ops.relu, scope="preact")
        if depth == depth_in:
            shortcut = resnet_utils.subsample(inputs, stride, "shortcut")
        else:
            shortcut = layers.conv2d(preact, depth, [1, 1], stride=stride, normalizer_fn=None,
                                     activation_fn=None, scope="shortcut")
        residual = layers.conv2d(preact, depth_bottleneck, [1, 1], stride=1, scope="conv1")
        residual = resnet_utils.conv2d_same(residual, depth_bottleneck, 3, stride, rate=rate,
                                            scope="conv2")
        residual = layers.conv2d(residual, depth, [1, 1], stride=1, normalizer_fn=None,
                                 activation_fn=None, scope="conv3")
        return utils.collect_named_outputs(outputs_collections, sc.name, shortcut + residual)


def resnet_v2(inputs, blocks, num_classes=None, is_training=True, global_pool=True,
              output_stride=None, include_root_block=True, reuse=None, scope=None):
    """(net, end_points) of a v2 ResNet of `blocks`; with num_classes, net is the logits
    and end_points['predictions'] their softmax."""
    return resnet_utils.resnet(inputs, blocks, bottleneck, "resnet_v2", True, num_classes,
                               is_training, global_pool, output_stride, include_root_block,
                               reuse, scope)


def resnet_v2_block(scope, base_depth, num_units, stride):
    """A block of `num_units` bottlenecks of depth 4 * base_depth, the last one strided."""
    return resnet_utils.bottleneck_block(scope, bottleneck, base_depth, num_units, stride)


resnet_v2.default_image_size = 224
resnet_v2_50 = resnet_utils.published_resnet(resnet_v2, bottleneck, "resnet_v2", 50)
resnet_v2_101 = resnet_utils.published_resnet(resnet_v2, bottleneck, "resnet_v2", 101)
resnet_v2_152 = resnet_utils.published_resnet(resnet_v2, bottleneck, "resnet_v2", 152)
resnet_v2_200 = resnet_utils.published_resnet(resnet_v2, bottleneck, "resnet_v2", 200)
