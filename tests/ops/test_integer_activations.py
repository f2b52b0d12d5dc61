"""relu and relu6 of integer inputs keep their dtype, leaky_relu casts integers to float32, and
the other activations refuse integers at build time, as TensorFlow does
(tests/fixtures/make_integer_activations_reference.py writes TF's numbers)."""
import json
import pathlib

import numpy as np
import pytest

import tensorweave as tf

REF = json.loads((pathlib.Path(__file__).parent.parent / "fixtures"
                  / "integer_activations_reference.json").read_text())
FUNCTIONS = {"relu": tf.nn.relu, "relu6": tf.nn.relu6, "leaky_relu": tf.nn.leaky_relu,
             "elu": tf.nn.elu, "selu": tf.nn.selu, "softplus": tf.nn.softplus,
             "softsign": tf.nn.softsign}


@pytest.mark.parametrize("case", REF["cases"], ids=lambda c: f"{c['fn']}-{c['dtype']}")
def test_activation_of_each_real_dtype_matches_tensorflow(case):
    with tf.Graph().as_default():
        x = tf.placeholder(case["dtype"], [None])
        y = FUNCTIONS[case["fn"]](x)
        assert y.dtype.name == case["out_dtype"]
        assert y.shape.as_list() == case["out_shape"]
        with tf.Session() as sess:
            out = sess.run(y, {x: np.array(case["input"], case["dtype"])})
    assert out.dtype == np.dtype(case["out_dtype"])
    np.testing.assert_allclose(out.astype(np.float64), case["output"], rtol=1e-6)


@pytest.mark.parametrize("case", REF["build_errors"], ids=lambda c: f"{c['fn']}-{c['dtype']}")
def test_which_activations_refuse_a_dtype_at_build_time(case):
    with tf.Graph().as_default():
        x = tf.placeholder(case["dtype"], [3])
        if case["error"] is None:
            FUNCTIONS[case["fn"]](x)
        else:
            with pytest.raises(TypeError):
                FUNCTIONS[case["fn"]](x)


def test_relu_of_an_int32_range_keeps_its_dtype():
    """The book program's case: relu of tf.range(-2, 3) prints [0 0 0 1 2] as int32."""
    with tf.Graph().as_default():
        features = tf.range(-2, 3)
        with tf.Session() as sess:
            values, relu = sess.run([features, tf.nn.relu(features)])
    assert relu.dtype == np.int32
    np.testing.assert_array_equal(relu, [0, 0, 0, 1, 2])
    np.testing.assert_array_equal(values, [-2, -1, 0, 1, 2])
