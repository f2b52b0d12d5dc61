"""tf.contrib.feature_column: TF 1.15's sequence columns and sequence_input_layer under their
contrib names (the columns themselves are tested in tests/estimator)."""
import numpy as np

import tensorweave as tf


def test_contrib_feature_column_names_and_sequence_input_layer():
    fc = tf.contrib.feature_column
    assert fc.sequence_input_layer is tf.feature_column.sequence_input_layer
    for name in fc.__all__:
        assert callable(getattr(fc, name))
    with tf.Graph().as_default():
        # ids out of [0, 3) take default_value 0, as in keithyin's sequence_feature_column_demo
        ids = fc.sequence_categorical_column_with_identity("b", num_buckets=3, default_value=0)
        features = {"b": tf.constant([[1], [4], [2]])}
        dense, length = fc.sequence_input_layer(features, [tf.feature_column.indicator_column(ids)])
        with tf.Session() as sess:
            d, n = sess.run([dense, length])
    np.testing.assert_array_equal(d, [[[0, 1, 0]], [[1, 0, 0]], [[0, 0, 1]]])
    np.testing.assert_array_equal(n, [1, 1, 1])
