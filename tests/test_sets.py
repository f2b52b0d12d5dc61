"""tf.sets on dense tensors and SparseTensors, checked against TensorFlow
(tests/fixtures/lookup_reference.json, case "sets")."""
import pytest

from lookup_face import REFERENCE, assert_same, run_case, tf


def test_against_tensorflow(tmp_path):
    assert_same(run_case("sets", tmp_path), REFERENCE["sets"], "sets")


def test_op_types_and_static_shapes():
    with tf.Graph().as_default():
        a = tf.constant([[1, 2], [3, 4]])
        union = tf.sets.union(a, a)
        sparse = tf.SparseTensor([[0, 0]], [1], [2, 2])
        size = tf.sets.size(sparse)
        assert union.indices.op.type == "DenseToDenseSetOperation"
        assert union.indices.shape.as_list() == [None, 2]
        assert union.dense_shape.shape.as_list() == [2]
        assert tf.sets.intersection(a, sparse).indices.op.type == "DenseToSparseSetOperation"
        assert tf.sets.difference(sparse, sparse).values.op.type == \
            "SparseToSparseSetOperation"
        assert size.op.type == "SetSize" and size.dtype is tf.int32


def test_argument_errors_as_tf():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="Expected `SparseTensor`"):
            tf.sets.size(tf.constant([[1]]))
        with pytest.raises(TypeError, match="invalid dtype"):
            tf.sets.union(tf.constant([[1.0]]), tf.constant([[1.0]]))
        with pytest.raises(TypeError, match="Types don't match"):
            tf.sets.union(tf.constant([[1]]), tf.constant([[1]], tf.int64))
        with pytest.raises(ValueError, match="at least rank 2"):
            tf.sets.union(tf.constant([1]), tf.constant([1]))
        with pytest.raises(ValueError, match="rank 2 but is rank 3"):
            tf.sets.union(tf.constant([[1]]), tf.constant([[[1]]]))


def test_namespace_aliases():
    assert tf.sets.union is tf.sets.set_union
    assert tf.sets.intersection is tf.sets.set_intersection
    assert tf.sets.difference is tf.sets.set_difference
    assert tf.sets.size is tf.sets.set_size
