"""The shape-chosen kernel internals against the loop references: stride-1 convolutions
through the DFT (runtime/accel/spectral_conv) and MaxPoolGrad of windows that tile the
image (conv_ops)."""
import numpy as np
import pytest

import conv_reference as ref
import tensorweave as tf
from tensorweave.ops import conv_ops
from tensorweave.runtime.accel import spectral_conv

_rng = np.random.RandomState(11)


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


def _window(x_shape, k_shape, padding, strides=(1, 1), dilations=(1, 1)):
    attrs = {"strides": (1, *strides, 1), "dilations": (1, *dilations, 1),
             "padding": padding if isinstance(padding, str) else "EXPLICIT",
             "explicit_paddings": () if isinstance(padding, str) else
             (0, 0, *padding[0], *padding[1], 0, 0), "data_format": "NHWC"}
    return conv_ops.Window(x_shape[1:3], k_shape[:2], attrs)


def _spectral(x_shape, k_shape, padding="SAME", dtype=np.float32, **geometry):
    win = _window(x_shape, k_shape, padding, **geometry)
    return spectral_conv.spectral_period(win, x_shape[0], x_shape[3], k_shape[3], np.dtype(dtype))


def test_the_algorithm_follows_the_shapes():
    """Deep MNIST's second convolution goes through the DFT; its first (one input channel),
    strided, dilated, small and integer ones stay with im2col."""
    assert _spectral((50, 14, 14, 32), (5, 5, 32, 64)) == (18, 18)
    assert _spectral((50, 14, 14, 32), (5, 5, 32, 64), "VALID") == (14, 14)
    assert _spectral((50, 28, 28, 1), (5, 5, 1, 32)) is None
    assert _spectral((50, 14, 14, 32), (5, 5, 32, 64), strides=(2, 2)) is None
    assert _spectral((50, 14, 14, 32), (5, 5, 32, 64), dilations=(2, 1)) is None
    assert _spectral((50, 14, 14, 32), (1, 1, 32, 64)) is None
    assert _spectral((50, 14, 14, 32), (5, 5, 32, 64), dtype=np.float16) is None


SPECTRAL_CASES = [("SAME", (3, 9, 8, 4), (5, 4, 4, 3)),
                  ("VALID", (2, 7, 10, 3), (3, 5, 3, 2)),
                  (((1, 3), (2, 0)), (2, 6, 5, 2), (4, 3, 2, 3)),
                  ("SAME", (2, 5, 6, 3), (6, 6, 3, 2))]  # filter larger than the image


@pytest.mark.parametrize("padding,x_shape,f_shape", SPECTRAL_CASES,
                         ids=["same", "valid", "explicit", "big-filter"])
def test_spectral_convolutions_match_loop_references(monkeypatch, padding, x_shape, f_shape):
    monkeypatch.setattr(spectral_conv, "MARGIN", 0)  # every stride-1 case takes the DFT
    assert _spectral(x_shape, f_shape, padding, np.float64) is not None
    x, f = _rng.randn(*x_shape), _rng.randn(*f_shape)
    tf_padding = padding if isinstance(padding, str) else [[0, 0], *padding, [0, 0]]
    expected = ref.conv2d(x, f, (1, 1), padding)
    dy = _rng.randn(*expected.shape)
    kw = dict(strides=[1, 1, 1, 1], padding=tf_padding)
    got = _run([tf.nn.conv2d(x, f, **kw), tf.nn.conv2d_backprop_input(x.shape, f, dy, **kw),
                tf.nn.conv2d_backprop_filter(x, f.shape, dy, **kw)])
    np.testing.assert_allclose(got[0], expected, atol=1e-12)
    np.testing.assert_allclose(got[1], ref.conv2d_backprop_input(x.shape, f, dy, (1, 1),
                                                                 padding), atol=1e-12)
    np.testing.assert_allclose(got[2], ref.conv2d_backprop_filter(x, f.shape, dy, (1, 1),
                                                                  padding), atol=1e-12)


def test_spectral_nchw_and_gradients_of_gradients(monkeypatch):
    monkeypatch.setattr(spectral_conv, "MARGIN", 0)
    x, f = _rng.randn(2, 3, 5, 4), _rng.randn(3, 2, 3, 2)  # NCHW input
    xt, ft = tf.constant(x), tf.constant(f)
    y = tf.nn.conv2d(xt, ft, [1, 1, 1, 1], "SAME", data_format="NCHW")
    dx, df = tf.gradients(tf.reduce_sum(tf.square(y)), [xt, ft])
    ddf = tf.gradients(tf.reduce_sum(dx * dx), ft)[0]
    got = _run([y, dx, df, ddf])
    monkeypatch.setattr(spectral_conv, "MARGIN", np.inf)  # the same graph through im2col
    want = _run([y, dx, df, ddf])
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(got[0].transpose(0, 2, 3, 1),
                               ref.conv2d(x.transpose(0, 2, 3, 1), f, (1, 1), "SAME"),
                               atol=1e-12)


