"""tf.contrib.tfprof: TF 1.x's print_model_analysis with its option dicts prints the report and
returns the counts TF 2.15's tf.profiler.profile gives for the same dicts (which TF 1.15's
contrib function passes on; tests/fixtures/make_contrib_tfprof_reference.py)."""
import json
import os
import sys

import pytest

import tensorweave as tf

pytest.importorskip("google.protobuf")
pytest.importorskip("tensorboard")
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
sys.path.insert(0, FIXTURES)
import profiler_cases  # noqa: E402

with open(os.path.join(FIXTURES, "contrib_tfprof_reference.json")) as _f:
    REFERENCE = json.load(_f)
analyzer = tf.contrib.tfprof.model_analyzer
OPTIONS = {"params": analyzer.TRAINABLE_VARS_PARAMS_STAT_OPTIONS,
           "float_ops": analyzer.FLOAT_OPS_OPTIONS}


@pytest.mark.parametrize("case", ["mlp", "cnn"])
@pytest.mark.parametrize("select", sorted(OPTIONS))
def test_print_model_analysis_prints_and_counts_as_tf(capsys, case, select):
    want = REFERENCE[f"{case}/{select}"]
    with tf.Graph().as_default() as graph:
        profiler_cases.CASES[case](tf)
        stats = analyzer.print_model_analysis(graph, tfprof_options=OPTIONS[select])
    assert capsys.readouterr().out == want["text"]
    assert stats.total_parameters == want["total_parameters"]
    assert stats.total_float_ops == want["total_float_ops"]


def test_old_names_and_dump_to_file(tmp_path):
    path = tmp_path / "params.txt"
    with tf.Graph().as_default() as graph:
        profiler_cases.mlp(tf)
        options = dict(analyzer.TRAINABLE_VARS_PARAMS_STAT_OPTIONS, dump_to_file=str(path))
        stats = analyzer.print_model_analysis(graph, tfprof_options=options)
        tf.contrib.tfprof.tfprof_logger.write_op_log(graph, str(tmp_path))
    assert stats.total_parameters == 404
    assert "_TFProfRoot (--/404 params)" in path.read_text()
    assert (tmp_path / "tfprof_log").exists()
    assert analyzer.PRINT_ALL_TIMING_MEMORY["select"] == ["micros", "bytes"]
    assert set(analyzer.ALL_ADVICE) >= {"ExpensiveOperationChecker", "OperationChecker"}
    assert analyzer.Profiler is tf.profiler.Profiler
