"""Sparse gradients (tf.gather's IndexedSlices) through tf.gradients and every optimizer,
checked against TensorFlow (fixtures/sparse_training_reference.npz, made by
fixtures/make_sparse_training_reference.py from the programs of sparse_training_cases.py)."""
import pathlib
import sys
import warnings

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core.indexed_slices import IndexedSlicesValue

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import sparse_training_cases as cases  # noqa: E402

REFERENCE = np.load(FIXTURES / "sparse_training_reference.npz")


def _densified(values):
    """Each sparse gradient of `values` as its dense array (under '.../dense'), with its sorted
    indices: the order of concatenated slices follows each framework's traversal."""
    out = {}
    for key, value in values.items():
        if key.endswith("/values"):
            base = key[:-len("/values")]
            dense = np.zeros(values[base + "/dense_shape"], value.dtype)
            np.add.at(dense, values[base + "/indices"], value)
            out[base + "/dense"] = dense
            out[base + "/sorted_indices"] = np.sort(values[base + "/indices"])
        elif not key.endswith(("/indices", "/dense_shape")):
            out[key] = value
    return out


@pytest.mark.parametrize("name", cases.PROGRAMS)
def test_training_matches_tensorflow(name):
    got = cases.run(tf, name)
    want = {k[len(name) + 1:]: REFERENCE[k] for k in REFERENCE.files
            if k.startswith(name + "/")}
    assert sorted(got) == sorted(want)  # variable and slot names, gradient forms
    got, want = _densified(got), _densified(want)
    for key, value in want.items():
        assert np.asarray(got[key]).dtype == value.dtype, key
        np.testing.assert_allclose(got[key], value, rtol=2e-5, atol=2e-6, err_msg=key)


def _embedding_graph():
    w = tf.Variable(np.arange(15, dtype=np.float32).reshape(5, 3), name="w")
    e = tf.nn.embedding_lookup(w, [0, 2, 2])
    return w, tf.reduce_sum(e * e)


def test_gradient_of_gather_is_indexed_slices():
    with tf.Graph().as_default():
        w, loss = _embedding_graph()
        g = tf.gradients(loss, w)[0]
        assert isinstance(g, tf.IndexedSlices)
        assert g.values.shape.as_list() == [3, 3] and g.indices.shape.as_list() == [3]
        assert g.dtype is tf.float32
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            value = sess.run(g)
            assert isinstance(value, IndexedSlicesValue)
            np.testing.assert_array_equal(value.indices, [0, 2, 2])
            np.testing.assert_array_equal(value.dense_shape, [5, 3])
            np.testing.assert_allclose(value.values, 2 * np.array([[0, 1, 2], [6, 7, 8],
                                                                   [6, 7, 8]]))
            dense = sess.run(tf.convert_to_tensor(g))
            np.testing.assert_allclose(dense[2], 4 * np.array([6, 7, 8]))
            np.testing.assert_allclose(dense[1], 0)
            nested = sess.run({"g": [g]})
            np.testing.assert_array_equal(nested["g"][0].indices, [0, 2, 2])


def test_gather_gradient_of_unknown_shapes():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [None, 2])
        ids = tf.placeholder(tf.int32, [None, None])
        g = tf.gradients(tf.reduce_sum(tf.gather(p, ids) * 3.0), p)[0]
        assert isinstance(g, tf.IndexedSlices)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            dense = tf.convert_to_tensor(g)
        assert any("unknown shape" in str(w.message) for w in caught)
        feed = {p: np.ones((4, 2)), ids: [[1, 3], [3, 3]]}
        with tf.Session() as sess:
            value = sess.run(g, feed)
            np.testing.assert_array_equal(value.indices, [1, 3, 3, 3])
            np.testing.assert_allclose(value.values, np.full((4, 2), 3.0))
            np.testing.assert_allclose(sess.run(dense, feed), [[0, 0], [3, 3], [0, 0],
                                                               [9, 9]])


def test_gradients_through_dense_ops_are_dense():
    """A rule that does not take IndexedSlices receives them dense (Reshape here), as TF's."""
    with tf.Graph().as_default():
        w, _ = _embedding_graph()
        loss = tf.reduce_sum(tf.gather(tf.reshape(w, [5, 3]), [1]))
        g = tf.gradients(loss, w)[0]
        assert isinstance(g, tf.Tensor)
        x = tf.identity(w)  # Identity passes them on
        assert isinstance(tf.gradients(tf.reduce_sum(tf.gather(x, [1])), w)[0],
                          tf.IndexedSlices)


def test_registered_python_gradient_receives_indexed_slices():
    seen = []

    @tf.RegisterGradient("SparseGradientTestPassOn")
    def _pass_on(op, grad):
        seen.append(type(grad).__name__)
        return grad

    with tf.Graph().as_default() as graph:
        w, _ = _embedding_graph()
        with graph.gradient_override_map({"Identity": "SparseGradientTestPassOn"}):
            x = tf.identity(w)
        g = tf.gradients(tf.reduce_sum(tf.gather(x, [1, 1])), w)[0]
    assert seen == ["IndexedSlices"] and isinstance(g, tf.IndexedSlices)


