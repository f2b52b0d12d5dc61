"""A shape given as a list holding Python floats is a float32 tensor in TF, which Reshape,
BroadcastTo and the random ops reject while building (lishanlu136's program passes
truncated_normal((-1.0, 1.0)))."""
import numpy as np
import pytest

import tensorweave as tf

MESSAGE = ("Value passed to parameter 'shape' has DataType float32 not in list of allowed "
           "values: int32, int64")


@pytest.mark.parametrize("build", [
    lambda s: tf.reshape(tf.zeros([6]), s),
    lambda s: tf.broadcast_to(1.0, s),
    lambda s: tf.truncated_normal(s),
    lambda s: tf.random_normal(s),
    lambda s: tf.random_uniform(s),
])
@pytest.mark.parametrize("shape", [(-1.0, 1.0), [2, 3.5], [np.float32(2), 3]])
def test_float_entries_are_a_type_error(build, shape):
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match=MESSAGE.replace("(", r"\(")):
            build(shape)


def test_int_and_bool_entries_still_build():
    with tf.Graph().as_default():
        assert tf.reshape(tf.zeros([6]), (2.0 == 2, 6)).shape.as_list() == [1, 6]
        assert tf.truncated_normal([np.int64(2), 3]).shape.as_list() == [2, 3]
        assert tf.random_uniform([]).shape.as_list() == []
        assert tf.broadcast_to(1.0, np.array([2, 3])).shape.as_list() == [2, 3]
