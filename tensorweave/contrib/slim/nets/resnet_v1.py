"""TF-slim's ResNet v1 (He et al. 2015) with bottleneck units, as tf.contrib.slim.nets.
resnet_v1 builds it: a 7x7/2 root convolution and 3x3/2 max pool, four blocks (the stride
in each block's last unit), global average pool "pool5", 1x1 "logits". ResNet-50/101/152/200
differ in their blocks' unit counts (resnet_utils.UNITS)."""
from tensorweave.contrib import layers
from tensorweave.contrib.framework.arg_scope import add_arg_scope
from tensorweave.contrib.layers import utils
from tensorweave.contrib.slim.nets import resnet_utils
from tensorweave.ops import nn_ops
from tensorweave.variable_scope import variable_scope

__all__ = ["bottleneck", "resnet_v1", "resnet_v1_block", "resnet_v1_50", "resnet_v1_101",
           "resnet_v1_152", "resnet_v1_200", "resnet_arg_scope"]

resnet_arg_scope = resnet_utils.resnet_arg_scope


@add_arg_scope
def bottleneck(inputs, depth, depth_bottleneck, stride, rate=1, outputs_collections=None,
               scope=None):
    """relu(shortcut + 1x1 -> 3x3 (strided, atrous) -> 1x1 convolutions); the shortcut is
    the input subsampled, or a strided 1x1 projection when the depth changes."""
    with variable_scope(scope, "bottleneck_v1", [inputs]) as sc:
        depth_in = utils.last_dimension(inputs.shape, min_rank=4)
        if depth == depth_in:
            shortcut = resnet_utils.subsample(inputs, stride, "shortcut")
        else:
            shortcut = layers.conv2d(inputs, depth, [1, 1], stride=stride, activation_fn=None,
                                     scope="shortcut")
        residual = layers.conv2d(inputs, depth_bottleneck, [1, 1], stride=1, scope="conv1")
        residual = resnet_utils.conv2d_same(residual, depth_bottleneck, 3, stride, rate=rate,
                                            scope="conv2")
        residual = layers.conv2d(residual, depth, [1, 1], stride=1, activation_fn=None,
                                 scope="conv3")
        output = nn_ops.relu(shortcut + residual)
        return utils.collect_named_outputs(outputs_collections, sc.name, output)


def resnet_v1(inputs, blocks, num_classes=None, is_training=True, global_pool=True,
              output_stride=None, include_root_block=True, reuse=None, scope=None):
    """(net, end_points) of a v1 ResNet of `blocks`; with num_classes, net is the logits
    and end_points['predictions'] their softmax."""
    return resnet_utils.resnet(inputs, blocks, bottleneck, "resnet_v1", False, num_classes,
                               is_training, global_pool, output_stride, include_root_block,
                               reuse, scope)


def resnet_v1_block(scope, base_depth, num_units, stride):
    """A block of `num_units` bottlenecks of depth 4 * base_depth, the last one strided."""
    return resnet_utils.bottleneck_block(scope, bottleneck, base_depth, num_units, stride)


resnet_v1.default_image_size = 224
resnet_v1_50 = resnet_utils.published_resnet(resnet_v1, bottleneck, "resnet_v1", 50)
resnet_v1_101 = resnet_utils.published_resnet(resnet_v1, bottleneck, "resnet_v1", 101)
resnet_v1_152 = resnet_utils.published_resnet(resnet_v1, bottleneck, "resnet_v1", 152)
resnet_v1_200 = resnet_utils.published_resnet(resnet_v1, bottleneck, "resnet_v1", 200)
