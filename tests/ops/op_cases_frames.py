"""Op table rows for the op types graphs TensorFlow 1 writes for loops and their gradients:
SigmoidGrad, TanhGrad, ConcatOffset (stateless rows); ControlTrigger; TensorFlow's stacks (StackV2,
StackPushV2, StackPopV2, StackCloseV2) and handle TensorArrays (TensorArrayV3 and the ops on
its handle), run through sessions: their values live for one run.
tests/framework/test_tf1_loop_import.py runs them in graphs TensorFlow wrote."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core.graph import create_op

from op_case import Case, rand

_Y = np.tanh(rand(2, 3))

CASES = [
    Case("SigmoidGrad", [1 / (1 + np.exp(-rand(2, 3))), rand(2, 3)],
         lambda y, dy: dy * y * (1 - y)),
    Case("TanhGrad", [_Y, rand(2, 3)], lambda y, dy: dy * (1 - y * y)),
    Case("ConcatOffset", [np.array(1, np.int32), np.array([2, 3, 5], np.int32),
                          np.array([2, 4, 5], np.int32), np.array([2, 1, 5], np.int32)],
         lambda axis, *shapes: (np.array([0, 0, 0], np.int32), np.array([0, 3, 0], np.int32),
                                np.array([0, 7, 0], np.int32))),
]


def _stack(elem_type=tf.float32):
    return create_op("StackV2", [tf.constant(-1)], elem_type=elem_type,
                     stack_name="s").outputs[0]


def _check_stacks():
    """Pops see the pushes of the same run in reverse order; each run has a new stack."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        handle = _stack()
        assert handle.dtype is tf.resource and handle.shape.as_list() == []
        push_a = create_op("StackPushV2", [handle, x]).outputs[0]
        with tf.control_dependencies([push_a]):
            push_b = create_op("StackPushV2", [handle, x * 2.0]).outputs[0]
        assert push_b.shape.as_list() == [2]
        with tf.control_dependencies([push_b]):
            first = create_op("StackPopV2", [handle], elem_type=tf.float32).outputs[0]
        with tf.control_dependencies([first]):
            second = create_op("StackPopV2", [handle], elem_type=tf.float32).outputs[0]
        with tf.control_dependencies([second]):
            close = create_op("StackCloseV2", [handle])
        with tf.control_dependencies([second]):
            empty = create_op("StackPopV2", [handle], elem_type=tf.float32).outputs[0]
        with tf.Session() as sess:
            for scale in (1.0, 3.0):
                got = sess.run([first, second, close], {x: [scale, -scale]})
                np.testing.assert_array_equal(got[0], [2 * scale, -2 * scale])
                np.testing.assert_array_equal(got[1], [scale, -scale])
            with pytest.raises(tf.errors.InvalidArgumentError, match="Stack is empty"):
                sess.run(empty, {x: [1.0, 2.0]})
        with pytest.raises(ValueError, match="StackV2 requires a scalar int32"):
            create_op("StackV2", [tf.constant([1])], elem_type=tf.float32)


def _array(size, **attrs):
    attrs.setdefault("dtype", tf.float32)
    op = create_op("TensorArrayV3", [tf.constant(size)], **attrs)
    return op.outputs


def _check_tensor_arrays():
    """Write, read, scatter, gather, size, concat, split, close and the gradient array."""
    with tf.Graph().as_default():
        handle, flow = _array(3, element_shape=tf.TensorShape([2]), identical_element_shapes=True)
        assert handle.dtype is tf.resource and flow.dtype is tf.float32
        value = tf.placeholder(tf.float32, [2, 2])
        flow = create_op("TensorArrayScatterV3",
                         [handle, tf.constant([2, 0]), value, flow]).outputs[0]
        flow = create_op("TensorArrayWriteV3",
                         [handle, tf.constant(1), tf.constant([5.0, 6.0]), flow]).outputs[0]
        size = create_op("TensorArraySizeV3", [handle, flow]).outputs[0]
        read = create_op("TensorArrayReadV3", [handle, tf.constant(2), flow],
                         dtype=tf.float32).outputs[0]
        with tf.control_dependencies([read]):
            gathered = create_op("TensorArrayGatherV3", [handle, tf.constant([0, 1]), flow],
                                 dtype=tf.float32, element_shape=tf.TensorShape([2])).outputs[0]
        assert gathered.shape.as_list() == [2, 2] and read.dtype is tf.float32
        grad, grad_flow = create_op("TensorArrayGradV3", [handle, flow],
                                    source="gradients").outputs
        flow_g = create_op("TensorArrayWriteV3", [grad, tf.constant(0), tf.constant([1.0, 1.0]),
                                                  grad_flow]).outputs[0]
        flow_g = create_op("TensorArrayWriteV3", [grad, tf.constant(0), tf.constant([2.0, 3.0]),
                                                  flow_g]).outputs[0]
        summed = create_op("TensorArrayGatherV3", [grad, tf.constant([0, 1]), flow_g],
                           dtype=tf.float32).outputs[0]
        with tf.control_dependencies([gathered]):
            close = create_op("TensorArrayCloseV3", [handle])
        with tf.Session() as sess:
            got = sess.run([size, read, gathered, summed, close],
                           {value: [[1.0, 2.0], [3.0, 4.0]]})
            assert got[0] == 3 and got[0].dtype == np.int32
            np.testing.assert_array_equal(got[1], [1.0, 2.0])
            np.testing.assert_array_equal(got[2], [[3.0, 4.0], [5.0, 6.0]])
            # the gradient array sums writes to one index; unwritten ones read as zeros
            np.testing.assert_array_equal(got[3], [[3.0, 4.0], [0.0, 0.0]])
            with pytest.raises(tf.errors.InvalidArgumentError, match="twice"):
                again = create_op("TensorArrayReadV3", [handle, tf.constant(2), read.op.inputs[2]],
                                  dtype=tf.float32).outputs[0]
                with tf.control_dependencies([read]):
                    twice = tf.identity(again)
                sess.run([read, twice], {value: [[1.0, 2.0], [3.0, 4.0]]})
        with pytest.raises(ValueError, match="TensorArrayV3 requires a scalar int32 size"):
            _array([3])


