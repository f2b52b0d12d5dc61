"""TF-slim's OverFeat (Sermanet et al. 2013, the "accurate" model's layout as TF-slim has
it) as tf.contrib.slim.nets.overfeat builds it: five convolutions and three max pools, then
fc6-fc8 as convolutions. Inputs are 231x231 for classification."""
from tensorweave import init_ops
from tensorweave.contrib import layers
from tensorweave.contrib.framework.arg_scope import arg_scope
from tensorweave.contrib.slim.nets.alexnet import (classifier_arg_scope,
                                                  convolutional_classifier, squeezed_end_points)
from tensorweave.variable_scope import variable_scope

__all__ = ["overfeat", "overfeat_arg_scope"]


def overfeat_arg_scope(weight_decay=0.0005):
    """ReLU layers with zero biases and L2-regularized weights; SAME convolutions, VALID max
    pools."""
    return classifier_arg_scope(weight_decay, init_ops.zeros_initializer())


def overfeat(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
             spatial_squeeze=True, scope="overfeat"):
    """(logits, end_points) of OverFeat on [batch, 231, 231, 3] images."""
    with variable_scope(scope, "overfeat", [inputs]) as sc:
        collection = sc.name + "_end_points"
        with arg_scope([layers.conv2d, layers.fully_connected, layers.max_pool2d],
                       outputs_collections=collection):
            net = layers.conv2d(inputs, 64, [11, 11], 4, padding="VALID", scope="conv1")
            net = layers.max_pool2d(net, [2, 2], scope="pool1")
            net = layers.conv2d(net, 256, [5, 5], padding="VALID", scope="conv2")
            net = layers.max_pool2d(net, [2, 2], scope="pool2")
            net = layers.conv2d(net, 512, [3, 3], scope="conv3")
            net = layers.conv2d(net, 1024, [3, 3], scope="conv4")
            net = layers.conv2d(net, 1024, [3, 3], scope="conv5")
            net = layers.max_pool2d(net, [2, 2], scope="pool5")
            net = convolutional_classifier(net, 3072, [6, 6], num_classes, is_training,
                                           dropout_keep_prob)
            return squeezed_end_points(net, collection, sc.name, spatial_squeeze)


overfeat.default_image_size = 231
