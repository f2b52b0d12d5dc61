"""Gather/scatter, segment, cumulative, counting, partitioning and sorting functions against
TensorFlow: the programs of tests/fixtures/make_indexing_reference.py run on tensorweave and
their values, dtypes, static shapes, gradients and error messages are compared with what
TensorFlow gave (tests/fixtures/indexing_reference.json)."""
import importlib.util
import json
import pathlib

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import counting_ops

_FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures"
_spec = importlib.util.spec_from_file_location(
    "make_indexing_reference", _FIXTURES / "make_indexing_reference.py")
programs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(programs)
REFERENCE = json.loads((_FIXTURES / "indexing_reference.json").read_text())


@pytest.mark.parametrize("name", sorted(programs.PROGRAMS))
def test_program_matches_tensorflow(name, monkeypatch):
    if not hasattr(tf.math, "cumulative_logsumexp"):  # until tf.math lists it
        monkeypatch.setattr(tf.math, "cumulative_logsumexp", counting_ops.cumulative_logsumexp,
                            raising=False)
    got = programs.run_program(tf, programs.PROGRAMS[name])
    expected = REFERENCE["programs"][name]
    assert sorted(got) == sorted(expected)
    for key, (value, dtype, shape) in got.items():
        want = expected[key]
        assert dtype == want["dtype"], f"{key}: dtype {dtype}, TF {want['dtype']}"
        assert value.shape == np.shape(want["value"]) or value.size == 0 == np.size(
            want["value"]), f"{key}: shape {value.shape}"
        if value.dtype.kind == "f":
            np.testing.assert_allclose(value, want["value"], rtol=1e-6, atol=1e-6,
                                       err_msg=key)
        else:
            np.testing.assert_array_equal(value, np.asarray(want["value"]).reshape(value.shape),
                                          err_msg=key)
        static = tf.TensorShape(shape)
        assert static.is_compatible_with(want["shape"]), f"{key}: static shape {shape}"
        if static.is_fully_defined():  # where we know the shape, TF knows the same
            assert shape == want["shape"], f"{key}: static shape {shape}, TF {want['shape']}"


@pytest.mark.parametrize("name", sorted(programs.ERRORS))
def test_error_matches_tensorflow(name):
    kind, message = REFERENCE["errors"][name]
    message = message.split(", node name:")[0]
    graph = tf.Graph()
    with graph.as_default():
        try:
            t = programs.ERRORS[name](tf)
        except ValueError as e:  # we may find the mistake while building (a static axis)
            assert name == "cumsum_axis" and "axis" in str(e)
            return
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(getattr(tf.errors, kind)) as raised:
                sess.run(t)
    assert message in raised.value.message


def test_static_shapes_and_dtypes_with_unknown_inputs():
    graph = tf.Graph()
    with graph.as_default():
        params = tf.placeholder(tf.float32, [None, 3, 4])
        assert tf.gather_nd(params, tf.placeholder(tf.int32, [5, 2])).shape.as_list() == [5, 4]
        assert tf.gather_nd(params, tf.placeholder(tf.int32, [5, None])).shape.ndims is None
        assert tf.scatter_nd([[1]], [[1.0, 2.0, 3.0]],
                             tf.placeholder(tf.int32, [2])).shape.as_list() == [None, None]
        parts = tf.dynamic_partition(tf.placeholder(tf.float32, [None, 4]),
                                     tf.placeholder(tf.int32, [None]), 2)
        assert [p.shape.as_list() for p in parts] == [[None, 4], [None, 4]]
        ids = tf.placeholder(tf.int32, [None])
        assert tf.unsorted_segment_max(params, ids, 7).shape.as_list() == [7, 3, 4]
        assert tf.segment_sum(params, ids).shape.as_list() == [None, 3, 4]
        y, idx = tf.unique(tf.placeholder(tf.int64, [6]), out_idx=tf.int64)
        assert (y.dtype, idx.dtype, y.shape.as_list(), idx.shape.as_list()) == \
            (tf.int64, tf.int64, [None], [6])
        found = tf.searchsorted(tf.placeholder(tf.float32, [2, None]),
                                tf.placeholder(tf.float32, [2, 4]))
        assert found.dtype is tf.int32 and found.shape.as_list() == [2, 4]
        assert tf.histogram_fixed_width([1.0], [0.0, 1.0], nbins=7).shape.as_list() == [7]


def test_build_time_errors_name_the_op():
    graph = tf.Graph()
    with graph.as_default():
        with pytest.raises(ValueError, match="Shape must be rank 1"):
            tf.unique([[1, 2]])
        with pytest.raises(ValueError, match="ScatterNd requires updates of shape"):
            tf.scatter_nd([[1], [2]], [1.0, 2.0, 3.0], [4])
        with pytest.raises(ValueError, match="should be one of ASCENDING, DESCENDING"):
            tf.sort([1, 2], direction="UP")
        with pytest.raises(ValueError, match="side must be either 'right' or 'left'"):
            tf.searchsorted([1.0], [1.0], side="middle")
        with pytest.raises(TypeError, match="Variable reference"):
            tf.scatter_update(tf.constant([1.0, 2.0]), [0], [3.0])
        v = tf.Variable(np.zeros((3, 2)))
        with pytest.raises(ValueError, match="ScatterAdd requires updates of shape"):
            tf.scatter_add(v, [0, 1], np.ones((2, 3)))


def test_scatter_updates_chain_and_use_locking():
    graph = tf.Graph()
    with graph.as_default():
        v = tf.Variable([1.0, 2.0, 3.0, 4.0], name="v")
        added = tf.scatter_add(v, [0, 0, 3], [1.0, 1.0, 5.0], use_locking=False)
        with tf.control_dependencies([added]):
            scaled = tf.scatter_mul(v, [3], [0.5])
        nd = tf.scatter_nd_update(v, [[1]], [7.0], name="set_one")
    assert added.op.get_attr("use_locking") is False and nd.op.name == "set_one"
    with tf.Session(graph=graph) as sess:
        sess.run(v.initializer)
        np.testing.assert_allclose(sess.run(scaled), [3.0, 2.0, 3.0, 4.5])
        np.testing.assert_allclose(sess.run(nd), [3.0, 7.0, 3.0, 4.5])
        np.testing.assert_allclose(sess.run(v), [3.0, 7.0, 3.0, 4.5])


def test_batch_scatter_update_and_integer_division():
    graph = tf.Graph()
    with graph.as_default():
        v = tf.Variable(np.arange(12).reshape(2, 2, 3), name="v")
        out = tf.batch_scatter_update(v, [[[2], [0]], [[1], [1]]],
                                      [[[-1], [-2]], [[-3], [-4]]])
        w = tf.Variable([7, -7, 9], name="w")
        divided = tf.scatter_div(w, [0, 1, 2, 2], [2, 2, 2, 2])
    with tf.Session(graph=graph) as sess:
        sess.run(tf.global_variables_initializer())
        expected = np.arange(12).reshape(2, 2, 3)
        expected[0, 0, 2], expected[0, 1, 0], expected[1, 0, 1] = -1, -2, -3
        expected[1, 1, 1] = -4
        np.testing.assert_array_equal(sess.run(out), expected)
        np.testing.assert_array_equal(sess.run(divided), [3, -3, 2])
