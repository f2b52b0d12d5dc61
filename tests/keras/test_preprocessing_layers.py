"""Keras preprocessing layers Rescaling, Resizing, CenterCrop and Normalization against TF 2.15
(fixture written by tests/fixtures/make_keras_applications_mobile_efficient.py): outputs,
output shapes, configs and weights in graph mode; Normalization.adapt against eager TF's."""
import gzip
import json
import os
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
sys.path.insert(0, FIXTURES)
from keras_applications_common import input_batch  # noqa: E402

with gzip.open(os.path.join(FIXTURES, "keras_applications_mobile_efficient.json.gz"),
               "rt") as f:
    REFERENCE = json.load(f)
PREPROCESSING = REFERENCE["preprocessing"]
ADAPT = REFERENCE["adapt"]


def setup_function():
    tf.keras.backend.clear_session()


@pytest.mark.parametrize("case", sorted(PREPROCESSING))
def test_layer_matches_tensorflow(case):
    ref = PREPROCESSING[case]
    layer = getattr(tf.keras.layers, ref["class"])(**ref["kwargs"])
    x = tf.keras.Input(tuple(ref["shape"][1:]))
    y = layer(x)
    assert y.shape.as_list() == ref["output_shape"]
    assert json.loads(json.dumps(layer.get_config())) == ref["config"]
    assert [[w.name, w.shape.as_list(), w.dtype.base_dtype.name] for w in layer.weights] == \
        ref["weights"]
    got = tf.keras.backend.get_session().run(y, {x: input_batch(ref["shape"])})
    want = np.asarray(ref["output"], np.float32).reshape(got.shape)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("case", sorted(ADAPT))
def test_normalization_adapt_matches_tensorflow(case):
    ref = ADAPT[case]
    data = input_batch(ref["shape"], seed=3)
    layer = tf.keras.layers.Normalization(**ref["kwargs"])
    if ref["dataset"]:
        layer.adapt(tf.data.Dataset.from_tensor_slices(data).batch(ref["dataset"]))
    else:
        layer.adapt(data, **ref["args"])
    values = layer.get_weights()
    assert [[w.name.split("/")[-1].split(":")[0], w.shape.as_list()] for w in layer.weights] \
        == [[name.split(":")[0], shape] for name, shape, _ in ref["weights"]]
    for value, (_, _, want) in zip(values, ref["weights"]):
        np.testing.assert_allclose(np.ravel(value), want, rtol=1e-5)
    got = tf.keras.backend.get_session().run(layer(tf.constant(data[:3])))
    np.testing.assert_allclose(got.ravel(), ref["output"], rtol=1e-4, atol=1e-5)


def test_normalization_in_a_model_saves_and_loads(tmp_path):
    pytest.importorskip("h5py")
    data = input_batch((20, 4), seed=1)
    norm = tf.keras.layers.Normalization()
    norm.adapt(data)
    inputs = tf.keras.Input((4,))
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(2)(norm(inputs)))
    assert [w.name for w in model.weights] == ["normalization/mean:0",
                                               "normalization/variance:0",
                                               "normalization/count:0", "dense/kernel:0",
                                               "dense/bias:0"]
    before = model.predict(data)
    path = str(tmp_path / "m.h5")
    model.save(path)
    tf.keras.backend.clear_session()
    loaded = tf.keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(data), before, rtol=1e-5, atol=1e-6)
    mean = loaded.layers[1].get_weights()[0]
    np.testing.assert_allclose(mean, data.mean(0), rtol=1e-5)


def test_errors():
    layers = tf.keras.layers
    with pytest.raises(ValueError, match="both `mean` and `variance` must be set"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="Cannot `adapt` a Normalization layer"):
        layers.Normalization(mean=1.0, variance=2.0).adapt(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"must be in the range \[-ndim, ndim\)"):
        layers.Normalization(axis=3)(tf.keras.Input((4,)))
    with pytest.raises(ValueError, match="must have known shape"):
        layers.Normalization(axis=1)(tf.keras.Input((None, 3)))
    with pytest.raises(NotImplementedError, match="interpolation"):
        layers.Resizing(3, 3, interpolation="cubic")


def test_unknown_sizes_and_integer_inputs():
    images = tf.placeholder(tf.float32, (None, None, None, 3))
    cropped = tf.keras.layers.CenterCrop(2, 3)(images)
    assert cropped.shape.as_list() == [None, 2, 3, 3]
    data = input_batch((1, 5, 7, 3))
    small = input_batch((1, 2, 2, 3))
    session = tf.keras.backend.get_session()
    np.testing.assert_allclose(session.run(cropped, {images: data}), data[:, 1:3, 2:5])
    upsized = session.run(cropped, {images: small})
    assert upsized.shape == (1, 2, 3, 3)
    ints = tf.constant(np.arange(12, dtype=np.int32).reshape(1, 2, 2, 3))
    scaled = tf.keras.layers.Rescaling(0.5, offset=1.0)(ints)
    assert scaled.dtype == tf.float32
    np.testing.assert_allclose(session.run(scaled).ravel(), np.arange(12) * 0.5 + 1.0)
    unbatched = tf.keras.layers.Resizing(4, 6)(tf.constant(input_batch((2, 3, 3))))
    assert unbatched.shape.as_list() == [4, 6, 3]
