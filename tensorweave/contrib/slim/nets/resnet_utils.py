"""The parts TF-slim's ResNets share (tf.contrib.slim.nets.resnet_utils): blocks of units,
a convolution that pads like SAME independently of the input size, the dense stacking of
blocks (atrous past the wanted output stride) and the arg_scope of the published models."""
import collections

from tensorweave.contrib import layers
from tensorweave.contrib.framework.arg_scope import add_arg_scope, arg_scope
from tensorweave.contrib.layers import utils
from tensorweave.core.graph import GraphKeys
from tensorweave.ops import array, math_ops, nn_ops
from tensorweave.variable_scope import variable_scope

__all__ = ["Block", "conv2d_same", "resnet_arg_scope", "stack_blocks_dense", "subsample"]

# the units in each of the four blocks of the published ResNets, by their number of layers
UNITS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3), 200: (3, 24, 36, 3)}


class Block(collections.namedtuple("Block", ["scope", "unit_fn", "args"])):
    """A ResNet block: its scope name, the unit function, and one dict of arguments per
    unit (depth, depth_bottleneck, stride)."""


def bottleneck_block(scope, unit_fn, base_depth, num_units, stride):
    """A block of `num_units` bottleneck units of depth 4 * base_depth, the last strided."""
    unit = {"depth": base_depth * 4, "depth_bottleneck": base_depth}
    return Block(scope, unit_fn, [dict(unit, stride=1)] * (num_units - 1) +
                 [dict(unit, stride=stride)])


def published_blocks(unit_fn, layers_count):
    """The four blocks of the published ResNet of `layers_count` layers (50, 101, 152, 200):
    base depths 64-512, strides 2, 2, 2, 1."""
    return [bottleneck_block(f"block{i + 1}", unit_fn, 64 * 2 ** i, count, 2 if i < 3 else 1)
            for i, count in enumerate(UNITS[layers_count])]


def subsample(inputs, factor, scope=None):
    """`inputs` taken every `factor` pixels (a 1x1 max pool), or as they are for factor 1."""
    if factor == 1:
        return inputs
    return layers.max_pool2d(inputs, [1, 1], stride=factor, scope=scope)


def conv2d_same(inputs, num_outputs, kernel_size, stride, rate=1, scope=None):
    """A strided convolution whose padding depends only on the kernel: the input is padded
    by (k_eff - 1) // 2 before and the rest after, then convolved VALID (SAME at stride 1)."""
    if stride == 1:
        return layers.conv2d(inputs, num_outputs, kernel_size, stride=1, rate=rate,
                             padding="SAME", scope=scope)
    effective = kernel_size + (kernel_size - 1) * (rate - 1)
    before = (effective - 1) // 2
    after = effective - 1 - before
    inputs = array.pad(inputs, [[0, 0], [before, after], [before, after], [0, 0]])
    return layers.conv2d(inputs, num_outputs, kernel_size, stride=stride, rate=rate,
                         padding="VALID", scope=scope)


@add_arg_scope
def stack_blocks_dense(net, blocks, output_stride=None, outputs_collections=None):
    """The blocks' units one after the other, each unit under block/unit_<i>; once the
    stride so far reaches `output_stride`, later units run at stride 1 with a growing
    atrous rate instead. ValueError when output_stride cannot be reached."""
    stride_so_far, rate = 1, 1
    for block in blocks:
        with variable_scope(block.scope, "block", [net]) as sc:
            for i, unit in enumerate(block.args):
                if output_stride is not None and stride_so_far > output_stride:
                    raise ValueError("The target output_stride cannot be reached.")
                with variable_scope(f"unit_{i + 1}", values=[net]):
                    if output_stride is not None and stride_so_far == output_stride:
                        net = block.unit_fn(net, rate=rate, **dict(unit, stride=1))
                        rate *= unit.get("stride", 1)
                    else:
                        net = block.unit_fn(net, rate=1, **unit)
                        stride_so_far *= unit.get("stride", 1)
            net = utils.collect_named_outputs(outputs_collections, sc.name, net)
    if output_stride is not None and stride_so_far != output_stride:
        raise ValueError("The target output_stride cannot be reached.")
    return net


