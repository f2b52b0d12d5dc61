"""tf.keras.applications VGG16/19, ResNet50/101/152, ResNet50V2/101V2/152V2, ResNetRS50..420 and
imagenet_utils against TF 2.15's compat.v1 Keras (fixture written by
tests/fixtures/make_keras_applications_resnet_vgg.py): weight names and shapes in
`model.weights` order, layer names, output shapes and parameter counts at the default
configuration; outputs of small configurations with every weight set from its name;
preprocess_input in every mode; error texts; the `weights=` argument (offline error, a file)."""
import importlib
import json
import os
import sys
import urllib.error
import urllib.request

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.keras.applications import imagenet_utils

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
sys.path.insert(0, FIXTURES)
import keras_applications_resnet_vgg_cases as cases  # noqa: E402
from keras_applications_common import input_batch, weight_value  # noqa: E402

REFERENCE = dict(np.load(os.path.join(FIXTURES, "keras_applications_resnet_vgg.npz")))


def ref(key):
    value = REFERENCE[key]
    return value.item() if value.dtype.kind in "US" else value


def constructor(name):
    module = importlib.import_module(f"tensorweave.keras.applications.{cases.MODELS[name]}")
    return getattr(module, name)


def check_structure(model, prefix):
    weights = "\n".join(f"{w.name} {','.join(str(d) for d in w.shape.as_list())}"
                        for w in model.weights)
    assert weights == ref(prefix + "/weights")
    assert "\n".join(layer.name for layer in model.layers) == ref(prefix + "/layers")
    assert list(model.output_shape) == json.loads(ref(prefix + "/output_shape"))
    assert model.count_params() == int(ref(prefix + "/count_params"))


@pytest.mark.parametrize("name", list(cases.MODELS))
def test_default_configuration_matches_tf(name):
    with tf.Graph().as_default():
        check_structure(constructor(name)(weights=None), f"default/{name}")


def set_deterministic_weights(model):
    model.set_weights([weight_value(w.name, w.shape.as_list()) for w in model.weights])


@pytest.mark.parametrize("key,name,kwargs,shape", cases.SMALL, ids=[c[0] for c in cases.SMALL])
def test_small_configuration_outputs_match_tf(key, name, kwargs, shape):
    with tf.Graph().as_default():
        model = constructor(name)(weights=None, **kwargs)
        check_structure(model, f"small/{key}")
        set_deterministic_weights(model)
        got = model.predict(input_batch(shape))
    expected = ref(f"small/{key}/output")
    assert got.shape == expected.shape
    scale = np.abs(expected).max()
    assert scale > 0
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4 * scale)


def test_application_names_resolve():
    apps = tf.keras.applications
    for name, module in cases.MODELS.items():
        assert getattr(apps, name) is getattr(getattr(apps, module), name)
    assert apps.resnet50.ResNet50 is apps.resnet.ResNet50
    assert apps.resnet50.preprocess_input is apps.resnet.preprocess_input
    for module in ("vgg16", "vgg19", "resnet", "resnet50", "resnet_v2", "resnet_rs",
                   "imagenet_utils"):
        assert callable(getattr(apps, module).decode_predictions)


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_preprocess_input_modes(mode, data_format):
    x = input_batch(cases.PREPROCESS_SHAPE)
    image = x if data_format == "channels_last" else np.moveaxis(x, -1, 1).copy()
    key = f"preprocess/{mode}/{data_format}"
    original = image.copy()
    got = imagenet_utils.preprocess_input(image, data_format, mode)
    np.testing.assert_allclose(got, ref(key), rtol=1e-6, atol=1e-5)
    assert got.dtype == ref(key).dtype
    if mode != "caffe":  # float arrays are scaled in place, as in Keras
        assert not np.array_equal(image, original)
    with tf.Graph().as_default():
        tensor = imagenet_utils.preprocess_input(tf.constant(original), data_format, mode)
        with tf.Session() as session:
            np.testing.assert_allclose(session.run(tensor), ref(key + "/tensor"), rtol=1e-6,
                                       atol=1e-5)
    first = input_batch(cases.PREPROCESS_SHAPE)[0]
    np.testing.assert_allclose(imagenet_utils.preprocess_input(first, mode=mode),
                               ref(f"preprocess/{mode}/rank3"), rtol=1e-6, atol=1e-5)


def test_preprocess_input_of_each_module():
    x = input_batch(cases.PREPROCESS_SHAPE)
    got = imagenet_utils.preprocess_input(x.astype(np.uint8))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref("preprocess/uint8"), atol=1e-5)
    apps = tf.keras.applications
    for module in ("vgg16", "vgg19", "resnet", "resnet50", "resnet_v2", "resnet_rs"):
        np.testing.assert_allclose(getattr(apps, module).preprocess_input(x.copy()),
                                   ref(f"preprocess/{module}"), rtol=1e-6, atol=1e-5)


