"""tf.ConditionalAccumulator and tf.SparseConditionalAccumulator against TF 2.15's numbers and
errors (tests/fixtures/accumulators_reference.json), and their waiting: a take served by an
apply from another thread, a run timeout, cancellation when the Session closes."""
import base64
import json
import pathlib
import sys
import threading

import numpy as np
import pytest

import tensorweave as tf
from tensorweave import accumulators as acc

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import accumulators_cases as cases  # noqa: E402

REFERENCE = json.loads((FIXTURES / "accumulators_reference.json").read_text())


def _same(ours, theirs):
    """Equal structure, strings and None; numbers equal to float32 precision."""
    if isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
    elif isinstance(theirs, (int, float)) and not isinstance(theirs, bool):
        assert ours == pytest.approx(theirs, rel=1e-6), (ours, theirs)
    else:
        assert ours == theirs


def test_dense_program_matches_tensorflow():
    _same(cases.dense_program(tf, acc), REFERENCE["dense"])


def test_sparse_program_matches_tensorflow():
    ours, theirs = cases.sparse_program(tf, acc), REFERENCE["sparse"]
    assert ours[0][0] == theirs[0][0] == "IndexedSlices"  # static shapes: ours are known
    assert ours[0][1:] == ["(?, 2)", "(2,)"]
    _same(ours[1:], theirs[1:])


def test_op_types_names_and_shapes():
    with tf.Graph().as_default():
        a = acc.ConditionalAccumulator(tf.float32, shape=[2], shared_name="foo")
        apply, take = a.apply_grad([1., 2.], local_step=0), a.take_grad(1)
        count, set_step = a.num_accumulated(), a.set_global_step(3)
        s = acc.SparseConditionalAccumulator(tf.float64, shape=[3, 2])
        s_apply = s.apply_grad([0, 2], [[1., 2.], [3., 4.]], grad_shape=[3, 2], local_step=0)
        s_take = s.take_grad(1)
        assert (a.accumulator_ref.op.type, a.accumulator_ref.dtype, a.name, a.dtype) == (
            "ResourceConditionalAccumulator", tf.resource, "conditional_accumulator",
            tf.float32)
        assert a.accumulator_ref.op.get_attr("shared_name") == "foo"
        assert (apply.type, apply.name) == ("ResourceAccumulatorApplyGradient",) * 2
        assert (take.op.type, take.shape.as_list()) == ("ResourceAccumulatorTakeGradient", [2])
        assert count.op.type == "ResourceAccumulatorNumAccumulated"
        assert count.name == "conditional_accumulator_NumAccumulated:0" and count.dtype is \
            tf.int32
        assert set_step.type == "ResourceAccumulatorSetGlobalStep"
        assert s.accumulator_ref.op.type == "SparseConditionalAccumulator"
        assert s.name == "sparse_conditional_accumulator"
        assert s_apply.type == "SparseAccumulatorApplyGradient"
        assert s_apply.get_attr("has_known_shape") is True
        assert s_take.indices.dtype is tf.int64 and s_take.values.dtype is tf.float64
        assert s.num_accumulated().op.type == "AccumulatorNumAccumulated"
        assert s.set_global_step(1).type == "AccumulatorSetGlobalStep"
        with pytest.raises(ValueError, match=r"Shapes \(3,\) and \(2,\) are incompatible"):
            a.apply_grad([1., 2., 3.])
        with pytest.raises(ValueError, match="not in: \"MEAN\", \"SUM\""):
            acc.ConditionalAccumulator(tf.float32, reduction_type="MAX")
        with pytest.raises(TypeError, match="float16, float32 or float64"):
            acc.ConditionalAccumulator(tf.int32)


def test_waiting_take_is_served_by_an_apply_from_another_thread():
    with tf.Graph().as_default():
        a = acc.ConditionalAccumulator(tf.float32, shape=[2])
        x = tf.placeholder(tf.float32, [2])
        apply, take, count = a.apply_grad(x, local_step=0), a.take_grad(2), a.num_accumulated()
        with tf.Session() as sess:
            result = []
            waiter = threading.Thread(target=lambda: result.append(sess.run(take)))
            waiter.start()
            sess.run(apply, {x: [1., 1.]})
            waiter.join(0.05)
            assert waiter.is_alive() and not result  # one of two gradients: still waiting
            sess.run(apply, {x: [3., 5.]})
            waiter.join(10)
            np.testing.assert_allclose(result[0], [2., 3.])
            # the apply that completed the take advanced the global step: step 0 is stale now
            sess.run(apply, {x: [1., 1.]})
            assert sess.run(count) == 0


def test_closing_the_session_cancels_a_waiting_take():
    with tf.Graph().as_default():
        a = acc.SparseConditionalAccumulator(tf.float32)
        take = a.take_grad(1)
        sess = tf.Session()
        errors = []

        def wait():
            try:
                sess.run(take)
            except tf.errors.CancelledError as e:
                errors.append(e)
        waiter = threading.Thread(target=wait)
        waiter.start()
        waiter.join(0.05)
        sess.close()
        waiter.join(10)
        assert not waiter.is_alive() and len(errors) == 1


def test_operation_timeout_in_config_ends_a_take():
    with tf.Graph().as_default():
        take = acc.ConditionalAccumulator(tf.float32).take_grad(1)
        config = tf.ConfigProto(operation_timeout_in_ms=30)
        with tf.Session(config=config) as sess:
            with pytest.raises(tf.errors.DeadlineExceededError):
                sess.run(take)


def test_graphs_tensorflow_wrote_import_and_run():
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(base64.b64decode(REFERENCE["graph_def"]))
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    _same(cases.run_graph(tf, graph), REFERENCE["graph_results"])


def test_graphs_tensorweave_writes_import_back():
    graph = cases.graph_program(tf, acc)
    again = tf.Graph()
    with again.as_default():
        tf.import_graph_def(graph.as_graph_def(), name="")
    _same(cases.run_graph(tf, again), REFERENCE["graph_results"])
