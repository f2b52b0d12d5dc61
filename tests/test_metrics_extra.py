"""tf.metrics at thresholds, at k (top-k ids, average precision), per-class accuracy, relative
error, cosine distance, tensor means and percentage_below against TensorFlow: several update
steps with weights, final values, local variables' names, shapes and dtypes, collections."""
import os
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
sys.path.insert(0, FIXTURES)
import layers_losses_metrics_extra_cases as cases  # noqa: E402

ARRAYS, VARIABLES = cases.load_reference(FIXTURES)


@pytest.mark.parametrize("name", [n for n in cases.CASES if n.startswith("metric_")])
def test_metric_matches_tensorflow(name):
    cases.check_case(tf, name, ARRAYS, VARIABLES)


def test_metric_collections_receive_value_and_update():
    labels = tf.constant([1, 0, 1])
    predictions = tf.constant([0.9, 0.2, 0.4])
    value, update = tf.metrics.recall_at_thresholds(labels, predictions, [0.5],
                                                    metrics_collections=["m"],
                                                    updates_collections=["u"])
    assert tf.get_collection("m") == [value] and tf.get_collection("u") == [update]
    value, update = tf.metrics.precision_at_k(tf.constant([[1], [0]], tf.int64),
                                              tf.constant([[0.1, 0.9], [0.8, 0.2]]), 1,
                                              metrics_collections=["m2"])
    assert tf.get_collection("m2") == [value]
    assert value.dtype == tf.float64 and value.op.name == "precision_at_1"
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update) == 1.0
        assert sess.run(value) == 1.0


def test_metrics_reset_with_the_local_initializer():
    values = tf.placeholder(tf.float32, [3])
    mean, update = tf.metrics.mean_tensor(values)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update, {values: [1.0, 2.0, 3.0]})
        sess.run(update, {values: [3.0, 2.0, 1.0]})
        np.testing.assert_allclose(sess.run(mean), [2.0, 2.0, 2.0])
        sess.run(tf.local_variables_initializer())
        np.testing.assert_allclose(sess.run(mean), [0.0, 0.0, 0.0])


def test_bad_arguments_raise_value_error():
    labels, predictions = tf.constant([1, 0]), tf.constant([0.3, 0.6])
    with pytest.raises(ValueError, match="specificity"):
        tf.metrics.sensitivity_at_specificity(labels, predictions, 1.5)
    with pytest.raises(ValueError, match="sensitivity"):
        tf.metrics.specificity_at_sensitivity(labels, predictions, -0.1)
    with pytest.raises(ValueError, match="k=0"):
        tf.metrics.average_precision_at_k(tf.constant([[1]], tf.int64),
                                          tf.constant([[0.2, 0.8]]), 0)
    with pytest.raises(ValueError, match="rank"):
        tf.metrics.recall_at_top_k(tf.constant([[[1]]], tf.int64),
                                   tf.constant([1], tf.int64))


def test_mean_counts_nothing_for_a_batch_whose_input_ends():
    """As TF's: the count waits for the values (a control dependency), so the evaluation
    step that meets the end of the data adds neither to the total nor to the count, even
    when the count is known in advance (a scalar loss's size)."""
    data = tf.data.Dataset.from_tensor_slices(np.array([2.0, 4.0], np.float32))
    value = tf.reduce_sum(data.make_one_shot_iterator().get_next())  # a scalar, size 1
    mean, update = tf.metrics.mean(value)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(update)
        sess.run(update)
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(update)
        assert sess.run(mean) == 3.0


def test_control_dependency_on_a_fed_placeholder_is_satisfied_by_the_feed():
    fed = tf.placeholder(tf.float32, [])
    with tf.control_dependencies([fed]):
        out = tf.constant(1.0) + 1.0
    with tf.Session() as sess:
        assert sess.run(out, {fed: 0.0}) == 2.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed"):
            sess.run(out)
