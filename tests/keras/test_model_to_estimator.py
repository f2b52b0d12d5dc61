"""tf.keras.estimator.model_to_estimator: an Estimator from a compiled Keras model trains,
evaluates and predicts, starting from the Keras model's current weights."""
import os

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.estimator.keras import model_to_estimator


def data(n=64, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 4).astype(np.float32)
    w = np.array([[1.], [-2.], [0.5], [3.]], np.float32)
    return x, (x @ w + 0.3).astype(np.float32)


def regression_model(lr=0.05):
    model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                                 tf.keras.layers.Dense(1)])
    model.compile(optimizer=tf.keras.optimizers.SGD(lr=lr), loss="mse", metrics=["mae"])
    return model


def input_fn(x, y, name, epochs=None, batch=16, shuffle=False):
    def fn():
        return tf.estimator.inputs.numpy_input_fn({name: x}, y, batch_size=batch,
                                                  num_epochs=epochs, shuffle=shuffle)()
    return fn


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        yield


def test_warm_start_predictions_equal_the_keras_model(tmp_path):
    x, y = data()
    model = regression_model(lr=0.0)  # training with lr 0 keeps the Keras weights
    model.fit(x, y, epochs=1, verbose=0)
    model.compile(optimizer=tf.keras.optimizers.SGD(lr=0.0), loss="mse", metrics=["mae"])
    expected = model.predict(x)
    est = model_to_estimator(keras_model=model, model_dir=str(tmp_path))
    assert os.path.exists(str(tmp_path / "keras" / "keras_model.ckpt.index"))
    name = model.input_names[0]
    est.train(input_fn(x, y, name, epochs=1), steps=2)
    out = list(est.predict(input_fn(x, None, name, epochs=1)))
    assert list(out[0]) == model.output_names
    got = np.stack([o[model.output_names[0]] for o in out])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    metrics = est.evaluate(input_fn(x, y, name, epochs=1, batch=64))
    mse = float(np.mean((expected - y) ** 2))
    mae = float(np.mean(np.abs(expected - y)))
    assert metrics["loss"] == pytest.approx(mse, rel=1e-4)
    assert metrics["mean_absolute_error"] == pytest.approx(mae, rel=1e-4)
    assert metrics["global_step"] == 2


def test_training_lowers_the_loss(tmp_path):
    x, y = data(256)
    model = regression_model(lr=0.05)
    est = model_to_estimator(keras_model=model, model_dir=str(tmp_path))
    name = model.input_names[0]
    est.train(input_fn(x, y, name, shuffle=True), steps=1)
    first = est.evaluate(input_fn(x, y, name, epochs=1, batch=256))["loss"]
    est.train(input_fn(x, y, name, shuffle=True), steps=300)
    later = est.evaluate(input_fn(x, y, name, epochs=1, batch=256))
    assert later["loss"] < first / 5
    assert later["global_step"] == 301


def test_functional_two_inputs_dict_features_and_accuracy(tmp_path):
    rng = np.random.RandomState(1)
    a = rng.randn(128, 3).astype(np.float32)
    b = rng.randn(128, 2).astype(np.float32)
    labels = ((a[:, 0] + b[:, 1]) > 0).astype(np.int64)
    tf.set_random_seed(2)  # the Keras weights the Estimator starts from
    in_a = tf.keras.Input(shape=(3,), name="a")
    in_b = tf.keras.Input(shape=(2,), name="b")
    h = tf.keras.layers.concatenate([in_a, in_b])
    h = tf.keras.layers.Dense(16, activation="relu")(h)
    out = tf.keras.layers.Dense(2, activation="softmax", name="probs")(h)
    model = tf.keras.Model([in_a, in_b], out)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    est = model_to_estimator(keras_model=model, model_dir=str(tmp_path),  # seeded: one result
                             config=tf.estimator.RunConfig(tf_random_seed=3))

    def train_fn():
        np.random.seed(5)  # numpy_input_fn's shuffle
        return tf.estimator.inputs.numpy_input_fn({"a": a, "b": b}, labels, batch_size=32,
                                                  num_epochs=None, shuffle=True)()

    def eval_fn():
        return tf.estimator.inputs.numpy_input_fn({"a": a, "b": b}, labels, batch_size=128,
                                                  num_epochs=1, shuffle=False)()
    est.train(train_fn, steps=200)
    metrics = est.evaluate(eval_fn)
    assert set(metrics) == {"loss", "acc", "global_step"}
    assert metrics["acc"] > 0.85
    preds = list(est.predict(eval_fn))
    assert preds[0]["probs"].shape == (2,)


def test_errors(tmp_path):
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
    with pytest.raises(ValueError, match="has not been compiled yet"):
        model_to_estimator(keras_model=model)
    with pytest.raises(ValueError, match="Either `keras_model` or `keras_model_path`"):
        model_to_estimator()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="but not both"):
        model_to_estimator(keras_model=model, keras_model_path="m.h5")
    with pytest.raises(ValueError, match="set both in constructor and `RunConfig`"):
        model_to_estimator(keras_model=model, model_dir=str(tmp_path / "a"),
                           config=tf.estimator.RunConfig(model_dir=str(tmp_path / "b")))


def test_from_an_hdf5_file(tmp_path):
    pytest.importorskip("h5py")
    x, y = data()
    model = regression_model(lr=0.0)
    path = str(tmp_path / "m.h5")
    model.save(path)
    expected = model.predict(x)
    est = model_to_estimator(keras_model_path=path, model_dir=str(tmp_path / "est"))
    name = model.input_names[0]
    est.train(input_fn(x, y, name, epochs=1), steps=1)
    got = np.stack([o[model.output_names[0]] for o in
                    est.predict(input_fn(x, None, name, epochs=1))])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
