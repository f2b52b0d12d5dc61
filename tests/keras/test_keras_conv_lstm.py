"""ConvLSTM1D/2D/3D against TF 2.15's compat.v1 Keras: outputs with weights set from their
names, states, weight names and shapes, output shapes, configs; then fit and an HDF5 round
trip."""
import numpy as np
import pytest

import tensorweave as tf
from keras_layers_f_reference import assert_matches, cases


@pytest.mark.parametrize("name", sorted(cases.CONV_LSTM_CASES))
def test_conv_lstm_matches_tensorflow(name):
    tf.keras.backend.clear_session()
    assert_matches(cases.run_conv_lstm_case(tf, name), f"conv_lstm/{name}", rtol=1e-5,
                   atol=1e-5)


def test_conv_lstm_errors():
    layers = tf.keras.layers
    with pytest.raises(TypeError, match="Unrolling is not possible"):
        layers.ConvLSTM2D(2, 3, unroll=True)
    with pytest.raises(ValueError, match="expected ndim=5"):
        layers.ConvLSTM2D(2, 3)(layers.Input((4, 4, 2)))
    with pytest.raises(AttributeError, match="must be stateful"):
        layer = layers.ConvLSTM1D(2, 2)
        layer(layers.Input((3, 5, 1)))
        layer.reset_states()


def test_conv_lstm_fits_and_round_trips_through_hdf5(tmp_path):
    pytest.importorskip("h5py")
    tf.keras.backend.clear_session()
    tf.set_random_seed(1)   # initial weights and dropout masks: the same run every time
    np.random.seed(1)       # fit's shuffle
    keras = tf.keras
    rng = np.random.RandomState(0)
    x = rng.standard_normal((8, 3, 4, 4, 1)).astype("float32")
    y = rng.standard_normal((8, 1)).astype("float32")
    model = keras.Sequential([
        keras.layers.ConvLSTM2D(2, 3, padding="same", input_shape=(3, 4, 4, 1),
                                recurrent_dropout=0.2),
        keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.01), "mse")
    history = model.fit(x, y, batch_size=4, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    before = model.predict(x)
    path = str(tmp_path / "m.h5")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x), before, rtol=1e-6, atol=1e-6)
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
