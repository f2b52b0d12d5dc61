"""The newer tf.keras layers against TensorFlow 2.15's compat.v1 Keras: outputs, gradients,
weight names and shapes, config keys and output masks on fixed inputs with weights set from
their names (tests/fixtures/keras_layers_extra_cases.py, make_keras_layers_extra_reference.py);
a model of them trains as under TF and survives model.save / load_model."""
import json
import os
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "fixtures")
sys.path.insert(0, FIXTURES)
import keras_layers_extra_cases as cases  # noqa: E402

with open(os.path.join(FIXTURES, "keras_layers_extra_reference.json")) as _f:
    PLAIN = json.load(_f)
with np.load(os.path.join(FIXTURES, "keras_layers_extra_reference.npz")) as _z:
    ARRAYS = dict(_z)


def _compare(result, prefix, plain, rtol=1e-4, atol=1e-5):
    got_arrays, got_plain = cases.split(result)
    want_arrays = {k[len(prefix) + 1:]: v for k, v in ARRAYS.items()
                   if k.startswith(prefix + "/")}
    assert sorted(got_arrays) == sorted(want_arrays), prefix
    for key, want in want_arrays.items():
        got = got_arrays[key]
        assert got.shape == want.shape, (prefix, key, got.shape, want.shape)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"{prefix}/{key}")
    for key, want in plain.items():
        got = got_plain.get(key)
        if key == "loss":
            np.testing.assert_allclose(got, want, rtol=1e-4, err_msg=f"{prefix}/{key}")
        else:
            assert got == want, (prefix, key, got, want)


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_layer_matches_tensorflow(name):
    tf.keras.backend.clear_session()
    _compare(cases.run_case(tf, name), f"layers/{name}", PLAIN["layers"][name])


def test_model_fits_as_tensorflow():
    tf.keras.backend.clear_session()
    _compare(cases.model_fit(tf), "model", PLAIN["model"])


def test_model_save_load_round_trip(tmp_path):
    pytest.importorskip("h5py")
    x, y = cases.model_data()
    path = str(tmp_path / "m.h5")
    with tf.Graph().as_default():
        model = cases.build_model(tf.keras)
        model.set_weights([cases.weight_value(w.name, w.shape.as_list())
                           for w in model.weights])
        model.compile(tf.keras.optimizers.SGD(0.1), loss="binary_crossentropy")
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        want = model.predict(x[:5])
        model.save(path)
    with tf.Graph().as_default():
        loaded = tf.keras.models.load_model(path)
        np.testing.assert_allclose(loaded.predict(x[:5]), want, rtol=1e-5, atol=1e-6)
        names = [type(layer).__name__ for layer in loaded.layers]
        for kind in ("EinsumDense", "MultiHeadAttention", "Attention", "LocallyConnected1D",
                     "Conv1DTranspose", "DepthwiseConv1D", "Identity"):
            assert kind in names
        loaded.fit(x, y, batch_size=8, epochs=1, verbose=0)


