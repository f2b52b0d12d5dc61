"""tf.keras.datasets.reuters: 11,228 newswires as word indices, labelled with 46 topics.

reuters.npz holds an object array of lists, which NumPy stores pickled: `npz` decodes it as
data without unpickling.
"""
import json

import numpy as np

from tensorweave.keras.datasets import loading, npz
from tensorweave.platform import tf_logging as logging

FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """`(x_train, y_train), (x_test, y_test)`: the newswires shuffled with `seed`, processed as
    imdb's, the last `test_split` of them for testing."""
    if "nb_words" in kwargs:
        logging.warning(
            "The `nb_words` argument in `load_data` has been renamed `num_words`.")
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError("Unrecognized keyword arguments: " + str(kwargs))
    path = loading.fetch(path, loading.ORIGIN_FOLDER + "reuters.npz", FILE_HASH)
    f = npz.load(path)
    xs, labels = loading.shuffled(seed, f["x"], f["y"])
    xs = loading.index_words(xs, start_char, index_from)
    if maxlen:
        xs, labels = loading.remove_long_seq(maxlen, xs, labels)
    xs = loading.limit_words(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    return ((loading.sequence_array(xs[:idx]), np.array(labels[:idx])),
            (loading.sequence_array(xs[idx:]), np.array(labels[idx:])))


def get_word_index(path="reuters_word_index.json"):
    """{word: index} (index 1 is the most frequent word)."""
    path = loading.fetch(path, loading.ORIGIN_FOLDER + "reuters_word_index.json",
                         WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)


_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead")


def get_label_names():
    """The 46 topic names, indexed by label."""
    return _LABEL_NAMES
