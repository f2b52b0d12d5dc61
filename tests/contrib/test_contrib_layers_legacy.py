"""tf.contrib.layers.legacy_fully_connected, legacy_relu, legacy_linear and pool against
tf-slim's (TF 1.15's contrib.layers code) run by real TensorFlow
(tests/fixtures/make_contrib_layers_legacy_reference.py): values, variable names, the
WEIGHTS/BIASES/ACTIVATIONS collections and the name scopes; TF's errors."""
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import contrib_layers_legacy_cases as cases  # noqa: E402

REF = np.load(FIXTURES / "contrib_layers_legacy_reference.npz")


def test_values_names_and_collections_are_tensorflows():
    with tf.Graph().as_default() as graph:
        built = cases.build(tf, tf.contrib.layers)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run(built)
        names = sorted(v.op.name for v in tf.global_variables())
        weights = sorted(v.op.name for v in graph.get_collection(tf.GraphKeys.WEIGHTS))
        biases = sorted(v.op.name for v in graph.get_collection(tf.GraphKeys.BIASES))
        activations = sorted(t.name for t in graph.get_collection(tf.GraphKeys.ACTIVATIONS))
        scopes = [built[k].op.name.split("/")[0] for k in sorted(built)]
    for key, value in got.items():
        assert value.shape == REF[key].shape, key
        np.testing.assert_allclose(value, REF[key], rtol=1e-5, atol=1e-6, err_msg=key)
    assert names == list(REF["variables"])
    assert weights == list(REF["weights_collection"])
    assert biases == list(REF["biases_collection"])
    assert activations == list(REF["activations"])
    assert scopes == [name.split("/")[0] for name in REF["op_names"]]


def test_legacy_errors_and_static_shape():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="rank of x must be at least 2 not: 1"):
            tf.contrib.layers.legacy_fully_connected(tf.ones([3]), 2)
        with pytest.raises(ValueError, match="last dimension of x must be known"):
            tf.contrib.layers.legacy_fully_connected(tf.placeholder(tf.float32, [2, None]), 2)
        y = tf.contrib.layers.legacy_relu(tf.placeholder(tf.float32, [None, 7, 4]), 5)
        assert y.shape.as_list() == [None, 7, 5]
        with pytest.raises(ValueError, match="Rank of inputs must be >= 3"):
            tf.contrib.layers.pool(tf.ones([2, 3]), 2, "MAX")


def test_missing_legacy_feature_columns_are_named():
    for name in ("crossed_column", "shared_embedding_columns", "RevBlock", "recompute_grad"):
        with pytest.raises(tf.contrib.ContribNotImplemented, match=f"layers.{name}"):
            getattr(tf.contrib.layers, name)
