"""tf.losses.cosine_distance, hinge_loss, huber_loss and mean_pairwise_squared_error against
TensorFlow: every reduction, weights, gradients, the LOSSES collection."""
import os
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
sys.path.insert(0, FIXTURES)
import layers_losses_metrics_extra_cases as cases  # noqa: E402

ARRAYS, VARIABLES = cases.load_reference(FIXTURES)


@pytest.mark.parametrize("name", [n for n in cases.CASES if n.startswith("loss_")])
def test_loss_matches_tensorflow(name):
    cases.check_case(tf, name, ARRAYS, VARIABLES)


def test_loss_collection_and_scope_names():
    y = tf.constant([[0.0, 1.0]])
    p = tf.constant([[0.3, -2.0]])
    loss = tf.losses.huber_loss(y, p, loss_collection=None)
    assert tf.losses.get_losses() == []
    assert loss.op.name.startswith("huber_loss/")
    hinge = tf.losses.hinge_loss(y, p, scope="my_hinge")
    assert hinge.op.name.startswith("my_hinge/") and tf.losses.get_losses() == [hinge]
    pairwise = tf.losses.mean_pairwise_squared_error(y, p)
    assert pairwise.op.name.startswith("mean_pairwise_squared_error/")
    cosine = tf.losses.cosine_distance(y, p, axis=1, loss_collection="mine")
    assert tf.get_collection("mine") == [cosine]


def test_bad_arguments_raise_value_error():
    y = tf.constant([[0.0, 1.0]])
    with pytest.raises(ValueError, match="axis"):
        tf.losses.cosine_distance(y, y)
    with pytest.raises(ValueError, match="both"):
        tf.losses.cosine_distance(y, y, axis=1, dim=1)
    with pytest.raises(ValueError, match="incompatible"):
        tf.losses.huber_loss(y, tf.constant([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="must not be None"):
        tf.losses.hinge_loss(None, y)
    with pytest.raises(ValueError, match="broadcast"):
        tf.losses.huber_loss(y, y, weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="Reduction"):
        tf.losses.hinge_loss(y, y, reduction="mean")


def test_huber_loss_trains():
    w = tf.Variable(0.0)
    loss = tf.losses.huber_loss(tf.constant([3.0, 3.0]), w * tf.constant([1.0, 1.0]))
    step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(8):
            sess.run(step)
        assert abs(sess.run(w) - 3.0) < 0.6
        assert np.isfinite(sess.run(loss))
