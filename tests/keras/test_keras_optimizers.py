"""tf.keras.optimizers against TF's compat.v1 Keras (fixture: make_keras_optimizers_reference):
three steps on the same loss give TF's values, variable names and configs."""
import json
import os

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.keras import backend as K
from tensorweave.keras import optimizers

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures",
                       "keras_optimizers_reference.json")
with open(FIXTURE) as f:
    CASES = json.load(f)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['optimizer']}-{c['kwargs']}")
def test_three_steps_match_tensorflow(case):
    K.clear_session()
    w = tf.Variable(np.array([1.0, -2.0, 0.5], np.float32), name="w")
    loss = tf.reduce_sum(w * w + tf.sin(3.0 * w))
    opt = getattr(optimizers, case["optimizer"])(**case["kwargs"])
    train = opt.get_updates(loss, [w])
    sess = K.get_session()
    for expected in case["values"]:
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), expected, rtol=2e-5, atol=2e-6)
    assert [v.name for v in opt.weights] == case["weights"]
    config = opt.get_config()
    for key, value in case["config"].items():
        if isinstance(value, float):
            assert config[key] == pytest.approx(value, rel=1e-6), key
        else:
            assert config[key] == value, key
    assert set(config) == set(case["config"])


def test_get_by_name_config_and_tf_train_optimizer():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    sgd = optimizers.get({"class_name": "SGD", "config": {"lr": 0.5, "momentum": 0.9}})
    assert sgd.get_config()["learning_rate"] == 0.5 and sgd.get_config()["momentum"] == 0.9
    wrapped = optimizers.get(tf.train.GradientDescentOptimizer(0.1))
    assert isinstance(wrapped, optimizers.TFOptimizer)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(3)
    with pytest.raises(ValueError, match="Unknown optimizer"):
        optimizers.get("nope")
    with pytest.raises(TypeError, match="Unexpected keyword argument"):
        optimizers.SGD(bogus=1)


def test_tf_train_optimizer_steps_iterations():
    K.clear_session()
    w = tf.Variable(2.0)
    opt = optimizers.get(tf.train.GradientDescentOptimizer(0.25))
    train = opt.get_updates(w * w, [w])
    sess = K.get_session()
    sess.run(train)
    assert sess.run(w) == pytest.approx(1.0)
    assert sess.run(opt.iterations) == 1


def test_weights_round_trip_and_lr_attribute():
    K.clear_session()
    w = tf.Variable(np.ones(2, np.float32), name="w")
    opt = optimizers.Adam(0.01)
    train = opt.get_updates(tf.reduce_sum(w * w), [w])
    sess = K.get_session()
    sess.run(train)
    weights = opt.get_weights()
    assert [np.shape(x) for x in weights] == [(), (2,), (2,)] and weights[0] == 1
    opt.set_weights([np.int64(5), np.full(2, 0.5), np.full(2, 0.25)])
    assert opt.get_weights()[0] == 5
    opt.lr = 0.5
    assert K.get_value(opt.lr) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="Length of the specified weight list"):
        opt.set_weights([np.int64(1)])


def test_missing_gradient_is_an_error():
    K.clear_session()
    w = tf.Variable(1.0)
    v = tf.Variable(1.0)
    with pytest.raises(ValueError, match="An operation has `None` for gradient"):
        optimizers.SGD().get_updates(w * 2.0, [w, v])
