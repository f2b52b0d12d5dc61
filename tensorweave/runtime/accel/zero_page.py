"""Relu as a maximum against read-only zeros that cost no memory traffic.

The rule: NumPy's maximum against a broadcast scalar 0 is not vectorized, and an array of
fresh zeros costs a write of the whole array; anonymous memory that is mapped read-only and
never written reads as the system's one zero page, so a maximum against it is vectorized and
its zeros come from the cache. `benchmarks/conv.py` runs relus of the deep MNIST model.
"""
import functools
import math
import mmap

import numpy as np

from tensorweave.runtime.accel import variants

_buffers = {}  # dtype -> flat read-only zeros, grown on demand


def zeros_to_read(x):
    """Read-only zeros of `x`'s shape and dtype, from memory that is never written."""
    return _zero_view(x.shape, x.dtype)


@functools.lru_cache(maxsize=64)
def _zero_view(shape, dtype):
    size = math.prod(shape)
    flat = _buffers.get(dtype)
    if flat is None or flat.size < size:
        flat = _buffers[dtype] = np.frombuffer(
            zero_memory(max(size * dtype.itemsize, 1 << 16)), dtype)
    return flat[:size].reshape(shape)


def zero_memory(nbytes):
    """`nbytes` of read-only zeros: a private read-only mapping (the zero page) on Unix."""
    if hasattr(mmap, "MAP_PRIVATE"):
        return mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)
    zeros = np.zeros(nbytes, np.uint8)  # elsewhere calloc: large blocks come zeroed lazily too
    zeros.flags.writeable = False
    return zeros


def cached_views():
    """How many zero views are kept (bounded)."""
    return _zero_view.cache_info().currsize, _zero_view.cache_info().maxsize


@variants.writing
def relu(x, out=None):
    return np.maximum(x, zeros_to_read(x), out=out)


variants.register_variant("Relu", lambda op: relu)  # zeros of the input's own dtype
