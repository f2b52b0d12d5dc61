"""tf.sparse ops against TensorFlow: the programs of tests/fixtures/make_sparse_reference.py run
on tensorweave and give the values, gradients, serialized bytes and errors TensorFlow gave."""
import importlib.util
import json
import pathlib

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import sparse_math_ops

_FIXTURES = pathlib.Path(__file__).with_name("fixtures")
_spec = importlib.util.spec_from_file_location("make_sparse_reference",
                                               _FIXTURES / "make_sparse_reference.py")
programs_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(programs_module)
REFERENCE = json.loads((_FIXTURES / "sparse_reference.json").read_text())
PROGRAMS = programs_module.programs(tf, {"cwise": sparse_math_ops.sparse_dense_cwise})

# Programs whose static shapes differ from TF 2.15's in known dimensions (only the ranks are
# compared): TF 2.15 infers sizes through its C++ constant folding of shape arithmetic (and
# sets shapes TF 1.15 left unknown); ours follow the values known while building.
_RANK_ONLY = {"split", "split_uneven", "slice", "fill_empty_rows", "reduce_sum_sparse",
              "reduce_max_sparse", "deserialize_many", "deserialize_strings",
              "concat_0_unsorted", "reset_shape", "expand_dims_0", "expand_dims_last",
              "expand_dims_neg", "reshape_3d"}


def _compare(mine, theirs, where):
    if "error" in theirs:
        raise AssertionError(f"{where}: TensorFlow failed ({theirs['error']}), we gave a value")
    if "sparse" in theirs:
        assert isinstance(mine, tf.SparseTensorValue), f"{where}: got {type(mine).__name__}"
        for part, (m, t) in zip(("indices", "values", "dense_shape"),
                                zip(mine, theirs["sparse"])):
            _compare(m, t, f"{where}.{part}")
        return
    if isinstance(theirs, list):
        assert len(mine) == len(theirs), f"{where}: {len(mine)} results, TF gave {len(theirs)}"
        for i, (m, t) in enumerate(zip(mine, theirs)):
            _compare(m, t, f"{where}[{i}]")
        return
    if "bytes_hex" in theirs:
        mine = np.asarray(mine, dtype=object)
        assert list(mine.shape) == theirs["shape"], where
        assert [bytes(v).hex() for v in mine.reshape(-1)] == theirs["bytes_hex"], where
        return
    expected = np.array(theirs["array"], dtype=theirs["dtype"])
    mine = np.asarray(mine)
    assert mine.shape == expected.shape, f"{where}: shape {mine.shape}, TF {expected.shape}"
    assert mine.dtype == expected.dtype, f"{where}: dtype {mine.dtype}, TF {expected.dtype}"
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(mine, expected, rtol=1e-6, atol=1e-6, err_msg=where)
    else:
        np.testing.assert_array_equal(mine, expected, err_msg=where)


def _run(name):
    graph = tf.Graph()
    with graph.as_default():
        built = programs_module.build(name, PROGRAMS[name])
        static = programs_module.static_shapes(built)
        with tf.Session(graph=graph) as sess:
            try:
                return sess.run(built), static, None
            except tf.errors.OpError as e:
                return None, static, e


def _nested(shapes):
    return isinstance(shapes, list) and any(isinstance(s, list) or s is None for s in shapes)


def _static_ok(mine, theirs, rank_only):
    if _nested(theirs) or _nested(mine):
        return len(mine) == len(theirs) and all(_static_ok(m, t, rank_only)
                                                for m, t in zip(mine, theirs))
    if rank_only:
        return mine is None or theirs is None or len(mine) == len(theirs)
    return mine == theirs


@pytest.mark.parametrize("name", sorted(n for n in PROGRAMS if not n.startswith("error")))
def test_program_matches_tensorflow(name):
    value, static, error = _run(name)
    assert error is None, f"{name}: {error}"
    _compare(value, REFERENCE[name]["value"], name)
    assert _static_ok(static, REFERENCE[name]["static"], name in _RANK_ONLY), \
        f"{name}: static shapes {static}, TF {REFERENCE[name]['static']}"


@pytest.mark.parametrize("name", sorted(n for n in PROGRAMS if n.startswith("error")))
def test_errors_as_tensorflow_words_them(name):
    theirs = REFERENCE[name]["value"]
    _, _, error = _run(name)
    assert type(error).__name__ == theirs["error"]
    lines = [line for line in theirs["message"].split("\n") if line.strip()]
    words = lines[-2]  # TF 2.15 puts the kernel's own message just before the node line
    assert words in str(error), f"{name}: {error} lacks TensorFlow's {words!r}"


