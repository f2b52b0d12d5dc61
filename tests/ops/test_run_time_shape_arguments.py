"""Ops whose shape arguments (multiples, paddings, bounds, axes, depth, ...) are computed at run
time build with the partially known static shapes TensorFlow (2.15, tf.compat.v1) infers for
the same programs, and give the right values."""
import numpy as np
import pytest

import tensorweave as tf

X = np.arange(12, dtype=np.float32).reshape(4, 3)


def known(x):
    return tf.reshape(x, [4, 3])


# (id, build(x, m, n, a, p) with x float [None, 3], m int [2], n and a int scalars, p int [2, 2];
#  feeds by placeholder name; TF's static shape, None for unknown rank; expected value)
CASES = [
    ("tile", lambda x, m, **_: tf.tile(x, m), {"m": [2, 1]}, [None, None], np.tile(X, (2, 1))),
    ("tile_partly_known", lambda x, n, **_: tf.tile(known(x), [2, n]), {"n": 2}, [8, None],
     np.tile(X, (2, 2))),
    ("reshape_one_unknown", lambda x, n, **_: tf.reshape(known(x), [n, 3]), {"n": 4}, [4, 3], X),
    ("fill", lambda x, m, **_: tf.fill(m, 1.5), {"m": [2, 3]}, [None, None],
     np.full((2, 3), 1.5)),
    ("zeros", lambda x, n, **_: tf.zeros([n, 4]), {"n": 2}, [None, 4], np.zeros((2, 4))),
    ("broadcast_to", lambda x, m, **_: tf.broadcast_to(x[0], m), {"m": [2, 3]}, [None, 3],
     np.broadcast_to(X[0], (2, 3))),
    ("pad", lambda x, p, **_: tf.pad(x, p), {"p": [[1, 0], [0, 2]]}, [None, None],
     np.pad(X, [[1, 0], [0, 2]])),
    ("pad_partly_known", lambda x, n, **_: tf.pad(known(x), [[1, 1], [n, 0]]), {"n": 2},
     [6, None], np.pad(X, [[1, 1], [2, 0]])),
    ("pad_reflect", lambda x, p, **_: tf.pad(x, p, mode="REFLECT"), {"p": [[1, 1], [2, 0]]},
     [None, None], np.pad(X, [[1, 1], [2, 0]], mode="reflect")),
    ("slice", lambda x, n, **_: tf.slice(known(x), tf.stack([n, 0]), [2, -1]), {"n": 1},
     [2, 3], X[1:3]),
    ("slice_run_time_size", lambda x, m, **_: tf.slice(x, [1, 0], m), {"m": [2, -1]},
     [None, None], X[1:3]),
    ("getitem_bounds", lambda x, n, **_: known(x)[n:], {"n": -3}, [None, 3], X[-3:]),
    ("getitem_inner_bound", lambda x, a, **_: known(x)[:, a:], {"a": 1}, [4, None], X[:, 1:]),
    ("strided_slice", lambda x, m, **_: tf.strided_slice(known(x), m, [3, 3]), {"m": [1, 2]},
     [None, None], X[1:3, 2:3]),
    ("expand_dims", lambda x, a, **_: tf.expand_dims(x, a), {"a": -1}, None, X[..., None]),
    ("one_hot", lambda x, n, **_: tf.one_hot([0, 2, -1, 1, 5], n), {"n": 3}, [5, None],
     np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 1, 0], [0, 0, 0]])),
    ("one_hot_axis0", lambda x, n, **_: tf.one_hot([0, 2], n, axis=0), {"n": 3}, [None, 2],
     np.eye(3)[[0, 2]].T),
    ("transpose", lambda x, m, **_: tf.transpose(x, m), {"m": [1, 0]}, [None, None], X.T),
    ("reduce_sum", lambda x, a, **_: tf.reduce_sum(x, a), {"a": 1}, None, X.sum(1)),
    ("reduce_mean_keepdims", lambda x, m, **_: tf.reduce_mean(x, m[:1], keepdims=True),
     {"m": [0, 9]}, [None, None], X.mean(0, keepdims=True)),
    ("reduce_max", lambda x, a, **_: tf.reduce_max(x, a), {"a": 0}, None, X.max(0)),
    ("reduce_prod", lambda x, a, **_: tf.reduce_prod(x + 1, a), {"a": 1}, None,
     (X + 1).prod(1)),
    ("reduce_logsumexp", lambda x, a, **_: tf.reduce_logsumexp(x, a), {"a": 1}, None,
     np.log(np.exp(X.astype(np.float64)).sum(1))),
    ("unsorted_segment_sum",
     lambda x, n, **_: tf.unsorted_segment_sum(known(x), [0, 1, 0, 1], n), {"n": 3}, [None, 3],
     np.stack([X[0] + X[2], X[1] + X[3], np.zeros(3)])),
    ("random_uniform", lambda x, n, **_: tf.random_uniform(tf.stack([n, 3])), {"n": 2},
     [None, 3], None),
    # axes, counts, sizes, k and strides as TF's op inputs (ConcatV2, Split, SplitV, GatherV2,
    # ArgMax, TopKV2, StridedSlice, ExpandDims)
    ("concat_axis", lambda x, a, **_: tf.concat([known(x), known(x)], a), {"a": 1},
     [None, None], np.concatenate([X, X], 1)),
    ("split_count_axis", lambda x, a, **_: tf.split(known(x), 2, a)[1], {"a": 0},
     [None, None], X[2:]),
    ("split_sizes", lambda x, m, **_: tf.split(known(x), m, 1)[0], {"m": [1, 2]}, [4, None],
     X[:, :1]),
    ("split_sizes_axis", lambda x, m, a, **_: tf.split(x, m, a)[1], {"m": [3, 1], "a": 0},
     [None, None], X[3:]),
    ("split_unknown_dim", lambda x, **_: tf.split(x, 2, 0)[1], {}, [None, 3], X[2:]),
    ("gather_axis", lambda x, a, **_: tf.gather(known(x), [2, 0], axis=a), {"a": 1},
     [None, None], X[:, [2, 0]]),
    ("argmax_axis", lambda x, a, **_: tf.argmax(known(x), a), {"a": 1}, [None], X.argmax(1)),
    ("argmin_axis", lambda x, a, **_: tf.argmin(x, a), {"a": 0}, [None], X.argmin(0)),
    ("top_k_values", lambda x, n, **_: tf.nn.top_k(known(x), n)[0], {"n": 2}, [4, None],
     X[:, [2, 1]]),
    ("top_k_indices", lambda x, n, **_: tf.nn.top_k(x, n)[1], {"n": 2}, [None, None],
     np.tile([2, 1], (4, 1))),
    ("strided_slice_strides",
     lambda x, m, **_: tf.strided_slice(known(x), [0, 0], [4, 3], m), {"m": [2, 2]}, None,
     X[::2, ::2]),
    ("getitem_step2", lambda x, a, **_: known(x)[a::2], {"a": 1}, [None, 3], X[1::2]),
    ("getitem_negative_step", lambda x, n, **_: known(x)[n::-1], {"n": 2}, [None, 3],
     X[2::-1]),
    ("getitem_run_time_step", lambda x, n, **_: known(x)[::n], {"n": 2}, None, X[::2]),
    ("getitem_ellipsis", lambda x, a, **_: known(x)[..., a:], {"a": 1}, [4, None], X[..., 1:]),
    ("getitem_newaxis", lambda x, a, **_: known(x)[tf.newaxis, a:], {"a": 2}, [1, None, 3],
     X[None, 2:]),
    ("getitem_index_ellipsis", lambda x, n, **_: known(x)[n, ...], {"n": -1}, [3], X[-1]),
    ("getitem_ellipsis_index", lambda x, a, **_: x[..., a], {"a": 2}, [None], X[..., 2]),
    ("one_hot_on_off_tensors",
     lambda x, **_: tf.one_hot([0, 2], 3, on_value=x[0, 1], off_value=x[0, 0]), {}, [2, 3],
     np.array([[1.0, 0, 0], [0, 0, 1]])),
    ("reshape_pack", lambda x, n, **_: tf.reshape(x, tf.stack([n, 3, 1])), {"n": 4},
     [None, 3, 1], X[..., None]),
    ("reshape_unknown_and_minus_one", lambda x, n, **_: tf.reshape(known(x), [n, -1]),
     {"n": 2}, [None, None], X.reshape(2, 6)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_builds_with_tf_static_shape_and_runs(case):
    _, build, feeds, static, expected = case
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        args = {"m": tf.placeholder(tf.int32, [2]), "n": tf.placeholder(tf.int32, []),
                "a": tf.placeholder(tf.int32, []), "p": tf.placeholder(tf.int32, [2, 2])}
        out = build(x, **args)
        if static is None:
            assert out.shape.ndims is None
        else:
            assert out.shape.as_list() == static
        feed_dict = {args[name]: value for name, value in feeds.items()}
        feed_dict[x] = X
        with tf.Session() as sess:
            value = sess.run(out, feed_dict)
    if expected is None:
        assert value.shape == (2, 3)
    else:
        np.testing.assert_allclose(value, expected, rtol=1e-6)


@pytest.mark.parametrize("build", [
    lambda x, m, p, n: tf.tile(x, m),
    lambda x, m, p, n: tf.pad(x, p) * 2.0,
    lambda x, m, p, n: tf.pad(x, p, mode="SYMMETRIC"),
    lambda x, m, p, n: tf.slice(x, tf.stack([n, 0]), [2, -1]),
    lambda x, m, p, n: x[n:],
    lambda x, m, p, n: tf.transpose(x, m),
    lambda x, m, p, n: tf.reduce_max(x, n),
    lambda x, m, p, n: tf.reduce_mean(x, m),
    lambda x, m, p, n: tf.expand_dims(x, n),
    lambda x, m, p, n: tf.concat([x, x * 2.0], n),
    lambda x, m, p, n: tf.split(x, 3, n)[2],
    lambda x, m, p, n: tf.split(x, tf.stack([n, 4 - n]), 0)[1],
    lambda x, m, p, n: tf.gather(x, [2, 0, 2], axis=n),
    lambda x, m, p, n: tf.nn.top_k(x, n + 1)[0],
    lambda x, m, p, n: x[n::2],
    lambda x, m, p, n: x[::-n, None, ..., n:],
    lambda x, m, p, n: tf.strided_slice(x, [0, 0], [4, 3], m + 1),
], ids=["tile", "pad", "pad_symmetric", "slice", "getitem", "transpose", "max", "mean",
        "expand_dims", "concat", "split", "split_sizes", "gather", "top_k", "getitem_step",
        "getitem_ellipsis_newaxis", "strided_slice_strides"])
def test_gradients_flow_through_run_time_forms(build):
    """The gradient of sum(f(x) * w) for fixed random w equals NumPy's finite differences."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 3])
        m, p = tf.placeholder(tf.int32, [2]), tf.placeholder(tf.int32, [2, 2])
        n = tf.placeholder(tf.int32, [])
        y = build(x, m, p, n)
        w = tf.placeholder(tf.float64)
        loss = tf.reduce_sum(y * w)
        grad = tf.gradients(loss, x)[0]
        x0 = np.random.RandomState(0).uniform(-1, 1, (4, 3))
        feeds = {x: x0, m: [1, 0], p: [[1, 0], [2, 1]], n: 1}
        with tf.Session() as sess:
            shape = sess.run(y, feeds).shape
            feeds[w] = np.random.RandomState(1).uniform(-1, 1, shape)
            analytic = sess.run(grad, feeds)
            numeric = np.zeros_like(x0)
            for index in np.ndindex(x0.shape):
                step = np.zeros_like(x0)
                step[index] = 1e-6
                up = sess.run(loss, {**feeds, x: x0 + step})
                down = sess.run(loss, {**feeds, x: x0 - step})
                numeric[index] = (up - down) / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)
