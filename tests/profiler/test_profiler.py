"""tf.profiler against TensorFlow's counts (fixtures/profiler_reference.json) and its reports."""
import json
import os
import sys

import numpy as np
import pytest

import tensorweave as tf
from tensorweave import profiler
from tensorweave.core import registry
from tensorweave.ops import flops

pytest.importorskip("google.protobuf")
pytest.importorskip("tensorboard")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
import profiler_cases  # noqa: E402

with open(os.path.join(os.path.dirname(__file__), "..", "fixtures",
                       "profiler_reference.json")) as _f:
    REFERENCE = json.load(_f)


class _TF:
    """tensorweave with tf.profiler reachable as an attribute, as in `import tensorflow`."""

    def __getattr__(self, name):
        return profiler if name == "profiler" else getattr(tf, name)


@pytest.mark.parametrize("case", sorted(profiler_cases.CASES))
def test_counts_match_tensorflow(case):
    ours = profiler_cases.profile_case(_TF(), profiler_cases.CASES[case])
    want = REFERENCE[case]
    assert ours["flops"] == want["flops"]
    assert ours["total_float_ops"] == want["total_float_ops"]
    assert ours["op_view_total"] == want["op_view_total"]
    assert ours["params"] == want["params"]
    assert ours["total_parameters"] == want["total_parameters"]


def test_statistics_facet():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [3, 5])
        m = tf.matmul(a, tf.ones([5, 2]))
        assert registry.statistics_for(m.op, flops.FLOPS) == 2 * 5 * 3 * 2
        assert registry.statistics_for(tf.nn.relu(m).op, flops.FLOPS) is None
        unknown = tf.matmul(tf.placeholder(tf.float32, [None, 5]), tf.ones([5, 2]))
        with pytest.raises(ValueError):
            registry.statistics_for(unknown.op, flops.FLOPS)
    with pytest.raises(KeyError):
        registry.register_statistics("MatMul", flops.FLOPS, lambda op: 0)


def test_printed_scope_report(capsys):
    with tf.Graph().as_default() as g:
        profiler_cases.mlp(tf)
        result = profiler.profile(g, options=profiler.ProfileOptionBuilder.float_operation())
    out = capsys.readouterr().out
    assert isinstance(result, profiler.GraphNodeProto)
    assert "-min_float_ops              1\n" in out
    assert "node name | # float_ops\n_TFProfRoot (--/6.40k flops)\n" in out
    assert "  dense/MatMul (5.12k/5.12k flops)\n  out/MatMul (1.02k/1.02k flops)\n" in out
    assert out.rstrip().endswith("======================End of Report==========================")


def test_params_tree_and_options(tmp_path):
    builder = profiler.ProfileOptionBuilder
    path = tmp_path / "params.txt"
    with tf.Graph().as_default() as g:
        profiler_cases.mlp(tf)
        opts = builder(builder.trainable_variables_parameter()).with_file_output(str(path))
        result = profiler.profile(g, options=opts.build())
        shallow = profiler.profile(g, options=builder(builder.trainable_variables_parameter())
                                   .with_max_depth(2).with_empty_output().build())
        kernels = profiler.profile(g, options=builder(builder.trainable_variables_parameter())
                                   .with_node_names(show_name_regexes=[".*kernel"])
                                   .with_empty_output().build())
    assert [c.name for c in result.children] == ["dense", "out"]
    assert [c.name for c in result.children[0].children] == ["dense/bias", "dense/kernel"]
    assert result.children[0].total_definition_count == 3
    text = path.read_text()
    assert "    dense/kernel (20x16, 320/320 params)\n" in text
    assert [c.name for c in shallow.children] == ["dense", "out"]
    assert not shallow.children[0].children
    assert shallow.total_parameters == 0  # as TF: only displayed nodes count (scopes own 0)
    assert [c.name for c in kernels.children] == ["dense/kernel", "out/kernel"]
    assert kernels.total_parameters == 384


def test_op_view_chain(capsys):
    with tf.Graph().as_default() as g:
        profiler_cases.mlp(tf)
        result = profiler.profile(g, cmd="op",
                                  options=profiler.ProfileOptionBuilder.float_operation())
    out = capsys.readouterr().out
    assert isinstance(result, profiler.MultiGraphNodeProto)
    assert "MatMul                   6.14k float_ops (100.00%, 96.00%)\n" in out
    first = result.children[0]
    assert first.name == "MatMul" and first.float_ops == 6144
    assert [n.name for n in first.graph_nodes] == ["dense/MatMul", "out/MatMul"]
    assert list(first.graph_nodes[0].input_shapes[0].dim) [0].size == 8
    assert first.children[0].total_float_ops == 6400 - 6144


