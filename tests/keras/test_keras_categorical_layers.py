"""CategoryEncoding, Discretization and Hashing against TF 2.15's Keras: Hashing's bins
(FarmHash fingerprint64, SipHash with a salt, masks, integer inputs), encodings, bins given or
adapted, configs; then inside a model's fit and through an HDF5 round trip; DenseFeatures."""
import numpy as np
import pytest

import tensorweave as tf
from keras_layers_f_reference import PLAIN, assert_matches, cases


def test_categorical_layers_match_tensorflow():
    tf.keras.backend.clear_session()
    assert_matches(cases.categorical_run(tf), "categorical")


def test_discretization_adapt_gives_tensorflow_boundaries():
    got = cases.adapt_run(tf.keras)
    for name, want in PLAIN["adapt"].items():
        np.testing.assert_allclose(got[name], want, rtol=1e-6, err_msg=name)


def test_dense_features_match_tensorflow():
    tf.keras.backend.clear_session()
    assert_matches(cases.dense_features_run(tf), "dense_features", atol=1e-5)


def test_dense_features_shares_its_weights_between_calls():
    fc = tf.feature_column
    column = fc.embedding_column(fc.categorical_column_with_identity("k", 5), 2)
    layer = tf.keras.layers.DenseFeatures([column])
    a = layer({"k": tf.constant([[1], [2]], dtype=tf.int64)})
    b = layer({"k": tf.constant([[1], [2]], dtype=tf.int64)})
    assert [w.name for w in layer.weights] == ["dense_features/k_embedding/embedding_weights:0"]
    session = tf.keras.backend.get_session()
    first, second = session.run([a, b])
    np.testing.assert_array_equal(first, second)


def test_categorical_layer_errors():
    layers = tf.keras.layers
    with pytest.raises(ValueError, match="num_bins"):
        layers.Hashing(0)
    with pytest.raises(ValueError, match="salt"):
        layers.Hashing(3, salt="x")
    with pytest.raises(ValueError, match="num_tokens must be set"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="should not be set"):
        layers.Discretization(bin_boundaries=[0.], num_bins=2)
    with pytest.raises(ValueError, match="Cannot adapt"):
        layers.Discretization(bin_boundaries=[0.]).adapt(np.zeros(3))
    encode = layers.CategoryEncoding(3)
    x = layers.Input((2,), dtype="int32")
    y = encode(x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_tokens=3"):
        tf.keras.backend.get_session().run(y, {x: [[0, 3]]})


def test_categorical_layers_in_fit_and_hdf5(tmp_path):
    pytest.importorskip("h5py")
    tf.keras.backend.clear_session()
    tf.set_random_seed(1)   # initial weights: the same run every time
    np.random.seed(1)       # fit's shuffle
    keras = tf.keras
    rng = np.random.RandomState(0)
    words = rng.choice(np.array([b"a", b"b", b"c", b"d"], dtype=object), (32, 3))
    values = rng.standard_normal((32, 2)).astype("float32")
    y = (words[:, :1] == b"a").astype("float32")
    text = keras.layers.Input((3,), dtype="string")
    number = keras.layers.Input((2,))
    hashed = keras.layers.Hashing(8, salt=3, output_mode="count")(text)
    bins = keras.layers.Discretization(num_bins=3)
    bins.adapt(values)
    binned = keras.layers.CategoryEncoding(3)(bins(number))
    out = keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.Concatenate()([hashed, binned]))
    model = keras.Model([text, number], out)
    model.compile(keras.optimizers.SGD(0.5), "binary_crossentropy")
    history = model.fit([words, values], y, batch_size=8, epochs=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    before = model.predict([words, values])
    path = str(tmp_path / "m.h5")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict([words, values]), before, rtol=1e-6)
    assert loaded.get_layer(bins.name).bin_boundaries == bins.bin_boundaries
