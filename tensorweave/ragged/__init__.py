"""tf.ragged: ragged tensors (rows of different lengths); RaggedTensor is in ragged_tensor.py,
the functions in ragged_ops.py."""
from tensorweave.util import lazy

_NAMES = {
    **lazy.names_from("tensorweave.ragged.ragged_tensor", "RaggedTensorValue"),
    **lazy.names_from("tensorweave.ragged.ragged_ops", "boolean_mask", "constant",
                      "constant_value", "cross", "cross_hashed", "map_flat_values",
                      "placeholder", "range", "row_splits_to_segment_ids",
                      "segment_ids_to_row_splits", "stack", "stack_dynamic_partitions"),
}
__all__ = sorted(_NAMES)
__getattr__ = lazy.attributes(__name__, _NAMES)
