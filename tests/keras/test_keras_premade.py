"""LinearModel and WideDeepModel against TF 2.15's compat.v1 Keras: losses of short fits from a
fixed initialisation (one optimizer or one per part), weights, predictions, names, configs."""
import numpy as np

import tensorweave as tf
from keras_layers_f_reference import assert_matches, cases


def test_linear_model_fit_matches_tensorflow():
    tf.keras.backend.clear_session()
    assert_matches(cases.linear_run(tf), "linear", rtol=1e-5, atol=1e-6)


def test_wide_deep_with_two_optimizers_matches_tensorflow():
    tf.keras.backend.clear_session()
    assert_matches(cases.wide_deep_run(tf, cases.WIDE_DEEP_OPTIMIZERS["two"]),
                   "wide_deep/two", rtol=1e-5, atol=1e-5)


def test_wide_deep_with_one_optimizer_matches_tensorflow():
    tf.keras.backend.clear_session()
    assert_matches(cases.wide_deep_run(tf, cases.WIDE_DEEP_OPTIMIZERS["one_sgd_momentum"]),
                   "wide_deep/one_sgd_momentum", rtol=1e-5, atol=1e-5)


def test_premade_configs_round_trip():
    linear_class, wide_deep_class = cases.premade(tf.keras)
    linear = linear_class(units=2, activation="sigmoid", name="lin")
    copy = linear_class.from_config(linear.get_config())
    assert copy.get_config() == linear.get_config()
    dnn = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
    model = wide_deep_class(linear, dnn, activation="relu")
    again = wide_deep_class.from_config(model.get_config())
    assert isinstance(again.linear_model, linear_class)
    assert again.get_config()["linear_model"] == model.get_config()["linear_model"]


def test_linear_model_on_a_tensor_and_a_list():
    linear_class, _ = cases.premade(tf.keras)
    model = linear_class(units=1, kernel_initializer="ones")
    x = np.arange(6, dtype="float32").reshape(3, 2)
    model.compile("sgd", "mse")
    np.testing.assert_allclose(model.predict(x).ravel(), x.sum(1))
    pair = linear_class(kernel_initializer="ones", use_bias=False)
    pair.compile("sgd", "mse")
    np.testing.assert_allclose(pair.predict([x, 2 * x]).ravel(), 3 * x.sum(1))
