"""tf.compat: text/bytes conversions and the `v1` namespace (tensorweave is TF 1.x's API).

    import tensorflow.compat.v1 as tf   # under the runner: tensorweave itself
    tf.compat.as_bytes("abc")           # b'abc'
"""
import datetime
import numbers
import os

import numpy as np

integral_types = (numbers.Integral, np.integer)
real_types = (numbers.Real, np.integer, np.floating)
complex_types = (numbers.Complex, np.number)
bytes_or_text_types = (bytes, str)

# TF 1.15's forward-compatibility horizon: graphs may use ops newer consumers understand after it.
FORWARD_COMPATIBILITY_HORIZON = datetime.date(2019, 11, 1)


def as_bytes(bytes_or_text, encoding="utf-8"):
    """`bytes_or_text` as bytes, encoding text with `encoding`; TypeError for anything else."""
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding="utf-8"):
    """`bytes_or_text` as str, decoding bytes with `encoding`; TypeError for anything else."""
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text


def as_str_any(value):
    """`str(value)`, except that bytes are decoded as text."""
    return as_str(value) if isinstance(value, bytes) else str(value)


def path_to_str(path):
    """An `os.PathLike` path as str; anything else is returned unchanged."""
    return os.fspath(path) if isinstance(path, os.PathLike) else path


def forward_compatible(year, month, day):
    """True if the forward-compatibility horizon is past the given date."""
    return FORWARD_COMPATIBILITY_HORIZON > datetime.date(year, month, day)


def __getattr__(name):
    if name == "v1":  # tf.compat.v1 is TF 1.x's namespace: tensorweave's top level
        import tensorweave
        return tensorweave
    raise AttributeError(f"module 'tensorweave.compat' has no attribute '{name}'")