def _check_tensor_array_concat_split():
    with tf.Graph().as_default():
        handle, flow = _array(2, clear_after_read=False)
        value = tf.constant(np.arange(10.0, dtype=np.float32).reshape(5, 2))
        flow = create_op("TensorArraySplitV3", [handle, value, tf.constant([2, 3], tf.int64),
                                                flow]).outputs[0]
        joined, lengths = create_op("TensorArrayConcatV3", [handle, flow],
                                    dtype=tf.float32).outputs
        last = create_op("TensorArrayReadV3", [handle, tf.constant(1), flow],
                         dtype=tf.float32).outputs[0]
        big = create_op("TensorArrayWriteV3", [handle, tf.constant(5), tf.zeros([2]), flow])
        with tf.Session() as sess:
            got = sess.run([joined, lengths, last])
            np.testing.assert_array_equal(got[0], np.arange(10.0).reshape(5, 2))
            np.testing.assert_array_equal(got[1], [2, 3])
            np.testing.assert_array_equal(got[2], np.arange(4.0, 10.0).reshape(3, 2))
            with pytest.raises(tf.errors.InvalidArgumentError, match="not resizeable"):
                sess.run(big)


def _check_control_trigger():
    """Ops after a ControlTrigger run whether or not the ops it waits for were taken."""
    with tf.Graph().as_default():
        pred = tf.placeholder(tf.bool, [])
        value = tf.constant(3.0)
        false_side, true_side = create_op("Switch", [value, pred]).outputs
        waited = [tf.negative(false_side).op, tf.negative(true_side).op]
        with tf.control_dependencies(waited):
            trigger = create_op("ControlTrigger", [value])
        assert trigger.outputs == ()
        with tf.control_dependencies([trigger]):
            after = value * 2.0
        with tf.Session() as sess:
            for taken in (True, False):
                assert sess.run(after, {pred: taken}) == 6.0


def _check_tensor_array_gradients():
    """TF's gradient rules: through a write and a read, a scatter and a gather, a split and a
    concat, the gradient of each element is the weight it was read with."""
    with tf.Graph().as_default():
        value = tf.placeholder(tf.float64, [3, 2])
        weights = np.arange(6.0).reshape(3, 2) - 2.0
        handle, flow = _array(3, dtype=tf.float64)
        flow = create_op("TensorArrayScatterV3", [handle, tf.constant([2, 0, 1]), value,
                                                  flow]).outputs[0]
        gathered = create_op("TensorArrayGatherV3", [handle, tf.constant([0, 1, 2]), flow],
                             dtype=tf.float64).outputs[0]
        other, other_flow = _array(1, dtype=tf.float64)
        other_flow = create_op("TensorArrayWriteV3", [other, tf.constant(0), value * 2.0,
                                                      other_flow]).outputs[0]
        read = create_op("TensorArrayReadV3", [other, tf.constant(0), other_flow],
                         dtype=tf.float64).outputs[0]
        third, third_flow = _array(2, dtype=tf.float64)
        lengths = tf.constant([1, 2], tf.int64)
        third_flow = create_op("TensorArraySplitV3",
                               [third, value, lengths, third_flow]).outputs[0]
        joined = create_op("TensorArrayConcatV3", [third, third_flow],
                           dtype=tf.float64).outputs[0]
        loss = tf.reduce_sum(gathered * weights) + tf.reduce_sum(read * weights) + \
            tf.reduce_sum(joined * weights * 3.0)
        grad = tf.gradients(loss, value, name="gradients")[0]
        types = [o.type for o in grad.graph.get_operations()]
        assert types.count("TensorArrayGradV3") == 6  # one per gradient rule, as in TF
        with tf.Session() as sess:
            got = sess.run(grad, {value: np.ones((3, 2))})
        scattered = weights[[2, 0, 1]]  # value[k] went to index [2, 0, 1][k]
        np.testing.assert_allclose(got, scattered + 2.0 * weights + 3.0 * weights)


SESSION_CASES = {
    "ControlTrigger": _check_control_trigger,
    **{op_type: _check_stacks
       for op_type in ("StackV2", "StackPushV2", "StackPopV2", "StackCloseV2")},
    **{op_type: _check_tensor_arrays
       for op_type in ("TensorArrayV3", "TensorArrayWriteV3", "TensorArrayReadV3",
                       "TensorArrayScatterV3", "TensorArrayGatherV3", "TensorArraySizeV3",
                       "TensorArrayGradV3", "TensorArrayCloseV3")},
    "TensorArrayConcatV3": _check_tensor_array_concat_split,
    "TensorArraySplitV3": _check_tensor_array_concat_split,
}
for _op_type in ("TensorArrayWriteV3", "TensorArrayReadV3", "TensorArrayScatterV3",
                 "TensorArrayGatherV3", "TensorArrayConcatV3", "TensorArraySplitV3"):
    SESSION_CASES[_op_type] = (lambda check: lambda: (check(), _check_tensor_array_gradients())
                               )(SESSION_CASES[_op_type])
