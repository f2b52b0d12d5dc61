"""tf.ragged basics (RaggedTensor factories and conversions, ragged.constant, map_flat_values,
row-partition helpers, range, boolean_mask), checked against TensorFlow
(tests/fixtures/lookup_reference.json, case "ragged")."""
import copy

import numpy as np
import pytest

from lookup_face import REFERENCE, assert_same, run_case, tf
from tensorweave.ragged import ragged_tensor


# tensorweave's RaggedTensors split rows with int64 only; TF makes int32 splits here
INT64_SPLITS = ("stack_dynamic_partitions",)


def test_against_tensorflow(tmp_path):
    reference = copy.deepcopy(REFERENCE["ragged"])
    for name in INT64_SPLITS:
        for splits in reference[name]["splits"]:
            assert splits["dtype"] == "int32"
            splits["dtype"] = "int64"
    assert_same(run_case("ragged", tmp_path), reference, "ragged")


def test_static_structure():
    with tf.Graph().as_default():
        rt = tf.RaggedTensor.from_row_splits(tf.constant([[1, 2], [3, 4], [5, 6]]), [0, 2, 3])
        assert rt.shape.as_list() == [2, None, 2] and rt.ragged_rank == 1
        assert rt.dtype is tf.int32 and rt.row_splits.dtype is tf.int64
        nested = tf.ragged.constant([[[1], []], [[2, 3]]])
        assert nested.ragged_rank == 2 and len(nested.nested_row_splits) == 2
        assert nested.flat_values.shape.as_list() == [3]
        with pytest.raises(ValueError, match="constructor is private"):
            tf.RaggedTensor(rt.values, rt.row_splits)
        with pytest.raises(TypeError, match="bool"):
            bool(rt)


def test_fetch_feed_and_value():
    with tf.Graph().as_default():
        rt = tf.ragged.constant([[1, 2], [], [3]])
        holder = tf.ragged.placeholder(tf.int32, 1)
        dense = holder.to_tensor()
        with tf.Session() as sess:
            value = sess.run(rt)
            assert isinstance(value, tf.ragged.RaggedTensorValue)
            assert value.to_list() == [[1, 2], [], [3]] and value.ragged_rank == 1
            np.testing.assert_array_equal(value.row_splits, [0, 2, 2, 3])
            both = sess.run({"rt": rt, "n": rt.nrows()})
            assert both["rt"].to_list() == [[1, 2], [], [3]] and both["n"] == 3
            fed = sess.run(dense, {holder: tf.ragged.constant_value([[4], [5, 6]])})
            np.testing.assert_array_equal(fed, [[4, 0], [5, 6]])


def test_validation_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="same nesting depth"):
            tf.ragged.constant([[1, [2]]])
        bad = tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 1, 3])
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError):
                sess.run(bad)
            with pytest.raises(tf.errors.InvalidArgumentError, match="delta != 0"):
                sess.run(tf.ragged.range([1], [2], 0))


def test_spec_and_value_helpers():
    spec = tf.RaggedTensorSpec([2, None], tf.int32)
    assert spec.ragged_rank == 1 and spec.dtype is tf.int32
    assert ragged_tensor.is_ragged(tf.ragged.constant_value([[1]]))
    value = tf.ragged.constant_value([["a"], ["b", "c"]])
    assert value.to_list() == [[b"a"], [b"b", b"c"]]