ERRORS = {
    "vgg16_weights": lambda a: a.VGG16(weights="nowhere.h5"),
    "vgg19_weights": lambda a: a.VGG19(weights="nowhere.h5"),
    "resnet50_weights": lambda a: a.ResNet50(weights="nowhere.h5"),
    "resnet50v2_weights": lambda a: a.ResNet50V2(weights="nowhere.h5"),
    "resnetrs50_weights": lambda a: a.ResNetRS50(weights="nowhere.h5"),
    "resnetrs152_weights": lambda a: a.ResNetRS152(weights="imagenet-i999"),
    "vgg16_classes": lambda a: a.VGG16(classes=10),
    "vgg19_classes": lambda a: a.VGG19(classes=10),
    "resnet50_classes": lambda a: a.ResNet50(classes=10),
    "resnetrs50_classes": lambda a: a.ResNetRS50(classes=10),
    "resnet50_kwargs": lambda a: a.ResNet50(weights=None, bogus=1),
    "min_size": lambda a: a.VGG16(weights=None, include_top=False, input_shape=(16, 16, 3)),
    "imagenet_shape": lambda a: a.ResNet50(input_shape=(64, 64, 3)),
    "channels": lambda a: a.ResNet50(include_top=False, input_shape=(64, 64, 1)),
    "rank": lambda a: a.ResNet50(weights=None, include_top=False, input_shape=(64, 64)),
    "static": lambda a: a.ResNet50(weights=None, input_shape=(None, None, 3)),
    "decode_shape": lambda a: a.imagenet_utils.decode_predictions(np.zeros((2, 10))),
    "mode": lambda a: a.imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), mode="bgr"),
    "data_format": lambda a: a.imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)),
                                                               data_format="nhwc"),
}


@pytest.mark.parametrize("key", list(ERRORS))
def test_errors_match_tf(key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # "nowhere.h5" is relative
    with tf.Graph().as_default():
        with pytest.raises(ValueError) as info:
            ERRORS[key](tf.keras.applications)
    assert str(info.value) == ref(f"error/{key}")


def test_validate_activation():
    imagenet_utils.validate_activation("relu", None)
    imagenet_utils.validate_activation(None, "imagenet")
    imagenet_utils.validate_activation("softmax", "imagenet")
    with pytest.raises(ValueError, match="Only `None` and `softmax` activations are allowed"):
        imagenet_utils.validate_activation("relu", "imagenet")
    with tf.Graph().as_default(), pytest.raises(ValueError, match="Only `None` and `softmax`"):
        tf.keras.applications.VGG16(weights="imagenet", classifier_activation="relu",
                                    include_top=True)


def test_obtain_input_shape_defaults():
    shape = imagenet_utils.obtain_input_shape
    assert shape(None, 224, 32, "channels_last", True) == (224, 224, 3)
    assert shape(None, 224, 32, "channels_first", False) == (3, None, None)
    assert shape((3, 64, 64), 224, 32, "channels_first", False, "imagenet") == (3, 64, 64)
    with pytest.warns(UserWarning, match="with 5 input channels"):
        assert shape((40, 40, 5), 224, 32, "channels_last", False) == (40, 40, 5)


def test_decode_predictions_sorts_with_the_class_index(monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class{i}"] for i in range(1000)}
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", index)
    preds = np.zeros((2, 1000), np.float32)
    preds[0, [3, 7, 500]] = [0.2, 0.5, 0.3]
    preds[1, 999] = 1.0
    got = tf.keras.applications.resnet.decode_predictions(preds, top=3)
    assert [row[:2] for row in got[0]] == [("n00000007", "class7"), ("n00000500", "class500"),
                                          ("n00000003", "class3")]
    assert got[0][0][2] == pytest.approx(0.5)
    assert got[1][0][:2] == ("n00000999", "class999") and len(got[1]) == 3


def test_imagenet_weights_offline_error_names_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))

    def offline(*args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with tf.Graph().as_default():
        with pytest.raises(Exception) as info:
            tf.keras.applications.VGG19(weights="imagenet", include_top=False,
                                        input_shape=(32, 32, 3))
    message = str(info.value)
    assert ("https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
            "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5") in message
    assert os.path.join(str(tmp_path), ".keras", "models") in message
    assert not os.listdir(os.path.join(str(tmp_path), ".keras", "models"))
    with tf.Graph().as_default():
        with pytest.raises(Exception, match="resnet-rs-50-i160_notop.h5"):
            tf.keras.applications.ResNetRS50(weights="imagenet", include_top=False,
                                             input_shape=(32, 32, 3))


def test_weights_from_an_h5_file(tmp_path):
    pytest.importorskip("h5py")
    path = str(tmp_path / "resnet50v2.h5")
    kwargs = dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")
    x = input_batch((1, 32, 32, 3))
    with tf.Graph().as_default():
        model = tf.keras.applications.ResNet50V2(weights=None, **kwargs)
        set_deterministic_weights(model)
        expected = model.predict(x)
        model.save_weights(path)
    with tf.Graph().as_default():
        model = tf.keras.applications.ResNet50V2(weights=path, **kwargs)
        np.testing.assert_allclose(model.predict(x), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(expected, ref("small/resnet50v2_avg/output")[:1], rtol=0,
                               atol=1e-4 * np.abs(expected).max())


def test_input_tensor_keras_and_plain():
    with tf.Graph().as_default():
        source = tf.keras.layers.Input((32, 32, 3))
        scaled = tf.keras.layers.Lambda(lambda t: t / 255.0)(source)
        model = tf.keras.applications.VGG16(weights=None, include_top=False,
                                            input_tensor=scaled)
        assert model.inputs == [source] and model.output_shape == (None, 1, 1, 512)
        placeholder = tf.placeholder(tf.float32, (None, 32, 32, 3))
        model = tf.keras.applications.ResNet50(weights=None, include_top=False,
                                               input_tensor=placeholder, pooling="max")
        assert model.inputs[0] is placeholder
        assert model.output_shape == (None, 2048) and model.layers[-1].name == "max_pool"