@pytest.mark.parametrize("build, inputs", [
    (lambda L: L.MultiHeadAttention(2, 3, attention_axes=2), [(3, 2, 4), (3, 2, 4)]),
    (lambda L: L.Attention(score_mode="concat"), [(3, 4), (2, 4)]),
    (lambda L: L.AdditiveAttention(dropout=0.2), [(3, 4), (2, 4), (2, 4)]),
    (lambda L: L.LocallyConnected2D(2, 2, padding="same", implementation=3,
                                    kernel_regularizer="l2"), [(3, 3, 2)]),
    (lambda L: L.Conv1DTranspose(2, 3, output_padding=1, strides=2, padding="same"),
     [(4, 2)]),
    (lambda L: L.DepthwiseConv1D(2, depth_multiplier=2, data_format="channels_first"),
     [(3, 5)]),
    (lambda L: L.EinsumDense("...b,bc->...c", 3, activation="relu"), [(2, 4)]),
])
def test_config_round_trip(build, inputs):
    """from_config(get_config()) makes a layer with the same config, weights and outputs."""
    with tf.Graph().as_default():
        layer = build(tf.keras.layers)
        xs = [tf.keras.layers.Input(s) for s in inputs]
        args = xs if len(xs) > 1 and not isinstance(layer, tf.keras.layers.MultiHeadAttention) \
            else xs[0]
        out = layer(*xs) if isinstance(layer, tf.keras.layers.MultiHeadAttention) else \
            layer(args)
        config = layer.get_config()
        json.dumps(config, default=lambda o: list(o))
        config["name"] = "copy"
        copy = type(layer).from_config(config)
        again = copy(*xs) if isinstance(layer, tf.keras.layers.MultiHeadAttention) else copy(args)
        assert {k: v for k, v in copy.get_config().items() if k != "name"} == \
            {k: v for k, v in layer.get_config().items() if k != "name"}
        assert [w.shape.as_list() for w in copy.weights] == \
            [w.shape.as_list() for w in layer.weights]
        assert [w.name.split("/", 1)[1] for w in copy.weights] == \
            [w.name.split("/", 1)[1] for w in layer.weights]
        session = tf.keras.backend.get_session()
        copy.set_weights(layer.get_weights())
        feed = {x: np.random.RandomState(i).standard_normal((2,) + s).astype("float32")
                for i, (x, s) in enumerate(zip(xs, inputs))}
        np.testing.assert_allclose(*session.run([out, again], feed), rtol=1e-6)


def test_abstract_rnn_cell_in_rnn():
    class MinimalCell(tf.keras.layers.AbstractRNNCell):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        @property
        def state_size(self):
            return self.units

        @property
        def output_size(self):
            return self.units

        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", (int(input_shape[-1]), self.units))
            self.built = True

        def call(self, inputs, states):
            out = tf.matmul(inputs, self.kernel) + 0.5 * states[0]
            return out, [out]

    with tf.Graph().as_default():
        cell = MinimalCell(3)
        x = tf.keras.layers.Input((4, 2))
        y = tf.keras.layers.RNN(cell, return_sequences=True)(x)
        zeros = cell.get_initial_state(batch_size=2, dtype=tf.float32)
        assert zeros.shape.as_list() == [2, 3]
        session = tf.keras.backend.get_session()
        kernel = np.arange(6, dtype="float32").reshape(2, 3) / 10
        cell.set_weights([kernel])
        data = np.random.RandomState(0).standard_normal((2, 4, 2)).astype("float32")
        got = session.run(y, {x: data})
        h = np.zeros((2, 3), "float32")
        for t in range(4):
            h = data[:, t] @ kernel + 0.5 * h
            np.testing.assert_allclose(got[:, t], h, rtol=1e-5)
        assert session.run(zeros).tolist() == [[0.0] * 3] * 2
    with pytest.raises(NotImplementedError):
        tf.keras.layers.AbstractRNNCell().state_size


def test_errors_as_keras():
    L = tf.keras.layers
    with tf.Graph().as_default():
        q = L.Input((3, 4))
        with pytest.raises(ValueError, match="must be called on a list of inputs"):
            L.Attention()(q)
        with pytest.raises(ValueError, match="Acceptable values"):
            L.Attention(score_mode="general")
        with pytest.raises(ValueError, match="only \"valid\" is supported"):
            L.LocallyConnected1D(2, 2, padding="same")
        with pytest.raises(ValueError, match="Invalid einsum equation"):
            L.EinsumDense("ab->b", 3)(q)
        with pytest.raises(ValueError, match="Strides must be greater than output padding"):
            L.Conv1DTranspose(2, 3, strides=1, output_padding=1)
        with pytest.raises(ValueError, match="last dimension of `query_shape`"):
            L.MultiHeadAttention(2, 2).compute_output_shape((None, 3, 4), (None, 3, 5))
