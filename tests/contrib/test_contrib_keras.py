"""tf.contrib.keras: TF 1.x's alias of tf.keras's modules."""
import numpy as np

import tensorweave as tf


def test_contrib_keras_modules_are_tf_keras_modules():
    keras = tf.contrib.keras
    assert keras.models is tf.keras.models
    assert keras.layers.Dense is tf.keras.layers.Dense
    assert keras.backend is tf.keras.backend
    assert not hasattr(keras, "Sequential")  # TF 1.15's alias has the modules only


def test_contrib_keras_sequential_trains_and_predicts_classes():
    keras = tf.contrib.keras
    with tf.Graph().as_default():
        model = keras.models.Sequential()
        model.add(keras.layers.Dense(units=4, input_dim=2, activation="relu"))
        model.add(keras.layers.Dense(units=2, activation="softmax"))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        x = np.array([[0.0, 1.0], [1.0, 0.0]] * 8, dtype=np.float32)
        y = np.array([0, 1] * 8)
        model.fit(x, y, epochs=2, verbose=0)
        assert model.predict_classes(x).shape == (16,)


def test_import_tensorflow_contrib_keras_as_module():
    import importlib
    module = importlib.import_module("tensorweave.contrib.keras")
    assert module.optimizers is tf.keras.optimizers
