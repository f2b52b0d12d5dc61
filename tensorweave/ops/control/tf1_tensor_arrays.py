"""TensorFlow's TensorArray ops as graphs TensorFlow writes them (TensorArrayV3 and the ops on its
handle), so that dynamic_rnn, map_fn and scan written by TensorFlow 1 import and run.

tensorweave's own tf.TensorArray passes its elements along as the value of its flow
(ops/tensor_array_ops.py). TensorFlow's ops instead share one array through a handle and pass
a dummy float `flow` only to order the ops. Here the handle's value is a `HandleArray` made
each time TensorArrayV3 runs (so it lives for one run, as TensorFlow's step resources do);
writes change it, and the flow is a float 0 as in TensorFlow. A gradient array
(TensorArrayGradV3) belongs to its forward array, one per `source`, and sums the writes to an
index, as TensorFlow's gradient arrays do. None of the ops is folded.

Their gradient rules are TensorFlow's: the gradient of a read is a write into the gradient
array of the `gradients` scope the gradient is built in, that of a write is a read from it
(gather and scatter, concat and split likewise); the flows order them. (TensorFlow also makes
the gradient of a write wait for the write's own flow; a gradient here runs after the
forward ops anyway, and inside a loop's gradient that wait would run the write again.)
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.errors import InvalidArgumentError
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, as_shape, unknown_shape


class HandleArray:
    """The elements of one TensorArray while a run lasts."""

    __slots__ = ("name", "dtype", "element_shape", "dynamic_size", "clear_after_read",
                 "identical", "elements", "cleared", "aggregates", "grads", "closed")

    def __init__(self, name, dtype, size, element_shape, dynamic_size, clear_after_read,
                 identical, aggregates=False):
        self.name = name
        self.dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))  # kernels get NumPy's
        self.element_shape = element_shape
        self.dynamic_size = dynamic_size
        self.clear_after_read = clear_after_read
        self.identical = identical  # every element has one shape (the first written's)
        self.elements = [None] * size
        self.cleared = [False] * size
        self.aggregates = aggregates  # a gradient array: writes to one index are summed
        self.grads = {}
        self.closed = False

    def _fail(self, message):
        raise InvalidArgumentError(None, None, f"TensorArray {self.name}: {message}")

    def write(self, index, value):
        value = np.asarray(value, dtype=self.dtype)
        if index < 0:
            self._fail(f"Tried to write to index {index} but array is not resizeable and "
                       f"size is: {len(self.elements)}")
        if index >= len(self.elements):
            if not self.dynamic_size:
                self._fail(f"Tried to write to index {index} but array is not resizeable and "
                           f"size is: {len(self.elements)}")
            grow = index + 1 - len(self.elements)
            self.elements += [None] * grow
            self.cleared += [False] * grow
        if not self.element_shape.is_compatible_with(TensorShape(value.shape)):
            self._fail(f"Could not write to TensorArray index {index} because the value shape "
                       f"is {TensorShape(value.shape)} which is incompatible with the "
                       f"TensorArray's inferred element shape: {self.element_shape} "
                       "(consider setting infer_shape=False).")
        if self.identical:
            self.element_shape = TensorShape(value.shape)
        old = self.elements[index]
        if old is not None:
            if not self.aggregates:
                self._fail(f"Could not write to TensorArray index {index} because it has "
                           "already been written to.")
            value = old + value
        self.elements[index] = value
        self.cleared[index] = False

    def read(self, index):
        if not 0 <= index < len(self.elements):
            self._fail(f"Tried to read from index {index} but array size is: "
                       f"{len(self.elements)}")
        value = self.elements[index]
        if value is None:
            if self.cleared[index]:
                self._fail(f"Could not read index {index} twice because it was cleared after "
                           "a previous read (perhaps try setting clear_after_read = false?)")
            if not self.element_shape.is_fully_defined():
                self._fail(f"Could not read from TensorArray index {index} because it has not "
                           "yet been written to.")
            return np.zeros(self.element_shape.as_tuple(), self.dtype)
        if self.clear_after_read and not self.aggregates:
            self.elements[index] = None
            self.cleared[index] = True
        return value

    def stacked(self, values, what):
        if values:
            shapes = {v.shape for v in values}
            if len(shapes) > 1:
                self._fail(f"Could not {what}: elements have shapes {sorted(shapes)}")
            return np.stack(values)
        if not self.element_shape.is_fully_defined():
            self._fail(f"TensorArray has size zero, but element shape {self.element_shape} is "
                       "not fully defined. Currently only static shapes are supported when "
                       "packing zero-size TensorArrays.")
        return np.zeros((0,) + self.element_shape.as_tuple(), self.dtype)


def _array(handle, op_type):
    if not isinstance(handle, HandleArray):
        raise InvalidArgumentError(None, None, f"{op_type} needs a TensorArray handle made by "
                                               f"TensorArrayV3, got {type(handle).__name__}")
    if handle.closed:
        raise InvalidArgumentError(None, None, f"{op_type}: TensorArray {handle.name} has "
                                               "already been closed.")
    return handle


_FLOW = (dtypes.float32, TensorShape([]))
_HANDLE = (dtypes.resource, TensorShape([2]))


def _flow():
    return np.zeros((), np.float32)


def _check_scalar(t, dtype, what, op_type):
    if t.dtype is not dtype or t.shape.ndims not in (None, 0):
        raise ValueError(f"{op_type} requires a scalar {dtype.name} {what}, got "
                         f"{t.dtype.name} of shape {t.shape}")


def _element_shape(element_shape):
    return unknown_shape() if element_shape is None else as_shape(element_shape)


# --- making one -------------------------------------------------------------------------------
def _new_shape(size, *, dtype, element_shape=None, dynamic_size=False, clear_after_read=True,
               identical_element_shapes=False, tensor_array_name=""):
    _check_scalar(size, dtypes.int32, "size", "TensorArrayV3")
    return [_HANDLE, _FLOW]


def _new_kernel(size, *, dtype, element_shape=None, dynamic_size=False, clear_after_read=True,
                identical_element_shapes=False, tensor_array_name=""):
    if int(size) < 0:
        raise InvalidArgumentError(None, None, f"Size should be >= 0, got {int(size)}")
    array = HandleArray(tensor_array_name or "TensorArray", dtype, int(size),
                        _element_shape(element_shape), dynamic_size, clear_after_read,
                        identical_element_shapes)
    return array, _flow()


register_op("TensorArrayV3", shape=_new_shape, kernel=_new_kernel, grad=NOT_DIFFERENTIABLE,
            foldable=False)


def _grad_shape(handle, flow_in, *, source):
    return [_HANDLE, _FLOW]


def _grad_kernel(handle, flow_in, *, source):
    forward = _array(handle, "TensorArrayGradV3")
    grad = forward.grads.get(source)
    if grad is None:
        grad = forward.grads[source] = HandleArray(
            f"{forward.name}@{source}", forward.dtype, len(forward.elements),
            forward.element_shape, False, True, forward.identical, aggregates=True)
    return grad, _flow()


register_op("TensorArrayGradV3", shape=_grad_shape, kernel=_grad_kernel,
            grad=NOT_DIFFERENTIABLE, foldable=False)


# --- gradients ----------------------------------------------------------------------------------
def gradient_source(t):
    """The name scope of the tf.gradients call `t` was built in ('gradients', 'gradients_1',
    ...), which names the gradient array (TensorFlow's _GetGradSource)."""
    parts = t.name.split("/")
    marks = [i for i, part in enumerate(parts) if part.startswith("gradients")]
    return "/".join(parts[:marks[-1] + 1]) if marks else "gradients"


def _gradient_array(handle, flow, source):
    """(handle, flow) of the gradient array of `handle` for `source`."""
    return create_op("TensorArrayGradV3", [handle, flow], source=source).outputs


def _read_grad(op, dy):
    handle, index, flow = op.inputs
    grad, grad_flow = _gradient_array(handle, flow, gradient_source(dy))
    return [None, None, create_op("TensorArrayWriteV3", [grad, index, dy, grad_flow]).outputs[0]]


def _write_grad(op, dflow):
    handle, index = op.inputs[:2]
    grad, grad_flow = _gradient_array(handle, dflow, gradient_source(dflow))
    value = create_op("TensorArrayReadV3", [grad, index, grad_flow],
                      dtype=op.inputs[2].dtype).outputs[0]
    return [None, None, value, dflow]


def _gather_grad(op, dy):
    handle, indices, flow = op.inputs
    grad, grad_flow = _gradient_array(handle, flow, gradient_source(dy))
    return [None, None,
            create_op("TensorArrayScatterV3", [grad, indices, dy, grad_flow]).outputs[0]]


def _scatter_grad(op, dflow):
    handle, indices = op.inputs[:2]
    grad, grad_flow = _gradient_array(handle, dflow, gradient_source(dflow))
    value = create_op("TensorArrayGatherV3", [grad, indices, grad_flow],
                      dtype=op.inputs[2].dtype).outputs[0]
    return [None, None, value, dflow]


def _concat_grad(op, dy, dlengths):
    handle, flow = op.inputs
    grad, grad_flow = _gradient_array(handle, flow, gradient_source(dy))
    lengths = op.outputs[1]
    return [None, create_op("TensorArraySplitV3", [grad, dy, lengths, grad_flow]).outputs[0]]


def _split_grad(op, dflow):
    handle = op.inputs[0]
    grad, grad_flow = _gradient_array(handle, dflow, gradient_source(dflow))
    value = create_op("TensorArrayConcatV3", [grad, grad_flow],
                      dtype=op.inputs[1].dtype).outputs[0]
    return [None, value, None, dflow]


# --- writing ----------------------------------------------------------------------------------
def _write_shape(handle, index, value, flow_in):
    _check_scalar(index, dtypes.int32, "index", "TensorArrayWriteV3")
    return [_FLOW]


def _write_kernel(handle, index, value, flow_in):
    _array(handle, "TensorArrayWriteV3").write(int(index), value)
    return _flow()


register_op("TensorArrayWriteV3", shape=_write_shape, kernel=_write_kernel, grad=_write_grad,
            foldable=False)


def _scatter_shape(handle, indices, value, flow_in):
    if indices.dtype is not dtypes.int32 or indices.shape.ndims not in (None, 1):
        raise ValueError(f"TensorArrayScatterV3 requires int32 indices of rank 1, got "
                         f"{indices.dtype.name} of shape {indices.shape}")
    return [_FLOW]


def _scatter_kernel(handle, indices, value, flow_in):
    array = _array(handle, "TensorArrayScatterV3")
    value = np.asarray(value)
    if value.ndim == 0 or value.shape[0] != len(indices):
        raise InvalidArgumentError(None, None, f"Expected len(indices) == values.shape[0], but "
                                               f"saw: {len(indices)} vs. "
                                               f"{value.shape[0] if value.ndim else 0}")
    for k, index in enumerate(np.asarray(indices).reshape(-1)):
        array.write(int(index), value[k])
    return _flow()


register_op("TensorArrayScatterV3", shape=_scatter_shape, kernel=_scatter_kernel,
            grad=_scatter_grad,
            foldable=False)


def _split_shape(handle, value, lengths, flow_in):
    return [_FLOW]


def _split_kernel(handle, value, lengths, flow_in):
    array = _array(handle, "TensorArraySplitV3")
    value, lengths = np.asarray(value), np.asarray(lengths).reshape(-1)
    if value.ndim == 0 or int(lengths.sum()) != value.shape[0]:
        raise InvalidArgumentError(None, None, "Expected sum of lengths to be equal to "
                                               "values.shape[0]")
    start = 0
    for k, length in enumerate(lengths):
        array.write(k, value[start:start + int(length)])
        start += int(length)
    return _flow()


register_op("TensorArraySplitV3", shape=_split_shape, kernel=_split_kernel, grad=_split_grad,
            foldable=False)


# --- reading ----------------------------------------------------------------------------------
def _read_shape(handle, index, flow_in, *, dtype):
    _check_scalar(index, dtypes.int32, "index", "TensorArrayReadV3")
    return [(dtype, unknown_shape())]


def _read_kernel(handle, index, flow_in, *, dtype):
    return _array(handle, "TensorArrayReadV3").read(int(index))


register_op("TensorArrayReadV3", shape=_read_shape, kernel=_read_kernel, grad=_read_grad,
            foldable=False, shares_memory=True)


def _gather_shape(handle, indices, flow_in, *, dtype, element_shape=None):
    shape = _element_shape(element_shape)
    rows = indices.shape[0] if indices.shape.ndims == 1 else None
    return [(dtype, TensorShape([rows]).concatenate(shape))]


def _gather_kernel(handle, indices, flow_in, *, dtype, element_shape=None):
    array = _array(handle, "TensorArrayGatherV3")
    values = [array.read(int(i)) for i in np.asarray(indices).reshape(-1)]
    return array.stacked(values, "gather")


register_op("TensorArrayGatherV3", shape=_gather_shape, kernel=_gather_kernel,
            grad=_gather_grad,
            foldable=False)


def _concat_shape(handle, flow_in, *, dtype, element_shape_except0=None):
    rest = _element_shape(element_shape_except0)
    return [(dtype, TensorShape([None]).concatenate(rest)
             if rest.ndims is not None else unknown_shape()),
            (dtypes.int64, TensorShape([None]))]


def _concat_kernel(handle, flow_in, *, dtype, element_shape_except0=None):
    array = _array(handle, "TensorArrayConcatV3")
    values = [array.read(i) for i in range(len(array.elements))]
    lengths = np.array([v.shape[0] for v in values], np.int64)
    if not values:
        rest = _element_shape(element_shape_except0)
        if not rest.is_fully_defined():
            array.stacked([], "concat")
        return np.zeros((0,) + rest.as_tuple(), array.dtype), lengths
    return np.concatenate(values), lengths


register_op("TensorArrayConcatV3", shape=_concat_shape, kernel=_concat_kernel,
            grad=_concat_grad,
            foldable=False)


def _size_shape(handle, flow_in):
    return [(dtypes.int32, TensorShape([]))]


def _size_kernel(handle, flow_in):
    return np.array(len(_array(handle, "TensorArraySizeV3").elements), np.int32)


register_op("TensorArraySizeV3", shape=_size_shape, kernel=_size_kernel,
            grad=NOT_DIFFERENTIABLE, foldable=False)


def _close_kernel(handle):
    _array(handle, "TensorArrayCloseV3").closed = True
    return ()


register_op("TensorArrayCloseV3", shape=lambda handle: [], kernel=_close_kernel,
            grad=NOT_DIFFERENTIABLE, foldable=False)
