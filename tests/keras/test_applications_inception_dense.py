"""tf.keras.applications InceptionV3, InceptionResNetV2, Xception, DenseNet121/169/201 and
NASNetMobile/Large against TF 2.15's compat.v1 Keras (fixture written by
tests/fixtures/make_keras_applications_inception_dense.py): layer names, weight names and shapes
in `model.weights` order, output shapes and parameter counts at the default configuration;
outputs of one small configuration per family with every weight set from its name."""
import gzip
import json
import os
import sys

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.keras import applications

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
sys.path.insert(0, FIXTURES)
from keras_applications_common import input_batch, weight_value  # noqa: E402

with gzip.open(os.path.join(FIXTURES, "keras_applications_inception_dense.json.gz"), "rt") as f:
    REFERENCE = json.load(f)

MODULES = {"InceptionV3": "inception_v3", "InceptionResNetV2": "inception_resnet_v2",
           "Xception": "xception", "DenseNet121": "densenet", "DenseNet169": "densenet",
           "DenseNet201": "densenet", "NASNetMobile": "nasnet", "NASNetLarge": "nasnet"}


def setup_function():
    tf.keras.backend.clear_session()


def structure(model):
    return {"layers": [layer.name for layer in model.layers],
            "weights": [[w.name, w.shape.as_list()] for w in model.weights],
            "output_shape": list(model.output_shape),
            "count_params": int(model.count_params())}


def assert_structure(model, expected):
    got = structure(model)
    assert got["layers"] == expected["layers"]
    assert got["weights"] == expected["weights"]
    assert got["output_shape"] == expected["output_shape"]
    assert got["count_params"] == expected["count_params"]


@pytest.mark.parametrize("name", sorted(REFERENCE["models"]))
def test_default_configuration_matches_tensorflow(name):
    model = getattr(tf.keras.applications, name)(weights=None)
    assert isinstance(model, tf.keras.Model)
    assert getattr(getattr(applications, MODULES[name]), name) is getattr(applications, name)
    assert_structure(model, REFERENCE["models"][name])


@pytest.mark.parametrize("case", sorted(REFERENCE["small"]))
def test_small_configuration_outputs_match_tensorflow(case):
    ref = REFERENCE["small"][case]
    kwargs = dict(ref["kwargs"], input_shape=tuple(ref["kwargs"]["input_shape"]))
    model = getattr(tf.keras.applications, ref["model"])(weights=None, **kwargs)
    assert_structure(model, ref)
    model.set_weights([weight_value(w.name, w.shape.as_list()) for w in model.weights])
    got = model.predict(input_batch(ref["batch"]))
    want = np.asarray(ref["output"], np.float32).reshape(got.shape)
    scale = np.abs(want).max()
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4 * scale)


def test_custom_scale_layer_saves_and_loads_without_code(tmp_path):
    pytest.importorskip("h5py")
    from tensorweave.keras.applications import inception_resnet_v2 as irv2
    x = tf.keras.layers.Input((5, 5, 320))
    y = irv2.inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=1)
    model = tf.keras.Model(x, y)
    scale_layers = [layer for layer in model.layers if isinstance(layer, irv2.CustomScaleLayer)]
    assert [layer.name for layer in scale_layers] == ["custom_scale_layer"]
    config = tf.keras.layers.serialize(scale_layers[0])
    want = REFERENCE["custom_scale_layer"]
    assert config["config"]["scale"] == want["config"]["scale"] == 0.17
    assert want["class_name"].split(">")[-1] == config["class_name"]
    data = input_batch((2, 5, 5, 320)) / 255.0
    before = model.predict(data)
    path = str(tmp_path / "block.h5")
    model.save(path)
    with open(path, "rb") as f:
        assert b"Lambda" not in f.read()
    tf.keras.backend.clear_session()
    loaded = tf.keras.models.load_model(path)
    assert any(isinstance(layer, irv2.CustomScaleLayer) for layer in loaded.layers)
    np.testing.assert_allclose(loaded.predict(data), before, rtol=1e-5, atol=1e-5)
    # TF 2.15's files name the class by its registered name
    restored = tf.keras.layers.deserialize(dict(want))
    assert isinstance(restored, irv2.CustomScaleLayer) and restored.scale == 0.17


def test_inception_resnet_block_type_and_arguments_are_checked():
    from tensorweave.keras.applications import inception_resnet_v2 as irv2
    x = tf.keras.layers.Input((5, 5, 8))
    with pytest.raises(ValueError, match="Unknown Inception-ResNet block type"):
        irv2.inception_resnet_block(x, 0.1, "block9", 1)
    with pytest.raises(ValueError, match="Unknown argument"):
        tf.keras.applications.InceptionResNetV2(weights=None, bogus=1)


@pytest.mark.parametrize("name,min_size", [("InceptionV3", 75), ("InceptionResNetV2", 75),
                                           ("Xception", 71), ("DenseNet121", 32),
                                           ("NASNetMobile", 32)])
def test_weights_classes_and_input_size_are_checked(name, min_size):
    build = getattr(tf.keras.applications, name)
    with pytest.raises(ValueError, match="`weights` argument should be either"):
        build(weights="no/such/file.h5")
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        build(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match=f"at least {min_size}x{min_size}"):
        build(weights=None, include_top=False, input_shape=(min_size - 1, min_size - 1, 3))


