"""Convolution, pooling and normalization ops against direct loop references, TensorFlow's
documented semantics (values recorded from TensorFlow 2.21's compat.v1) and float64 central
finite differences."""
import itertools

import numpy as np
import pytest

import conv_reference as ref
import tensorweave as tf

_rng = np.random.RandomState(5)

PADDINGS = ["SAME", "VALID", ((1, 2), (0, 1))]
STRIDES = [(1, 1), (2, 2), (3, 2)]
DILATIONS = [(1, 1), (2, 1)]
GEOMETRIES = list(itertools.product(PADDINGS, STRIDES, DILATIONS))
_IDS = [f"{p if isinstance(p, str) else 'explicit'}-s{s[0]}{s[1]}-d{d[0]}{d[1]}"
        for p, s, d in GEOMETRIES]


def _four(pair):
    return [1, pair[0], pair[1], 1]


def _tf_padding(padding):
    return padding if isinstance(padding, str) else [[0, 0], *padding, [0, 0]]


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


# --- forward values against the loop references ---------------------------------------------
@pytest.mark.parametrize("padding,strides,dilations", GEOMETRIES, ids=_IDS)
def test_conv2d_matches_loop_reference(padding, strides, dilations):
    x, f = _rng.randn(2, 7, 6, 3), _rng.randn(3, 2, 3, 4)
    y = tf.nn.conv2d(x, f, _four(strides), _tf_padding(padding), dilations=_four(dilations))
    expected = ref.conv2d(x, f, strides, padding, dilations)
    assert y.shape.as_list() == list(expected.shape)
    np.testing.assert_allclose(_run(y), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding,strides,dilations", GEOMETRIES, ids=_IDS)
def test_conv2d_gradient_ops_match_loop_references(padding, strides, dilations):
    x, f = _rng.randn(2, 6, 7, 2), _rng.randn(2, 3, 2, 3)
    kw = dict(strides=_four(strides), padding=_tf_padding(padding), dilations=_four(dilations))
    dy = _rng.randn(*ref.conv2d(x, f, strides, padding, dilations).shape)
    dx = tf.nn.conv2d_backprop_input(list(x.shape), f, dy, **kw)
    df = tf.nn.conv2d_backprop_filter(x, list(f.shape), dy, **kw)
    got_dx, got_df = _run([dx, df])
    np.testing.assert_allclose(got_dx, ref.conv2d_backprop_input(x.shape, f, dy, strides,
                                                                 padding, dilations), atol=1e-12)
    np.testing.assert_allclose(got_df, ref.conv2d_backprop_filter(x, f.shape, dy, strides,
                                                                  padding, dilations), atol=1e-12)


@pytest.mark.parametrize("padding,strides,dilations", GEOMETRIES[::2], ids=_IDS[::2])
def test_depthwise_conv2d_matches_loop_reference(padding, strides, dilations):
    if not isinstance(padding, str):
        pytest.skip("depthwise_conv2d takes SAME or VALID")
    x, f = _rng.randn(2, 6, 5, 3), _rng.randn(2, 3, 3, 2)
    y = tf.nn.depthwise_conv2d(x, f, _four(strides), padding, dilations=dilations)
    np.testing.assert_allclose(_run(y), ref.depthwise(x, f, strides, padding, dilations),
                               atol=1e-12)


POOLS = list(itertools.product([(2, 2), (3, 3), (3, 2)], [(1, 1), (2, 2), (2, 3)],
                               ["SAME", "VALID"]))


@pytest.mark.parametrize("ksize,strides,padding", POOLS,
                         ids=[f"k{k[0]}{k[1]}-s{s[0]}{s[1]}-{p}" for k, s, p in POOLS])
def test_pooling_matches_loop_reference(ksize, strides, padding):
    x = _rng.randn(2, 7, 6, 3)
    dy = _rng.randn(*ref.max_pool(x, ksize, strides, padding).shape)
    xt = tf.constant(x)
    max_y = tf.nn.max_pool(xt, _four(ksize), _four(strides), padding)
    avg_y = tf.nn.avg_pool(xt, _four(ksize), _four(strides), padding)
    dmax, davg = tf.gradients(max_y, xt, grad_ys=dy)[0], tf.gradients(avg_y, xt, grad_ys=dy)[0]
    got = _run([max_y, avg_y, dmax, davg])
    np.testing.assert_allclose(got[0], ref.max_pool(x, ksize, strides, padding))
    np.testing.assert_allclose(got[1], ref.avg_pool(x, ksize, strides, padding), atol=1e-12)
    np.testing.assert_allclose(got[2], ref.max_pool_grad(x, dy, ksize, strides, padding))
    np.testing.assert_allclose(got[3], ref.avg_pool_grad(x.shape, dy, ksize, strides, padding),
                               atol=1e-12)


def test_nchw_equals_nhwc_transposed():
    x, f, dw = _rng.randn(2, 5, 6, 3), _rng.randn(3, 2, 3, 4), _rng.randn(2, 2, 3, 2)
    to_nchw, to_nhwc = (0, 3, 1, 2), (0, 2, 3, 1)
    xc = tf.constant(x.transpose(to_nchw))
    nchw = [tf.nn.conv2d(xc, f, [1, 1, 2, 1], "SAME", data_format="NCHW"),
            tf.nn.depthwise_conv2d(xc, dw, [1, 1, 1, 2], "VALID", data_format="NCHW"),
            tf.nn.max_pool(xc, [1, 1, 3, 2], [1, 1, 2, 2], "SAME", data_format="NCHW"),
            tf.nn.avg_pool(xc, [1, 1, 3, 2], [1, 1, 2, 2], "SAME", data_format="NCHW")]
    nchw += tf.gradients(tf.add_n([tf.reduce_sum(tf.square(y)) for y in nchw]), xc)
    xn = tf.constant(x)
    nhwc = [tf.nn.conv2d(xn, f, [1, 2, 1, 1], "SAME"),
            tf.nn.depthwise_conv2d(xn, dw, [1, 1, 2, 1], "VALID"),
            tf.nn.max_pool(xn, [1, 3, 2, 1], [1, 2, 2, 1], "SAME"),
            tf.nn.avg_pool(xn, [1, 3, 2, 1], [1, 2, 2, 1], "SAME")]
    nhwc += tf.gradients(tf.add_n([tf.reduce_sum(tf.square(y)) for y in nhwc]), xn)
    for a, b, ta, tb in zip(_run(nchw), _run(nhwc), nchw, nhwc):
        assert ta.shape.as_list() == [tb.shape[i].value for i in to_nchw]
        np.testing.assert_allclose(a.transpose(to_nhwc), b, atol=1e-12)


# --- TensorFlow's semantics (values recorded from TensorFlow 2.21 compat.v1) -----------------
def test_same_padding_puts_the_odd_pixel_after():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    got = _run([tf.nn.conv2d(x, np.ones((3, 3, 1, 1), np.float32), [1, 2, 2, 1], "SAME"),
                tf.nn.conv2d(x, np.ones((2, 2, 1, 1), np.float32), [1, 1, 1, 1], "SAME")])
    np.testing.assert_array_equal(got[0][0, :, :, 0], [[45, 39], [66, 50]])
    np.testing.assert_array_equal(got[1][0, :, :, 0], [[10, 14, 18, 10], [26, 30, 34, 18],
                                                       [42, 46, 50, 26], [25, 27, 29, 15]])


def test_same_pooling_excludes_padding():
    x = np.arange(25, dtype=np.float32).reshape(1, 5, 5, 1)
    avg, mx = _run([tf.nn.avg_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
                    tf.nn.max_pool(x - 100, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")])
    np.testing.assert_array_equal(avg[0, :, :, 0], [[3, 4.5, 6], [10.5, 12, 13.5],
                                                    [18, 19.5, 21]])
    np.testing.assert_array_equal(mx[0, :, :, 0] + 100, [[6, 8, 9], [16, 18, 19], [21, 23, 24]])


def test_max_pool_gradient_goes_to_the_first_maximum():
    x = tf.constant(np.array([[1, 3, 3, 0], [3, 2, 0, 3], [0, 1, 1, 1], [1, 1, 0, 0]],
                             np.float32).reshape(1, 4, 4, 1))
    y = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    weights = np.array([1, 2, 3, 4], np.float32).reshape(1, 2, 2, 1)
    overlapping = tf.nn.max_pool(x, [1, 3, 3, 1], [1, 1, 1, 1], "SAME")
    ties, overlaps = _run(tf.gradients(tf.reduce_sum(y * weights), x)
                          + tf.gradients(tf.reduce_sum(overlapping), x))
    np.testing.assert_array_equal(ties[0, :, :, 0], [[0, 1, 2, 0], [0, 0, 0, 0], [0, 3, 4, 0],
                                                     [0, 0, 0, 0]])
    np.testing.assert_array_equal(overlaps[0, :, :, 0], [[0, 6, 2, 0], [2, 0, 0, 2],
                                                         [0, 3, 1, 0], [0, 0, 0, 0]])


# --- gradients against central finite differences (float64) ----------------------------------
def _check_gradients(build, arrays, eps=1e-6, tol=1e-6, seed=0):
    """tf.gradients of sum(build(*inputs) * r) against central differences, every input."""
    graph = tf.Graph()
    with graph.as_default():
        inputs = [tf.placeholder(tf.float64, a.shape) for a in arrays]
        y = build(*inputs)
        weights = np.random.RandomState(seed).randn(*y.shape.as_list())
        loss = tf.reduce_sum(y * weights)
        grads = [tf.convert_to_tensor(g)  # a lookup table's is an IndexedSlices, as in TF
                 for g in tf.gradients(loss, inputs)]
    with tf.Session(graph=graph) as sess:
        feeds = dict(zip(inputs, arrays))
        analytic = sess.run(grads, feeds)
        for t, a, g in zip(inputs, arrays, analytic):
            numeric = np.zeros(a.shape)
            for index in np.ndindex(*a.shape):
                plus, minus = a.copy(), a.copy()
                plus[index] += eps
                minus[index] -= eps
                numeric[index] = (sess.run(loss, {**feeds, t: plus}) -
                                  sess.run(loss, {**feeds, t: minus})) / (2 * eps)
            np.testing.assert_allclose(g, numeric, rtol=tol, atol=tol)


GRADIENT_CASES = {
    "conv2d_same": (lambda x, f: tf.nn.conv2d(x, f, [1, 1, 1, 1], "SAME"), [(1, 4, 5, 2),
                                                                           (3, 2, 2, 2)]),
    "conv2d_valid_stride2": (lambda x, f: tf.nn.conv2d(x, f, [1, 2, 2, 1], "VALID"),
                             [(1, 6, 5, 2), (3, 3, 2, 2)]),
    "conv2d_same_stride2_dilated": (
        lambda x, f: tf.nn.conv2d(x, f, [1, 2, 1, 1], "SAME", dilations=[1, 1, 2, 1]),
        [(1, 5, 5, 2), (2, 2, 2, 2)]),
    "conv2d_nchw": (lambda x, f: tf.nn.conv2d(x, f, [1, 1, 2, 2], "SAME", data_format="NCHW"),
                    [(1, 2, 5, 4), (3, 3, 2, 2)]),
    "conv2d_transpose": (
        lambda x, f: tf.nn.conv2d_transpose(x, f, [1, 5, 6, 2], [1, 2, 2, 1], "SAME"),
        [(1, 3, 3, 3), (3, 3, 2, 3)]),
    "depthwise_conv2d": (lambda x, f: tf.nn.depthwise_conv2d(x, f, [1, 2, 1, 1], "SAME"),
                         [(1, 4, 5, 2), (2, 3, 2, 2)]),
    "separable_conv2d": (lambda x, d: tf.nn.separable_conv2d(x, d, np.ones((1, 1, 4, 3)),
                                                             [1, 1, 1, 1], "VALID"),
                         [(1, 4, 4, 2), (2, 2, 2, 2)]),
    "avg_pool_same": (lambda x: tf.nn.avg_pool(x, [1, 3, 2, 1], [1, 2, 1, 1], "SAME"),
                      [(2, 5, 4, 2)]),
    "lrn": (lambda x: tf.nn.lrn(x, 2, 1.5, 0.3, 0.75), [(1, 2, 3, 6)]),
    "batch_normalization": (lambda x, m, v: tf.nn.batch_normalization(
        x, m, v + 2.0, np.array([0.5, -1.0]), np.array([2.0, 0.5]), 1e-3),
        [(3, 2), (2,), (2,)]),
    "fused_batch_norm": (lambda x, s, o: tf.nn.fused_batch_norm(x, s + 2.0, o)[0],
                         [(2, 3, 2, 3), (3,), (3,)]),
    "embedding_lookup": (lambda p: tf.nn.embedding_lookup(p, [[2, 0], [2, 3]]), [(4, 3)]),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_gradient_against_finite_differences(name):
    build, shapes = GRADIENT_CASES[name]
    _check_gradients(build, [_rng.randn(*s) for s in shapes])


def test_max_pool_gradient_against_finite_differences():
    x = (_rng.permutation(40).reshape(1, 5, 4, 2) - 20) * 0.1  # no ties within eps
    _check_gradients(lambda t: tf.nn.max_pool(t, [1, 3, 3, 1], [1, 2, 1, 1], "SAME"), [x])


def test_conv2d_second_order():
    """d/dx of sum(dL/dx * v) against differences of the first gradient."""
    x, f, v = _rng.randn(1, 4, 4, 2), _rng.randn(3, 3, 2, 2), _rng.randn(1, 4, 4, 2)

    def build(x, f):
        loss = tf.reduce_sum(tf.square(tf.nn.conv2d(x, f, [1, 2, 2, 1], "SAME")))
        return tf.reshape(tf.reduce_sum(tf.gradients(loss, x)[0] * v), [1])
    _check_gradients(build, [x, f], tol=1e-5)



def test_fused_batch_norm_second_order_with_a_nonlinear_loss():
    """Second order where dy depends on x (a cubic loss): each input counts only its own
    partial inside the backward pass's gradient."""
    x, scale, v = _rng.randn(2, 2, 2, 3), _rng.rand(3) + 0.5, _rng.randn(2, 2, 2, 3)

    def build(x, scale):
        y = tf.nn.fused_batch_norm(x, scale, tf.zeros([3], tf.float64))[0]
        loss = tf.reduce_sum(y ** 3)
        return tf.reshape(tf.reduce_sum(tf.gradients(loss, x)[0] * v), [1])
    _check_gradients(build, [x, scale], tol=1e-5)

# --- composites and their options ------------------------------------------------------------
def test_conv2d_transpose_is_the_adjoint_of_conv2d():
    x, f = _rng.randn(2, 7, 6, 3), _rng.randn(3, 3, 3, 4)
    y = _rng.randn(2, 4, 3, 4)
    conv = tf.nn.conv2d(x, f, [1, 2, 2, 1], "SAME")
    transposed = tf.nn.conv2d_transpose(y, f, [2, 7, 6, 3], [1, 2, 2, 1], "SAME")
    assert transposed.shape.as_list() == [2, 7, 6, 3]
    a, b = _run([conv, transposed])
    np.testing.assert_allclose(np.sum(a * y), np.sum(x * b), rtol=1e-12)
    with pytest.raises(ValueError, match="must match"):
        tf.nn.conv2d_transpose(y, _rng.randn(3, 3, 3, 5), [2, 7, 6, 3], [1, 2, 2, 1])


def test_fused_batch_norm_training_and_inference():
    x = _rng.randn(4, 3, 2, 5).astype(np.float32)
    scale, offset = _rng.rand(5).astype(np.float32) + 0.5, _rng.randn(5).astype(np.float32)
    y, mean, var = tf.nn.fused_batch_norm(x, scale, offset, epsilon=1e-3)
    mean_in, var_in = _rng.randn(5).astype(np.float32), _rng.rand(5).astype(np.float32)
    y_inf, mean_out, var_out = tf.nn.fused_batch_norm(x, scale, offset, mean_in, var_in,
                                                      epsilon=1e-3, is_training=False)
    got = _run([y, mean, var, y_inf, mean_out, var_out])
    batch_mean, batch_var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    np.testing.assert_allclose(got[0], ref.batch_norm(x, scale, offset, batch_mean, batch_var,
                                                      1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[1], batch_mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[2], batch_var * 24 / 23, rtol=1e-5)  # Bessel-corrected
    np.testing.assert_allclose(got[3], ref.batch_norm(x, scale, offset, mean_in, var_in, 1e-3),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(got[4], mean_in)
    assert all(v.dtype == np.float32 for v in got)
    with pytest.raises(ValueError, match="mean"):
        tf.nn.fused_batch_norm(x, scale, offset, is_training=False)


def test_lrn_matches_loop_reference():
    x = _rng.randn(2, 3, 2, 7)
    got = _run([tf.nn.local_response_normalization(x, 2, 1.5, 0.3, 0.75), tf.nn.lrn(x)])
    np.testing.assert_allclose(got[0], ref.lrn(x, 2, 1.5, 0.3, 0.75), rtol=1e-12)
    np.testing.assert_allclose(got[1], ref.lrn(x, 5, 1, 1, 0.5), rtol=1e-12)


def test_embedding_lookup_shards_and_max_norm():
    table = _rng.randn(7, 3)
    ids = np.array([[6, 0], [3, 3]])
    mod_shards = [table[i::3] for i in range(3)]  # row i lives in shard i % 3
    div_shards = [table[:3], table[3:5], table[5:]]
    got = _run([tf.nn.embedding_lookup(table, ids),
                tf.nn.embedding_lookup(mod_shards, ids),
                tf.nn.embedding_lookup(div_shards, ids, partition_strategy="div"),
                tf.nn.embedding_lookup(table, ids, max_norm=0.5)])
    for value in got[:3]:
        np.testing.assert_array_equal(value, table[ids])
    norms = np.linalg.norm(table[ids], axis=-1, keepdims=True)
    np.testing.assert_allclose(got[3], table[ids] * np.minimum(1, 0.5 / norms), rtol=1e-12)


# --- static shapes and errors ----------------------------------------------------------------
def test_static_shapes_with_unknown_batch_and_spatial_dims():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    h = tf.nn.conv2d(x, tf.zeros([5, 5, 1, 32]), [1, 1, 1, 1], "SAME")
    assert h.shape.as_list() == [None, 28, 28, 32]
    p = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert p.shape.as_list() == [None, 14, 14, 32]
    v = tf.nn.conv2d(p, tf.zeros([5, 5, 32, 8]), [1, 3, 3, 1], "VALID")
    assert v.shape.as_list() == [None, 4, 4, 8]
    unknown = tf.nn.avg_pool(tf.placeholder(tf.float32, [None, None, 7, 3]), [1, 2, 2, 1],
                             [1, 2, 2, 1], "SAME")
    assert unknown.shape.as_list() == [None, None, 4, 3]
    depthwise = tf.nn.depthwise_conv2d(tf.placeholder(tf.float32, [2, 8, 8, 3]),
                                       tf.zeros([3, 3, 3, 2]), [1, 1, 1, 1], "SAME")
    assert depthwise.shape.as_list() == [2, 8, 8, 6]


def test_shape_errors_name_the_op():
    x = tf.placeholder(tf.float32, [None, 28, 28, 3])
    with pytest.raises(ValueError, match="Conv2D requires input depth equal"):
        tf.nn.conv2d(x, tf.zeros([5, 5, 2, 8]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="Conv2D requires a 4-D input"):
        tf.nn.conv2d(tf.zeros([28, 28, 3]), tf.zeros([5, 5, 3, 8]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="negative output size"):
        tf.nn.conv2d(tf.zeros([1, 3, 3, 3]), tf.zeros([5, 5, 3, 8]), [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="MaxPool requires ksize of 1 in the batch"):
        tf.nn.max_pool(x, [2, 2, 2, 1], [1, 2, 2, 1], "SAME")
    with pytest.raises(TypeError, match="Conv2D requires floating point"):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 1], tf.int32), tf.zeros([2, 2, 1, 1], tf.int32),
                     [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="padding"):
        tf.nn.conv2d(x, tf.zeros([5, 5, 3, 8]), [1, 1, 1, 1], "FULL")


def test_strides_and_ksize_may_be_ints_or_pairs():
    x = _rng.randn(1, 6, 6, 2)
    a, b = _run([tf.nn.max_pool(x, 2, 2, "VALID"),
                 tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")])
    np.testing.assert_array_equal(a, b)
    c, d = _run([tf.nn.conv2d(x, np.ones((2, 2, 2, 1)), [2, 1], "SAME"),
                 tf.nn.conv2d(x, np.ones((2, 2, 2, 1)), [1, 2, 1, 1], "SAME")])
    np.testing.assert_array_equal(c, d)


def test_float32_stays_float32():
    x = tf.placeholder(tf.float32, [None, 8, 8, 2])
    f = tf.constant(_rng.randn(3, 3, 2, 4).astype(np.float32))
    y = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x, f, [1, 1, 1, 1], "SAME")), 2, 2, "SAME")
    grads = tf.gradients(tf.reduce_sum(tf.nn.avg_pool(y, 2, 1, "VALID")), [x, f])
    values = _run([y] + grads, {x: _rng.randn(3, 8, 8, 2)})
    assert all(v.dtype == np.float32 for v in values)
    assert values[0].shape == (3, 4, 4, 4)


def test_large_batches_are_convolved_in_parts(monkeypatch):
    """Batches whose im2col columns exceed the budget are processed a few images at a time."""
    from tensorweave.ops import conv_ops
    monkeypatch.setattr(conv_ops, "_COLUMNS_BUDGET", 1000)
    x, f = _rng.randn(5, 6, 5, 3), _rng.randn(3, 3, 3, 2)
    dy = _rng.randn(5, 3, 3, 2)
    kw = dict(strides=[1, 2, 2, 1], padding="SAME")
    got = _run([tf.nn.conv2d(x, f, **kw), tf.nn.conv2d_backprop_input(x.shape, f, dy, **kw),
                tf.nn.conv2d_backprop_filter(x, f.shape, dy, **kw)])
    np.testing.assert_allclose(got[0], ref.conv2d(x, f, (2, 2), "SAME"), atol=1e-12)
    np.testing.assert_allclose(got[1], ref.conv2d_backprop_input(x.shape, f, dy, (2, 2), "SAME"),
                               atol=1e-12)
    np.testing.assert_allclose(got[2], ref.conv2d_backprop_filter(x, f.shape, dy, (2, 2),
                                                                  "SAME"), atol=1e-12)
