"""tf.TensorArray: a list of tensors that loops write and read, with gradients.

A TensorArray flows through the graph as its `flow` tensor (a float32 scalar to the graph, as
in TensorFlow) whose run-time value is a `TensorList`. No op changes a TensorList: a write
returns a new one, so a TensorArray passes through tf.cond and tf.while_loop like any value.
The gradient of a flow is a sparse TensorList of element gradients (missing elements are 0).

    ta = tf.TensorArray(tf.float32, size=3)
    ta = ta.write(0, x)          # a new TensorArray; `ta.flow` is the new flow tensor
    stacked = ta.unstack(xs).stack()
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, constant_value, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, as_shape, unknown_shape
from tensorweave.ops import array
from tensorweave.ops.control.grouping import no_op

_FLOW = (dtypes.float32, TensorShape([]))


class TensorList:
    """The value of a TensorArray at run time: `size` (None for a gradient) and the written
    elements {index: array}. Adding two TensorLists adds them elementwise."""

    __slots__ = ("size", "items")

    def __init__(self, size, items):
        self.size = size
        self.items = items

    def __add__(self, other):
        if not isinstance(other, TensorList):
            return NotImplemented
        items = dict(self.items)
        for i, value in other.items.items():
            items[i] = items[i] + value if i in items else value
        sizes = [s for s in (self.size, other.size) if s is not None]
        return TensorList(max(sizes) if sizes else None, items)

    __radd__ = __add__

    def zeros_like(self):
        """The zero gradient: a TensorList without elements."""
        return TensorList(self.size, {})

    def __repr__(self):
        return f"TensorList(size={self.size}, written={sorted(self.items)})"


def _check_index(index, op_type):
    if not index.dtype.is_integer or index.shape.ndims not in (None, 0):
        raise ValueError(f"{op_type} requires a scalar integer index, got {index.dtype.name} "
                         f"of shape {index.shape}")


def _check_indices(indices, op_type):
    if not indices.dtype.is_integer or indices.shape.ndims not in (None, 1):
        raise ValueError(f"{op_type} requires a vector of integer indices, got "
                         f"{indices.dtype.name} of shape {indices.shape}")


def _known(shape):
    """`shape` (a tuple from an attr, or None) if every dimension is known, else None."""
    return shape if shape is not None and None not in shape else None


def _element(lst, i, shape, dtype, what):
    """Element i of TensorList `lst`; unwritten elements are zeros when their shape is known."""
    value = lst.items.get(i)
    if value is not None:
        return value
    shape = _known(shape) or next((np.shape(v) for v in lst.items.values()), None)
    if shape is None:
        raise ValueError(f"Could not {what} TensorArray index {i}: it has not been written to, "
                         "and the element shape is not fully defined. Set element_shape on "
                         "the TensorArray to read unwritten elements as zeros.")
    return np.zeros(shape, dtype=dtype)


def _store(lst, indices, values, dynamic_size):
    """A new TensorList: `lst` with values[k] written at indices[k] (TensorFlow's checks)."""
    size = lst.size
    items = dict(lst.items)
    first = next(iter(items.values()), None)
    for i, value in zip(indices, values):
        i = int(i)
        if i < 0:
            raise IndexError(f"Tried to write to index {i} of a TensorArray")
        if i >= size:
            if not dynamic_size:
                raise IndexError(f"Tried to write to index {i} but array is not resizeable and "
                                 f"size is: {size}")
            size = i + 1
        if i in items:
            raise ValueError(f"Could not write to TensorArray index {i} because it has already "
                             "been written to.")
        # np.shape: a string scalar may be bare bytes (a row of a string vector)
        if first is not None and np.shape(first) != np.shape(value):
            raise ValueError(f"Could not write to TensorArray index {i} because the value "
                             f"shape is {list(np.shape(value))} which is incompatible with the "
                             f"TensorArray's inferred element shape: {list(np.shape(first))}")
        first = value if first is None else first
        items[i] = value
    return TensorList(size, items)


# --- creating, writing, reading -------------------------------------------------------------
def _new_shape(size, *, dtype, element_shape, dynamic_size):
    _check_index(size, "TensorArray")
    return [_FLOW]


def _new_kernel(size, *, dtype, element_shape, dynamic_size):
    return TensorList(int(size), {})


register_op("TensorArray", shape=_new_shape, kernel=_new_kernel, grad=NOT_DIFFERENTIABLE)


def _write_shape(flow, index, value, *, dynamic_size):
    _check_index(index, "TensorArrayWrite")
    return [_FLOW]


def _write_kernel(flow, index, value, *, dynamic_size):
    return _store(flow, [index], [value], dynamic_size)


def _write_grad(op, dflow):
    flow, index, value = op.inputs
    return [dflow, None, pick(dflow, index, value)]


register_op("TensorArrayWrite", shape=_write_shape, kernel=_write_kernel, grad=_write_grad,
            shares_memory=True)


def _scatter_shape(flow, indices, value, *, dynamic_size):
    _check_indices(indices, "TensorArrayScatter")
    return [_FLOW]


def _scatter_kernel(flow, indices, value, *, dynamic_size):
    if len(indices) != len(value):
        raise ValueError(f"TensorArrayScatter requires one row of value per index, got "
                         f"{len(indices)} indices and value of shape {list(value.shape)}")
    return _store(flow, indices, value, dynamic_size)


register_op("TensorArrayScatter", shape=_scatter_shape, kernel=_scatter_kernel,
            grad=_write_grad, shares_memory=True)


def _read_shape(flow, index, *, dtype, element_shape):
    _check_index(index, "TensorArrayRead")
    return [(dtype, element_shape)]


def _read_kernel(flow, index, *, dtype, element_shape):
    i = int(index)
    if not 0 <= i < flow.size:
        raise IndexError(f"Tried to read from index {i} but array size is: {flow.size}")
    return _element(flow, i, element_shape, dtype, "read from")


def _read_grad(op, dy):
    return [place(op.inputs[1], dy), None]


register_op("TensorArrayRead", shape=_read_shape, kernel=_read_kernel, grad=_read_grad,
            shares_memory=True)


def _gather_shape(flow, indices, *, dtype, element_shape):
    _check_indices(indices, "TensorArrayGather")
    n = indices.shape[0].value if indices.shape.ndims == 1 else None
    return [(dtype, TensorShape([n]).concatenate(element_shape))]


def _gather_kernel(flow, indices, *, dtype, element_shape):
    for i in indices:
        if not 0 <= i < flow.size:
            raise IndexError(f"Tried to gather index {int(i)} but array size is: {flow.size}")
    if not len(indices):
        shape = _known(element_shape) or next((np.shape(v) for v in flow.items.values()), None)
        if shape is None:
            raise ValueError("TensorArray has size zero, but element shape <unknown> is not "
                             "fully defined. Set element_shape to stack an empty TensorArray.")
        return np.zeros((0,) + tuple(shape), dtype=dtype)
    return np.stack([_element(flow, int(i), element_shape, dtype, "gather")
                     for i in indices]).astype(dtype, copy=False)


register_op("TensorArrayGather", shape=_gather_shape, kernel=_gather_kernel,
            grad=_read_grad)


def _size_shape(flow):
    return [(dtypes.int32, TensorShape([]))]


def _size_kernel(flow):
    return np.array(flow.size, dtype=np.int32)


register_op("TensorArraySize", shape=_size_shape, kernel=_size_kernel, grad=NOT_DIFFERENTIABLE)


# --- gradient helpers: sparse TensorLists and dense slices of them ------------------------------
def _place_shape(indices, values):
    return [_FLOW]


def _place_kernel(indices, values):
    if np.ndim(indices) == 0:
        return TensorList(None, {int(indices): values})
    items = {}
    for i, value in zip(indices, values):
        i = int(i)
        items[i] = items[i] + value if i in items else value
    return TensorList(None, items)


def _place_grad(op, dlist):
    indices, values = op.inputs
    return [None, pick(dlist, indices, values)]


register_op("TensorArrayPlace", shape=_place_shape, kernel=_place_kernel, grad=_place_grad,
            shares_memory=True)


def _pick_shape(flow, indices, like):
    return [(like.dtype, like.shape)]


def _pick_kernel(flow, indices, like):
    if np.ndim(indices) == 0:
        value = flow.items.get(int(indices))
        return np.zeros_like(like) if value is None else value
    out = np.zeros_like(like)
    for k, i in enumerate(indices):
        value = flow.items.get(int(i))
        if value is not None:
            out[k] = value
    return out


def _pick_grad(op, dy):
    return [place(op.inputs[1], dy), None, None]


register_op("TensorArrayPick", shape=_pick_shape, kernel=_pick_kernel, grad=_pick_grad,
            shares_memory=True)


def place(indices, values, name=None):
    """A gradient TensorList holding values[k] at indices[k] (value at a scalar index)."""
    return create_op("TensorArrayPlace", [indices, values],
                     name=name or "TensorArrayPlace").outputs[0]


def pick(flow, indices, like, name=None):
    """The elements of TensorList `flow` at `indices`, shaped like `like`, zeros if unwritten."""
    return create_op("TensorArrayPick", [flow, indices, like],
                     name=name or "TensorArrayPick").outputs[0]


# --- the TensorArray class --------------------------------------------------------------------
def _int_tensor(value, name):
    if isinstance(value, Tensor):
        return value if value.dtype is dtypes.int32 else array.cast(value, dtypes.int32)
    return convert_to_tensor(value, dtype=dtypes.int32, name=name)


class TensorArray:
    """A list of tensors of one dtype, built functionally: write and scatter return a new
    TensorArray (TF's tf.TensorArray).

    >>> ta = tf.TensorArray(tf.float32, size=2).write(0, [1.0]).write(1, [2.0])
    >>> ta.stack()   # [[1.], [2.]]
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._infer_shape = infer_shape
        # Shared by every TensorArray derived from this one, so shapes learned from writes
        # inside a loop body are known to reads and stacks after the loop (as in TF).
        self._shape_cell = [unknown_shape() if element_shape is None else as_shape(element_shape)]
        if flow is not None:
            self._flow = flow
            return
        if handle is not None:
            raise ValueError("tensorweave TensorArrays are rebuilt from a flow, not a handle")
        if size is None:
            raise ValueError("Size must be provided if handle is not provided")
        with name_scope(name, "TensorArray", [size]) as scope:
            size = _int_tensor(size, "size")
            self._flow = create_op("TensorArray", [size], name=scope[:-1] + "/",
                                   dtype=self._dtype, element_shape=self.element_shape,
                                   dynamic_size=self._dynamic_size).outputs[0]

    # --- properties -------------------------------------------------------------------------
    @property
    def flow(self):
        """The tensor carrying this TensorArray's value through the graph."""
        return self._flow

    @property
    def handle(self):
        return self._flow

    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic_size(self):
        return self._dynamic_size

    @property
    def element_shape(self):
        return self._shape_cell[0]

    def _with_flow(self, flow):
        """This TensorArray's description around another flow tensor."""
        ta = object.__new__(TensorArray)
        ta._dtype, ta._dynamic_size, ta._infer_shape = \
            self._dtype, self._dynamic_size, self._infer_shape
        ta._shape_cell = self._shape_cell
        ta._flow = flow
        return ta

    def _merge_element_shape(self, shape):
        if not self._infer_shape:
            return
        current = self._shape_cell[0]
        if not current.is_compatible_with(shape):
            raise ValueError(f"Inconsistent shapes: saw {shape} but expected {current} (and "
                             "infer_shape=True)")
        self._shape_cell[0] = current.merge_with(shape)

    def _value(self, value):
        if isinstance(value, Tensor):
            if value.dtype is not self._dtype:
                raise TypeError(f"TensorArray dtype is {self._dtype.name} but Op is trying to "
                                f"write dtype {value.dtype.name}.")
            return value
        return convert_to_tensor(value, dtype=self._dtype, name="value")

    # --- elements ---------------------------------------------------------------------------
    def read(self, index, name=None):
        """Element `index` (zeros when unwritten and the element shape is known)."""
        with name_scope(name, "TensorArrayRead", [self._flow]):
            return create_op("TensorArrayRead", [self._flow, _int_tensor(index, "index")],
                             dtype=self._dtype, element_shape=self.element_shape).outputs[0]

    def write(self, index, value, name=None):
        """A TensorArray with `value` written at `index`."""
        with name_scope(name, "TensorArrayWrite", [self._flow, value]):
            value = self._value(value)
            self._merge_element_shape(value.shape)
            flow = create_op("TensorArrayWrite", [self._flow, _int_tensor(index, "index"), value],
                             dynamic_size=self._dynamic_size).outputs[0]
            return self._with_flow(flow)

    def gather(self, indices, name=None):
        """The elements at `indices`, stacked."""
        with name_scope(name, "TensorArrayGather", [self._flow]):
            return create_op("TensorArrayGather", [self._flow, _int_tensor(indices, "indices")],
                             dtype=self._dtype, element_shape=self.element_shape).outputs[0]

    def scatter(self, indices, value, name=None):
        """A TensorArray with value[k] written at indices[k]."""
        with name_scope(name, "TensorArrayScatter", [self._flow, value]):
            value = self._value(value)
            if value.shape.ndims is not None:
                self._merge_element_shape(value.shape[1:])
            flow = create_op("TensorArrayScatter",
                             [self._flow, _int_tensor(indices, "indices"), value],
                             dynamic_size=self._dynamic_size).outputs[0]
            return self._with_flow(flow)

    def stack(self, name=None):
        """All elements stacked along a new first dimension."""
        with name_scope(name, "TensorArrayStack", [self._flow]):
            n = static_size(self)
            indices = array.range_(0, self.size()) if n is None else \
                constant(np.arange(n, dtype=np.int32))
            return self.gather(indices)

    def unstack(self, value, name=None):
        """A TensorArray holding the rows of `value` as its elements."""
        with name_scope(name, "TensorArrayUnstack", [self._flow, value]):
            value = self._value(value)
            rows = value.shape[0].value if value.shape.ndims else None
            indices = constant(np.arange(rows, dtype=np.int32)) if rows is not None else \
                array.range_(0, array.shape(value)[0])
            return self.scatter(indices, value)

    def size(self, name=None):
        """The number of elements, as an int32 scalar tensor."""
        return create_op("TensorArraySize", [self._flow], name=name or "TensorArraySize"
                         ).outputs[0]

    def identity(self):
        """This TensorArray with a new flow tensor."""
        return self._with_flow(array.identity(self._flow))

    def close(self, name=None):
        return no_op(name=name or "TensorArrayClose")

    def concat(self, name=None):
        raise NotImplementedError("TensorArray.concat is not supported by tensorweave yet; use "
                                  "stack() and reshape.")

    def split(self, value, lengths, name=None):
        raise NotImplementedError("TensorArray.split is not supported by tensorweave yet; use "
                                  "unstack().")

    def __repr__(self):
        return f"<tf.TensorArray dtype={self._dtype.name} flow={self._flow.name}>"


def static_size(ta):
    """The number of elements of `ta` if known while building, else None."""
    op = ta.flow.op
    while op.type in ("TensorArrayWrite", "TensorArrayScatter"):
        if op.attrs["dynamic_size"]:
            return None
        op = op.inputs[0].op
    if op.type == "TensorArray" and not op.attrs["dynamic_size"]:
        value = constant_value(op.inputs[0])
        return None if value is None else int(value)
    return None
