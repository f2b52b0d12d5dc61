"""tf.keras saving: whole models and weights in HDF5 (files written by TensorFlow's Keras load
and predict TF's numbers), TF-checkpoint weights, corrupt files, bytecode Lambdas refused."""
import json
import os

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core import errors
from tensorweave.keras import backend as K

h5py = pytest.importorskip("h5py")
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
with open(os.path.join(FIXTURES, "keras_h5_reference.json")) as f:
    REFERENCE = json.load(f)


def small_model():
    model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu", input_shape=(3,)),
                                 tf.keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    return model


def setup_function():
    K.clear_session()


def test_tensorflow_written_sequential_model_loads_and_predicts():
    model = tf.keras.models.load_model(os.path.join(FIXTURES, "keras_tf_sequential.h5"))
    x = np.array(REFERENCE["x"], np.float32)
    np.testing.assert_allclose(model.predict(x), REFERENCE["sequential"], rtol=1e-5,
                               atol=1e-6)
    assert isinstance(model.optimizer, tf.keras.optimizers.Adam)
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(0.01)
    assert K.get_value(model.optimizer.iterations) == 4  # two epochs of two batches
    model.fit(x, np.eye(2)[[0, 1, 0, 1, 0, 1]], epochs=1, verbose=0)


def test_tensorflow_written_functional_model_loads_and_predicts():
    model = tf.keras.models.load_model(os.path.join(FIXTURES, "keras_tf_functional.h5"))
    x = np.array(REFERENCE["x"], np.float32)
    xb = np.array(REFERENCE["xb"], np.float32)
    np.testing.assert_allclose(model.predict([x, xb]), REFERENCE["functional"], rtol=1e-5,
                               atol=1e-6)


def test_tensorflow_written_model_with_a_keras_tensor_keyword_argument_loads():
    """TF writes MultiHeadAttention's `value=` input as {"value": ["value", 0, 0]} in the node;
    load_model makes it a tensor again, in a fresh process's lazily loaded layer table."""
    with pytest.warns(UserWarning, match="was \\*not\\* compiled"):
        model = tf.keras.models.load_model(os.path.join(FIXTURES, "keras_tf_attention.h5"))
    assert type(model.get_layer("mha")).__name__ == "MultiHeadAttention"
    xq, xv = (np.array(REFERENCE[k], np.float32) for k in ("xq", "xv"))
    np.testing.assert_allclose(model.predict([xq, xv]), REFERENCE["attention"], rtol=1e-5,
                               atol=1e-6)


def test_save_and_load_round_trip_keeps_weights_and_optimizer_state(tmp_path):
    model = small_model()
    x = np.random.RandomState(1).rand(8, 3).astype("float32")
    y = np.eye(2)[[0, 1] * 4]
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    expected = model.predict(x)
    slots = model.optimizer.get_weights()
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r") as f:
        assert f.attrs["backend"] in (b"tensorflow", "tensorflow")
        config = json.loads(f.attrs["model_config"])
        assert config["class_name"] == "Sequential"
        names = [n.decode() if isinstance(n, bytes) else n
                 for n in f["model_weights/dense"].attrs["weight_names"]]
        assert names == ["dense/kernel:0", "dense/bias:0"]
        assert f["model_weights/dense/dense/kernel:0"].shape == (3, 4)
        assert "optimizer_weights" in f
    K.clear_session()
    loaded = tf.keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x), expected, rtol=1e-6)
    for a, b in zip(loaded.optimizer.get_weights(), slots):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    K.clear_session()
    uncompiled = tf.keras.models.load_model(path, compile=False)
    assert uncompiled.optimizer is None


def test_weights_in_hdf5_and_checkpoint_format(tmp_path):
    model = small_model()
    x = np.random.RandomState(2).rand(4, 3).astype("float32")
    expected = model.predict(x)
    model.save_weights(str(tmp_path / "w.h5"))
    model.save_weights(str(tmp_path / "ckpt" / "w"))
    other = small_model()
    other.load_weights(str(tmp_path / "w.h5"))
    np.testing.assert_allclose(other.predict(x), expected, rtol=1e-6)
    third = small_model()
    third.load_weights(str(tmp_path / "ckpt" / "w"))
    np.testing.assert_allclose(third.predict(x), expected, rtol=1e-6)
    by_name = small_model()
    by_name.load_weights(str(tmp_path / "w.h5"), by_name=True)


def test_weight_count_mismatch_is_reported(tmp_path):
    model = small_model()
    model.save_weights(str(tmp_path / "w.h5"))
    bigger = tf.keras.Sequential([tf.keras.layers.Dense(4, input_shape=(3,)),
                                  tf.keras.layers.Dense(4), tf.keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="containing 2 layers into a model with 3 layers"):
        bigger.load_weights(str(tmp_path / "w.h5"))


def test_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"garbage" * 10)
    with pytest.raises(errors.DataLossError, match="bad.h5"):
        tf.keras.models.load_model(str(path))
    truncated = tmp_path / "cut.h5"
    small_model().save(str(tmp_path / "good.h5"))
    truncated.write_bytes((tmp_path / "good.h5").read_bytes()[:1000])
    with pytest.raises(errors.DataLossError):
        tf.keras.models.load_model(str(truncated))


def test_bytecode_lambda_is_refused_without_safe_mode(tmp_path):
    path = str(tmp_path / "lambda.h5")
    model = tf.keras.Sequential([tf.keras.layers.Lambda(lambda t: t * 2.0, input_shape=(3,)),
                                 tf.keras.layers.Dense(1)])
    model.save(path)
    K.clear_session()
    with pytest.raises(ValueError, match="Refusing to load Lambda layer"):
        tf.keras.models.load_model(path)


def test_json_round_trip():
    model = small_model()
    clone = tf.keras.models.model_from_json(model.to_json())
    assert [type(layer).__name__ for layer in clone.layers] == ["Dense", "Dense"]
