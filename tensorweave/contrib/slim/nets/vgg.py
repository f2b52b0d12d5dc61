"""TF-slim's VGG networks (Simonyan & Zisserman 2014): configurations A (11 layers), D (16)
and E (19), their fully connected layers as convolutions (fc6 7x7 VALID, fc7 and fc8 1x1), as
tf.contrib.slim.nets.vgg builds them. Inputs are 224x224 for classification."""
from tensorweave import init_ops
from tensorweave.contrib import layers
from tensorweave.contrib.framework.arg_scope import arg_scope
from tensorweave.contrib.slim.nets.alexnet import squeezed_end_points
from tensorweave.ops import nn_ops
from tensorweave.variable_scope import variable_scope

__all__ = ["vgg_a", "vgg_16", "vgg_19", "vgg_arg_scope", "vgg_d", "vgg_e"]


def vgg_arg_scope(weight_decay=0.0005):
    """ReLU convolutions and fully connected layers with L2-regularized weights and zero
    biases; SAME convolutions."""
    with arg_scope([layers.conv2d, layers.fully_connected], activation_fn=nn_ops.relu,
                   weights_regularizer=layers.l2_regularizer(weight_decay),
                   biases_initializer=init_ops.zeros_initializer()):
        with arg_scope([layers.conv2d], padding="SAME") as scope:
            return scope


def _vgg(inputs, repeats, num_classes, is_training, dropout_keep_prob, spatial_squeeze, scope,
         default_name, collected, named_by_scope):
    """Five blocks of `repeats[i]` 3x3 convolutions (64, 128, 256, 512, 512 filters), each
    followed by a 2x2 max pool, then fc6-fc8; (logits, end_points)."""
    with variable_scope(scope, default_name, [inputs]) as sc:
        collection = (sc.name if named_by_scope else sc.original_name_scope) + "_end_points"
        with arg_scope(collected, outputs_collections=collection):
            net = inputs
            for block, (count, depth) in enumerate(zip(repeats, (64, 128, 256, 512, 512)), 1):
                net = layers.repeat(net, count, layers.conv2d, depth, [3, 3],
                                    scope=f"conv{block}")
                net = layers.max_pool2d(net, [2, 2], scope=f"pool{block}")
            net = layers.conv2d(net, 4096, [7, 7], padding="VALID", scope="fc6")
            net = layers.dropout(net, dropout_keep_prob, is_training=is_training,
                                 scope="dropout6")
            net = layers.conv2d(net, 4096, [1, 1], scope="fc7")
            net = layers.dropout(net, dropout_keep_prob, is_training=is_training,
                                 scope="dropout7")
            net = layers.conv2d(net, num_classes, [1, 1], activation_fn=None,
                                normalizer_fn=None, scope="fc8")
            return squeezed_end_points(net, collection, sc.name, spatial_squeeze)


def vgg_a(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
          spatial_squeeze=True, scope="vgg_a"):
    """VGG configuration A, 11 layers."""
    return _vgg(inputs, (1, 1, 2, 2, 2), num_classes, is_training, dropout_keep_prob,
                spatial_squeeze, scope, "vgg_a", [layers.conv2d, layers.max_pool2d], False)


def vgg_16(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
           spatial_squeeze=True, scope="vgg_16"):
    """VGG configuration D, 16 layers."""
    return _vgg(inputs, (2, 2, 3, 3, 3), num_classes, is_training, dropout_keep_prob,
                spatial_squeeze, scope, "vgg_16",
                [layers.conv2d, layers.fully_connected, layers.max_pool2d], False)


def vgg_19(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
           spatial_squeeze=True, scope="vgg_19"):
    """VGG configuration E, 19 layers."""
    return _vgg(inputs, (2, 2, 4, 4, 4), num_classes, is_training, dropout_keep_prob,
                spatial_squeeze, scope, "vgg_19",
                [layers.conv2d, layers.fully_connected, layers.max_pool2d], True)


for _net in (vgg_a, vgg_16, vgg_19):
    _net.default_image_size = 224
vgg_d = vgg_16
vgg_e = vgg_19
