"""TF-slim's AlexNet v2 ("One weird trick", Krizhevsky 2014) as tf.contrib.slim.nets.alexnet
builds it: five convolutions and three max pools, then fc6-fc8 as convolutions. Inputs are
224x224 for classification."""
from tensorweave import init_ops
from tensorweave.contrib import layers
from tensorweave.contrib.framework.arg_scope import arg_scope
from tensorweave.contrib.layers import utils
from tensorweave.ops import array, nn_ops
from tensorweave.variable_scope import variable_scope

__all__ = ["alexnet_v2", "alexnet_v2_arg_scope"]


def alexnet_v2_arg_scope(weight_decay=0.0005):
    """ReLU layers with biases starting at 0.1 and L2-regularized weights; SAME convolutions,
    VALID max pools."""
    return classifier_arg_scope(weight_decay, init_ops.constant_initializer(0.1))


def classifier_arg_scope(weight_decay, biases_initializer):
    """AlexNet's and OverFeat's arg scope: ReLU layers with L2-regularized weights and
    `biases_initializer`; SAME convolutions, VALID max pools."""
    with arg_scope([layers.conv2d, layers.fully_connected], activation_fn=nn_ops.relu,
                   biases_initializer=biases_initializer,
                   weights_regularizer=layers.l2_regularizer(weight_decay)):
        with arg_scope([layers.conv2d], padding="SAME"):
            with arg_scope([layers.max_pool2d], padding="VALID") as scope:
                return scope


def alexnet_v2(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
               spatial_squeeze=True, scope="alexnet_v2"):
    """(logits, end_points) of AlexNet v2 on [batch, 224, 224, 3] images."""
    with variable_scope(scope, "alexnet_v2", [inputs]) as sc:
        collection = sc.original_name_scope + "_end_points"
        with arg_scope([layers.conv2d, layers.fully_connected, layers.max_pool2d],
                       outputs_collections=[collection]):
            net = layers.conv2d(inputs, 64, [11, 11], 4, padding="VALID", scope="conv1")
            net = layers.max_pool2d(net, [3, 3], 2, scope="pool1")
            net = layers.conv2d(net, 192, [5, 5], scope="conv2")
            net = layers.max_pool2d(net, [3, 3], 2, scope="pool2")
            net = layers.conv2d(net, 384, [3, 3], scope="conv3")
            net = layers.conv2d(net, 384, [3, 3], scope="conv4")
            net = layers.conv2d(net, 256, [3, 3], scope="conv5")
            net = layers.max_pool2d(net, [3, 3], 2, scope="pool5")
            net = convolutional_classifier(net, 4096, [5, 5], num_classes, is_training,
                                           dropout_keep_prob)
            return squeezed_end_points(net, collection, sc.name, spatial_squeeze)


alexnet_v2.default_image_size = 224


def convolutional_classifier(net, fc6_depth, fc6_kernel, num_classes, is_training,
                             dropout_keep_prob):
    """AlexNet's and OverFeat's fully connected layers as convolutions: fc6 (VALID) and fc7
    with dropout after each, then fc8's linear logits; weights N(0, 0.005), biases 0.1
    (fc8's 0)."""
    with arg_scope([layers.conv2d],
                   weights_initializer=init_ops.truncated_normal_initializer(0.0, 0.005),
                   biases_initializer=init_ops.constant_initializer(0.1)):
        net = layers.conv2d(net, fc6_depth, fc6_kernel, padding="VALID", scope="fc6")
        net = layers.dropout(net, dropout_keep_prob, is_training=is_training, scope="dropout6")
        net = layers.conv2d(net, 4096, [1, 1], scope="fc7")
        net = layers.dropout(net, dropout_keep_prob, is_training=is_training, scope="dropout7")
        return layers.conv2d(net, num_classes, [1, 1], activation_fn=None, normalizer_fn=None,
                             biases_initializer=init_ops.zeros_initializer(), scope="fc8")


def squeezed_end_points(net, collection, scope_name, spatial_squeeze):
    """(the logits, squeezed to [batch, classes] with spatial_squeeze, end_points)."""
    end_points = utils.convert_collection_to_dict(collection)
    if spatial_squeeze:
        net = array.squeeze(net, [1, 2], name="fc8/squeezed")
        end_points[scope_name + "/fc8"] = net
    return net, end_points
