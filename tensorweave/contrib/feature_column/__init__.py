"""tf.contrib.feature_column: TF 1.x's sequence feature columns and sequence_input_layer
(tensorweave/estimator/feature_column.py).

    ids = tf.contrib.feature_column.sequence_categorical_column_with_identity("w", 10)
    x, length = tf.contrib.feature_column.sequence_input_layer(
        features, [tf.feature_column.embedding_column(ids, 8)])   # [batch, T, 8], [batch]
"""
from tensorweave.estimator.feature_column import (  # noqa: F401
    sequence_categorical_column_with_hash_bucket, sequence_categorical_column_with_identity,
    sequence_categorical_column_with_vocabulary_file,
    sequence_categorical_column_with_vocabulary_list, sequence_input_layer,
    sequence_numeric_column)

__all__ = [
    "sequence_categorical_column_with_hash_bucket", "sequence_categorical_column_with_identity",
    "sequence_categorical_column_with_vocabulary_file",
    "sequence_categorical_column_with_vocabulary_list", "sequence_input_layer",
    "sequence_numeric_column",
]
