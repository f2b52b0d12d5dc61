"""Op table rows for the gradient accumulator op types (ops/accumulator_ops.py).

Accumulators keep state in the Session, so each op type has a session check. Behaviour in
depth, against TF 2.15: tests/test_accumulators.py, tests/train/test_sync_replicas.py.
"""
import numpy as np

import tensorweave as tf
from tensorweave import accumulators
from tensorweave.core.graph import create_op

CASES = []


def _check_resource_forms():
    """tf.ConditionalAccumulator's op types (TF 2's resource forms)."""
    with tf.Graph().as_default():
        a = accumulators.ConditionalAccumulator(tf.float64, shape=[2])
        apply = a.apply_grad(tf.placeholder(tf.float64, [2], name="g"), local_step=0)
        take, count, set_step = a.take_grad(2), a.num_accumulated(), a.set_global_step(0)
        assert {apply.type, take.op.type, count.op.type, set_step.type} == {
            "ResourceAccumulatorApplyGradient", "ResourceAccumulatorTakeGradient",
            "ResourceAccumulatorNumAccumulated", "ResourceAccumulatorSetGlobalStep"}
        with tf.Session() as sess:
            sess.run(apply, {"g:0": [1., 2.]})
            sess.run(apply, {"g:0": [3., 2.]})
            assert sess.run(count) == 2
            value = sess.run(take)
            assert value.dtype == np.float64 and value.tolist() == [2., 2.]
            sess.run(apply, {"g:0": [1., 2.]})  # stale (the take advanced the step to 1)
            assert sess.run(count) == 0
            sess.run(set_step)
            sess.run(apply, {"g:0": [1., 2.]})
            assert sess.run(count) == 1


def _check_ref_forms():
    """TF 1's ref forms (graphs TensorFlow 1 wrote), built as their NodeDefs would be."""
    with tf.Graph().as_default():
        handle = create_op("ConditionalAccumulator", [], name="acc", dtype=tf.float32,
                           shape=tf.TensorShape([2]), container="", shared_name="",
                           reduction_type="SUM").outputs[0]
        step = tf.constant(0, tf.int64)
        apply = create_op("AccumulatorApplyGradient",
                          [handle, step, tf.constant([1., 2.])], dtype=tf.float32)
        take = create_op("AccumulatorTakeGradient", [handle, tf.constant(2)],
                         dtype=tf.float32).outputs[0]
        count = create_op("AccumulatorNumAccumulated", [handle]).outputs[0]
        set_step = create_op("AccumulatorSetGlobalStep", [handle, step])
        assert take.shape.as_list() == [2] and count.dtype is tf.int32
        with tf.Session() as sess:
            sess.run(apply)
            sess.run(apply)
            assert sess.run(count) == 2
            assert sess.run(take).tolist() == [2., 4.]
            sess.run(apply)
            assert sess.run(count) == 0  # stale
            sess.run(set_step)
            sess.run(apply)
            assert sess.run(count) == 1


def _check_sparse():
    with tf.Graph().as_default():
        a = accumulators.SparseConditionalAccumulator(tf.float32, shape=[3, 2])
        apply = a.apply_grad([0, 2], [[1., 2.], [3., 4.]], local_step=0)
        apply2 = a.apply_grad([2], [[1., 0.]], grad_shape=[3, 2], local_step=0)
        indices, values, shape = a.take_grad(2)
        assert values.shape.as_list() == [None, 2] and shape.shape.as_list() == [2]
        with tf.Session() as sess:
            sess.run([apply])
            sess.run([apply2])
            got = sess.run([indices, values, shape])
        assert got[0].tolist() == [0, 2] and got[2].tolist() == [3, 2]
        assert got[1].tolist() == [[1., 2.], [2., 2.]]  # row 2: the mean of its 2 gradients


SESSION_CASES = {
    **dict.fromkeys(["ResourceConditionalAccumulator", "ResourceAccumulatorApplyGradient",
                     "ResourceAccumulatorTakeGradient", "ResourceAccumulatorNumAccumulated",
                     "ResourceAccumulatorSetGlobalStep"], _check_resource_forms),
    **dict.fromkeys(["ConditionalAccumulator", "AccumulatorApplyGradient",
                     "AccumulatorTakeGradient", "AccumulatorNumAccumulated",
                     "AccumulatorSetGlobalStep"], _check_ref_forms),
    **dict.fromkeys(["SparseConditionalAccumulator", "SparseAccumulatorApplyGradient",
                     "SparseAccumulatorTakeGradient"], _check_sparse),
}
