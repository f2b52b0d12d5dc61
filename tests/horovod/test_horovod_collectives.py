"""The collectives on two processes (mpirun), and the API as a job of one process."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.horovod import tensorflow as hvd

from horovod_helpers import mpirun, needs_mpi, single


@needs_mpi
def test_collectives_and_gradients_on_two_processes():
    result = mpirun(2, "collectives_check.py")
    assert result.returncode == 0, result.stdout
    assert "OK rank 0" in result.stdout and "OK rank 1" in result.stdout


@needs_mpi
def test_collectives_and_gradients_on_three_processes():
    """Three ranks check in by a nonblocking allreduce of their hashes (two swap them) and
    reduce by the ring."""
    result = mpirun(3, "collectives_check.py")
    assert result.returncode == 0, result.stdout
    assert all(f"OK rank {r}" in result.stdout for r in range(3))


def test_collectives_check_refuses_one_process():
    result = single("collectives_check.py")
    assert result.returncode != 0 and "AssertionError" in result.stdout


def test_size_one_api():
    hvd.init()
    assert (hvd.size(), hvd.rank(), hvd.local_size(), hvd.local_rank()) == (1, 0, 1, 0)
    assert hvd.is_initialized() and hvd.mpi_threads_supported() is False
    v = tf.Variable([1.0, 2.0])
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    sparse = hvd.allreduce(tf.IndexedSlices(x, tf.constant([0, 1]), tf.constant([2, 2])))
    assert isinstance(sparse, tf.IndexedSlices)
    assert sparse.values.op.type == "RealDiv"
    assert sparse.values.op.inputs[0].op.type == "HorovodAllgather"
    with pytest.raises(ValueError, match="supersedes"):
        hvd.allreduce(x, average=True, op=hvd.Sum)
    with pytest.raises(NotImplementedError, match="sparse_as_dense"):
        hvd.allreduce(tf.IndexedSlices(x, tf.constant([0, 1])), op=hvd.Adasum)
    scaled = hvd.allreduce(x, prescale_factor=2.0, postscale_factor=3.0)
    half = hvd.allreduce(x, compression=hvd.Compression.fp16)
    assert half.dtype is tf.float32
    assert half.op.inputs[0].op.inputs[0].dtype is tf.float16
    loss = tf.reduce_sum(v * v)
    opt = hvd.DistributedOptimizer(tf.train.MomentumOptimizer(0.1, 0.9))
    train = opt.minimize(loss)
    assert opt.get_slot_names() == ["momentum"] and opt.get_slot(v, "momentum") is not None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(hvd.broadcast_global_variables(0))
        np.testing.assert_array_equal(sess.run(scaled), [[6.0, 12.0], [18.0, 24.0]])
        np.testing.assert_array_equal(sess.run(half), [[1.0, 2.0], [3.0, 4.0]])
        sess.run(train)
        np.testing.assert_allclose(sess.run(v), [0.8, 1.6], rtol=1e-6)


def test_fused_groups_respect_the_threshold():
    tensors = [tf.zeros([10]), tf.zeros([10]), tf.zeros([10], tf.float64), tf.zeros([100]),
               tf.placeholder(tf.float32), tf.zeros([5])]
    assert hvd.fused_groups(tensors, 100) == [[0, 1, 5], [2], [3], [4]]
    assert hvd.fused_groups(tensors, 90) == [[0, 1], [2], [3], [4], [5]]
    assert hvd.fused_groups(tensors, 0) == [[i] for i in range(6)]
    assert hvd.fused_groups(tensors, 10 ** 6) == [[0, 1, 3, 5], [2], [4]]


def test_backward_passes_per_step_at_size_one():
    hvd.init()
    a = tf.Variable(0.0)
    counter_feed = tf.placeholder(tf.float32, [])
    opt = hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(1.0),
                                   backward_passes_per_step=3)
    train = opt.minimize(a * counter_feed)
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        for step, value in enumerate([1.0, 2.0, 6.0, 1.0]):
            sess.run(train, {counter_feed: value})
            expected = 0.0 if step < 2 else -3.0  # the mean of 1, 2, 6 applied on pass 3
            assert sess.run(a) == expected, (step, sess.run(a))


def test_contrib_mpi_collectives():
    mpi = tf.contrib.mpi_collectives
    x = tf.constant([1.0, 2.0])
    total = mpi.allreduce(x, average=False)
    v = tf.Variable([1.0])
    train = mpi.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.5)).minimize(
        tf.reduce_sum(v * v))
    with mpi.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run([mpi.size(), mpi.rank(), mpi.local_rank()]) == [1, 0, 0]
        np.testing.assert_array_equal(sess.run(total), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(mpi.allgather(x)), [1.0, 2.0])
        sess.run(train)
        np.testing.assert_array_equal(sess.run(v), [0.0])


def test_runner_maps_horovod():
    from tensorweave import runner
    assert runner.tensorweave_module_name("horovod.tensorflow") == \
        "tensorweave.horovod.tensorflow"
    assert runner.tensorweave_module_name("horovod") == "tensorweave.horovod"
