"""TensorFlow's text of tensor values, and the StringFormat op built on it (tf.print's template).

Two layouts, as TensorFlow's `Tensor::SummarizeValue` writes them:
  summarize_v1 (Assert, Print): the first `n` values in nested brackets, `...` where cut:
      [[1 2...]...]
  summarize_v2 (tf.print, StringFormat): NumPy-like, the first and last `n` of each dimension:
      [[1 2 3]
       [4 5 6]]        [0 1 2 ... 17 18 19]
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.ops._common import one


# --- one element -----------------------------------------------------------------------------
def _float_text(value, digits, more):
    """The shortest of %.<digits>g and %.<more>g that reads back as `value` (TF's StrCat)."""
    if np.isnan(value):
        return "nan"
    if np.isinf(value):
        return "-inf" if value < 0 else "inf"
    text = "%.*g" % (digits, value)
    if type(value)(float(text)) != value:
        text = "%.*g" % (more, value)
    return text


def _escape(data, hex_escapes):
    """C-style escapes of bytes (TensorFlow's CEscape, or CHexEscape when `hex_escapes`)."""
    out = []
    named = {10: "\\n", 13: "\\r", 9: "\\t", 34: '\\"', 39: "\\'", 92: "\\\\"}
    for b in data:
        if b in named:
            out.append(named[b])
        elif 32 <= b < 127:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}" if hex_escapes else f"\\{b:03o}")
    return "".join(out)


def element_text(value, v2=False):
    """One value as TensorFlow prints it: floats shortest round-trip (%g), bools 1/0, strings
    escaped (and quoted in the v2 layout), complex numbers (re,im) (? in the v2 layout)."""
    if isinstance(value, (bytes, str)):
        data = value.encode() if isinstance(value, str) else value
        return f'"{_escape(data, True)}"' if v2 else _escape(data, False)
    if isinstance(value, (np.bool_, bool)):
        return "1" if value else "0"
    if isinstance(value, (np.complexfloating, complex)):  # TF's v2 text has no complex form
        return "?" if v2 else f"({element_text(value.real)},{element_text(value.imag)})"
    if isinstance(value, (np.float16, np.float32)):
        return _float_text(np.float32(value), 6, 9)
    if isinstance(value, (np.floating, float)):
        return _float_text(np.float64(value), 15, 17)
    return str(value)


# --- whole tensors ---------------------------------------------------------------------------
def summarize_v1(value, summarize=3):
    """The first `summarize` (all if negative) values of `value`, nested in brackets, with
    `...` where the values were cut (the text of Assert and Print)."""
    value = np.asarray(value)
    flat = value.reshape(-1)
    limit = flat.size if summarize < 0 else min(summarize, flat.size)
    if value.ndim == 0:
        text = " ".join(element_text(v) for v in flat[:limit])
        return text + ("..." if flat.size > limit else "")
    out = []
    index = [0]

    def one_dim(dim):
        if index[0] >= limit:
            return
        count = value.shape[dim]
        if dim == value.ndim - 1:
            for i in range(count):
                if index[0] >= limit:
                    if dim != 0:
                        out.append("...")
                    return
                if i > 0:
                    out.append(" ")
                out.append(element_text(flat[index[0]]))
                index[0] += 1
            return
        for _ in range(count):
            opened = index[0] < limit
            if opened:
                out.append("[")
            one_dim(dim + 1)
            if index[0] < limit or opened:
                out.append("]")

    one_dim(0)
    return "".join(out) + ("..." if flat.size > limit else "")


def summarize_v2(value, summarize=3):
    """`value` laid out like NumPy: of each dimension the first and last `summarize` entries
    (all if negative), `...` between (the text of tf.print and StringFormat)."""
    value = np.asarray(value)
    flat = value.reshape(-1)
    ends = flat.size if summarize < 0 else min(summarize, flat.size)
    if value.ndim == 0:
        return " ".join(element_text(v, True) for v in flat[:ends]) + (
            "..." if flat.size > ends else "")
    ndim = value.ndim
    out = []

    def spacing(dim):
        if dim == ndim - 1:
            out.append(" ")
        else:
            out.append("\n" * (ndim - dim - 1) + " " * (dim + 1))

    def one_dim(dim, start):
        if dim == ndim:
            out.append(element_text(flat[start], True))
            return
        out.append("[")
        count = value.shape[dim]
        step = int(np.prod(value.shape[dim + 1:], dtype=np.int64))
        for i in range(min(ends, count)):
            if i > 0:
                spacing(dim)
            one_dim(dim + 1, start + step * i)
        if count > 2 * ends:
            spacing(dim)
            out.append("...")
        for i in range(max(ends, count - ends), count):
            spacing(dim)
            one_dim(dim + 1, start + step * i)
        out.append("]")

    one_dim(0, 0)
    return "".join(out)


# --- StringFormat ----------------------------------------------------------------------------
def _string_format_shape(*inputs, template, placeholder, summarize):
    count = template.count(placeholder)
    if count != len(inputs):
        raise ValueError(f"num placeholders in template and num inputs must match: {count} vs. "
                         f"{len(inputs)}")
    return [(dtypes.string, [])]


def _string_format_kernel(*values, template, placeholder, summarize):
    pieces = template.split(placeholder)
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:]):
        out.append(summarize_v2(value, summarize))
        out.append(piece)
    return np.array("".join(out).encode(), dtype=object)


register_op("StringFormat", shape=_string_format_shape, kernel=_string_format_kernel,
            grad=NOT_DIFFERENTIABLE)


def string_format(template, inputs, placeholder="{}", summarize=3, name=None):
    """A scalar string: `template` with each `placeholder` replaced by the text of the next
    tensor of `inputs` (TF's tf.strings.format).

    >>> string_format("x = {}", [tf.range(5)])   # b"x = [0 1 2 3 4]"
    """
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    tensors = [convert_to_tensor(t) for t in inputs]
    return one(create_op("StringFormat", tensors, name=name or "StringFormat",
                         template=template, placeholder=placeholder, summarize=summarize))
