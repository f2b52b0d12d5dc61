"""tf.lookup: lookup tables (TF 1.15's names; the tables are in tensorweave/lookup_ops.py)."""
from tensorweave.util import lazy

_NAMES = lazy.names_from("tensorweave.lookup_ops", "KeyValueTensorInitializer",
                         "StaticHashTable", "StaticVocabularyTable", "TextFileIndex",
                         "TextFileInitializer")
__all__ = sorted(_NAMES)
__getattr__ = lazy.attributes(__name__, _NAMES)
