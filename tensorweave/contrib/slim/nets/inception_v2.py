"""TF-slim's Inception V2 (Inception with batch normalization, Ioffe & Szegedy 2015) as
tf.contrib.slim.nets.inception_v2 builds it, with its scope names, so the published
inception_v2.ckpt restores into it. Its first layer is a separable 7x7 convolution; its
reduction blocks (Mixed_4a, Mixed_5a) halve the resolution with stride-2 3x3 convolutions
beside a max pool."""
from tensorweave.contrib import layers
from tensorweave.contrib.framework.arg_scope import arg_scope
from tensorweave.contrib.slim.nets.inception_blocks import (classifier, conv, pool,
                                                            run_end_points, separable,
                                                            truncated_normal)
from tensorweave.contrib.slim.nets.inception_v1 import inception_v1_arg_scope
from tensorweave.contrib.slim.nets.inception_v3 import depth_function
from tensorweave.variable_scope import variable_scope

__all__ = ["inception_v2", "inception_v2_arg_scope", "inception_v2_base"]


def _reduce(depth, scope, **kwargs):
    """A 1x1 convolution narrowing a branch's input (weights drawn with stddev 0.09)."""
    return conv(depth, [1, 1], scope, weights_initializer=truncated_normal(0.09), **kwargs)


def _mixed(a, b1, b2, c1, c2, d, pool_kind="avg"):
    """Four branches: 1x1; 1x1 then 3x3; 1x1 then two 3x3; a 3x3 pool then 1x1."""
    pool_scope = "AvgPool_0a_3x3" if pool_kind == "avg" else "MaxPool_0a_3x3"
    return [[conv(a, [1, 1], "Conv2d_0a_1x1")],
            [_reduce(b1, "Conv2d_0a_1x1"), conv(b2, [3, 3], "Conv2d_0b_3x3")],
            [_reduce(c1, "Conv2d_0a_1x1"), conv(c2, [3, 3], "Conv2d_0b_3x3"),
             conv(c2, [3, 3], "Conv2d_0c_3x3")],
            [pool(pool_kind, [3, 3], pool_scope),
             conv(d, [1, 1], "Conv2d_0b_1x1", weights_initializer=truncated_normal(0.1))]]


def _reduction(a1, a2, b1, b2):
    """Halves height and width: 1x1 then a stride-2 3x3; 1x1, 3x3 then a stride-2 3x3; a
    stride-2 max pool."""
    return [[_reduce(a1, "Conv2d_0a_1x1"), conv(a2, [3, 3], "Conv2d_1a_3x3", stride=2)],
            [_reduce(b1, "Conv2d_0a_1x1"), conv(b2, [3, 3], "Conv2d_0b_3x3"),
             conv(b2, [3, 3], "Conv2d_1a_3x3", stride=2)],
            [pool("max", [3, 3], "MaxPool_1a_3x3", stride=2)]]


MIXED = [
    ("Mixed_3b", _mixed(64, 64, 64, 64, 96, 32)),
    ("Mixed_3c", _mixed(64, 64, 96, 64, 96, 64)),
    ("Mixed_4a", _reduction(128, 160, 64, 96)),
    ("Mixed_4b", _mixed(224, 64, 96, 96, 128, 128)),
    ("Mixed_4c", _mixed(192, 96, 128, 96, 128, 128)),
    ("Mixed_4d", _mixed(160, 128, 160, 128, 160, 96)),
    ("Mixed_4e", _mixed(96, 128, 192, 160, 192, 96)),
    ("Mixed_5a", _reduction(128, 192, 192, 256)),
    ("Mixed_5b", _mixed(352, 192, 320, 160, 224, 128)),
    ("Mixed_5c", _mixed(352, 192, 320, 192, 224, 128, pool_kind="max")),
]


def _stem(depth):
    # the separable convolution's channel multiplier, at most 8 and at most a third of its
    # output depth, so that it is not over-parameterized
    multiplier = min(int(depth(64) / 3), 8)
    return [("Conv2d_1a_7x7", separable(64, [7, 7], "Conv2d_1a_7x7", stride=2,
                                        depth_multiplier=multiplier,
                                        weights_initializer=truncated_normal(1.0))),
            ("MaxPool_2a_3x3", pool("max", [3, 3], "MaxPool_2a_3x3", stride=2)),
            ("Conv2d_2b_1x1", conv(64, [1, 1], "Conv2d_2b_1x1",
                                   weights_initializer=truncated_normal(0.1))),
            ("Conv2d_2c_3x3", conv(192, [3, 3], "Conv2d_2c_3x3")),
            ("MaxPool_3a_3x3", pool("max", [3, 3], "MaxPool_3a_3x3", stride=2))]


def inception_v2_base(inputs, final_endpoint="Mixed_5c", min_depth=16, depth_multiplier=1.0,
                      scope=None):
    """(the network up to `final_endpoint`, end_points), from Conv2d_1a_7x7 to Mixed_5c;
    every depth is scaled by depth_multiplier, down to min_depth at the least."""
    depth = depth_function(depth_multiplier, min_depth)
    end_points = {}
    with variable_scope(scope, "InceptionV2", [inputs]):
        with arg_scope([layers.conv2d, layers.max_pool2d, layers.avg_pool2d,
                        layers.separable_conv2d], stride=1, padding="SAME"):
            net, done = run_end_points(inputs, _stem(depth) + MIXED, depth, final_endpoint,
                                       end_points)
            if done is not None:
                return net, end_points
    raise ValueError(f"Unknown final endpoint {final_endpoint}")


def inception_v2(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.8,
                 min_depth=16, depth_multiplier=1.0, prediction_fn=layers.softmax,
                 spatial_squeeze=True, reuse=None, scope="InceptionV2"):
    """(logits, end_points) of Inception V2 on [batch, 224, 224, 3] images."""
    depth_function(depth_multiplier, min_depth)  # a multiplier <= 0 fails before any variable
    with variable_scope(scope, "InceptionV2", [inputs, num_classes], reuse=reuse) as sc:
        with arg_scope([layers.batch_norm, layers.dropout], is_training=is_training):
            net, end_points = inception_v2_base(inputs, scope=sc, min_depth=min_depth,
                                                depth_multiplier=depth_multiplier)
            with variable_scope("Logits"):
                logits = classifier(net, num_classes, dropout_keep_prob, spatial_squeeze,
                                    [7, 7])
            end_points["Logits"] = logits
            end_points["Predictions"] = prediction_fn(logits, scope="Predictions")
    return logits, end_points


inception_v2.default_image_size = 224


def inception_v2_arg_scope(weight_decay=0.00004, batch_norm_var_collection="moving_vars"):
    """L2-regularized weights; ReLU convolutions with variance-scaling weights and batch
    norm, its moving statistics also in `batch_norm_var_collection` (Inception V1's scope
    with batch norm)."""
    return inception_v1_arg_scope(weight_decay, True, batch_norm_var_collection)
