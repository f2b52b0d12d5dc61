"""tf.map_fn, tf.scan, tf.foldl and tf.foldr: loops over the first dimension of tensors, built
on tf.while_loop and TensorArrays (so gradients flow through them).

    squares = tf.map_fn(lambda x: x * x, elems)
    sums = tf.scan(lambda a, x: a + x, elems)          # running sums
    total = tf.foldl(lambda a, x: a + x, elems, initializer=0.0)
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array
from tensorweave.util import nest
from tensorweave.ops.control.while_loop import while_loop
from tensorweave.ops.tensor_array_ops import TensorArray


def _elements(elems):
    """The flat list of `elems` as tensors of rank >= 1, their static and dynamic length."""
    flat = [convert_to_tensor(e, name="elem") for e in nest.flatten(elems)]
    if not flat:
        raise ValueError("elems must contain at least one tensor")
    for e in flat:
        if e.shape.ndims == 0:
            raise ValueError(f"Elements in elems must be 1+ dimensional Tensors, not scalars: "
                             f"{e}")
    static = next((e.shape[0].value for e in flat if e.shape.ndims), None)
    n = constant(np.int32(static), name="n") if static is not None else \
        array.shape(flat[0])[0]
    return flat, static, n


def _unstacked(flat, n):
    return [TensorArray(e.dtype, size=n, element_shape=e.shape[1:]).unstack(e) for e in flat]


def _stacked(tas, static):
    out = []
    for ta in tas:
        t = ta.stack()
        t.set_shape(TensorShape([static]).concatenate(ta.element_shape))
        out.append(t)
    return out


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None):
    """[fn(elems[0]), fn(elems[1]), ...] stacked; `elems` may be a nested structure, whose
    slices `fn` receives in that structure. `dtype` gives the structure of fn's output when
    it differs from that of `elems`."""
    if not callable(fn):
        raise TypeError("fn must be callable.")
    with name_scope(name, "map", [e for e in nest.flatten(elems) if isinstance(e, Tensor)]):
        flat, static, n = _elements(elems)
        inputs = _unstacked(flat, n)
        out_structure = elems if dtype is None else dtype
        out_dtypes = [e.dtype for e in flat] if dtype is None else \
            [dtypes.as_dtype(d) for d in nest.flatten(dtype)]
        outputs = [TensorArray(d, size=n, infer_shape=infer_shape) for d in out_dtypes]

        def body(i, tas):
            value = fn(nest.pack_sequence_as(elems, [ta.read(i) for ta in inputs]))
            nest.assert_same_structure(out_structure, value, check_types=False)
            return i + 1, [ta.write(i, v) for ta, v in zip(tas, nest.flatten(value))]

        _, tas = while_loop(lambda i, _: i < n, body, [0, outputs],
                            parallel_iterations=parallel_iterations or 10, back_prop=back_prop,
                            swap_memory=swap_memory)
        return nest.pack_sequence_as(out_structure, _stacked(tas, static))


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """The successive values of `a = fn(a, x)` over the slices x of `elems`, stacked.

    Without `initializer`, `a` starts as the first slice (the last with `reverse`), which is
    also the first output.
    """
    if not callable(fn):
        raise TypeError("fn must be callable.")
    with name_scope(name, "scan", [e for e in nest.flatten(elems) if isinstance(e, Tensor)]):
        flat, static, n = _elements(elems)
        inputs = _unstacked(flat, n)
        first = n - 1 if reverse else 0
        if initializer is None:
            a_structure = elems
            a = [ta.read(first) for ta in inputs]
        else:
            a_structure = initializer
            a = [convert_to_tensor(v) for v in nest.flatten(initializer)]
        outputs = [TensorArray(v.dtype, size=n, infer_shape=infer_shape,
                               element_shape=v.shape if infer_shape else None) for v in a]
        start = 0
        if initializer is None:
            outputs = [ta.write(first, v) for ta, v in zip(outputs, a)]
            start = 1
        i0 = n - 1 - start if reverse else start

        def body(i, a, tas):
            x = nest.pack_sequence_as(elems, [ta.read(i) for ta in inputs])
            value = fn(nest.pack_sequence_as(a_structure, a), x)
            nest.assert_same_structure(a_structure, value, check_types=False)
            a = [convert_to_tensor(v) for v in nest.flatten(value)]
            return (i - 1 if reverse else i + 1), a, [ta.write(i, v) for ta, v in zip(tas, a)]

        def cond(i, a, tas):
            return i >= 0 if reverse else i < n

        _, _, tas = while_loop(cond, body, [i0, a, outputs],
                               parallel_iterations=parallel_iterations, back_prop=back_prop,
                               swap_memory=swap_memory)
        return nest.pack_sequence_as(a_structure, _stacked(tas, static))


def _fold(fn, elems, initializer, reverse, parallel_iterations, back_prop, swap_memory, name,
          default_name):
    if not callable(fn):
        raise TypeError("fn must be callable.")
    with name_scope(name, default_name,
                    [e for e in nest.flatten(elems) if isinstance(e, Tensor)]):
        flat, static, n = _elements(elems)
        inputs = _unstacked(flat, n)
        if initializer is None:
            a_structure = elems
            a = [ta.read(n - 1 if reverse else 0) for ta in inputs]
            i0 = n - 2 if reverse else 1
        else:
            a_structure = initializer
            a = [convert_to_tensor(v) for v in nest.flatten(initializer)]
            i0 = n - 1 if reverse else 0

        def body(i, a):
            x = nest.pack_sequence_as(elems, [ta.read(i) for ta in inputs])
            value = fn(nest.pack_sequence_as(a_structure, a), x)
            nest.assert_same_structure(a_structure, value, check_types=False)
            return (i - 1 if reverse else i + 1), [convert_to_tensor(v)
                                                   for v in nest.flatten(value)]

        def cond(i, a):
            return i >= 0 if reverse else i < n

        _, a = while_loop(cond, body, [i0, a], parallel_iterations=parallel_iterations,
                          back_prop=back_prop, swap_memory=swap_memory)
        return nest.pack_sequence_as(a_structure, a)


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """`a = fn(a, x)` over the slices of `elems` from the first; returns the final `a`."""
    return _fold(fn, elems, initializer, False, parallel_iterations, back_prop, swap_memory,
                 name, "foldl")


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """`a = fn(a, x)` over the slices of `elems` from the last; returns the final `a`."""
    return _fold(fn, elems, initializer, True, parallel_iterations, back_prop, swap_memory,
                 name, "foldr")
