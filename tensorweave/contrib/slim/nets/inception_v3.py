"""TF-slim's Inception V3 (Szegedy et al. 2015) as tf.contrib.slim.nets.inception_v3 builds it,
with its scope names (quirks included, such as Mixed_5c's 'Conv_1_0c_5x5'), so the published
inception_v3.ckpt restores into it. The network is written as data: each end point is one
layer or a "mixed" block of parallel branches concatenated on the channels."""
from tensorweave.contrib import layers
from tensorweave.contrib.framework.arg_scope import arg_scope
from tensorweave.core.graph import GraphKeys
from tensorweave.contrib.slim.nets.inception_blocks import (classifier, conv, fork, pool,
                                                            reduced_kernel_size,
                                                            run_end_points, truncated_normal)
from tensorweave.ops import array, nn_ops
from tensorweave.variable_scope import variable_scope

__all__ = ["inception_v3", "inception_v3_arg_scope", "inception_v3_base"]


def _valid(spec):
    kind, channels, kernel, scope, kwargs = spec
    return (kind, channels, kernel, scope, dict(kwargs, stride=2, padding="VALID"))


STEM = [  # stride 1 and VALID unless given
    ("Conv2d_1a_3x3", conv(32, [3, 3], "Conv2d_1a_3x3", stride=2)),
    ("Conv2d_2a_3x3", conv(32, [3, 3], "Conv2d_2a_3x3")),
    ("Conv2d_2b_3x3", conv(64, [3, 3], "Conv2d_2b_3x3", padding="SAME")),
    ("MaxPool_3a_3x3", pool("max", [3, 3], "MaxPool_3a_3x3", stride=2)),
    ("Conv2d_3b_1x1", conv(80, [1, 1], "Conv2d_3b_1x1")),
    ("Conv2d_4a_3x3", conv(192, [3, 3], "Conv2d_4a_3x3")),
    ("MaxPool_5a_3x3", pool("max", [3, 3], "MaxPool_5a_3x3", stride=2)),
]


def _block_35(pool_depth, branch_1=("Conv2d_0a_1x1", "Conv2d_0b_5x5")):
    return [[conv(64, [1, 1], "Conv2d_0a_1x1")],
            [conv(48, [1, 1], branch_1[0]), conv(64, [5, 5], branch_1[1])],
            [conv(64, [1, 1], "Conv2d_0a_1x1"), conv(96, [3, 3], "Conv2d_0b_3x3"),
             conv(96, [3, 3], "Conv2d_0c_3x3")],
            [pool("avg", [3, 3], "AvgPool_0a_3x3"), conv(pool_depth, [1, 1], "Conv2d_0b_1x1")]]


def _block_17(width):
    return [[conv(192, [1, 1], "Conv2d_0a_1x1")],
            [conv(width, [1, 1], "Conv2d_0a_1x1"), conv(width, [1, 7], "Conv2d_0b_1x7"),
             conv(192, [7, 1], "Conv2d_0c_7x1")],
            [conv(width, [1, 1], "Conv2d_0a_1x1"), conv(width, [7, 1], "Conv2d_0b_7x1"),
             conv(width, [1, 7], "Conv2d_0c_1x7"), conv(width, [7, 1], "Conv2d_0d_7x1"),
             conv(192, [1, 7], "Conv2d_0e_1x7")],
            [pool("avg", [3, 3], "AvgPool_0a_3x3"), conv(192, [1, 1], "Conv2d_0b_1x1")]]


def _block_8(second_3x1):
    return [[conv(320, [1, 1], "Conv2d_0a_1x1")],
            [conv(384, [1, 1], "Conv2d_0a_1x1"),
             fork(conv(384, [1, 3], "Conv2d_0b_1x3"), conv(384, [3, 1], second_3x1))],
            [conv(448, [1, 1], "Conv2d_0a_1x1"), conv(384, [3, 3], "Conv2d_0b_3x3"),
             fork(conv(384, [1, 3], "Conv2d_0c_1x3"), conv(384, [3, 1], "Conv2d_0d_3x1"))],
            [pool("avg", [3, 3], "AvgPool_0a_3x3"), conv(192, [1, 1], "Conv2d_0b_1x1")]]


MIXED = [  # stride 1 and SAME unless given
    ("Mixed_5b", _block_35(32)),
    ("Mixed_5c", _block_35(64, ("Conv2d_0b_1x1", "Conv_1_0c_5x5"))),
    ("Mixed_5d", _block_35(64)),
    ("Mixed_6a", [[_valid(conv(384, [3, 3], "Conv2d_1a_1x1"))],
                  [conv(64, [1, 1], "Conv2d_0a_1x1"), conv(96, [3, 3], "Conv2d_0b_3x3"),
                   _valid(conv(96, [3, 3], "Conv2d_1a_1x1"))],
                  [_valid(pool("max", [3, 3], "MaxPool_1a_3x3"))]]),
    ("Mixed_6b", _block_17(128)),
    ("Mixed_6c", _block_17(160)),
    ("Mixed_6d", _block_17(160)),
    ("Mixed_6e", _block_17(192)),
    ("Mixed_7a", [[conv(192, [1, 1], "Conv2d_0a_1x1"),
                   _valid(conv(320, [3, 3], "Conv2d_1a_3x3"))],
                  [conv(192, [1, 1], "Conv2d_0a_1x1"), conv(192, [1, 7], "Conv2d_0b_1x7"),
                   conv(192, [7, 1], "Conv2d_0c_7x1"),
                   _valid(conv(192, [3, 3], "Conv2d_1a_3x3"))],
                  [_valid(pool("max", [3, 3], "MaxPool_1a_3x3"))]]),
    ("Mixed_7b", _block_8("Conv2d_0b_3x1")),
    ("Mixed_7c", _block_8("Conv2d_0c_3x1")),
]