def test_deserializes_tensorflows_bytes():
    """Strings serialized by TensorFlow (in the fixture) deserialize here to TF's tensor."""
    rows = REFERENCE["serialize_many"]["value"]
    data = np.array([bytes.fromhex(h) for h in rows["bytes_hex"]], dtype=object).reshape(
        rows["shape"])
    with tf.Session() as sess:
        out = sess.run(tf.deserialize_many_sparse(data, tf.float64, rank=3))
    indices, values, shape = REFERENCE["deserialize_many"]["value"]["sparse"]
    np.testing.assert_array_equal(out.indices, indices["array"])
    np.testing.assert_allclose(out.values, values["array"])
    np.testing.assert_array_equal(out.dense_shape, shape["array"])


def test_static_shapes_and_arguments():
    a = tf.SparseTensor([[0, 1], [1, 0]], [1.0, 2.0], [2, 3])
    assert tf.sparse_reduce_sum(a, 1).shape.as_list() == [2]
    assert tf.sparse_reduce_sum(a, 1, keep_dims=True).shape.as_list() == [2, 1]
    assert tf.sparse.reduce_sum(a, reduction_axes=[0]).shape.as_list() == [3]
    assert tf.sparse_add(a, a).shape.as_list() == [2, 3]
    assert tf.sparse_reorder(a).shape.as_list() == [2, 3]
    assert tf.sparse_reshape(a, [3, -1]).shape.as_list() == [3, 2]
    assert tf.sparse_tensor_dense_matmul(a, tf.ones([3, 4])).shape.as_list() == [2, 4]
    assert tf.edit_distance(a, a).shape.as_list() == [2]
    with pytest.raises(ValueError, match="Cannot reshape a tensor with 6 elements"):
        tf.sparse_reshape(a, [4, 2])
    with pytest.raises(ValueError, match="At most one dimension can be inferred"):
        tf.sparse_reshape(a, [-1, -1])
    with pytest.raises(ValueError, match="Keyword arguments are required"):
        tf.sparse_split(a, 2, 1)
    with pytest.raises(TypeError, match="Hypothesis must be a SparseTensor"):
        tf.edit_distance(tf.constant([1]), a)
    with pytest.raises(TypeError, match="At least one input should be SparseTensor"):
        tf.sparse_add(tf.ones([2]), tf.ones([2]))
    with pytest.raises(ValueError, match="new_shape should have dimension sizes >="):
        tf.sparse_reset_shape(a, [1, 3])


def test_reset_shape_checks_at_run_time():
    sp = tf.sparse_placeholder(tf.float32)
    new_shape = tf.placeholder(tf.int64, [None])
    grown = tf.sparse_reset_shape(sp, new_shape)
    fed = {sp: ([[0, 1]], [1.0], [2, 3])}
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(grown.dense_shape, {**fed, new_shape: [4, 4]}),
                                      [4, 4])
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(grown.dense_shape, {**fed, new_shape: [1, 4]})
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(grown.dense_shape, {**fed, new_shape: [4, 4, 4]})


def test_sparse_matmul_is_matmul_of_float32():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Session() as sess:
        out = sess.run(tf.sparse_matmul(a, a, transpose_b=True, b_is_sparse=True))
    np.testing.assert_allclose(out, a @ a.T)
    with pytest.raises(TypeError):
        tf.sparse_matmul(a.astype(np.float64), a.astype(np.float64))


def test_softmax_gradient_of_second_order():
    """SparseSoftmax's gradient is built from differentiable ops (TF's uses
    SparseDenseCwiseAdd, which has none): d2 sum(softmax * w) / dv2 against differences."""
    v0 = np.array([0.3, -1.2, 0.8, 2.0])
    w = np.array([1.0, -0.5, 2.0, 0.7])
    v = tf.placeholder(tf.float64, [4])
    out = tf.sparse_softmax(tf.SparseTensor([[0, 0], [0, 2], [1, 0], [1, 1]], v, [2, 3]))
    (g,) = tf.gradients(tf.reduce_sum(out.values * w), [v])
    (h,) = tf.gradients(tf.reduce_sum(g * w), [v])
    with tf.Session() as sess:
        analytic = sess.run(h, {v: v0})
        eps, numeric = 1e-6, np.zeros(4)
        for i in range(4):
            step = np.eye(4)[i] * eps
            numeric[i] = (sess.run(tf.reduce_sum(g * w), {v: v0 + step}) -
                          sess.run(tf.reduce_sum(g * w), {v: v0 - step})) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
