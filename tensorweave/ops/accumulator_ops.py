"""Gradient accumulator op types (TF 1.x's data_flow_ops accumulators, which
SyncReplicasOptimizer aggregates gradients with).

An accumulator op outputs a handle naming an accumulator in the Session's state (made on the
op's first run; `shared_name` shares it). `apply` adds a gradient unless its local step is
older than the accumulator's global step; `take` waits until `num_required` gradients arrived,
returns their mean (or sum), empties the accumulator and advances its global step. Waiting,
locking, run deadlines and cancellation are the Session's (`state.blocking.monitored`,
runtime/blocking.py). As in TensorFlow, a waiting take is served by the apply that completes
it, before that apply returns.

Op types: TensorFlow 2's resource forms (ResourceConditionalAccumulator,
ResourceAccumulatorApplyGradient, ResourceAccumulatorTakeGradient,
ResourceAccumulatorNumAccumulated, ResourceAccumulatorSetGlobalStep), which
tf.ConditionalAccumulator builds; the ref forms TensorFlow 1 wrote (ConditionalAccumulator,
AccumulatorApplyGradient, AccumulatorTakeGradient, AccumulatorNumAccumulated,
AccumulatorSetGlobalStep); and SparseConditionalAccumulator with SparseAccumulatorApplyGradient
and SparseAccumulatorTakeGradient (IndexedSlices gradients).
"""
import collections

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape

_FLOAT_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)
_REDUCTIONS = ("MEAN", "SUM")


def _dims(shape):
    """A shape attr (TensorShape, tuple, list or None) as a tuple of ints/None, or None."""
    if shape is None:
        return None
    if isinstance(shape, TensorShape):
        return shape.as_tuple()
    return tuple(None if d is None or d < 0 else int(d) for d in shape)


def _text(dims):
    return "<unknown>" if dims is None else \
        "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _compatible(dims, shape):
    return dims is None or (len(dims) == len(shape) and all(
        d is None or d == s for d, s in zip(dims, shape)))


class TakeAttempt:
    """A waiting take: served (its `result` set) once enough gradients arrived."""

    def __init__(self, num_required):
        self.num_required = num_required
        self.result = None


class Accumulator:
    """The state both accumulator kinds share: global step, count, waiting takes (in the
    order they arrived)."""

    def __init__(self, dtype, dims, reduction_type):
        self.dtype = np.dtype(dtype)
        self.dims = dims
        self.reduction_type = reduction_type
        self.global_step = 0
        self.counter = 0
        self.takes = collections.deque()

    def apply(self, local_step, *gradient):
        """Adds the gradient unless it is stale (local_step < global step: dropped)."""
        if int(local_step) < self.global_step:
            return
        self.add(*gradient)
        self.counter += 1

    def flush(self):
        """Serves the waiting takes in order while enough gradients are there."""
        while self.takes and self.counter >= self.takes[0].num_required:
            attempt = self.takes.popleft()
            self.global_step += 1  # taking advances the global step, as TensorFlow's does
            attempt.result = self.take()
            self.counter = 0

    def set_global_step(self, step):
        self.global_step = int(step)  # a smaller step is accepted too (TF only warns)


class DenseAccumulator(Accumulator):
    """Sums dense gradients of one shape."""

    def __init__(self, dtype, dims, reduction_type):
        super().__init__(dtype, dims, reduction_type)
        self.total = None

    def add(self, gradient):
        gradient = np.asarray(gradient)
        if self.counter > 0 and self.total.shape != gradient.shape:
            raise errors.InvalidArgumentError(
                None, None, f"Shape mismatch: expected {_text(self.total.shape)}, got "
                f"{_text(gradient.shape)}")
        if not _compatible(self.dims, gradient.shape):
            raise errors.InvalidArgumentError(
                None, None, f"Shape mismatch: expected {_text(self.dims)}, got "
                f"{_text(gradient.shape)}")
        gradient = gradient.astype(self.dtype)
        self.total = gradient.copy() if self.counter == 0 else self.total + gradient

    def take(self):
        total, self.total = self.total, None
        if self.reduction_type == "MEAN":
            total = (total / self.counter).astype(self.dtype)
        return total