def resnet_arg_scope(weight_decay=0.0001, batch_norm_decay=0.997, batch_norm_epsilon=1e-5,
                     batch_norm_scale=True):
    """ReLU convolutions with variance-scaling, L2-regularized weights and batch norm (its
    moving averages updated through UPDATE_OPS); SAME max pools."""
    batch_norm_params = {"decay": batch_norm_decay, "epsilon": batch_norm_epsilon,
                         "scale": batch_norm_scale, "updates_collections": GraphKeys.UPDATE_OPS}
    with arg_scope([layers.conv2d], weights_regularizer=layers.l2_regularizer(weight_decay),
                   weights_initializer=layers.variance_scaling_initializer(),
                   activation_fn=nn_ops.relu, normalizer_fn=layers.batch_norm,
                   normalizer_params=batch_norm_params):
        with arg_scope([layers.batch_norm], **batch_norm_params):
            with arg_scope([layers.max_pool2d], padding="SAME") as scope:
                return scope


def resnet(inputs, blocks, unit_fn, default_scope, preactivated, num_classes=None,
           is_training=True, global_pool=True, output_stride=None, include_root_block=True,
           reuse=None, scope=None):
    """(net, end_points) of a ResNet of `blocks` whose units are `unit_fn`: a 7x7/2 root
    convolution and 3x3/2 max pool, the blocks, global average pool "pool5" and 1x1 "logits"
    (end_points['predictions'] their softmax). `preactivated` (v2) leaves the root convolution
    plain and batch-normalizes the blocks' output ("postnorm")."""
    with variable_scope(scope, default_scope, [inputs], reuse=reuse) as sc:
        collection = sc.original_name_scope + "_end_points"
        with arg_scope([layers.conv2d, unit_fn, stack_blocks_dense],
                       outputs_collections=collection):
            with arg_scope([layers.batch_norm], is_training=is_training):
                net = inputs
                if include_root_block:
                    if output_stride is not None:
                        if output_stride % 4 != 0:
                            raise ValueError("The output_stride needs to be a multiple of 4.")
                        output_stride /= 4
                    plain = {"activation_fn": None, "normalizer_fn": None} if preactivated \
                        else {}
                    with arg_scope([layers.conv2d], **plain):
                        net = conv2d_same(net, 64, 7, stride=2, scope="conv1")
                    net = layers.max_pool2d(net, [3, 3], stride=2, scope="pool1")
                net = stack_blocks_dense(net, blocks, output_stride)
                if preactivated:
                    net = layers.batch_norm(net, activation_fn=nn_ops.relu, scope="postnorm")
                if global_pool:
                    net = math_ops.reduce_mean(net, [1, 2], name="pool5", keepdims=True)
                if num_classes is not None:
                    net = layers.conv2d(net, num_classes, [1, 1], activation_fn=None,
                                        normalizer_fn=None, scope="logits")
                end_points = utils.convert_collection_to_dict(collection)
                if num_classes is not None:
                    end_points["predictions"] = layers.softmax(net, scope="predictions")
                return net, end_points


def published_resnet(build, unit_fn, name, layers_count):
    """`<name>_<layers_count>`: `build` (resnet_v1 or resnet_v2) on the published blocks."""
    def published(inputs, num_classes=None, is_training=True, global_pool=True,
                  output_stride=None, reuse=None, scope=f"{name}_{layers_count}"):
        return build(inputs, published_blocks(unit_fn, layers_count), num_classes,
                     is_training, global_pool, output_stride, include_root_block=True,
                     reuse=reuse, scope=scope)
    published.__name__ = published.__qualname__ = f"{name}_{layers_count}"
    published.__doc__ = f"ResNet-{layers_count} {name[-2:]}."
    published.default_image_size = 224
    return published