def test_aggregation():
    with tf.Graph().as_default():
        w, loss = _embedding_graph()
        both = tf.gradients(loss + tf.reduce_sum(tf.gather(w, [4])), w)[0]
        assert isinstance(both, tf.IndexedSlices)
        mixed = tf.gradients(loss + tf.reduce_sum(w), w)[0]
        assert isinstance(mixed, tf.Tensor) and mixed.op.type == "AddN"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            value = sess.run(both)
            np.testing.assert_array_equal(value.indices, [4, 0, 2, 2])  # as TF
            np.testing.assert_allclose(value.values[0], 1.0)
            dense = sess.run(mixed)
            np.testing.assert_allclose(dense[0], [1, 3, 5])
            np.testing.assert_allclose(dense[2], 4 * np.array([6, 7, 8]) + 1)


def test_clipping_keeps_indexed_slices():
    """TF counts an IndexedSlices' values (repeats apart) in the norms, and keeps the form."""
    with tf.Graph().as_default():
        w, loss = _embedding_graph()
        g = tf.gradients(loss, w)[0]
        clipped, norm = tf.clip_by_global_norm([g, None, tf.ones([2])], 1.0)
        assert isinstance(clipped[0], tf.IndexedSlices) and clipped[1] is None
        by_norm = tf.clip_by_norm(g, 1.0)
        assert isinstance(by_norm, tf.IndexedSlices)
        with pytest.raises(TypeError, match="t_list should be a sequence"):
            tf.clip_by_global_norm(g, 1.0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            raw = sess.run(g).values
            expected_norm = np.sqrt((raw ** 2).sum() + 2)
            np.testing.assert_allclose(sess.run(norm), expected_norm, rtol=1e-6)
            np.testing.assert_allclose(sess.run(clipped[0]).values, raw / expected_norm,
                                       rtol=1e-6)
            np.testing.assert_allclose(sess.run(by_norm).values,
                                       raw / np.sqrt((raw ** 2).sum()), rtol=1e-6)


def test_histogram_summary_of_indexed_slices():
    summary_pb2 = pytest.importorskip("tensorboard.compat.proto.summary_pb2")
    with tf.Graph().as_default():
        w, loss = _embedding_graph()
        g = tf.gradients(loss, w)[0]
        summary = tf.summary.histogram("grad", g)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            parsed = summary_pb2.Summary.FromString(sess.run(summary))
    histo = parsed.value[0].histo
    assert histo.num == 15  # TF histograms the dense gradient
    assert histo.max == 32.0


def test_sparse_update_touches_only_its_rows():
    """Adagrad's sparse update leaves the other rows and their slots as they were."""
    with tf.Graph().as_default():
        w, loss = _embedding_graph()
        opt = tf.train.AdagradOptimizer(0.1)
        step = opt.minimize(loss)
        update = [op for op in tf.get_default_graph().get_operations()
                  if op.type == "SparseApplyAdagrad"]
        assert len(update) == 1
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            before = sess.run(w)
            sess.run(step)
            after = sess.run(w)
            accum = sess.run(opt.get_slot(w, "accumulator"))
    np.testing.assert_array_equal(after[[1, 3, 4]], before[[1, 3, 4]])
    np.testing.assert_allclose(accum[[1, 3, 4]], 0.1)
    assert (after[[0, 2]] != before[[0, 2]]).any()


def test_optimizer_without_sparse_rule_and_constraints():
    class DenseOnly(tf.train.Optimizer):
        def __init__(self):
            super().__init__(False, "DenseOnly")

    with tf.Graph().as_default():
        w, loss = _embedding_graph()
        with pytest.raises(NotImplementedError):
            DenseOnly().minimize(loss)
        c = tf.Variable(np.ones((5, 3), np.float32), constraint=lambda t: t)
        loss = tf.reduce_sum(tf.gather(c, [1]))
        with pytest.raises(RuntimeError, match="constraint function on a sparse variable"):
            tf.train.GradientDescentOptimizer(0.1).minimize(loss)


def test_saver_round_trip_of_sparse_training(tmp_path):
    """A graph with sparse updates saves, imports from its .meta and trains on."""
    with tf.Graph().as_default():
        w, loss = _embedding_graph()
        step = tf.train.AdagradOptimizer(0.1).minimize(loss)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(step)
            path = saver.save(sess, str(tmp_path / "model"))
            sess.run(step)
            want = sess.run(w)
    with tf.Graph().as_default():
        restorer = tf.train.import_meta_graph(path + ".meta")
        with tf.Session() as sess:
            restorer.restore(sess, path)
            sess.run(tf.get_collection(tf.GraphKeys.TRAIN_OP))
            np.testing.assert_allclose(sess.run("w:0"), want)


def test_gather_inside_a_while_loop():
    """A loop body's sparse gradient reaches the captured tensor dense (TF gives the same
    values as IndexedSlices)."""
    with tf.Graph().as_default():
        p = tf.Variable(np.arange(12.0).reshape(4, 3), name="p")

        def body(i, acc):
            return i + 1, acc + tf.reduce_sum(tf.gather(p, tf.stack([i, i])) ** 2)

        _, out = tf.while_loop(lambda i, acc: i < 3, body,
                               [tf.constant(0), tf.constant(0.0, tf.float64)])
        g = tf.gradients(out, p)[0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            value = sess.run(tf.convert_to_tensor(g))
    want = 4 * np.arange(12.0).reshape(4, 3)
    want[3] = 0
    np.testing.assert_allclose(value, want)
