"""tf.contrib.lookup: TF 1.x's lookup tables under their contrib names (tensorweave/lookup_ops.py).

    table = tf.contrib.lookup.index_table_from_tensor(["a", "b"], num_oov_buckets=1)
    ids = table.lookup(tf.constant(["b", "z"]))          # [1, 2]
"""
from tensorweave.lookup_ops import (FastHashSpec, HashTable, HasherSpec,  # noqa: F401
                                    IdTableWithHashBuckets, InitializableLookupTableBase,
                                    KeyValueTensorInitializer, LookupInterface,
                                    MutableDenseHashTable, MutableHashTable, StrongHashSpec,
                                    TableInitializerBase, TextFileIdTableInitializer,
                                    TextFileIndex, TextFileInitializer,
                                    TextFileStringTableInitializer, index_table_from_file,
                                    index_table_from_tensor, index_to_string,
                                    index_to_string_table_from_file,
                                    index_to_string_table_from_tensor, string_to_index,
                                    string_to_index_table_from_file,
                                    string_to_index_table_from_tensor)

__all__ = [
    "FastHashSpec", "HashTable", "HasherSpec", "IdTableWithHashBuckets",
    "InitializableLookupTableBase", "KeyValueTensorInitializer", "LookupInterface",
    "MutableDenseHashTable", "MutableHashTable", "StrongHashSpec", "TableInitializerBase",
    "TextFileIdTableInitializer", "TextFileIndex", "TextFileInitializer",
    "TextFileStringTableInitializer", "index_table_from_file", "index_table_from_tensor",
    "index_to_string", "index_to_string_table_from_file", "index_to_string_table_from_tensor",
    "string_to_index", "string_to_index_table_from_file", "string_to_index_table_from_tensor",
]
