"""tf.keras.applications MobileNet, MobileNetV2, MobileNetV3Small/Large, EfficientNetB0..B7 and
EfficientNetV2B0..B3/S/M/L against TF 2.15's compat.v1 Keras (fixture written by
tests/fixtures/make_keras_applications_mobile_efficient.py): layer names, weight names and
shapes in `model.weights` order, output shapes and parameter counts at the default
configuration; outputs of small configurations with every weight set from its name."""
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

with gzip.open(os.path.join(FIXTURES, "keras_applications_mobile_efficient.json.gz"),
               "rt") as f:
    REFERENCE = json.load(f)


def module_of(name):
    if name.startswith("MobileNetV3"):
        return "mobilenet_v3"
    if name.startswith("EfficientNetV2"):
        return "efficientnet_v2"
    return {"MobileNet": "mobilenet", "MobileNetV2": "mobilenet_v2"}.get(name, "efficientnet")


# TF's graph-mode Keras wraps `x + 3.0` / `x * (1 / 6)` in TensorFlowOpLayer; tensorweave's
# layer of that place and name is TensorArithmetic.
CLASS_NAMES = {"TensorFlowOpLayer": "TensorArithmetic"}


def setup_function():
    tf.keras.backend.clear_session()


def assert_structure(model, expected):
    assert [layer.name for layer in model.layers] == expected["layers"]
    assert [type(layer).__name__ for layer in model.layers] == \
        [CLASS_NAMES.get(c, c) for c in expected["classes"]]
    assert [[w.name, w.shape.as_list()] for w in model.weights] == expected["weights"]
    assert list(model.output_shape) == expected["output_shape"]
    assert model.count_params() == expected["count_params"]


@pytest.mark.parametrize("name", sorted(REFERENCE["models"]))
def test_default_configuration_matches_tensorflow(name):
    model = getattr(tf.keras.applications, name)(weights=None)
    assert isinstance(model, tf.keras.Model)
    assert getattr(getattr(applications, module_of(name)), name) is \
        getattr(applications, name)
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
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4 * np.abs(want).max())


def test_model_names_follow_alpha_and_size():
    model = tf.keras.applications.MobileNet(weights=None, alpha=0.5, input_shape=(128, 128, 3))
    assert model.name == "mobilenet_0.50_128"
    model = tf.keras.applications.MobileNetV2(weights=None, alpha=0.75, include_top=False)
    assert model.name == "mobilenetv2_0.75_None" and model.output_shape == (None, None, None,
                                                                            1280)
    model = tf.keras.applications.MobileNetV3Small(weights=None, include_preprocessing=False,
                                                   include_top=False, pooling="avg")
    assert model.name == "MobilenetV3small" and model.layers[1].name == "Conv"
    assert model.layers[-1].name == "avg_pool" and model.output_shape == (None, 576)


def test_arguments_are_checked():
    apps = tf.keras.applications
    with pytest.raises(ValueError, match="`weights` argument should be either"):
        apps.MobileNet(weights="no/such/file.h5")
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        apps.EfficientNetB0(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="depth multiplier must be 1"):
        apps.MobileNet(weights="imagenet", depth_multiplier=2)
    with pytest.raises(ValueError, match="alpha must be one of"):
        apps.MobileNetV2(weights="imagenet", alpha=0.6)
    with pytest.raises(ValueError, match="alpha can be one of"):
        apps.MobileNetV3Large(weights="imagenet", minimalistic=True, alpha=0.75)
    with pytest.raises(ValueError, match="at least 32x32"):
        apps.MobileNetV3Small(weights=None, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="Unknown argument"):
        apps.MobileNet(weights=None, bogus=1)
    with pytest.raises(ValueError, match="Only `None` and `softmax`"):
        apps.MobileNetV2(weights="imagenet", classifier_activation="relu",
                         input_shape=(224, 224, 3))


def test_input_tensor_is_the_model_input():
    images = tf.keras.layers.Input((32, 32, 3))
    model = tf.keras.applications.EfficientNetV2B0(weights=None, input_tensor=images,
                                                   include_top=False, pooling="max")
    assert model.inputs[0] is images and model.layers[-1].name == "max_pool"
    placeholder = tf.placeholder(tf.float32, (None, 32, 32, 3))
    model = tf.keras.applications.MobileNetV2(weights=None, input_tensor=placeholder,
                                              include_top=False)
    assert model.output_shape == (None, 1, 1, 1280)


def test_imagenet_weights_files_are_keras_published_ones(monkeypatch):
    fetched = []

    def fake_fetch(file_name, url, file_hash):
        fetched.append((file_name, url, file_hash))
        raise RuntimeError("stop")
    monkeypatch.setattr(applications.weights, "fetch", fake_fetch)
    for build in (lambda: tf.keras.applications.MobileNet(alpha=0.25,
                                                          input_shape=(128, 128, 3)),
                  lambda: tf.keras.applications.MobileNetV2(include_top=False, alpha=1.3),
                  lambda: tf.keras.applications.MobileNetV3Small(include_top=False),
                  lambda: tf.keras.applications.EfficientNetB0(),
                  lambda: tf.keras.applications.EfficientNetV2B0(include_top=False)):
        with pytest.raises(RuntimeError, match="stop"):
            build()
    base = "https://storage.googleapis.com/"
    assert fetched == [
        ("mobilenet_2_5_128_tf.h5",
         base + "tensorflow/keras-applications/mobilenet/mobilenet_2_5_128_tf.h5", None),
        ("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.3_224_no_top.h5",
         base + "tensorflow/keras-applications/mobilenet_v2/"
         "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.3_224_no_top.h5", None),
        ("weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5",
         base + "tensorflow/keras-applications/mobilenet_v3/"
         "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5",
         "d3e8ec802a04aa4fc771ee12a9a9b836"),
        ("efficientnetb0.h5", base + "keras-applications/efficientnetb0.h5",
         "902e53a9f72be733fc0bcb005b3ebbac"),
        ("efficientnetv2-b0_notop.h5",
         base + "tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b0_notop.h5",
         "893217f2bb855e2983157299931e43ff")]


def test_weights_file_round_trip(tmp_path):
    pytest.importorskip("h5py")
    assert tf.keras.models.load_model   # saving loads with tf.keras.models
    model = tf.keras.applications.MobileNetV3Small(weights=None, input_shape=(32, 32, 3),
                                                   classes=3)
    values = [weight_value(w.name, w.shape.as_list()) for w in model.weights]
    model.set_weights(values)
    path = str(tmp_path / "w.h5")
    model.save_weights(path)
    data = input_batch((1, 32, 32, 3))
    before = model.predict(data)
    tf.keras.backend.clear_session()
    again = tf.keras.applications.MobileNetV3Small(weights=path, input_shape=(32, 32, 3),
                                                   classes=3)
    np.testing.assert_allclose(again.predict(data), before, rtol=1e-5, atol=1e-6)


def test_preprocess_input_and_decode_predictions():
    x = input_batch((1, 2, 2, 3))
    for module in ("mobilenet", "mobilenet_v2"):
        got = getattr(applications, module).preprocess_input(x.copy())
        np.testing.assert_allclose(got, x / 127.5 - 1.0, rtol=1e-6, atol=1e-6)
    for module in ("mobilenet_v3", "efficientnet", "efficientnet_v2"):
        assert getattr(applications, module).preprocess_input(x) is x
    for module in ("mobilenet", "mobilenet_v2", "mobilenet_v3", "efficientnet",
                   "efficientnet_v2"):
        with pytest.raises(ValueError, match="expects a batch of predictions"):
            getattr(applications, module).decode_predictions(np.zeros((2, 10)))