class SparseAccumulator(Accumulator):
    """Sums IndexedSlices gradients row by row, counting each row's gradients (the mean
    divides each row by its own count). Rows merge as TensorFlow's do: two index lists walked
    in step, equal indices summed."""

    def __init__(self, dtype, dims, reduction_type):
        super().__init__(dtype, dims or None, reduction_type)  # a shape () allows any
        self.indices = self.values = self.counts = None

    def check(self, indices, values, shape):
        """TensorFlow's checks of one sparse gradient (InvalidArgumentError)."""
        if indices.ndim != 1:
            raise errors.InvalidArgumentError(
                None, None, "Input indices should be vector but received shape: "
                f"{_text(indices.shape)}")
        if values.ndim < 1 or values.shape[0] != indices.shape[0]:
            got = values.shape[0] if values.ndim else 1
            raise errors.InvalidArgumentError(
                None, None, f"Expected {indices.shape[0]} non-empty input values, got {got}")
        if shape is not None:
            if not _compatible(self.dims, tuple(int(d) for d in shape)):
                raise errors.InvalidArgumentError(
                    None, None, f"Shape mismatch: expected shape {_text(self.dims)}, got "
                    f"{_text(shape)}")
            if self.dims and self.dims[0] is not None:
                for i, index in enumerate(indices):
                    if index >= self.dims[0]:
                        raise errors.InvalidArgumentError(
                            None, None, f"Shape mismatch: index of slice {i} exceeded limits "
                            f"of shape; index is {index} exceeded {self.dims[0]}")
        expected = self.values.shape if self.counter > 0 else \
            (None if self.dims is None else (None,) + tuple(self.dims[1:]))
        if expected is not None:
            if len(expected) != values.ndim:
                raise errors.InvalidArgumentError(
                    None, None, f"Shape mismatch: expected values rank {len(expected)}, got "
                    f"{values.ndim}")
            for d in range(1, values.ndim):
                if expected[d] is not None and expected[d] != values.shape[d]:
                    raise errors.InvalidArgumentError(
                        None, None, f"Shape mismatch: expected values dim {d} to be "
                        f"{expected[d]}, got {values.shape[d]}")

    def add(self, indices, values, shape):
        indices = np.asarray(indices, np.int64)
        values = np.asarray(values)
        self.check(indices, values, shape)
        values = values.astype(self.dtype)
        if self.counter == 0:
            self.indices, self.values = indices.copy(), values.copy()
            self.counts = np.ones(len(indices), np.int64)
            return
        merged_indices, merged_values, merged_counts = [], [], []
        i = j = 0
        old, new = self.indices, indices
        while i < len(old) or j < len(new):
            if j == len(new) or (i < len(old) and old[i] < new[j]):
                merged_indices.append(old[i])
                merged_values.append(self.values[i])
                merged_counts.append(self.counts[i])
                i += 1
            elif i == len(old) or old[i] > new[j]:
                merged_indices.append(new[j])
                merged_values.append(values[j])
                merged_counts.append(1)
                j += 1
            else:
                merged_indices.append(old[i])
                merged_values.append(self.values[i] + values[j])
                merged_counts.append(self.counts[i] + 1)
                i += 1
                j += 1
        self.indices = np.array(merged_indices, np.int64)
        self.values = np.array(merged_values, self.dtype).reshape(
            (len(merged_indices),) + self.values.shape[1:])
        self.counts = np.array(merged_counts, np.int64)

    def take(self):
        values = self.values
        if self.reduction_type == "MEAN":
            counts = self.counts.reshape((-1,) + (1,) * (values.ndim - 1))
            values = (values / counts).astype(self.dtype)
        if self.dims is None:
            shape = [-1] + list(values.shape[1:])
        else:
            shape = [-1 if d is None else d for d in self.dims]
            for k in range(1, len(shape)):
                if shape[k] < 0 and k < values.ndim:
                    shape[k] = values.shape[k]
        indices = self.indices
        self.indices = self.values = self.counts = None
        return indices, values, np.array(shape, np.int64)


# --- the accumulator ops ---------------------------------------------------------------------
def _accumulator_shape_rule(op_type):
    def rule(*, dtype, shape=None, container="", shared_name="", reduction_type="MEAN"):
        if dtypes.as_dtype(dtype) not in _FLOAT_DTYPES:
            raise TypeError(f"{op_type} requires dtype float16, float32 or float64, got "
                            f"{dtypes.as_dtype(dtype).name}")
        if reduction_type not in _REDUCTIONS:
            raise ValueError(f"Attr 'reduction_type' of '{op_type}' Op passed string "
                             f"'{reduction_type}' not in: \"MEAN\", \"SUM\".")
        handle = dtypes.resource if op_type.startswith("Resource") else dtypes.string
        return [(handle, TensorShape([]))]
    return rule


def _accumulator_kernel(kind):
    def kernel(state, op_name, *, dtype, shape=None, container="", shared_name="",
               reduction_type="MEAN"):
        blocking = state.blocking
        name = blocking.handle_for(op_name, container, shared_name, lambda name: (
            blocking.monitored(kind(dtype, _dims(shape), reduction_type), name)))
        return np.array(name.encode("utf-8"), dtype=object)
    return kernel


for _type, _kind in (("ConditionalAccumulator", DenseAccumulator),
                     ("ResourceConditionalAccumulator", DenseAccumulator),
                     ("SparseConditionalAccumulator", SparseAccumulator)):
    register_op(_type, shape=_accumulator_shape_rule(_type), kernel=_accumulator_kernel(_kind),
                stateful=True, grad=NOT_DIFFERENTIABLE)


