"""tf.layers' 1-D and 3-D convolutions, transposed 3-D and separable convolutions and 1-D/3-D
pooling against TensorFlow: outputs, gradients, variable names and shapes."""
import os
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
sys.path.insert(0, FIXTURES)
import layers_losses_metrics_extra_cases as cases  # noqa: E402

ARRAYS, VARIABLES = cases.load_reference(FIXTURES)


@pytest.mark.parametrize("name", [n for n in cases.CASES if n.startswith("layer_")])
def test_layer_matches_tensorflow(name):
    cases.check_case(tf, name, ARRAYS, VARIABLES, rtol=1e-4, atol=1e-5)


def test_layer_objects_defaults_and_names():
    layers = [tf.layers.Conv1D(2, 3), tf.layers.Conv3D(2, 3), tf.layers.Conv3DTranspose(2, 3),
              tf.layers.SeparableConv1D(2, 3), tf.layers.SeparableConv2D(2, 3),
              tf.layers.MaxPooling1D(2, 2), tf.layers.AveragePooling1D(2, 2),
              tf.layers.MaxPooling3D(2, 2), tf.layers.AveragePooling3D(2, 2)]
    assert [layer.name for layer in layers] == [
        "conv1d", "conv3d", "conv3d_transpose", "separable_conv1d", "separable_conv2d",
        "max_pooling1d", "average_pooling1d", "max_pooling3d", "average_pooling3d"]
    sep = layers[4]
    assert (sep.kernel_size, sep.strides, sep.padding, sep.data_format, sep.dilation_rate,
            sep.depth_multiplier) == ((3, 3), (1, 1), "valid", "channels_last", (1, 1), 1)
    assert layers[2].kernel_size == (3, 3, 3) and layers[7].pool_size == (2, 2, 2)
    assert tf.layers.Convolution3D is tf.layers.Conv3D
    assert tf.layers.MaxPool1D is tf.layers.MaxPooling1D
    spec = tf.layers.InputSpec(ndim=4)
    assert spec.ndim == 4 and tf.layers.InputSpec is tf.keras.layers.InputSpec


def test_reuse_and_scopes_share_variables():
    x = tf.placeholder(tf.float32, [None, 6, 2])
    with tf.variable_scope("enc"):
        a = tf.layers.separable_conv1d(x, 3, 2, name="sep")
    with tf.variable_scope("enc", reuse=True):
        b = tf.layers.separable_conv1d(x, 3, 2, name="sep")
    c = tf.layers.conv1d(x, 2, 2, name="c", reuse=tf.AUTO_REUSE)
    d = tf.layers.conv1d(x, 2, 2, name="c", reuse=tf.AUTO_REUSE)
    assert [v.name for v in tf.global_variables()] == [
        "enc/sep/depthwise_kernel:0", "enc/sep/pointwise_kernel:0", "enc/sep/bias:0",
        "c/kernel:0", "c/bias:0"]
    feed = {x: np.random.RandomState(0).randn(2, 6, 2)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        va, vb, vc, vd = sess.run([a, b, c, d], feed)
    np.testing.assert_array_equal(va, vb)
    np.testing.assert_array_equal(vc, vd)


def test_regularizers_and_unknown_batch():
    x = tf.placeholder(tf.float32, [None, None, 4, 3, 2])
    layer = tf.layers.Conv3DTranspose(3, 2, strides=(2, 1, 1), padding="valid",
                                      kernel_regularizer=lambda w: tf.reduce_sum(w * w))
    y = layer(x)
    assert y.shape.as_list() == [None, None, 5, 4, 3]
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(y, {x: np.ones([1, 3, 4, 3, 2])}).shape == (1, 6, 5, 4, 3)
    sep = tf.layers.SeparableConv2D(2, 1, depthwise_regularizer=tf.nn.l2_loss,
                                    pointwise_regularizer=tf.nn.l2_loss)
    sep(tf.placeholder(tf.float32, [None, 3, 3, 2]))
    assert len(sep.losses) == 2


def test_wrong_rank_and_bad_arguments_raise():
    with pytest.raises(ValueError, match="expected ndim=3"):
        tf.layers.conv1d(tf.placeholder(tf.float32, [None, 4, 4, 1]), 2, 2)
    with pytest.raises(ValueError, match="expected ndim=5"):
        tf.layers.max_pooling3d(tf.placeholder(tf.float32, [None, 4, 4, 1]), 2, 2)
    with pytest.raises(ValueError, match="channel dimension"):
        tf.layers.conv3d(tf.placeholder(tf.float32, [None, 4, 4, 4, None]), 2, 2)
    with pytest.raises(ValueError, match="padding"):
        tf.layers.Conv3D(2, 2, padding="causal")
    with pytest.raises(ValueError, match="kernel_size"):
        tf.layers.Conv3D(2, (2, 2))
