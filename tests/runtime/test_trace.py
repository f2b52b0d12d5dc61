"""Traced runs: RunOptions(trace_level=FULL_TRACE) fills RunMetadata.step_stats per op."""
import json

import numpy as np
import pytest

pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed")

from tensorboard.compat.proto import config_pb2, types_pb2  # noqa: E402

import tensorweave as tf  # noqa: E402
from tensorweave.client.timeline import Timeline  # noqa: E402
from tensorweave.runtime import config, trace  # noqa: E402

CPU = "/job:localhost/replica:0/task:0/device:CPU:0"
FULL = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)


def _model():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
    y = tf.matmul(x, w, name="mm")
    z = tf.reduce_sum(tf.nn.relu(y - 4.0), name="s")
    return x, w, z


def _nodes(run_metadata):
    (device,) = run_metadata.step_stats.dev_stats
    assert device.device == CPU
    return {n.node_name: n for n in device.node_stats}


def test_run_options_and_metadata_are_the_config_protos():
    assert tf.RunOptions is config_pb2.RunOptions and tf.RunMetadata is config_pb2.RunMetadata
    assert (tf.RunOptions.NO_TRACE, tf.RunOptions.SOFTWARE_TRACE,
            tf.RunOptions.FULL_TRACE) == (0, 1, 3)
    with pytest.raises(ValueError):
        tf.RunOptions(trace_levels=3)


def test_full_trace_records_every_step_with_labels_outputs_and_times():
    x, w, z = _model()
    batch = np.array([[1, 2, 3], [0, 1, 0]], np.float32)
    with tf.Session() as sess:
        sess.run(w.initializer)
        plain = sess.run(z, {x: batch})
        metadata = tf.RunMetadata()
        traced = sess.run(z, {x: batch}, options=FULL, run_metadata=metadata)
    assert traced == plain == np.float32(12.0 + 18.0)
    nodes = _nodes(metadata)
    assert list(nodes) == ["x", "w", "mm", "sub", "Relu", "s"]
    assert nodes["x"].timeline_label == "x = _Arg()"
    assert nodes["mm"].timeline_label == "mm = MatMul(x, w/read)"
    assert nodes["s"].timeline_label == "s = Sum(Relu)"  # axes are an attr
    (out,) = nodes["mm"].output
    description = out.tensor_description
    assert (out.slot, description.dtype) == (0, types_pb2.DT_FLOAT)
    assert [d.size for d in description.shape.dim] == [2, 2]
    assert description.allocation_description.requested_bytes == 16
    assert nodes["mm"].memory[0].total_bytes == 16
    assert not nodes["w"].memory  # a variable's value is not a new allocation
    assert [d.size for d in nodes["s"].output[0].tensor_description.shape.dim] == []
    starts = [n.all_start_micros for n in nodes.values()]
    assert starts == sorted(starts) and starts[0] > 1.5e15  # microseconds since the epoch
    for node in nodes.values():
        assert 0 <= node.op_start_rel_nanos <= node.op_end_rel_nanos <= node.all_end_rel_nanos
        assert node.all_end_rel_micros == node.all_end_rel_nanos // 1000


def test_control_inputs_and_second_outputs_are_labelled_like_tf():
    a = tf.placeholder(tf.float32, [3], name="a")
    values, indices = tf.nn.top_k(a, k=2)
    position = tf.cast(indices, tf.float32)
    with tf.control_dependencies([values]):
        total = tf.add(position, position, name="total")
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        got = sess.run(total, {a: [3.0, 1.0, 2.0]}, options=FULL, run_metadata=metadata)
    np.testing.assert_array_equal(got, [0.0, 4.0])
    nodes = _nodes(metadata)
    assert nodes["Cast"].timeline_label == "Cast = Cast(TopKV2:1)"
    assert nodes["total"].timeline_label == "total = Add(Cast, Cast, ^TopKV2)"
    assert [o.slot for o in nodes["TopKV2"].output] == [0, 1]


def test_untraced_run_with_metadata_clears_it_and_options_without_metadata_run():
    x, w, z = _model()
    metadata = tf.RunMetadata()
    metadata.step_stats.dev_stats.add(device="stale")
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(z, {x: np.ones((1, 3))}, run_metadata=metadata)
        assert metadata == tf.RunMetadata()
        assert sess.run(z, {x: np.ones((1, 3))}, options=FULL) == np.float32(7.0)
        with pytest.raises(TypeError, match="RunOptions"):
            sess.run(z, {x: np.ones((1, 3))}, options="FULL_TRACE", run_metadata=metadata)


