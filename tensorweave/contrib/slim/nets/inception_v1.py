"""TF-slim's Inception V1 (GoogLeNet, Szegedy et al. 2014) as tf.contrib.slim.nets.inception_v1
builds it, with its scope names (Mixed_5b's third branch ends in 'Conv2d_0a_3x3', as TF's
does), so the published inception_v1.ckpt restores into it."""
from tensorweave.contrib import layers
from tensorweave.contrib.framework.arg_scope import arg_scope
from tensorweave.contrib.slim.nets.inception_blocks import (conv, pool, run_end_points,
                                                            truncated_normal)
from tensorweave.core.graph import GraphKeys
from tensorweave.ops import array, nn_ops
from tensorweave.variable_scope import variable_scope

__all__ = ["inception_v1", "inception_v1_arg_scope", "inception_v1_base"]


def _mixed(a, b1, b2, c1, c2, d, c2_scope="Conv2d_0b_3x3"):
    """GoogLeNet's four branches: 1x1; 1x1 then 3x3; 1x1 then 3x3; 3x3 max pool then 1x1."""
    return [[conv(a, [1, 1], "Conv2d_0a_1x1")],
            [conv(b1, [1, 1], "Conv2d_0a_1x1"), conv(b2, [3, 3], "Conv2d_0b_3x3")],
            [conv(c1, [1, 1], "Conv2d_0a_1x1"), conv(c2, [3, 3], c2_scope)],
            [pool("max", [3, 3], "MaxPool_0a_3x3"), conv(d, [1, 1], "Conv2d_0b_1x1")]]


PLAN = [  # stride 1 and SAME unless given
    ("Conv2d_1a_7x7", conv(64, [7, 7], "Conv2d_1a_7x7", stride=2)),
    ("MaxPool_2a_3x3", pool("max", [3, 3], "MaxPool_2a_3x3", stride=2)),
    ("Conv2d_2b_1x1", conv(64, [1, 1], "Conv2d_2b_1x1")),
    ("Conv2d_2c_3x3", conv(192, [3, 3], "Conv2d_2c_3x3")),
    ("MaxPool_3a_3x3", pool("max", [3, 3], "MaxPool_3a_3x3", stride=2)),
    ("Mixed_3b", _mixed(64, 96, 128, 16, 32, 32)),
    ("Mixed_3c", _mixed(128, 128, 192, 32, 96, 64)),
    ("MaxPool_4a_3x3", pool("max", [3, 3], "MaxPool_4a_3x3", stride=2)),
    ("Mixed_4b", _mixed(192, 96, 208, 16, 48, 64)),
    ("Mixed_4c", _mixed(160, 112, 224, 24, 64, 64)),
    ("Mixed_4d", _mixed(128, 128, 256, 24, 64, 64)),
    ("Mixed_4e", _mixed(112, 144, 288, 32, 64, 64)),
    ("Mixed_4f", _mixed(256, 160, 320, 32, 128, 128)),
    ("MaxPool_5a_2x2", pool("max", [2, 2], "MaxPool_5a_2x2", stride=2)),
    ("Mixed_5b", _mixed(256, 160, 320, 32, 128, 128, c2_scope="Conv2d_0a_3x3")),
    ("Mixed_5c", _mixed(384, 192, 384, 48, 128, 128)),
]


def inception_v1_base(inputs, final_endpoint="Mixed_5c", scope="InceptionV1"):
    """(the network up to `final_endpoint`, end_points), from Conv2d_1a_7x7 to Mixed_5c."""
    end_points = {}
    with variable_scope(scope, "InceptionV1", [inputs]):
        with arg_scope([layers.conv2d, layers.fully_connected],
                       weights_initializer=truncated_normal(0.01)):
            with arg_scope([layers.conv2d, layers.max_pool2d], stride=1, padding="SAME"):
                net, done = run_end_points(inputs, PLAN, lambda d: d, final_endpoint,
                                           end_points)
                if done is not None:
                    return net, end_points
    raise ValueError(f"Unknown final endpoint {final_endpoint}")


def inception_v1(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.8,
                 prediction_fn=layers.softmax, spatial_squeeze=True, reuse=None,
                 scope="InceptionV1"):
    """(logits, end_points) of Inception V1 on [batch, 224, 224, 3] images."""
    with variable_scope(scope, "InceptionV1", [inputs, num_classes], reuse=reuse) as sc:
        with arg_scope([layers.batch_norm, layers.dropout], is_training=is_training):
            net, end_points = inception_v1_base(inputs, scope=sc)
            with variable_scope("Logits"):
                net = layers.avg_pool2d(net, [7, 7], stride=1, scope="MaxPool_0a_7x7")
                net = layers.dropout(net, dropout_keep_prob, scope="Dropout_0b")
                logits = layers.conv2d(net, num_classes, [1, 1], activation_fn=None,
                                       normalizer_fn=None, scope="Conv2d_0c_1x1")
                if spatial_squeeze:
                    logits = array.squeeze(logits, [1, 2], name="SpatialSqueeze")
                end_points["Logits"] = logits
                end_points["Predictions"] = prediction_fn(logits, scope="Predictions")
    return logits, end_points


inception_v1.default_image_size = 224


def inception_v1_arg_scope(weight_decay=0.00004, use_batch_norm=True,
                           batch_norm_var_collection="moving_vars"):
    """L2-regularized weights; ReLU convolutions with variance-scaling weights and (with
    use_batch_norm) batch norm, its moving statistics also in `batch_norm_var_collection`."""
    params = {"decay": 0.9997, "epsilon": 0.001, "updates_collections": GraphKeys.UPDATE_OPS,
              "variables_collections": {"beta": None, "gamma": None,
                                        "moving_mean": [batch_norm_var_collection],
                                        "moving_variance": [batch_norm_var_collection]}}
    normalizer_fn, normalizer_params = (layers.batch_norm, params) if use_batch_norm else \
        (None, {})
    with arg_scope([layers.conv2d, layers.fully_connected],
                   weights_regularizer=layers.l2_regularizer(weight_decay)):
        with arg_scope([layers.conv2d], weights_initializer=layers.variance_scaling_initializer(),
                       activation_fn=nn_ops.relu, normalizer_fn=normalizer_fn,
                       normalizer_params=normalizer_params) as scope:
            return scope
