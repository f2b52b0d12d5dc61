"""Static shapes TensorFlow infers by evaluating small constant subgraphs while building (a
shape's entries sliced, multiplied, summed): tensorweave's equal TF 2.15's
(tests/fixtures/make_static_shapes_reference.py); tf.get_static_value stays as narrow as
TF's Python constant_value."""
import json
import pathlib
import sys

import pytest

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import static_shapes_cases  # noqa: E402

REFERENCE = json.loads((FIXTURES / "static_shapes_reference.json").read_text())


@pytest.mark.parametrize("case", sorted(static_shapes_cases.CASES))
def test_static_shape_is_tfs(case):
    with tf.Graph().as_default():
        shape = static_shapes_cases.CASES[case](tf).shape
    assert (None if shape.ndims is None else shape.as_list()) == REFERENCE[case]


def test_static_value_stays_narrow_and_fed_defaults_stay_unknown():
    with tf.Graph().as_default():
        shape = tf.shape(tf.zeros([3, 4]))
        assert tf.get_static_value(shape).tolist() == [3, 4]
        assert tf.get_static_value(shape[0]) is None  # as TF's Python constant_value
        default = tf.placeholder_with_default(2, [])
        assert tf.zeros(tf.stack([default, 3])).shape.as_list() == [None, 3]
        with tf.Session() as sess:
            assert sess.run(tf.zeros(tf.stack([default, 3])), {default: 4}).shape == (4, 3)
