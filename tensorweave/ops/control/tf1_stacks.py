"""TensorFlow's stacks (StackV2, StackPushV2, StackPopV2, StackCloseV2), with which the gradient
loops TensorFlow 1 writes read the values of the forward loop: each forward iteration pushes,
each gradient iteration pops, so the pops see the pushes in reverse order.

A stack lives for one run, as in TensorFlow (its step container): StackV2's value is a new
`Stack` each time the op runs, and that object is the handle the other ops receive (through a
While's captured inputs too). The ops are never folded, so each run gets its own stack.
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.errors import InvalidArgumentError
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape


class Stack:
    """A stack of arrays of one dtype, at most `max_size` of them (-1: no limit)."""

    __slots__ = ("name", "dtype", "max_size", "items", "closed")

    def __init__(self, name, dtype, max_size):
        self.name = name
        self.dtype = dtype
        self.max_size = max_size
        self.items = []
        self.closed = False

    def check_open(self, op_type):
        if self.closed:
            raise InvalidArgumentError(None, None, f"{op_type}: stack '{self.name}' has "
                                                   "already been closed.")

    def __repr__(self):
        return f"<Stack '{self.name}' of {len(self.items)} {np.dtype(self.dtype).name}>"


def _handle(handle, op_type):
    if not isinstance(handle, Stack):
        raise InvalidArgumentError(None, None, f"{op_type} needs a stack handle made by "
                                               f"StackV2, got {type(handle).__name__}")
    handle.check_open(op_type)
    return handle


def _stack_shape(max_size, *, elem_type, stack_name=""):
    if max_size.dtype is not dtypes.int32 or max_size.shape.ndims not in (None, 0):
        raise ValueError(f"StackV2 requires a scalar int32 max_size, got {max_size.dtype.name} "
                         f"of shape {max_size.shape}")
    return [(dtypes.resource, TensorShape([]))]


def _stack_kernel(max_size, *, elem_type, stack_name=""):
    return Stack(stack_name or "stack", elem_type, int(max_size))


register_op("StackV2", shape=_stack_shape, kernel=_stack_kernel, grad=NOT_DIFFERENTIABLE,
            foldable=False)


def _push_shape(handle, elem, *, swap_memory=False):
    return [(elem.dtype, elem.shape)]


def _push_kernel(handle, elem, *, swap_memory=False):
    stack = _handle(handle, "StackPushV2")
    if stack.max_size >= 0 and len(stack.items) >= stack.max_size:
        raise InvalidArgumentError(None, None, f"Stack[{stack.name}] overflowed its max_size "
                                               f"({stack.max_size})")
    stack.items.append(elem)
    return elem


register_op("StackPushV2", shape=_push_shape, kernel=_push_kernel, grad=NOT_DIFFERENTIABLE,
            foldable=False, shares_memory=True)


def _pop_shape(handle, *, elem_type):
    return [(elem_type, unknown_shape())]


def _pop_kernel(handle, *, elem_type):
    stack = _handle(handle, "StackPopV2")
    if not stack.items:
        raise InvalidArgumentError(None, None, "Stack is empty.")
    return stack.items.pop()


register_op("StackPopV2", shape=_pop_shape, kernel=_pop_kernel, grad=NOT_DIFFERENTIABLE,
            foldable=False, shares_memory=True)


def _close_kernel(handle):
    _handle(handle, "StackCloseV2").closed = True
    return ()


register_op("StackCloseV2", shape=lambda handle: [], kernel=_close_kernel,
            grad=NOT_DIFFERENTIABLE, foldable=False)
