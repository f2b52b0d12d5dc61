"""TF-slim's ResNet v1 (He et al. 2015) with bottleneck units, as tf.contrib.slim.nets.
resnet_v1 builds it: a 7x7/2 root convolution and 3x3/2 max pool, four blocks (the stride
in each block's last unit), global average pool "pool5", 1x1 "logits". ResNet-50/101/152/200
differ in their blocks' unit counts (resnet_utils.UNITS)."""
from tensorweave.contrib import layers
from tensorweave.contrib.framework.arg_scope import add_arg_scope, arg_scope
from tensorweave.contrib.layers import utils
from tensorweave.contrib.slim.nets import resnet_utils
from tensorweave.ops import math_ops, nn_ops
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
    with variable_scope(scope, "resnet_v1", [inputs], reuse=reuse) as sc:
        collection = sc.original_name_scope + "_end_points"
        with arg_scope([layers.conv2d, bottleneck, resnet_utils.stack_blocks_dense],
                       outputs_collections=collection):
            with arg_scope([layers.batch_norm], is_training=is_training):
                net = inputs
                if include_root_block:
                    if output_stride is not None:
                        if output_stride % 4 != 0:
                            raise ValueError("The output_stride needs to be a multiple of 4.")
                        output_stride /= 4
                    net = resnet_utils.conv2d_same(net, 64, 7, stride=2, scope="conv1")
                    net = layers.max_pool2d(net, [3, 3], stride=2, scope="pool1")
                net = resnet_utils.stack_blocks_dense(net, blocks, output_stride)
                if global_pool:
                    net = math_ops.reduce_mean(net, [1, 2], name="pool5", keepdims=True)
                if num_classes is not None:
                    net = layers.conv2d(net, num_classes, [1, 1], activation_fn=None,
                                        normalizer_fn=None, scope="logits")
                end_points = utils.convert_collection_to_dict(collection)
                if num_classes is not None:
                    end_points["predictions"] = layers.softmax(net, scope="predictions")
                return net, end_points


def resnet_v1_block(scope, base_depth, num_units, stride):
    """A block of `num_units` bottlenecks of depth 4 * base_depth, the last one strided."""
    return resnet_utils.bottleneck_block(scope, bottleneck, base_depth, num_units, stride)


def _published(layers_count):
    def build(inputs, num_classes=None, is_training=True, global_pool=True,
              output_stride=None, reuse=None, scope=f"resnet_v1_{layers_count}"):
        return resnet_v1(inputs, resnet_utils.published_blocks(bottleneck, layers_count),
                         num_classes, is_training, global_pool, output_stride,
                         include_root_block=True, reuse=reuse, scope=scope)
    build.__name__ = build.__qualname__ = f"resnet_v1_{layers_count}"
    build.__doc__ = f"ResNet-{layers_count} v1."
    build.default_image_size = 224
    return build


resnet_v1.default_image_size = 224
resnet_v1_50 = _published(50)
resnet_v1_101 = _published(101)
resnet_v1_152 = _published(152)
resnet_v1_200 = _published(200)
