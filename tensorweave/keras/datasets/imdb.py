"""tf.keras.datasets.imdb: 25,000 training and 25,000 test movie reviews as word indices
(words ranked by frequency), labelled 1 (positive) or 0.

imdb.npz holds object arrays of lists, which NumPy stores pickled: `npz` decodes them as data
without unpickling.
"""
import json

import numpy as np

from tensorweave.keras.datasets import loading, npz
from tensorweave.platform import tf_logging as logging

FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """`(x_train, y_train), (x_test, y_test)`: sequences of word indices (object arrays of
    lists) and int64 labels. Each set is shuffled with `seed`; words are shifted by
    `index_from` after `start_char`; with `maxlen` longer sequences are dropped; words outside
    [skip_top, num_words) become `oov_char` (or are dropped when it is None).

    As in TF 1.15 the train/test boundary is the training set's size before `maxlen`
    filtering."""
    if "nb_words" in kwargs:
        logging.warning(
            "The `nb_words` argument in `load_data` has been renamed `num_words`.")
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError("Unrecognized keyword arguments: " + str(kwargs))
    path = loading.fetch(path, loading.ORIGIN_FOLDER + "imdb.npz", FILE_HASH)
    f = npz.load(path)
    x_train, labels_train, x_test, labels_test = (f["x_train"], f["y_train"], f["x_test"],
                                                  f["y_test"])
    rng = np.random.RandomState(seed)  # np.random.seed(seed) + two shuffles, as Keras does
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]

    xs = np.concatenate([x_train, x_test])
    labels = np.concatenate([labels_train, labels_test])
    xs = loading.index_words(xs, start_char, index_from)
    if maxlen:
        xs, labels = loading.remove_long_seq(maxlen, xs, labels)
        if not xs:
            raise ValueError("After filtering for sequences shorter than maxlen=" +
                             str(maxlen) + ", no sequence was kept. Increase maxlen.")
    xs = loading.limit_words(xs, num_words, skip_top, oov_char)
    idx = len(x_train)
    return ((loading.sequence_array(xs[:idx]), np.array(labels[:idx])),
            (loading.sequence_array(xs[idx:]), np.array(labels[idx:])))


def get_word_index(path="imdb_word_index.json"):
    """{word: index} (index 1 is the most frequent word)."""
    path = loading.fetch(path, loading.ORIGIN_FOLDER + "imdb_word_index.json", WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)
