"""runtime/accel/leading_sums.py: sums over leading axes (bias gradients) as one matrix-vector
product give the reference sums within float32 reassociation, and decline what they cannot do."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.runtime.accel import leading_sums
from tensorweave.runtime.plan import chosen_kernel


def _kernel(build):
    with tf.Graph().as_default():
        op = build().op
    return chosen_kernel(op), op.op_def.kernel


@pytest.mark.parametrize("axis, keepdims", [((0, 1, 2), False), ((-4, -3, -2), False),
                                            ((0, 1), True), ((2, 0, 1), False)])
def test_sums_over_leading_axes_match_numpy(axis, keepdims):
    variant, reference = _kernel(lambda: tf.reduce_sum(
        tf.placeholder(tf.float32, [None, 28, 28, 32]), axis, keepdims=keepdims))
    x = np.random.RandomState(0).rand(50, 28, 28, 32).astype(np.float32)
    attrs = {"axis": axis if isinstance(axis, int) else tuple(axis), "keepdims": keepdims}
    expected = reference(x, **attrs)
    got = variant(x, **attrs)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=2e-5)
    lead = leading_sums._leading_count(attrs["axis"], 4)
    assert leading_sums._leading_sum(x, lead) is not None  # the product ran


def test_a_column_sum_of_a_matrix_is_one_product():
    variant, reference = _kernel(lambda: tf.reduce_sum(tf.placeholder(tf.float64, [None, 7]), 0))
    x = np.random.RandomState(3).rand(1000, 7)
    np.testing.assert_allclose(variant(x, axis=0, keepdims=False),
                               reference(x, axis=0, keepdims=False), rtol=1e-12)
    assert leading_sums._leading_count(0, 2) == 1 and leading_sums._leading_sum(x, 1) is not None


def test_what_the_product_cannot_do_runs_the_reference():
    x = np.random.RandomState(1).rand(300, 8).astype(np.float32)
    assert leading_sums._leading_sum(x[:, ::2], 1) is None  # not contiguous
    assert leading_sums._leading_sum(x[:10], 1) is None  # too few rows
    assert leading_sums._leading_sum(x.astype(np.int32), 1) is None
    assert leading_sums._leading_count((1, 2), 4) == 0 and leading_sums._leading_count(None, 4) == 0
    assert leading_sums._leading_sum(x, 2) is None  # nothing left to keep


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_bias_gradients_match_the_reference_in_both_layouts(data_format):
    with tf.Graph().as_default():
        value = tf.placeholder(tf.float32, [None, 16, 16, 16])
        tf.gradients(tf.nn.bias_add(value, tf.zeros([16]), data_format=data_format), value)
        op = next(o for o in tf.get_default_graph().get_operations() if o.type == "BiasAddGrad")
    variant, reference = chosen_kernel(op), op.op_def.kernel
    assert (variant is not reference) == (data_format == "NHWC")  # NCHW: chosen at binding
    dy = np.random.RandomState(2).rand(40, 16, 16, 16).astype(np.float32)
    np.testing.assert_allclose(variant(dy, data_format=data_format),
                               reference(dy, data_format=data_format), rtol=2e-5)


def test_the_ones_kept_are_bounded():
    kept = leading_sums._ones.cache_info().maxsize
    first = leading_sums._ones(300, np.dtype(np.float32))
    for n in range(301, 301 + 2 * kept):
        leading_sums._ones(n, np.dtype(np.float32))
    assert leading_sums._ones.cache_info().currsize == kept
    assert leading_sums._ones(300, np.dtype(np.float32)) is not first  # the oldest went