def test_untraced_runs_never_enter_the_traced_runner(monkeypatch):
    x, w, z = _model()

    def refuse(*args):
        raise AssertionError("the traced runner ran")
    monkeypatch.setattr(trace, "run", refuse)
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(z, {x: np.ones((1, 3))}) == np.float32(7.0)
        assert sess.make_callable(z, [x])(np.ones((1, 3))) == np.float32(7.0)
        with pytest.raises(AssertionError, match="traced runner"):
            sess.run(z, {x: np.ones((1, 3))}, options=FULL, run_metadata=tf.RunMetadata())


def test_make_callable_accept_options():
    x, w, z = _model()
    with tf.Session() as sess:
        sess.run(w.initializer)
        with_feeds = sess.make_callable(z, [x])  # TF passes a feed_list callable's kwargs on
        metadata = tf.RunMetadata()
        assert with_feeds(np.ones((1, 3)), options=FULL, run_metadata=metadata) == 7.0
        assert list(_nodes(metadata)) == ["x", "w", "mm", "sub", "Relu", "s"]
        constant = sess.make_callable(w.read_value(), accept_options=True)
        metadata = tf.RunMetadata()
        np.testing.assert_array_equal(constant(options=FULL, run_metadata=metadata),
                                      np.arange(6).reshape(3, 2))
        assert "w" in _nodes(metadata)
        with pytest.raises(TypeError, match="accept_options=True"):
            sess.make_callable(w.read_value())(options=FULL)


def test_traced_kernel_failure_raises_the_same_error_naming_the_op():
    n = tf.placeholder(tf.int32, [], name="n")
    bad = tf.reshape(tf.range(6), tf.stack([n, 4]), name="bad_reshape")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as plain:
            sess.run(bad, {n: 2})
        with pytest.raises(tf.errors.InvalidArgumentError) as traced:
            sess.run(bad, {n: 2}, options=FULL, run_metadata=tf.RunMetadata())
    assert traced.value.op is plain.value.op and traced.value.op.name == "bad_reshape"
    assert "test_trace.py" in traced.value.message


def test_cond_untaken_branch_and_while_loop_as_one_node():
    p = tf.placeholder(tf.bool, [], name="p")
    v = tf.placeholder(tf.float32, [], name="v")
    chosen = tf.cond(p, lambda: tf.square(v, name="sq"), lambda: tf.negative(v, name="neg"))
    _, looped = tf.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * 2.0),
                              [tf.constant(0), v], name="loop")
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        got = sess.run([chosen, looped], {p: True, v: 3.0}, options=FULL, run_metadata=metadata)
    assert got == [9.0, 48.0]
    nodes = _nodes(metadata)
    assert nodes["cond/sq"].output[0].tensor_description.dtype == types_pb2.DT_FLOAT
    assert not nodes["cond/neg"].output  # the untaken branch produced no array
    (loop,) = [n for n in nodes.values() if "= While(" in n.timeline_label]
    assert [o.slot for o in loop.output] == [0, 1]


def test_traced_training_step_updates_variables_like_an_untraced_one():
    results = []
    for traced in (False, True):
        with tf.Graph().as_default():
            tf.set_random_seed(3)
            x, w, z = _model()
            train = tf.train.AdamOptimizer(0.1).minimize(z)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(3):
                    kwargs = {"options": FULL, "run_metadata": tf.RunMetadata()} if traced \
                        else {}
                    sess.run(train, {x: np.ones((2, 3))}, **kwargs)
                results.append(sess.run(w))
    np.testing.assert_array_equal(results[0], results[1])


def test_partition_graphs_and_tensorweave_record():
    x, w, z = _model()
    record = config.RunMetadata()
    proto = tf.RunMetadata()
    options = tf.RunOptions(output_partition_graphs=True)
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(z, {x: np.ones((1, 3))}, options=options, run_metadata=proto)
        sess.run(z, {x: np.ones((1, 3))}, options=FULL, run_metadata=record)
    assert not proto.HasField("step_stats")
    (graph,) = proto.partition_graphs
    assert [n.name for n in graph.node] == ["w", "mm", "sub", "Relu", "s"]
    assert list(graph.node[1].input) == ["x", "w/read"]
    assert [n.node_name for n in record.step_stats.dev_stats[0].node_stats][-1] == "s"


def test_timeline_draws_a_traced_run():
    x, w, z = _model()
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(z, {x: np.ones((4, 3))}, options=FULL, run_metadata=metadata)
    events = json.loads(Timeline(metadata.step_stats).generate_chrome_trace_format())
    ops = [e for e in events["traceEvents"] if e["ph"] == "X"]
    assert [e["name"] for e in ops] == ["_Arg", "VariableV2", "MatMul", "Sub", "Relu", "Sum"]
    matmul = ops[2]
    assert matmul["args"] == {"name": "mm", "op": "MatMul", "input0": "x", "input1": "w/read"}
    node = _nodes(metadata)["mm"]
    assert (matmul["ts"], matmul["dur"]) == (node.all_start_micros, node.all_end_rel_micros)
