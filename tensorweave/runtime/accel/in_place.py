"""Elementwise ops writing their result into the buffer of an input that dies with them.

The rule: a step whose op type has a `writes_into` kernel (NumPy's ufuncs take `out=`), and one
of whose inputs nothing reads after it, gets that input's array to write into instead of a new
one, as NumPy's own expressions reuse their temporaries. A Plan empties the input's slot before
the call (`taking`); the kernel then writes into the array only when it is the Plan's alone: an
ndarray owning its memory, writeable, of the output's dtype and shape, referenced from nowhere
but the call (its reference count is that of a fresh array passed the same way, measured once
below). A variable's value, a fed array, a constant, an array some view or fetch still holds:
each has more references, and gets a new buffer as before.

Writing into a buffer that is already in the cache, rather than a new one, makes a chain of
updates such as Keras's RMSprop on a 784x512 weight (ten passes) a third faster. An Assign
given such a buffer keeps it as the variable's value instead of copying it into the variable's
buffer, when nothing but the Session's state holds that buffer (`held_only_by`): no reader can
then tell the two apart.
"""
import sys

import numpy as np

_getrefcount = sys.getrefcount


def taking(slots, dying):
    """values -> the values at `slots` as a tuple, emptying the slots at positions `dying`."""
    slots, dying = tuple(slots), tuple(dying)

    def take(values):
        args = tuple([values[s] for s in slots])
        for i in dying:
            values[slots[i]] = None
        return args
    return take


def _count(args, i):
    return _getrefcount(args[i])


def alone_count():
    """The reference count `_count` sees for an array held only by a step's call."""
    seen = []

    def probe(*args):
        seen.append(_count(args, 0))
    values = [np.empty(1)]
    probe(*taking((0,), (0,))(values))
    return seen[0]


_ALONE = alone_count()


def _entry_count(mapping, key):
    return _getrefcount(mapping[key])


_HELD_BY_MAPPING = _entry_count({0: np.empty(1)}, 0)


def held_only_by(mapping, key):
    """Whether the object at mapping[key] is referenced from nowhere but the mapping."""
    return _entry_count(mapping, key) == _HELD_BY_MAPPING


def _writable_alone(args, i, dtype):
    if _count(args, i) != _ALONE:  # counted before a local name adds a reference
        return False
    x = args[i]
    return (x.__class__ is np.ndarray and x.dtype == dtype and x.flags.owndata
            and x.flags.writeable)


def _others_broadcast_to(args, i):
    """Whether every other input broadcasts to input i's shape (so the result has it)."""
    shape = args[i].shape
    for j, a in enumerate(args):
        other = getattr(a, "shape", None)
        if j == i or other == shape or other == ():
            continue
        if other is None or len(other) > len(shape) or any(
                d != 1 and d != s for d, s in zip(reversed(other), reversed(shape))):
            return False
    return True


def in_place_kernel(op, chosen, dying, attrs, bound=()):
    """A kernel for `op` (whose Plan chose kernel `chosen`, with its kernel `attrs`, and for a
    stateful op the arguments `bound` before its arrays: state, name, variable keys) writing
    into one of its data inputs at positions `dying` (their slots emptied by `taking`) when it
    can, else running as `chosen` does; None when it has no writing form (the op type's
    `writes_into` for its reference kernel, a variant's own when marked `variants.writing`),
    its output is not of a float or complex dtype, or no dying input has the output's dtype."""
    writes_into = op.op_def.writes_into if chosen is op.op_def.kernel else \
        getattr(chosen, "writes_into", None)
    if writes_into is None or len(op.outputs) != 1:
        return None
    out_dtype = op.outputs[0].dtype
    if not (out_dtype.is_floating or out_dtype.is_complex):
        return None  # integer ops keep NumPy's own casting and error rules
    data = op.inputs[op.op_def.ref_count(op.inputs):]
    candidates = tuple(i for i in dying if data[i].dtype == out_dtype)
    if not candidates:
        return None
    dtype = np.dtype(out_dtype.as_numpy_dtype)

    def kernel(*args):
        for i in candidates:
            if _writable_alone(args, i, dtype) and _others_broadcast_to(args, i):
                return writes_into(*bound, *args, out=args[i], **attrs)
        return writes_into(*bound, *args, **attrs)
    return kernel