def _monitored(state, handle, kind):
    name = handle.item() if isinstance(handle, np.ndarray) else handle
    monitored = state.blocking.get(name)
    if not isinstance(getattr(monitored, "resource", None), kind):
        raise errors.InvalidArgumentError(
            None, None, f"Resource {monitored.name} is not a {kind.__name__}")
    return monitored


def _check_handle(op_type, handle):
    if handle.dtype not in (dtypes.resource, dtypes.string):
        raise TypeError(f"{op_type} requires an accumulator handle, got {handle.dtype.name}")


def _check_scalar(op_type, tensor, what, dtype):
    if tensor.dtype != dtype:
        raise TypeError(f"{op_type} requires {what} of type {dtype.name}, got "
                        f"{tensor.dtype.name}")
    if tensor.shape.ndims not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {tensor.shape.ndims} for "
                         f"'{op_type}' ({what}) with input shape {tensor.shape}")


def accumulator_shape(handle):
    """The shape the accumulator op making `handle` declares (unknown when not known while
    building)."""
    shape = handle.op.attrs.get("shape") if "reduction_type" in handle.op.attrs else None
    return unknown_shape() if shape is None else TensorShape(shape)


# apply
def _apply_shape_rule(op_type):
    def rule(handle, local_step, gradient, *, dtype):
        _check_handle(op_type, handle)
        _check_scalar(op_type, local_step, "local_step", dtypes.int64)
        if gradient.dtype != dtypes.as_dtype(dtype):
            raise TypeError(f"{op_type} requires a gradient of type {dtypes.as_dtype(dtype).name}"
                            f", got {gradient.dtype.name}")
        return []
    return rule


def _apply_kernel(state, op_name, handle, local_step, gradient, *, dtype):
    monitored = _monitored(state, handle, DenseAccumulator)
    with monitored.locked() as accumulator:
        accumulator.apply(local_step, gradient)
        accumulator.flush()
        monitored.notify_all()
    return ()


# take
def _take(monitored, num_required):
    num_required = int(num_required)
    if num_required <= 0:
        raise errors.InvalidArgumentError(
            None, None, f"Argument num_required must be positive, but was {num_required}")
    attempt = TakeAttempt(num_required)
    with monitored.locked() as accumulator:
        accumulator.takes.append(attempt)
        try:
            while True:
                accumulator.flush()
                if attempt.result is not None:
                    break
                monitored.wait()
        except (errors.CancelledError, errors.DeadlineExceededError):
            if attempt.result is None:
                accumulator.takes.remove(attempt)
                raise
        finally:
            monitored.notify_all()
    return attempt.result


def _take_shape_rule(op_type):
    def rule(handle, num_required, *, dtype):
        _check_handle(op_type, handle)
        _check_scalar(op_type, num_required, "num_required", dtypes.int32)
        return [(dtypes.as_dtype(dtype), accumulator_shape(handle))]
    return rule


def _take_kernel(state, op_name, handle, num_required, *, dtype):
    return _take(_monitored(state, handle, DenseAccumulator), num_required)


# num_accumulated, set_global_step (both kinds)
def _num_shape_rule(op_type):
    def rule(handle):
        _check_handle(op_type, handle)
        return [(dtypes.int32, TensorShape([]))]
    return rule


def _num_kernel(state, op_name, handle):
    monitored = _monitored(state, handle, Accumulator)
    with monitored.locked() as accumulator:
        return np.array(accumulator.counter, np.int32)


def _set_step_shape_rule(op_type):
    def rule(handle, new_global_step):
        _check_handle(op_type, handle)
        _check_scalar(op_type, new_global_step, "new_global_step", dtypes.int64)
        return []
    return rule


def _set_step_kernel(state, op_name, handle, new_global_step):
    monitored = _monitored(state, handle, Accumulator)
    with monitored.locked() as accumulator:
        accumulator.set_global_step(new_global_step)
    return ()


for _prefix in ("", "Resource"):
    for _name, _rule, _kernel in (
            ("AccumulatorApplyGradient", _apply_shape_rule, _apply_kernel),
            ("AccumulatorTakeGradient", _take_shape_rule, _take_kernel),
            ("AccumulatorNumAccumulated", _num_shape_rule, _num_kernel),
            ("AccumulatorSetGlobalStep", _set_step_shape_rule, _set_step_kernel)):
        register_op(_prefix + _name, shape=_rule(_prefix + _name), kernel=_kernel,
                    stateful=True, grad=NOT_DIFFERENTIABLE)


