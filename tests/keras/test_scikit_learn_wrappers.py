"""tf.keras.wrappers.scikit_learn: KerasClassifier/KerasRegressor as TF 1.15's."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.keras import backend as K

wrappers = tf.keras.wrappers.scikit_learn


def setup_function():
    K.clear_session()


def make_classifier(hidden=8, classes=3):
    model = tf.keras.Sequential([tf.keras.layers.Dense(hidden, activation="relu",
                                                       input_shape=(4,)),
                                 tf.keras.layers.Dense(classes, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 4).astype(np.float32)
    return x, np.array([3, 5, 7])[(x[:, 0] * 3).astype(int)]


def test_classifier_keeps_label_values_and_scores_with_the_accuracy_metric():
    x, y = data()
    clf = wrappers.KerasClassifier(make_classifier, hidden=6, epochs=2, batch_size=16,
                                   verbose=0)
    history = clf.fit(x, y)
    assert len(history.history["loss"]) == 2
    np.testing.assert_array_equal(clf.classes_, [3, 5, 7])
    assert clf.n_classes_ == 3
    assert clf.model.layers[0].units == 6                       # build_fn got hidden=6
    predicted = clf.predict(x)
    assert predicted.shape == (60,) and set(predicted) <= {3, 5, 7}
    proba = clf.predict_proba(x)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(predicted, clf.classes_[proba.argmax(axis=1)])
    accuracy = clf.model.evaluate(x, np.searchsorted(clf.classes_, y), verbose=0)[1]
    assert clf.score(x, y, verbose=0) == pytest.approx(accuracy)


def test_binary_sigmoid_probabilities_get_two_columns():
    def build():
        model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="sigmoid",
                                                           input_shape=(4,))])
        model.compile("sgd", "binary_crossentropy", metrics=["acc"])
        return model
    x, y = data()
    clf = wrappers.KerasClassifier(build, epochs=1, verbose=0)
    clf.fit(x, (y == 7).astype(int))
    proba = clf.predict_proba(x)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba[:, 0], 1 - proba[:, 1], rtol=1e-6)
    assert clf.predict(x).shape == (60,)


def test_categorical_crossentropy_gets_one_hot_labels():
    def build():
        model = tf.keras.Sequential([tf.keras.layers.Dense(3, activation="softmax",
                                                           input_shape=(4,))])
        model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
        return model
    x, y = data()
    clf = wrappers.KerasClassifier(build, epochs=1, verbose=0)
    clf.fit(x, y)
    assert 0 <= clf.score(x, y, verbose=0) <= 1


def test_regressor_predicts_flat_and_scores_the_negated_loss():
    def build(units=1):
        model = tf.keras.Sequential([tf.keras.layers.Dense(units, input_shape=(4,))])
        model.compile("sgd", "mse")
        return model
    x, _ = data()
    y = x.sum(axis=1)
    reg = wrappers.KerasRegressor(build, epochs=3, verbose=0)
    reg.fit(x, y)
    assert reg.predict(x).shape == (60,)
    loss = reg.model.evaluate(x, y, verbose=0)
    assert reg.score(x, y, verbose=0) == pytest.approx(-loss)


def test_params_are_checked_and_settable():
    clf = wrappers.KerasClassifier(make_classifier, epochs=1)
    assert clf.get_params()["epochs"] == 1 and clf.get_params()["build_fn"] is make_classifier
    clf.set_params(epochs=4, hidden=3)
    assert clf.sk_params == {"epochs": 4, "hidden": 3}
    with pytest.raises(ValueError, match="not a legal parameter"):
        wrappers.KerasClassifier(make_classifier, no_such_argument=1)
    with pytest.raises(ValueError, match="Invalid shape for y"):
        wrappers.KerasClassifier(make_classifier).fit(np.zeros((2, 4)), np.zeros((2, 1, 1)))


def test_score_without_accuracy_metric_says_so():
    def build():
        model = tf.keras.Sequential([tf.keras.layers.Dense(3, activation="softmax",
                                                           input_shape=(4,))])
        model.compile("sgd", "sparse_categorical_crossentropy")
        return model
    x, y = data()
    clf = wrappers.KerasClassifier(build, epochs=1, verbose=0)
    clf.fit(x, y)
    with pytest.raises(ValueError, match="not configured to compute accuracy"):
        clf.score(x, y, verbose=0)
