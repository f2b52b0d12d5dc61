"""An Estimator whose RunConfig has no session_config runs with TF's default one,
ConfigProto(allow_soft_placement=True) (TF's maybe_overwrite_model_dir_and_session_config):
ops a model_fn places on absent GPUs run on the CPU."""
import numpy as np

import tensorweave as tf


def _model_fn(features, labels, mode):
    with tf.device("/gpu:1"):
        w = tf.get_variable("w", [2, 1])
        pred = tf.matmul(features["x"], w)
    loss = tf.reduce_mean(tf.square(pred - labels))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, predictions=pred, loss=loss, train_op=train)


def test_default_session_config_allows_soft_placement(tmp_path):
    est = tf.estimator.Estimator(_model_fn, model_dir=str(tmp_path))
    assert est.config.session_config.allow_soft_placement
    x = np.ones((4, 2), np.float32)
    fn = tf.estimator.inputs.numpy_input_fn({"x": x}, np.ones((4, 1), np.float32),
                                            batch_size=4, shuffle=False, num_epochs=None)
    est.train(fn, steps=3)
    assert est.get_variable_value("global_step") == 3


def test_given_session_config_is_kept(tmp_path):
    config = tf.estimator.RunConfig(session_config=tf.ConfigProto(log_device_placement=True))
    est = tf.estimator.Estimator(_model_fn, model_dir=str(tmp_path), config=config)
    assert est.config.session_config.log_device_placement
    assert not est.config.session_config.allow_soft_placement
