"""IMDB reviews as keras.datasets.imdb.load_data(num_words=...) gives them: lists of word indices
and 0/1 labels. With the real imdb.npz in ~/.keras/datasets (a local copy), that file through
tf.keras.datasets.imdb; without it, a corpus in the same form made here with a fixed seed:
reviews of 20-120 words from a 20,000-word vocabulary where positive reviews use more words of
one small set and negative reviews of another, so a model has something to learn."""
import os

import numpy as np

POSITIVE, NEGATIVE = range(10, 60), range(60, 110)


def _synthetic(n, max_features, rng):
    labels = rng.randint(0, 2, n)
    reviews = []
    for label in labels:
        length = rng.randint(20, 121)
        words = rng.randint(110, max_features, length)
        marked = rng.rand(length) < 0.08
        words[marked] = rng.choice(POSITIVE if label else NEGATIVE, marked.sum())
        reviews.append([1] + words.tolist())          # 1 starts a review, as Keras's
    return reviews, labels


def load_data(num_words=20000, n_train=25000, n_test=25000):
    local = os.path.join(os.path.expanduser("~"), ".keras", "datasets", "imdb.npz")
    if os.path.exists(local):
        import tensorflow.compat.v1 as tf
        (x_train, y_train), (x_test, y_test) = tf.keras.datasets.imdb.load_data(
            num_words=num_words)
        return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])
    rng = np.random.RandomState(113)
    return _synthetic(n_train, num_words, rng), _synthetic(n_test, num_words, rng)
