"""TF 1.x's gradient accumulators (tf.ConditionalAccumulator, tf.SparseConditionalAccumulator):
the aggregation points of tf.train.SyncReplicasOptimizer.

    acc = tf.ConditionalAccumulator(tf.float32, shape=[2])
    apply = acc.apply_grad([1.0, 2.0], local_step=0)   # dropped if local_step < global step
    mean = acc.take_grad(2)       # waits for 2 gradients, returns their mean, global step + 1

The op types are in ops/accumulator_ops.py; their waiting is the Session's
(runtime/blocking.py: run timeouts, cancellation when the Session closes).
"""
import collections

from tensorweave.core import dtypes as dtypes_lib
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import accumulator_ops
from tensorweave.ops.array import cast

__all__ = ["ConditionalAccumulator", "ConditionalAccumulatorBase",
           "SparseConditionalAccumulator"]

SparseAccumulatorTakeGradient = collections.namedtuple(
    "SparseAccumulatorTakeGradient", ["indices", "values", "shape"])


def _local_step(local_step):
    return cast(convert_to_tensor(local_step), dtypes_lib.int64)


class ConditionalAccumulatorBase:
    """An accumulator of gradients of one dtype, kept in the Session; `accumulator_ref` is
    the handle of the op that makes it."""

    def __init__(self, dtype, shape, accumulator_ref):
        self._dtype = dtypes_lib.as_dtype(dtype)
        self._shape = unknown_shape() if shape is None else TensorShape(shape)
        self._accumulator_ref = accumulator_ref
        self._name = accumulator_ref.op.name.split("/")[-1]

    accumulator_ref = property(lambda self: self._accumulator_ref)
    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)

    def num_accumulated(self, name=None):
        """The number of gradients applied since the last take (int32 scalar)."""
        if name is None:
            name = f"{self._name}_NumAccumulated"
        return accumulator_ops.num_accumulated(self._accumulator_ref, name)

    def set_global_step(self, new_global_step, name=None):
        """Sets the global step: later gradients of an older local step are dropped."""
        return accumulator_ops.set_global_step(
            self._accumulator_ref, _local_step(new_global_step), name=name)


class ConditionalAccumulator(ConditionalAccumulatorBase):
    """Averages (or sums) dense gradients: `take_grad(n)` waits for n of them."""

    def __init__(self, dtype, shape=None, shared_name=None, name="conditional_accumulator",
                 reduction_type="MEAN"):
        ref = accumulator_ops.accumulator("ResourceConditionalAccumulator", dtype, shape,
                                          shared_name, reduction_type, name)
        super().__init__(dtype, shape, ref)

    def apply_grad(self, grad, local_step=0, name=None):
        """The op adding `grad` unless `local_step` is older than the global step."""
        grad = convert_to_tensor(grad, self._dtype)
        grad.shape.assert_is_compatible_with(self._shape)
        return accumulator_ops.apply_gradient(self._accumulator_ref, _local_step(local_step),
                                              grad, name=name)

    def take_grad(self, num_required, name=None):
        """The mean (or sum) of `num_required` or more gradients, waiting for them; the
        accumulator then starts afresh and its global step advances by one."""
        out = accumulator_ops.take_gradient(
            self._accumulator_ref, convert_to_tensor(num_required, dtypes_lib.int32,
                                                     name="num_required"),
            self._dtype, name=name)
        out.set_shape(self._shape)
        return out


class SparseConditionalAccumulator(ConditionalAccumulatorBase):
    """Averages (or sums) IndexedSlices gradients row by row."""

    def __init__(self, dtype, shape=None, shared_name=None,
                 name="sparse_conditional_accumulator", reduction_type="MEAN"):
        ref = accumulator_ops.accumulator("SparseConditionalAccumulator", dtype, shape,
                                          shared_name, reduction_type, name)
        super().__init__(dtype, shape, ref)

    def apply_indexed_slices_grad(self, grad, local_step=0, name=None):
        """apply_grad of an IndexedSlices."""
        return self.apply_grad(grad_indices=grad.indices, grad_values=grad.values,
                               grad_shape=grad.dense_shape, local_step=local_step, name=name)

    def apply_grad(self, grad_indices, grad_values, grad_shape=None, local_step=0, name=None):
        """The op adding the rows `grad_values` at `grad_indices` unless `local_step` is
        older than the global step."""
        local_step = _local_step(local_step)
        indices = cast(convert_to_tensor(grad_indices), dtypes_lib.int64)
        values = convert_to_tensor(grad_values, self._dtype, name="gradient_values")
        shape = cast(convert_to_tensor([] if grad_shape is None else grad_shape,
                                       dtypes_lib.int64 if grad_shape is None else None),
                     dtypes_lib.int64)
        return accumulator_ops.sparse_apply_gradient(
            self._accumulator_ref, local_step, indices, values, shape, grad_shape is not None,
            name=name)

    def take_grad(self, num_required, name=None):
        """(indices, values, shape): the rows' means (or sums), waiting for `num_required`
        gradients."""
        outputs = accumulator_ops.sparse_take_gradient(
            self._accumulator_ref, convert_to_tensor(num_required, dtypes_lib.int32,
                                                     name="num_required"),
            self._dtype, name=name)
        return SparseAccumulatorTakeGradient(*outputs)

    def take_indexed_slices_grad(self, num_required, name=None):
        """take_grad as an IndexedSlices."""
        indices, values, shape = self.take_grad(num_required, name=name)
        return IndexedSlices(indices=indices, values=values, dense_shape=shape)
