"""tf.shape, tf.size and tf.rank give a constant when the answer is known while building, as
TensorFlow's do (so nothing upstream runs for them: a reader's output shape needs no queue
runner), else the Shape / Size / Rank op; names, dtypes, static shapes and values equal TF's
(tests/fixtures/make_static_shape_constants_reference.py)."""
import json
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent / "fixtures"))
import static_shape_constants_cases  # noqa: E402

REF = json.loads((pathlib.Path(__file__).parent.parent / "fixtures"
                  / "static_shape_constants_reference.json").read_text())
CALLS = static_shape_constants_cases.calls(tf)


@pytest.mark.parametrize("case", REF["cases"], ids=lambda c: f"{c['call']}-{c['input']}")
def test_shape_size_rank_build_what_tensorflow_builds(case):
    with tf.Graph().as_default():
        x = tf.placeholder(case["dtype"], case["static"], name="x")
        first = CALLS[case["call"]](x)
        second = CALLS[case["call"]](x)
        assert first.op.type == case["op_type"]
        assert (first.name, second.name) == (case["name"], case["second_name"])
        assert first.dtype.name == case["out_dtype"]
        assert first.shape.as_list() == case["out_shape"]
        if case["value"] is not None:  # a constant: runs without feeding x
            with tf.Session() as sess:
                value = sess.run(first)
            assert value.dtype == np.dtype(case["out_dtype"])
            assert value.tolist() == case["value"]


def test_shape_of_a_python_list_is_a_constant():
    with tf.Graph().as_default():
        listed = tf.shape([1.0, 2.0])
        assert (listed.op.type, listed.name) == (REF["python_list"]["op_type"],
                                                 REF["python_list"]["name"])
        with tf.Session() as sess:
            assert sess.run(listed).tolist() == REF["python_list"]["value"]


def test_shape_of_a_reader_output_runs_no_reader(tmp_path):
    """The book demo's case: the shape of decoded CSV columns, asked before any queue runner
    starts, is known while building, so the run does not wait on the empty filename queue."""
    path = tmp_path / "rows.csv"
    path.write_text("a,b\nc,d\n")
    with tf.Graph().as_default():
        queue = tf.train.string_input_producer([str(path)])
        _, line = tf.TextLineReader().read(queue)
        first, second = tf.decode_csv(line, record_defaults=[[""], [""]])
        with tf.Session() as sess:
            assert sess.run(tf.shape([first, second])).tolist() == [2]
            assert sess.run(tf.shape(first)).tolist() == []
            assert sess.run(tf.size(first)) == 1 and sess.run(tf.rank(first)) == 0
