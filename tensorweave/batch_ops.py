"""tf.nondifferentiable_batch_function (TF 1.15): a decorator that batches concurrent calls of
a function. tensorweave runs a graph one call at a time, so every batch holds one call: the
decorated function runs on its own inputs, with its gradients stopped as TF's are."""
import functools

from tensorweave import nest
from tensorweave.ops.array import stop_gradient

__all__ = ["nondifferentiable_batch_function"]


def nondifferentiable_batch_function(num_batch_threads, max_batch_size, batch_timeout_micros,
                                     allowed_batch_sizes=None, max_enqueued_batches=10,
                                     autograph=True):
    """Decorator: fn(*tensors) -> tensors, all inputs and outputs batched along axis 0."""
    if allowed_batch_sizes:
        sizes = list(allowed_batch_sizes)
        if sizes != sorted(sizes):
            raise ValueError("allowed_batch_sizes must be sorted in ascending order")
        if sizes[-1] != max_batch_size:
            raise ValueError("The largest allowed batch size must be equal to max_batch_size")

    def decorator(fn):
        @functools.wraps(fn)
        def decorated(*args):
            outputs = fn(*args)
            return nest.map_structure(stop_gradient, outputs)
        return decorated
    return decorator