def test_input_tensor_and_pooling():
    images = tf.keras.layers.Input((32, 32, 3))
    model = tf.keras.applications.DenseNet121(weights=None, input_tensor=images,
                                              include_top=False, pooling="max")
    assert model.inputs[0] is images
    assert model.layers[-1].name == "max_pool" and model.output_shape == (None, 1024)
    placeholder = tf.placeholder(tf.float32, (None, 71, 71, 3))
    model = tf.keras.applications.Xception(weights=None, input_tensor=placeholder,
                                           include_top=False)
    assert model.output_shape == (None, 3, 3, 2048)


def test_preprocess_input_modes():
    x = input_batch((1, 2, 2, 3))
    for module in ("inception_v3", "inception_resnet_v2", "xception", "nasnet"):
        got = getattr(applications, module).preprocess_input(x.copy())
        np.testing.assert_allclose(got, x / 127.5 - 1.0, rtol=1e-6, atol=1e-6)
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    got = applications.densenet.preprocess_input(x.copy())
    np.testing.assert_allclose(got, (x / 255.0 - mean) / std, rtol=1e-5, atol=1e-5)
    for module in ("inception_v3", "inception_resnet_v2", "xception", "densenet", "nasnet"):
        with pytest.raises(ValueError, match="expects a batch of predictions"):
            getattr(applications, module).decode_predictions(np.zeros((2, 10)))


def test_imagenet_weights_come_from_keras_published_file(tmp_path, monkeypatch):
    pytest.importorskip("h5py")
    from tensorweave.keras.applications import weights as weights_module
    model = tf.keras.applications.DenseNet121(weights=None, include_top=False,
                                              input_shape=(32, 32, 3))
    values = [weight_value(w.name, w.shape.as_list()) for w in model.weights]
    model.set_weights(values)
    path = str(tmp_path / "densenet121_notop.h5")
    model.save_weights(path)
    asked = []

    def fake_get_file(fname, origin, **kwargs):
        asked.append((fname, origin, kwargs.get("cache_subdir"), kwargs.get("file_hash")))
        return path

    monkeypatch.setattr(weights_module.data_utils, "get_file", fake_get_file)
    tf.keras.backend.clear_session()
    model = tf.keras.applications.DenseNet121(weights="imagenet", include_top=False,
                                              input_shape=(32, 32, 3))
    name = "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"
    assert asked == [(name, "https://storage.googleapis.com/tensorflow/keras-applications/"
                      "densenet/" + name, "models", "30ee3e1110167f948a6b9946edeeb738")]
    for got, want in zip(model.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    # a weights file path loads the same way
    tf.keras.backend.clear_session()
    model = tf.keras.applications.DenseNet121(weights=path, include_top=False,
                                              input_shape=(32, 32, 3))
    np.testing.assert_array_equal(model.get_weights()[-1], values[-1])


def test_custom_scale_layer_loads_in_a_fresh_process(tmp_path):
    pytest.importorskip("h5py")
    import subprocess
    from tensorweave.keras.applications import inception_resnet_v2 as irv2
    x = tf.keras.layers.Input((3, 3, 320))
    tf.keras.Model(x, irv2.inception_resnet_block(x, 0.17, "block35", 1)).save(
        str(tmp_path / "block.h5"))
    program = ("import tensorweave as tf\n"
               f"m = tf.keras.models.load_model({str(tmp_path / 'block.h5')!r})\n"
               "print(type(m.layers[-2]).__name__)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "CustomScaleLayer"


@pytest.mark.parametrize("include_top,file_name,file_hash", [
    (True, "xception_weights_tf_dim_ordering_tf_kernels.h5",
     "0a58e3b7378bc2990ea3b43d5981f1f6"),
    (False, "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
     "b0042744bf5b25fce3cb969f33bebb97")])
def test_xception_asks_for_the_published_file(monkeypatch, include_top, file_name, file_hash):
    from tensorweave.keras.applications import weights as weights_module
    asked = []

    def offline(fname, origin, **kwargs):
        asked.append((fname, origin, kwargs.get("file_hash")))
        raise ValueError("offline")

    monkeypatch.setattr(weights_module.data_utils, "get_file", offline)
    with pytest.raises(ValueError, match="offline"):
        tf.keras.applications.Xception(weights="imagenet", include_top=include_top)
    url = "https://storage.googleapis.com/tensorflow/keras-applications/xception/" + file_name
    assert asked == [(file_name, url, file_hash)]
    if include_top:
        with pytest.raises(ValueError, match="Only `None` and `softmax` activations"):
            tf.keras.applications.Xception(weights="imagenet", classifier_activation="relu")


def test_densenet_trains_in_graph_mode():
    model = tf.keras.applications.DenseNet121(weights=None, input_shape=(32, 32, 3), classes=3)
    model.compile("sgd", "sparse_categorical_crossentropy")
    before = model.get_weights()
    x = input_batch((4, 32, 32, 3)) / 255.0
    history = model.fit(x, np.array([0, 1, 2, 0]), epochs=1, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    names = [w.name for w in model.weights]
    after = dict(zip(names, model.get_weights()))
    changed = {n for n, b in zip(names, before) if not np.array_equal(after[n], b)}
    assert "predictions/kernel:0" in changed and "conv1/conv/kernel:0" in changed
    assert "bn/moving_mean:0" in changed  # batch norm statistics update while training