# sparse apply and take
def _sparse_apply_shape(handle, local_step, gradient_indices, gradient_values, gradient_shape,
                        *, dtype, has_known_shape):
    op_type = "SparseAccumulatorApplyGradient"
    _check_handle(op_type, handle)
    _check_scalar(op_type, local_step, "local_step", dtypes.int64)
    if gradient_indices.dtype != dtypes.int64 or gradient_shape.dtype != dtypes.int64:
        raise TypeError(f"{op_type} requires int64 gradient_indices and gradient_shape, got "
                        f"{gradient_indices.dtype.name} and {gradient_shape.dtype.name}")
    if gradient_values.dtype != dtypes.as_dtype(dtype):
        raise TypeError(f"{op_type} requires gradient_values of type "
                        f"{dtypes.as_dtype(dtype).name}, got {gradient_values.dtype.name}")
    if gradient_indices.shape.ndims not in (None, 1):
        raise ValueError(f"Shape must be rank 1 but is rank {gradient_indices.shape.ndims} for "
                         f"'{op_type}' (gradient_indices)")
    return []


def _sparse_apply_kernel(state, op_name, handle, local_step, gradient_indices, gradient_values,
                         gradient_shape, *, dtype, has_known_shape):
    monitored = _monitored(state, handle, SparseAccumulator)
    shape = np.asarray(gradient_shape).tolist() if has_known_shape else None
    with monitored.locked() as accumulator:
        accumulator.apply(local_step, gradient_indices, gradient_values, shape)
        accumulator.flush()
        monitored.notify_all()
    return ()


def _sparse_take_shape(handle, num_required, *, dtype):
    op_type = "SparseAccumulatorTakeGradient"
    _check_handle(op_type, handle)
    _check_scalar(op_type, num_required, "num_required", dtypes.int32)
    shape = accumulator_shape(handle)
    if not shape.ndims:  # unknown, or () (SyncReplicasOptimizer's): any rank
        return [(dtypes.int64, TensorShape([None])), (dtypes.as_dtype(dtype), unknown_shape()),
                (dtypes.int64, TensorShape([None]))]
    return [(dtypes.int64, TensorShape([None])),
            (dtypes.as_dtype(dtype), TensorShape([None]).concatenate(shape[1:])),
            (dtypes.int64, TensorShape([shape.ndims]))]


def _sparse_take_kernel(state, op_name, handle, num_required, *, dtype):
    return tuple(_take(_monitored(state, handle, SparseAccumulator), num_required))


register_op("SparseAccumulatorApplyGradient", shape=_sparse_apply_shape,
            kernel=_sparse_apply_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("SparseAccumulatorTakeGradient", shape=_sparse_take_shape,
            kernel=_sparse_take_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)


# --- builders (tensorweave/accumulators.py checks the arguments and names the ops) ----------
def accumulator(op_type, dtype, shape, shared_name, reduction_type, name):
    """The handle of a new accumulator op ("ResourceConditionalAccumulator",
    "ConditionalAccumulator" or "SparseConditionalAccumulator")."""
    return create_op(op_type, [], name=name, dtype=dtypes.as_dtype(dtype),
                     shape=unknown_shape() if shape is None else TensorShape(shape),
                     container="", shared_name=shared_name or "",
                     reduction_type=reduction_type).outputs[0]


def _prefix(handle):
    return "Resource" if handle.dtype == dtypes.resource else ""


def apply_gradient(handle, local_step, gradient, name=None):
    op_type = _prefix(handle) + "AccumulatorApplyGradient"
    return create_op(op_type, [handle, local_step, gradient], name=name or op_type,
                     dtype=gradient.dtype)


def take_gradient(handle, num_required, dtype, name=None):
    op_type = _prefix(handle) + "AccumulatorTakeGradient"
    return create_op(op_type, [handle, num_required], name=name or op_type,
                     dtype=dtypes.as_dtype(dtype)).outputs[0]


def num_accumulated(handle, name):
    op_type = _prefix(handle) + "AccumulatorNumAccumulated"
    return create_op(op_type, [handle], name=name).outputs[0]


def set_global_step(handle, new_global_step, name=None):
    op_type = _prefix(handle) + "AccumulatorSetGlobalStep"
    return create_op(op_type, [handle, new_global_step], name=name or op_type)


def sparse_apply_gradient(handle, local_step, indices, values, shape, has_known_shape,
                          name=None):
    return create_op("SparseAccumulatorApplyGradient", [handle, local_step, indices, values,
                                                        shape],
                     name=name or "SparseAccumulatorApplyGradient", dtype=values.dtype,
                     has_known_shape=bool(has_known_shape))


def sparse_take_gradient(handle, num_required, dtype, name=None):
    """The (indices, values, shape) tensors of a SparseAccumulatorTakeGradient op."""
    return create_op("SparseAccumulatorTakeGradient", [handle, num_required],
                     name=name or "SparseAccumulatorTakeGradient",
                     dtype=dtypes.as_dtype(dtype)).outputs
