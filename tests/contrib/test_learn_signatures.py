"""contrib.learn Estimator's feature and label signatures (TF 1.x _check_inputs): predict gives
model_fn placeholders shaped like the labels fit saw (so `tf.one_hot(target, 3)` at INFER
builds), and incompatible features raise ValueError."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib import learn


def _model_fn(features, target):
    target = tf.one_hot(target, 3, 1, 0)
    logits = tf.contrib.layers.fully_connected(features, 3, activation_fn=None)
    loss = tf.losses.softmax_cross_entropy(target, logits)
    train_op = tf.contrib.layers.optimize_loss(
        loss, tf.train.get_global_step(), optimizer="Adagrad", learning_rate=0.1)
    return {"class": tf.argmax(logits, 1)}, loss, train_op


def _data():
    rng = np.random.RandomState(0)
    x = rng.randn(30, 4)
    return x, (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)


def test_predict_gets_label_placeholders_like_fit(tmp_path):
    x, y = _data()
    est = learn.Estimator(model_fn=_model_fn, model_dir=str(tmp_path))
    est.fit(x, y, steps=5)
    out = list(est.predict(x[:4], as_iterable=True))
    assert len(out) == 4 and out[0]["class"].dtype == np.int64
    with pytest.raises(ValueError, match="Features are incompatible"):
        est.fit(x[:, :3], y, steps=1)


def test_predict_without_fit_gives_none_labels(tmp_path):
    x, y = _data()
    est = learn.Estimator(model_fn=_model_fn, model_dir=str(tmp_path))
    est.fit(x, y, steps=2)
    fresh = learn.Estimator(model_fn=_model_fn, model_dir=str(tmp_path))
    with pytest.raises((ValueError, TypeError)):
        list(fresh.predict(x[:4], as_iterable=True))