def _traced_run():
    g = tf.Graph()
    with g.as_default():
        profiler_cases.mlp(tf)
        loss = g.get_tensor_by_name("Mean:0")
        sess = tf.Session(graph=g)
        sess.run(tf.global_variables_initializer())
        meta = tf.RunMetadata()
        sess.run(loss, {"x:0": np.ones([8, 20], np.float32)},
                 options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=meta)
    return g, meta


def test_time_and_memory(capsys):
    g, meta = _traced_run()
    opts = profiler.ProfileOptionBuilder.time_and_memory(min_micros=0, min_bytes=1)
    result = profiler.profile(g, run_meta=meta, options=opts)
    out = capsys.readouterr().out
    assert ("node name | requested bytes | total execution time | accelerator execution time "
            "| cpu execution time\n") in out
    assert result.total_requested_bytes > 0 and result.total_exec_micros >= 0
    names = {}

    def walk(node):
        for c in node.children:
            names[c.name] = c
            walk(c)
    walk(result)
    assert "dense/MatMul" in names and "dense/BiasAdd" in names
    assert names["dense/MatMul"].requested_bytes == 8 * 16 * 4
    assert names["dense/MatMul"].run_count == 1
    code = profiler.profile(g, run_meta=meta, cmd="code", options=profiler.ProfileOptionBuilder(
        profiler.ProfileOptionBuilder.float_operation()).with_empty_output().build())
    assert code.total_float_ops == 6400
    assert any("profiler_cases.py" in c.name for c in code.children)


def test_profiler_class_and_advice(tmp_path):
    g, meta = _traced_run()
    prof = profiler.Profiler(g)
    prof.add_step(1, meta)
    prof.add_step(2, meta)
    builder = profiler.ProfileOptionBuilder
    quiet = builder(builder.float_operation()).with_empty_output()
    assert prof.profile_name_scope(quiet.build()).total_float_ops == 6400
    assert prof.profile_operations(quiet.build()).total_float_ops == 6400
    assert prof.profile_graph(quiet.build()).total_float_ops == 6400
    assert prof.profile_python(quiet.build()).total_float_ops == 6400
    step = prof.profile_name_scope(quiet.with_step(1).build())
    assert step.total_float_ops == 6400
    advice = prof.advise(profiler.model_analyzer.ALL_ADVICE)
    assert isinstance(advice, profiler.AdviceProto)
    assert set(advice.checkers) == set(profiler.model_analyzer.ALL_ADVICE)
    assert advice.checkers["ExpensiveOperationChecker"].reports[0].startswith(
        "top 1 operation type:")
    data = prof.serialize_to_string()
    from tensorboard.compat.proto import tfprof_log_pb2
    parsed = tfprof_log_pb2.ProfileProto.FromString(data)
    assert sorted(parsed.steps) == [1, 2]
    assert any(n.name == "dense/MatMul" and n.float_ops == 5120 for n in parsed.nodes.values())
    assert isinstance(profiler.advise(g, run_meta=meta), profiler.AdviceProto)


def test_write_op_log(tmp_path):
    with tf.Graph().as_default() as g:
        profiler_cases.mlp(tf)
        extra = profiler.OpLogProto()
        extra.log_entries.add(name="dense/MatMul", types=["mine"])
        profiler.write_op_log(g, str(tmp_path), op_log=extra)
    log = profiler.OpLogProto.FromString((tmp_path / "tfprof_log").read_bytes())
    entries = {e.name: e for e in log.log_entries}
    assert entries["dense/MatMul"].float_ops == 5120
    assert list(entries["dense/MatMul"].types) == ["mine"]
    assert list(entries["dense/kernel"].types) == ["_trainable_variables"]
    assert entries["dense/MatMul"].code_def.traces


def test_bad_options():
    with tf.Graph().as_default() as g:
        with pytest.raises(ValueError):
            profiler.profile(g, cmd="nope")
        with pytest.raises(ValueError):
            profiler.profile(g, options=profiler.ProfileOptionBuilder().select(["bogus"])
                             .build())