def depth_function(depth_multiplier, min_depth):
    """d -> d channels scaled by depth_multiplier, at least min_depth (ValueError for a
    multiplier <= 0)."""
    if depth_multiplier <= 0:
        raise ValueError("depth_multiplier is not greater than zero.")
    return lambda d: max(int(d * depth_multiplier), min_depth)


def inception_v3_base(inputs, final_endpoint="Mixed_7c", min_depth=16, depth_multiplier=1.0,
                      scope=None):
    """(the network up to `final_endpoint`, end_points), from Conv2d_1a_3x3 to Mixed_7c."""
    depth = depth_function(depth_multiplier, min_depth)
    end_points = {}
    with variable_scope(scope, "InceptionV3", [inputs]):
        net = inputs
        for plan, padding in ((STEM, "VALID"), (MIXED, "SAME")):
            with arg_scope([layers.conv2d, layers.max_pool2d, layers.avg_pool2d], stride=1,
                           padding=padding):
                net, done = run_end_points(net, plan, depth, final_endpoint, end_points)
                if done is not None:
                    return net, end_points
    raise ValueError(f"Unknown final endpoint {final_endpoint}")


def inception_v3(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.8,
                 min_depth=16, depth_multiplier=1.0, prediction_fn=layers.softmax,
                 spatial_squeeze=True, reuse=None, create_aux_logits=True,
                 scope="InceptionV3"):
    """(logits, end_points) of Inception V3 on [batch, 299, 299, 3] images, with the
    auxiliary classifier on Mixed_6e ("AuxLogits") when create_aux_logits."""
    depth = depth_function(depth_multiplier, min_depth)
    with variable_scope(scope, "InceptionV3", [inputs, num_classes], reuse=reuse) as sc:
        with arg_scope([layers.batch_norm, layers.dropout], is_training=is_training):
            net, end_points = inception_v3_base(inputs, scope=sc, min_depth=min_depth,
                                                depth_multiplier=depth_multiplier)
            if create_aux_logits and num_classes:
                with arg_scope([layers.conv2d, layers.max_pool2d, layers.avg_pool2d],
                               stride=1, padding="SAME"):
                    with variable_scope("AuxLogits"):
                        aux = layers.avg_pool2d(end_points["Mixed_6e"], [5, 5], stride=3,
                                                padding="VALID", scope="AvgPool_1a_5x5")
                        aux = layers.conv2d(aux, depth(128), [1, 1], scope="Conv2d_1b_1x1")
                        kernel = reduced_kernel_size(aux, [5, 5])
                        aux = layers.conv2d(aux, depth(768), kernel,
                                            weights_initializer=truncated_normal(0.01),
                                            padding="VALID",
                                            scope="Conv2d_2a_{}x{}".format(*kernel))
                        aux = layers.conv2d(aux, num_classes, [1, 1], activation_fn=None,
                                            normalizer_fn=None,
                                            weights_initializer=truncated_normal(0.001),
                                            scope="Conv2d_2b_1x1")
                        if spatial_squeeze:
                            aux = array.squeeze(aux, [1, 2], name="SpatialSqueeze")
                        end_points["AuxLogits"] = aux
            with variable_scope("Logits"):
                logits = classifier(net, num_classes, dropout_keep_prob, spatial_squeeze,
                                    [8, 8], end_points)
            end_points["Logits"] = logits
            end_points["Predictions"] = prediction_fn(logits, scope="Predictions")
    return logits, end_points


inception_v3.default_image_size = 299


def inception_v3_arg_scope(weight_decay=0.00004, batch_norm_var_collection="moving_vars",
                           batch_norm_decay=0.9997, batch_norm_epsilon=0.001,
                           updates_collections=GraphKeys.UPDATE_OPS,
                           use_fused_batchnorm=True):
    """L2-regularized weights; ReLU convolutions with variance-scaling weights and batch
    norm, its moving statistics also in `batch_norm_var_collection`."""
    batch_norm_params = {
        "decay": batch_norm_decay, "epsilon": batch_norm_epsilon,
        "updates_collections": updates_collections, "fused": use_fused_batchnorm,
        "variables_collections": {"beta": None, "gamma": None,
                                  "moving_mean": [batch_norm_var_collection],
                                  "moving_variance": [batch_norm_var_collection]}}
    with arg_scope([layers.conv2d, layers.fully_connected],
                   weights_regularizer=layers.l2_regularizer(weight_decay)):
        with arg_scope([layers.conv2d], weights_initializer=layers.variance_scaling_initializer(),
                       activation_fn=nn_ops.relu, normalizer_fn=layers.batch_norm,
                       normalizer_params=batch_norm_params) as scope:
            return scope
