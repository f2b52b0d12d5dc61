"""ConvNeXt and RegNet against TF 2.15's Keras (make_keras_applications_convnext_regnet.py):
weight names and shapes in order, layer counts, output shapes and parameter counts of every
model; outputs of small configurations with deterministic weights."""
import json
import os
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "fixtures")
sys.path.insert(0, FIXTURES)
from keras_applications_common import input_batch, weight_value  # noqa: E402
from make_keras_applications_convnext_regnet import SMALL  # noqa: E402

with np.load(os.path.join(FIXTURES, "keras_applications_convnext_regnet.npz")) as _z:
    REF = dict(_z)
META = json.loads(str(REF.pop("meta")))


@pytest.mark.parametrize("name", sorted(META["models"]))
def test_model_structure_matches_tensorflow(name):
    tf.keras.backend.clear_session()
    model = getattr(tf.keras.applications, name)(weights=None)
    expected = META["models"][name]
    assert [[w.name, w.shape.as_list()] for w in model.weights] == expected["weights"]
    assert len(model.layers) == expected["layers"]
    assert model.output.shape.as_list() == expected["output_shape"]
    assert model.count_params() == expected["params"]


@pytest.mark.parametrize("case", sorted(SMALL))
def test_small_model_outputs_match_tensorflow(case):
    tf.keras.backend.clear_session()
    name, kwargs, shape = SMALL[case]
    model = getattr(tf.keras.applications, name)(weights=None, **kwargs)
    assert [layer.name for layer in model.layers] == META["small"][case]["layer_names"]
    model.set_weights([weight_value(w.name, w.shape.as_list()) for w in model.weights])
    got = model.predict(input_batch(shape))
    want = REF[case]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4 * np.abs(want).max())


def test_modules_and_options():
    apps = tf.keras.applications
    x = np.ones((1, 4, 4, 3), np.float32)
    assert apps.convnext.preprocess_input(x) is x and apps.regnet.preprocess_input(x) is x
    assert apps.convnext.decode_predictions is not None
    with pytest.raises(ValueError, match="weights"):
        apps.RegNetX002(weights="no/such/file.h5")
    with pytest.raises(ValueError, match="classes"):
        apps.ConvNeXtTiny(weights="imagenet", classes=10)
    tf.keras.backend.clear_session()
    model = apps.ConvNeXtTiny(weights=None, input_shape=(32, 32, 3), include_top=False)
    assert model.output.shape.as_list() == [None, 1, 1, 768]
    layer = apps.convnext.LayerScale(0.5, 4)
    config = layer.get_config()
    assert config["init_values"] == 0.5 and config["projection_dim"] == 4
    depth = apps.convnext.StochasticDepth(0.5)
    inputs = tf.ones([64, 3])
    train, test = depth(inputs, training=True), depth(inputs, training=False)
    train_value, test_value = tf.keras.backend.get_session().run([train, test])
    assert set(np.unique(train_value)) <= {0.0, 2.0} and 0 < train_value[:, 0].sum() < 128
    assert (train_value == train_value[:, :1]).all() and (test_value == 1).all()
