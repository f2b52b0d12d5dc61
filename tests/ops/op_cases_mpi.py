"""Op table rows for the collective op types (ops/mpi_ops.py), run as a job of one process;
tests/horovod/ runs them on two processes under mpirun."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import mpi_ops
from tensorweave.runtime import collectives


def _values():
    return np.arange(6, dtype=np.float64).reshape(2, 3) / 4 - 0.3


def _grad_check(build):
    """The symbolic gradient of sum(build(x) * w) against central differences at size 1."""
    x0 = _values()
    w = np.random.RandomState(3).randn(*x0.shape)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float64, [None, 3])
        y = build(x)
        loss = tf.reduce_sum(y * w)
        (dx,) = tf.gradients(loss, [x])
        (ddx,) = tf.gradients(tf.reduce_sum(dx * dx), [x])  # second order reaches the op
    with tf.Session(graph=graph) as sess:
        got = sess.run(dx, {x: x0})
        numeric = np.zeros_like(x0)
        for i in np.ndindex(*x0.shape):
            up, down = x0.copy(), x0.copy()
            up[i] += 1e-6
            down[i] -= 1e-6
            numeric[i] = (sess.run(loss, {x: up}) - sess.run(loss, {x: down})) / 2e-6
        np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)
        if ddx is not None:
            sess.run(ddx, {x: x0})


def _check_allreduce():
    collectives.init()
    for reduce_op in (mpi_ops.AVERAGE, mpi_ops.SUM, mpi_ops.ADASUM):
        graph = tf.Graph()
        with graph.as_default():
            x = tf.constant(_values().astype(np.float32))
            y = mpi_ops.allreduce(x, reduce_op=reduce_op)
            assert y.op.type == "HorovodAllreduce" and y.op.name == "HorovodAllreduce_Const_0"
            assert y.dtype is tf.float32 and y.shape.as_list() == [2, 3]
            with tf.Session() as sess:
                np.testing.assert_array_equal(sess.run(y), _values().astype(np.float32))
        _grad_check(lambda t, op=reduce_op: mpi_ops.allreduce(t, reduce_op=op))
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="reduce_op"):
            mpi_ops.allreduce(tf.constant(1.0), reduce_op=7)
        with pytest.raises(TypeError, match="Adasum"):
            mpi_ops.allreduce(tf.constant(1), reduce_op=mpi_ops.ADASUM)


def _check_grouped():
    collectives.init()
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.float32, [None])
        b = tf.constant(_values().astype(np.float32))
        c = tf.constant([1, 2, 3])
        outs = mpi_ops.grouped_allreduce([a, b, c], reduce_op=mpi_ops.AVERAGE)
        assert [o.shape.as_list() for o in outs] == [[None], [2, 3], [3]]
        assert [o.dtype for o in outs] == [tf.float32, tf.float32, tf.int32]
        with tf.Session() as sess:
            for step in range(3):  # the fused buffer is reused; fetched values are copies
                got = sess.run(outs, {a: [step, 1.0]})
                np.testing.assert_array_equal(got[0], [step, 1.0])
                np.testing.assert_array_equal(got[1], _values().astype(np.float32))
                np.testing.assert_array_equal(got[2], [1, 2, 3])
    _grad_check(lambda t: mpi_ops.grouped_allreduce([t, t * 2])[1])
    with tf.Graph().as_default(), pytest.raises(ValueError, match="at least one tensor"):
        tf.get_default_graph().create_op("HorovodGroupedAllreduce", [], {"reduce_op": 1})


def _check_allgather():
    collectives.init()
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        y = mpi_ops.allgather(x)
        assert y.op.type == "HorovodAllgather" and y.shape.as_list() == [None, 3]
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(y, {x: np.ones((2, 3))}), np.ones((2, 3)))
        with pytest.raises(ValueError, match="at least one dimension"):
            mpi_ops.allgather(tf.constant(1.0))
    _grad_check(mpi_ops.allgather)


def _check_broadcast():
    collectives.init()
    with tf.Graph().as_default():
        x = tf.constant(_values())
        y = mpi_ops.broadcast(x, 0)
        bad = mpi_ops.broadcast(x, 1)
        assert y.op.type == "HorovodBroadcast" and y.op.get_attr("root_rank") == 0
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(y), _values())
            with pytest.raises(tf.errors.InvalidArgumentError, match="root_rank 1"):
                sess.run(bad)
        with pytest.raises(ValueError, match="root_rank"):
            mpi_ops.broadcast(x, -1)
    _grad_check(lambda t: mpi_ops.broadcast(t, 0))


def _check_query(op_type, build, expected):
    def check():
        collectives.init()
        with tf.Graph().as_default():
            t = build()
            assert t.op.type == op_type and t.dtype is tf.int32 and t.shape.as_list() == []
            with tf.Session() as sess:
                assert sess.run(t) == expected
    return check


SESSION_CASES = {
    "HorovodAllreduce": _check_allreduce,
    "HorovodGroupedAllreduce": _check_grouped,
    "HorovodAllgather": _check_allgather,
    "HorovodBroadcast": _check_broadcast,
    "HorovodSize": _check_query("HorovodSize", mpi_ops.size_op, 1),
    "HorovodRank": _check_query("HorovodRank", mpi_ops.rank_op, 0),
    "HorovodLocalSize": _check_query("HorovodLocalSize", mpi_ops.local_size_op, 1),
    "HorovodLocalRank": _check_query("HorovodLocalRank", mpi_ops.local_rank_op, 0),
}