def test_spectral_float32_at_deep_mnist_shapes():
    """Float32 in, float32 out, as accurate as float32 im2col against float64."""
    x, f = _rng.rand(4, 14, 14, 32), _rng.randn(5, 5, 32, 64) * 0.1
    dy = _rng.randn(4, 14, 14, 64)
    x32, f32, dy32 = (a.astype(np.float32) for a in (x, f, dy))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spectral_conv, "MARGIN", 0)
        kw = dict(strides=[1, 1, 1, 1], padding="SAME")
        got = _run([tf.nn.conv2d(x32, f32, **kw),
                    tf.nn.conv2d_backprop_input(x.shape, f32, dy32, **kw),
                    tf.nn.conv2d_backprop_filter(x32, f.shape, dy32, **kw)])
    want = [ref.conv2d(x, f, (1, 1), "SAME"),
            ref.conv2d_backprop_input(x.shape, f, dy, (1, 1), "SAME"),
            ref.conv2d_backprop_filter(x, f.shape, dy, (1, 1), "SAME")]
    for g, w in zip(got, want):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, w, atol=2e-5 * np.abs(w).max())


TILED_POOLS = [((2, 2), "SAME", (2, 8, 6, 3)), ((2, 2), "VALID", (2, 7, 5, 3)),
               ((3, 2), "VALID", (1, 9, 6, 2))]


@pytest.mark.parametrize("ksize,padding,x_shape", TILED_POOLS,
                         ids=["2x2-same", "2x2-valid-leftover", "3x2-valid"])
@pytest.mark.parametrize("ties", [False, True])
def test_tiled_max_pool_gradient_matches_loop_reference(ksize, padding, x_shape, ties):
    """Windows that tile the image (stride = window): routed by one comparison, ties (here
    the zeros a ReLU leaves) to the window's first maximum."""
    x = _rng.randn(*x_shape)
    if ties:
        x = np.maximum(x, 0) * (_rng.rand(*x_shape) < 0.3)
    want_y = ref.max_pool(x, ksize, ksize, padding)
    dy = _rng.randn(*want_y.shape)
    win = conv_ops.Window(x_shape[1:3], ksize, {"strides": (1, *ksize, 1),
                                                 "padding": padding})
    assert conv_ops._tiled_max_pool_grad(x, want_y, dy, win) is not None  # the path tested
    xt = tf.constant(x)
    y = tf.nn.max_pool(xt, [1, *ksize, 1], [1, *ksize, 1], padding)
    got_y, got_dx = _run([y, tf.gradients(y, xt, grad_ys=dy)[0]])
    np.testing.assert_array_equal(got_y, want_y)
    np.testing.assert_array_equal(got_dx, ref.max_pool_grad(x, dy, ksize, ksize, padding))


def test_tiled_max_pool_gradient_in_nchw():
    x = np.maximum(_rng.randn(2, 3, 4, 6), 0)
    xt = tf.constant(x)
    y = tf.nn.max_pool(xt, [1, 1, 2, 2], [1, 1, 2, 2], "SAME", data_format="NCHW")
    dy = _rng.randn(2, 3, 2, 3)
    got = _run(tf.gradients(y, xt, grad_ys=dy)[0])
    to_nhwc = (0, 2, 3, 1)
    want = ref.max_pool_grad(x.transpose(to_nhwc), dy.transpose(to_nhwc), (2, 2), (2, 2), "SAME")
    np.testing.assert_array_equal(got.transpose(to_nhwc), want)


@pytest.mark.parametrize("padding,strides,dilations", [
    ("SAME", (1, 1), (1, 1)), ("VALID", (2, 1), (1, 2)), (((1, 2), (0, 1)), (3, 2), (2, 1))],
    ids=["same", "valid-strided-dilated", "explicit-strided"])
def test_one_channel_columns_gathered_by_tap(padding, strides, dilations):
    """With one input channel, im2col gathers tap by tap (a transposed column matrix)."""
    x, f = _rng.randn(3, 9, 8, 1), _rng.randn(3, 2, 1, 4)
    win = _window(x.shape, f.shape, padding, strides, dilations)
    assert win.column_matrix(win.padded(x)).flags.f_contiguous
    tf_padding = padding if isinstance(padding, str) else [[0, 0], *padding, [0, 0]]
    kw = dict(strides=[1, *strides, 1], padding=tf_padding, dilations=[1, *dilations, 1])
    expected = ref.conv2d(x, f, strides, padding, dilations)
    dy = _rng.randn(*expected.shape)
    got = _run([tf.nn.conv2d(x, f, **kw), tf.nn.conv2d_backprop_filter(x, f.shape, dy, **kw)])
    np.testing.assert_allclose(got[0], expected, atol=1e-12)
    np.testing.assert_allclose(got[1], ref.conv2d_backprop_filter(x, f.shape, dy, strides,
                                                                  padding, dilations), atol=1e-12)
