"""vectorized_map, create_partitioned_variables, load_*_library,
nondifferentiable_batch_function (values checked against TensorFlow 2.15's compat.v1)."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.batch_ops import nondifferentiable_batch_function
from tensorweave.op_libraries import load_file_system_library, load_library, load_op_library
from tensorweave.parallel_for import vectorized_map
from tensorweave.partitioned_variables import create_partitioned_variables


def test_vectorized_map_structures():
    with tf.Graph().as_default():
        x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        n = tf.constant([1, 2])
        doubled, sums = vectorized_map(lambda r: (r[0] * 2, tf.reduce_sum(r[0])
                                                  + tf.cast(r[1], tf.float32)), (x, n))
        with tf.Session() as sess:
            d, s = sess.run([doubled, sums])
    np.testing.assert_allclose(d, [[2, 4], [6, 8]])
    np.testing.assert_allclose(s, [4.0, 9.0])


def test_create_partitioned_variables_as_tensorflow():
    with tf.Graph().as_default():
        parts = create_partitioned_variables([5, 3], [2, 1], tf.ones_initializer())
        assert [v.name for v in parts] == ["PartitionedVariable/part_0:0",
                                           "PartitionedVariable/part_1:0"]
        assert [v.shape.as_list() for v in parts] == [[3, 3], [2, 3]]
        full = np.arange(12.0).reshape(4, 3)
        cols = create_partitioned_variables([4, 3], [1, 3], full, name="w")
        assert [v.name for v in cols] == ["w/part_0:0", "w/part_1:0", "w/part_2:0"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            values = sess.run(cols)
        np.testing.assert_allclose(np.concatenate(values, axis=1), full)
        with pytest.raises(ValueError, match="must have the length"):
            create_partitioned_variables([4, 3], [2], tf.ones_initializer())
        with pytest.raises(ValueError, match="only slice a variable along one dimension"):
            create_partitioned_variables([4, 4], [2, 2], tf.ones_initializer())


def test_load_libraries(tmp_path):
    for load in (load_op_library, load_library, load_file_system_library):
        with pytest.raises(tf.errors.NotFoundError, match="cannot open shared object file"):
            load(str(tmp_path / "missing.so"))
    lib = tmp_path / "kernels.so"
    lib.write_bytes(b"\x7fELF")
    for load in (load_op_library, load_library, load_file_system_library):
        with pytest.raises(tf.errors.UnimplementedError, match="cannot load TensorFlow C"):
            load(str(lib))
    with pytest.raises(tf.errors.UnimplementedError):
        load_library(str(tmp_path))


def test_nondifferentiable_batch_function():
    @nondifferentiable_batch_function(1, 4, 10)
    def layer(a, b):
        return a * b + 1.0

    with tf.Graph().as_default():
        a = tf.constant([[1.0], [2.0]])
        out = layer(a, tf.constant([[3.0], [4.0]]))
        assert tf.gradients(out, a) == [None]
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(out), [[4.0], [9.0]])
    with pytest.raises(ValueError):
        nondifferentiable_batch_function(1, 8, 10, allowed_batch_sizes=[2, 4])
