"""tf.sets: set operations along the last dimension of dense tensors and SparseTensors."""
from tensorweave.util import lazy

_NAMES = {
    **lazy.names_from("tensorweave.ops.set_ops", "set_difference", "set_intersection",
                      "set_size", "set_union"),
    "difference": "tensorweave.ops.set_ops:set_difference",
    "intersection": "tensorweave.ops.set_ops:set_intersection",
    "size": "tensorweave.ops.set_ops:set_size",
    "union": "tensorweave.ops.set_ops:set_union",
}
__all__ = sorted(_NAMES)
__getattr__ = lazy.attributes(__name__, _NAMES)
