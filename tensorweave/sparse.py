"""tf.sparse: SparseTensor and the ops on it."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "SparseTensor": "tensorweave.core.sparse_tensor:SparseTensor",
    "placeholder": "tensorweave.ops.sparse_ops:sparse_placeholder",
    "to_dense": "tensorweave.ops.sparse_ops:sparse_tensor_to_dense",
})
