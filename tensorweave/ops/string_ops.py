"""String ops (tf.string tensors are NumPy object arrays of bytes): joining, splitting,
stripping, lengths, substrings, regular expressions, numbers, hash buckets, base64, case,
n-grams, fingerprints and serialized tensors.

    words = tf.string_split(["a b", "c"])       # SparseTensor of b"a", b"b", b"c"
    tf.strings.to_hash_bucket_fast(words.values, 100)

Regular expressions take RE2's syntax, run by Python's `re` on the UTF-8 text (RE2's
\\1-style rewrites; `\\d`, `\\w`, `\\s` ASCII-only as in RE2). Unicode ops: unicode_ops.py.
"""
import base64
import binascii
import re

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.core.tensor_shape import TensorShape, shape_text, unknown_shape
from tensorweave.ops import array, math_ops, string_hash, unicode_ops  # noqa: F401
from tensorweave.ops._common import elementwise_rows, one

__all__ = [
    "as_string", "decode_base64", "encode_base64", "reduce_join", "regex_replace",
    "string_join", "string_split", "string_strip", "string_to_hash_bucket",
    "string_to_hash_bucket_fast", "string_to_hash_bucket_strong", "string_to_number", "substr",
    "fingerprint", "serialize_tensor", "parse_tensor",
]


# --- helpers ---------------------------------------------------------------------------------
def _check_string(op_type, t, what="input"):
    if t.dtype is not dtypes.string:
        raise TypeError(f"{op_type} requires a string {what}, got {t.dtype.name}")


def _strings(value, name=None):
    """`value` as a string tensor (TypeError for another dtype)."""
    t = convert_to_tensor(value, dtype=dtypes.string if not hasattr(value, "dtype") else None,
                          name=name)
    if t.dtype is not dtypes.string:
        raise TypeError(f"Expected string, got {t.dtype.name} tensor {t.name}")
    return t


def _as_bytes(value):
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _map_strings(array_, fn, dtype=object):
    """fn applied to every element (as bytes) of string array `array_`, in its shape."""
    array_ = np.asarray(array_, dtype=object)
    out = np.empty(array_.shape, dtype=dtype)
    flat = out.reshape(-1)
    for i, item in enumerate(array_.reshape(-1)):
        flat[i] = fn(_as_bytes(item))
    return out


def _elementwise(op_type, kernel, out_dtype=dtypes.string, input_dtype=dtypes.string, grad=None):
    """Registers a one-input elementwise op type whose output has the input's shape."""
    def shape(x, **_):
        if input_dtype is not None and x.dtype is not input_dtype:
            raise TypeError(f"{op_type} requires a {input_dtype.name} input, got {x.dtype.name}")
        return [(out_dtype, x.shape)]
    register_op(op_type, shape=shape, kernel=kernel, grad=grad or NOT_DIFFERENTIABLE,
                row_wise=elementwise_rows)


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _string_text(data):
    """Bytes as TensorFlow's error messages quote them (Python's repr of bytes)."""
    return repr(bytes(data))


# --- StringJoin --------------------------------------------------------------------------------
def _string_join_shape(*inputs, separator):
    shape = TensorShape([])
    for t in inputs:
        _check_string("StringJoin", t, "inputs")
        if t.shape.ndims == 0:
            continue
        if shape.ndims == 0:
            shape = t.shape
        elif not shape.is_compatible_with(t.shape):
            raise ValueError(_unequal_shapes(shape, t.shape))
        else:
            shape = shape.merge_with(t.shape)
    if shape.ndims == 0 and any(t.shape.ndims is None for t in inputs):
        return [(dtypes.string, unknown_shape())]
    return [(dtypes.string, shape)]


def _unequal_shapes(a, b):
    """TensorFlow's shape-inference text for two shapes that must be equal."""
    if a.ndims != b.ndims:
        return f"Shapes must be equal rank, but are {a.ndims} and {b.ndims}"
    for i, (x, y) in enumerate(zip(a.as_tuple(), b.as_tuple())):
        if x is not None and y is not None and x != y:
            return (f"Dimension {i} in both shapes must be equal, but are {x} and {y}. "
                    f"Shapes are {shape_text(a)} and {shape_text(b)}.")
    return f"Shapes {a} and {b} are not compatible"


def _string_join_kernel(*values, separator):
    values = [np.asarray(v, dtype=object) for v in values]
    shapes = {v.shape for v in values if v.ndim}
    if len(shapes) > 1:
        a, b = sorted(shapes)[:2]
        raise _invalid(f"Input shapes do not match: {list(a)} vs. {list(b)}")
    shape = shapes.pop() if shapes else ()
    sep = _as_bytes(separator)
    flats = [np.broadcast_to(v, shape).reshape(-1) for v in values]
    out = np.empty(int(np.prod(shape, dtype=np.int64)), dtype=object)
    for i in range(out.size):
        out[i] = sep.join(_as_bytes(f[i]) for f in flats)
    return out.reshape(shape)


register_op("StringJoin", shape=_string_join_shape, kernel=_string_join_kernel,
            grad=NOT_DIFFERENTIABLE)


def string_join(inputs, separator="", name=None):
    """Joins the strings of `inputs` (tensors of one shape, or scalars) elementwise with
    `separator`: string_join(["a", ["b", "c"]], "-") -> [b"a-b", b"a-c"]."""
    tensors = [_strings(t) for t in inputs]
    return one(create_op("StringJoin", tensors, name=name or "StringJoin",
                         separator=separator))


# --- StringSplit, StringSplitV2 ----------------------------------------------------------------
def _split_shape(op_type):
    def shape(source, sep, **_):
        _check_string(op_type, source)
        _check_string(op_type, sep, "delimiter")
        if source.shape.ndims not in (None, 1):
            raise ValueError(f"{op_type} requires a vector input, got shape {source.shape}")
        if sep.shape.ndims not in (None, 0):
            raise ValueError(f"{op_type} requires a scalar delimiter, got shape {sep.shape}")
        return [(dtypes.int64, TensorShape([None, 2])), (dtypes.string, TensorShape([None])),
                (dtypes.int64, TensorShape([2]))]
    return shape


def _sparse_rows(rows):
    """(indices, values, dense_shape) of a [len(rows), max length] SparseTensor holding the
    token lists `rows`."""
    indices = [(i, j) for i, row in enumerate(rows) for j in range(len(row))]
    values = np.empty(len(indices), dtype=object)
    values[:] = [token for row in rows for token in row]
    width = max((len(row) for row in rows), default=0)
    return (np.array(indices, dtype=np.int64).reshape(-1, 2), values,
            np.array([len(rows), width], dtype=np.int64))


def _check_split_input(op_type, source, sep):
    if np.ndim(source) != 1:
        raise _invalid(f"input must be a vector, got shape: {list(np.shape(source))}")
    if np.ndim(sep) != 0:
        raise _invalid(f"delimiter must be a scalar, got shape: {list(np.shape(sep))}")


def _string_split_kernel(source, delimiter, *, skip_empty):
    _check_split_input("StringSplit", source, delimiter)
    delimiter = _as_bytes(delimiter[()])
    rows = []
    for item in source:
        text = _as_bytes(item)
        if not delimiter:
            tokens = [text[i:i + 1] for i in range(len(text))]
        else:
            tokens = re.split(b"[" + re.escape(delimiter) + b"]", text) if text else []
        rows.append([t for t in tokens if t] if skip_empty else tokens)
    return _sparse_rows(rows)


register_op("StringSplit", shape=_split_shape("StringSplit"), kernel=_string_split_kernel,
            grad=NOT_DIFFERENTIABLE)

_ASCII_SPACE = b" \t\n\v\f\r"


def _string_split_v2_kernel(source, sep, *, maxsplit):
    _check_split_input("StringSplitV2", source, sep)
    sep = _as_bytes(sep[()])
    rows = []
    for item in source:
        text = _as_bytes(item)
        if sep:
            rows.append(text.split(sep, maxsplit))
        else:
            rows.append(_split_whitespace(text, maxsplit))
    return _sparse_rows(rows)


def _split_whitespace(text, maxsplit):
    """Python's str.split() on ASCII whitespace: runs of spaces separate, ends are dropped."""
    tokens = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in _ASCII_SPACE:
            i += 1
        if i == n:
            break
        if 0 <= maxsplit <= len(tokens):
            tokens.append(text[i:])
            break
        j = i
        while j < n and text[j] not in _ASCII_SPACE:
            j += 1
        tokens.append(text[i:j])
        i = j
    return tokens


register_op("StringSplitV2", shape=_split_shape("StringSplitV2"), kernel=_string_split_v2_kernel,
            grad=NOT_DIFFERENTIABLE)


def _expand_sparse_rows(sparse, source):
    """A split of the flattened `source` (rank > 1) as a SparseTensor of rank rank(source) + 1:
    each row number becomes the coordinates of that string in `source`."""
    rank = source.shape.ndims
    shape = array.shape(source, out_type=dtypes.int64)
    row, column = sparse.indices[:, 0], sparse.indices[:, 1:]
    coords = []
    for d in range(rank - 1, -1, -1):
        coords.append(math_ops.floormod(row, shape[d]))
        row = math_ops.floordiv(row, shape[d])
    indices = array.concat([array.stack(coords[::-1], axis=1), column], 1)
    dense_shape = array.concat([shape, sparse.dense_shape[1:]], 0)
    return SparseTensor(indices, sparse.values, dense_shape)


def _split_any_rank(op_type, source, sep, name, **attrs):
    """The op on `source` of any known rank (a scalar counts as one row)."""
    rank = source.shape.ndims
    if rank is None:
        raise ValueError(f"{op_type}: the rank of the input must be known")
    flat = source if rank == 1 else array.reshape(source, [-1])
    indices, values, shape = create_op(op_type, [flat, sep], name=name, **attrs).outputs
    sparse = SparseTensor(indices, values, shape)
    return _expand_sparse_rows(sparse, source) if rank > 1 else sparse


def _result_type(result_type):
    if result_type == "RaggedTensor":
        raise NotImplementedError("result_type='RaggedTensor': tensorweave has no RaggedTensor; "
                                  "use the default result_type='SparseTensor'")
    if result_type != "SparseTensor":
        raise ValueError("result_type must be 'RaggedTensor' or 'SparseTensor'.")


def string_split(source, sep=None, skip_empty=True, delimiter=None,
                 result_type="SparseTensor", name=None):
    """Splits each string of vector `source` at every byte of `sep` (default: space; empty:
    into bytes), dropping empty tokens when `skip_empty`: a SparseTensor [len(source), max]."""
    _result_type(result_type)
    sep = delimiter if delimiter is not None else sep
    sep = " " if sep is None else sep
    if not isinstance(sep, (str, bytes)) and not hasattr(sep, "dtype"):
        raise TypeError(f"Expected string, but got {sep!r} of type '{type(sep).__name__}'.")
    with name_scope(name, "StringSplit", [source]) as scope:
        source = _strings(source, name="source")
        sep = _strings(sep, name="delimiter")
        op = create_op("StringSplit", [source, sep], name=scope or "StringSplit",
                       skip_empty=bool(skip_empty))
        return SparseTensor(*op.outputs)


def strings_split(input=None, sep=None, maxsplit=-1, result_type="SparseTensor",  # noqa: A002
                  source=None, name=None):
    """tf.strings.split (TF 1.x): Python's str.split of each string, at `sep` (None: runs of
    whitespace), at most `maxsplit` times: a SparseTensor with one more dimension than `input`
    (a scalar counts as a vector of one)."""
    _result_type(result_type)
    if input is None:
        input = source  # noqa: A001
    with name_scope(name, "StringSplit", [input]) as scope:
        input = _strings(input, name="input")  # noqa: A001
        if input.shape.ndims == 0:
            input = array.reshape(input, [1])  # noqa: A001
        sep = _strings("" if sep is None else sep, name="sep")
        return _split_any_rank("StringSplitV2", input, sep, scope or "StringSplitV2",
                               maxsplit=int(maxsplit))


def bytes_split(input, name=None):  # noqa: A002
    """The bytes of scalar string `input` as a vector of one-byte strings (TF gives a
    RaggedTensor for inputs of rank >= 1, which tensorweave does not have)."""
    with name_scope(name, "StringsByteSplit", [input]) as scope:
        input = _strings(input, name="input")  # noqa: A001
        if input.shape.ndims != 0:
            raise NotImplementedError("tf.strings.bytes_split of a non-scalar gives a "
                                      "RaggedTensor, which tensorweave does not have")
        op = create_op("StringSplit", [array.reshape(input, [1]), _strings("")],
                       name=scope or "StringSplit", skip_empty=False)
        return op.outputs[1]


# --- StringStrip, StringLength, StringLower/Upper ------------------------------------------------
_elementwise("StringStrip",
             lambda input: _map_strings(input, lambda s: s.strip(_ASCII_SPACE)))


def string_strip(input, name=None):  # noqa: A002
    """Removes leading and trailing ASCII whitespace from each string."""
    return one(create_op("StringStrip", [_strings(input)], name=name or "StringStrip"))


def _check_unit(op_type, unit):
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"{op_type}: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")


def _utf8_count(data):
    """Characters of UTF-8 bytes: the bytes that do not continue a character."""
    return sum(1 for b in data if (b & 0xC0) != 0x80)


def _string_length_kernel(input, *, unit):  # noqa: A002
    count = len if unit == "BYTE" else _utf8_count
    return _map_strings(input, count, dtype=np.int32)


_elementwise("StringLength", _string_length_kernel, out_dtype=dtypes.int32)


def string_length(input, name=None, unit="BYTE"):  # noqa: A002
    """The length of each string in bytes, or with unit="UTF8_CHAR" in UTF-8 characters."""
    _check_unit("StringLength", unit)
    return one(create_op("StringLength", [_strings(input)], name=name or "StringLength",
                         unit=unit))


def _case_kernel(upper):
    table = bytes.maketrans(b"abcdefghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if not upper:
        table = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")

    def convert(data, encoding):
        if not encoding:
            return data.translate(table)
        text = data.decode("utf-8", "surrogateescape")
        return (text.upper() if upper else text.lower()).encode("utf-8", "surrogateescape")

    def kernel(input, *, encoding):  # noqa: A002
        return _map_strings(input, lambda s: convert(s, encoding))
    return kernel


_elementwise("StringLower", _case_kernel(False))
_elementwise("StringUpper", _case_kernel(True))


def _case_builder(op_type):
    def builder(input, encoding="", name=None):  # noqa: A002
        if encoding not in ("", "utf-8", "UTF-8"):
            raise ValueError(f"{op_type}: encoding must be '' or 'utf-8', got {encoding!r}")
        return one(create_op(op_type, [_strings(input)], name=name or op_type,
                             encoding=encoding))
    builder.__doc__ = (f"Each string in {'upper' if op_type == 'StringUpper' else 'lower'} "
                       f"case: ASCII letters only, or every letter with encoding='utf-8'.")
    return builder


lower = _case_builder("StringLower")
upper = _case_builder("StringUpper")


# --- Substr ----------------------------------------------------------------------------------
def _substr_shape(input, pos, length, *, unit):  # noqa: A002
    _check_string("Substr", input)
    for t, what in ((pos, "pos"), (length, "len")):
        if t.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"Substr requires an int32 or int64 {what}, got {t.dtype.name}")
    if pos.dtype is not length.dtype:
        raise TypeError(f"Substr requires pos and len of one dtype, got {pos.dtype.name} and "
                        f"{length.dtype.name}")
    if not pos.shape.is_compatible_with(length.shape):
        raise ValueError(f"Substr: pos and len should have the same shape, got: {pos.shape} vs. "
                         f"{length.shape}")
    both = pos.shape.merge_with(length.shape)
    return [(dtypes.string, array.broadcast_shapes(input.shape, both))]


def _utf8_starts(data):
    """The byte offset of each UTF-8 character of `data`, and len(data) at the end."""
    return [i for i, b in enumerate(data) if (b & 0xC0) != 0x80] + [len(data)]


def _substr_kernel(input, pos, length, *, unit):  # noqa: A002
    if np.shape(pos) != np.shape(length):
        raise _invalid(f"pos and len should have the same shape, got: {list(np.shape(pos))} "
                       f"vs. {list(np.shape(length))}")
    try:
        shape = np.broadcast_shapes(np.shape(input), np.shape(pos))
    except ValueError:
        raise _invalid(f"Incompatible shapes: {list(np.shape(input))} vs. "
                       f"{list(np.shape(pos))}") from None
    strings = np.broadcast_to(np.asarray(input, dtype=object), shape).reshape(-1)
    starts = np.broadcast_to(pos, shape).reshape(-1)
    lengths = np.broadcast_to(length, shape).reshape(-1)
    out = np.empty(strings.size, dtype=object)
    for i, (item, p, n) in enumerate(zip(strings, starts, lengths)):
        data = _as_bytes(item)
        p, n = int(p), int(n)
        if unit == "BYTE":
            size = len(data)
            if abs(p) > size:
                raise _invalid(f"pos {p} out of range for string {_string_text(data)} at "
                               f"index {i}")
            p = p + size if p < 0 else p
            out[i] = data[p:] if n < 0 else data[p:p + n]
        else:
            offsets = _utf8_starts(data)
            chars = len(offsets) - 1
            if abs(p) > chars:
                raise _invalid(f"pos {p} out of range for string at index {i}")
            p = p + chars if p < 0 else p
            end = p if n < 0 else min(p + n, chars)
            out[i] = data[offsets[p]:offsets[end]]
    return out.reshape(shape)


register_op("Substr", shape=_substr_shape, kernel=_substr_kernel, grad=NOT_DIFFERENTIABLE)


def substr(input, pos, len, name=None, unit="BYTE"):  # noqa: A002
    """The substrings of `input` of `len` bytes (or UTF-8 characters with unit="UTF8_CHAR")
    from `pos` (negative: from the end); pos and len broadcast against input."""
    _check_unit("Substr", unit)
    input = _strings(input)  # noqa: A001
    pos = convert_to_tensor(pos)
    len = convert_to_tensor(len, dtype=pos.dtype if not hasattr(len, "dtype") else None)  # noqa
    return one(create_op("Substr", [input, pos, len], name=name or "Substr", unit=unit))


# --- regular expressions -----------------------------------------------------------------------
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z",
    "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z",
    "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f"}


def _compile(pattern):
    """RE2 pattern bytes -> Python regex over the UTF-8 text (InvalidArgumentError if bad)."""
    text = _as_bytes(pattern).decode("utf-8", "surrogateescape")
    python = re.sub(r"\[:(\^?)([a-z]+):\]", lambda m: _POSIX_CLASSES.get(m.group(2), m.group(0))
                    if not m.group(1) else m.group(0), text.replace("\\z", "\\Z"))
    try:
        return re.compile(python, re.ASCII)
    except re.error as e:
        raise _invalid(f"Invalid pattern: {text}, error: {e}") from None


def _rewriter(rewrite, groups):
    """RE2's rewrite string (\\0-\\9 groups, \\\\ a backslash) as a function of a match, or
    None when it names a group the pattern lacks (RE2 then replaces nothing)."""
    text = _as_bytes(rewrite).decode("utf-8", "surrogateescape")
    parts = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1].isdigit():
            if int(text[i + 1]) > groups:
                return None
            parts.append(int(text[i + 1]))
            i += 2
        elif c == "\\" and i + 1 < len(text) and text[i + 1] == "\\":
            parts.append("\\")
            i += 2
        else:
            parts.append(c)
            i += 1
    return lambda m: "".join(p if isinstance(p, str) else (m.group(p) or "") for p in parts)


def _replace(regex, rewrite_fn, data, replace_global):
    """RE2's Replace / GlobalReplace: an empty match right after the previous match is
    skipped (one character copied), unlike Python's re.sub."""
    text = data.decode("utf-8", "surrogateescape")
    out, at, last_end, count = [], 0, -1, 0
    while at <= len(text):
        m = regex.search(text, at)
        if m is None:
            break
        start, end = m.span()
        out.append(text[at:start])
        if start == end == last_end:
            out.append(text[at:at + 1])
            at += 1
            continue
        out.append(rewrite_fn(m))
        at = last_end = end
        count += 1
        if not replace_global:
            break
    if not count:
        return data
    out.append(text[at:])
    return "".join(out).encode("utf-8", "surrogateescape")


def _regex_replace_values(input, pattern, rewrite, replace_global):  # noqa: A002
    regex = _compile(pattern)
    rewrite_fn = _rewriter(rewrite, regex.groups)
    if rewrite_fn is None:
        return _map_strings(input, lambda s: s)
    return _map_strings(input, lambda s: _replace(regex, rewrite_fn, s, replace_global))


def _scalar_string(op_type, t, what):
    _check_string(op_type, t, what)
    if t.shape.ndims not in (None, 0):
        raise ValueError(f"{op_type} requires a scalar {what}, got shape {t.shape}")


def _regex_replace_shape(input, pattern, rewrite, *, replace_global):  # noqa: A002
    _check_string("RegexReplace", input)
    _scalar_string("RegexReplace", pattern, "pattern")
    _scalar_string("RegexReplace", rewrite, "rewrite")
    return [(dtypes.string, input.shape)]


register_op("RegexReplace", shape=_regex_replace_shape,
            kernel=lambda input, pattern, rewrite, *, replace_global: _regex_replace_values(
                input, pattern[()], rewrite[()], replace_global),
            grad=NOT_DIFFERENTIABLE)
_elementwise("StaticRegexReplace", _regex_replace_values)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replaces the matches of RE2 `pattern` in each string by `rewrite` (\\1 names a group),
    every match or only the first."""
    input = _strings(input)  # noqa: A001
    if isinstance(pattern, (str, bytes)) and isinstance(rewrite, (str, bytes)):
        return one(create_op("StaticRegexReplace", [input], name=name or "StaticRegexReplace",
                             pattern=pattern, rewrite=rewrite,
                             replace_global=bool(replace_global)))
    return one(create_op("RegexReplace", [input, _strings(pattern), _strings(rewrite)],
                         name=name or "RegexReplace", replace_global=bool(replace_global)))


def _full_match_values(input, pattern):  # noqa: A002
    regex = _compile(pattern)
    return _map_strings(input, lambda s: regex.fullmatch(s.decode("utf-8", "surrogateescape"))
                        is not None, dtype=np.bool_)


def _regex_full_match_shape(input, pattern):  # noqa: A002
    _check_string("RegexFullMatch", input)
    _scalar_string("RegexFullMatch", pattern, "pattern")
    return [(dtypes.bool, input.shape)]


register_op("RegexFullMatch", shape=_regex_full_match_shape,
            kernel=lambda input, pattern: _full_match_values(input, pattern[()]),
            grad=NOT_DIFFERENTIABLE)
_elementwise("StaticRegexFullMatch", _full_match_values, out_dtype=dtypes.bool)


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """True where the whole string matches RE2 `pattern`."""
    input = _strings(input)  # noqa: A001
    if isinstance(pattern, (str, bytes)):
        return one(create_op("StaticRegexFullMatch", [input],
                             name=name or "StaticRegexFullMatch", pattern=pattern))
    return one(create_op("RegexFullMatch", [input, _strings(pattern)],
                         name=name or "RegexFullMatch"))


# --- StringToNumber ------------------------------------------------------------------------------
_FLOAT_TEXT = re.compile(rb"[ \t\n\v\f\r]*([+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
                         rb"|0[xX][0-9a-fA-F]+|[iI][nN][fF]|[nN][aA][nN]))[ \t\n\v\f\r]*")
_INT_TEXT = re.compile(rb"[ \t\n\v\f\r]*(-?\d+)[ \t\n\v\f\r]*")
_NUMBER_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)


def _to_number(data, out_type):
    """One string as TensorFlow's safe_strto* reads it, or None."""
    if out_type.is_floating:
        if len(data) >= 32:  # TF's parse buffer (kFastToBufferSize)
            return None
        if data and not data.strip(_ASCII_SPACE):
            return 0.0  # only spaces: double-conversion's empty-string value
        m = _FLOAT_TEXT.fullmatch(data)
        if m is None:
            return None
        text = m.group(1).lstrip(b"+-")
        negative = m.group(1).startswith(b"-")
        value = float(int(text, 16)) if text[:2] in (b"0x", b"0X") else float(text)
        return -value if negative else value
    m = _INT_TEXT.fullmatch(data)
    if m is None:
        return None
    value = int(m.group(1))
    info = np.iinfo(out_type.as_numpy_dtype)
    return value if info.min <= value <= info.max else None


def _string_to_number_kernel(string_tensor, *, out_type):
    out_type = dtypes.as_dtype(out_type)
    def convert(data):
        value = _to_number(data, out_type)
        if value is None:
            raise _invalid("StringToNumberOp could not correctly convert string: "
                           + data.decode("utf-8", "replace"))
        return value
    out = _map_strings(string_tensor, convert)
    return out.astype(out_type.as_numpy_dtype)


def _string_to_number_shape(string_tensor, *, out_type):
    _check_string("StringToNumber", string_tensor)
    if out_type not in _NUMBER_TYPES:
        raise TypeError(f"StringToNumber: out_type must be float32, float64, int32 or int64, "
                        f"got {out_type.name}")
    return [(out_type, string_tensor.shape)]


register_op("StringToNumber", shape=_string_to_number_shape, kernel=_string_to_number_kernel,
            grad=NOT_DIFFERENTIABLE, row_wise=elementwise_rows)


def string_to_number(string_tensor=None, out_type=dtypes.float32, name=None, input=None):  # noqa
    """Each string as a number of `out_type` (float32, float64, int32, int64); a string that
    is not one fails the run (InvalidArgumentError)."""
    string_tensor = input if string_tensor is None else string_tensor
    return one(create_op("StringToNumber", [_strings(string_tensor)],
                         name=name or "StringToNumber", out_type=dtypes.as_dtype(out_type)))


# --- hash buckets ------------------------------------------------------------------------------
def _check_buckets(op_type, num_buckets):
    if num_buckets is None or int(num_buckets) < 1:
        raise ValueError(f"Attr 'num_buckets' of '{op_type}' Op passed {num_buckets} less than "
                         f"minimum 1.")


def _bucket_shape(x, *, num_buckets, key=None):
    _check_string("StringToHashBucket", x)
    return [(dtypes.int64, x.shape)]


def _bucket_kernel(hash_fn):
    def kernel(x, *, num_buckets, key=None):
        return _map_strings(x, lambda s: hash_fn(s, key) % num_buckets, dtype=np.int64)
    return kernel


for _op_type, _hash in (
        ("StringToHashBucket", lambda s, key: string_hash.legacy_hash64(s)),
        ("StringToHashBucketFast", lambda s, key: string_hash.fingerprint64(s)),
        ("StringToHashBucketStrong", lambda s, key: string_hash.siphash24(key[0], key[1], s))):
    register_op(_op_type, shape=_bucket_shape, kernel=_bucket_kernel(_hash),
                grad=NOT_DIFFERENTIABLE, row_wise=elementwise_rows)


def string_to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    """FarmHash Fingerprint64 of each string modulo `num_buckets` (int64), as TensorFlow."""
    _check_buckets("StringToHashBucketFast", num_buckets)
    return one(create_op("StringToHashBucketFast", [_strings(input)],
                         name=name or "StringToHashBucketFast", num_buckets=int(num_buckets)))


def string_to_hash_bucket(string_tensor=None, num_buckets=None, name=None, input=None):  # noqa
    """Deprecated: TensorFlow's legacy Hash64 of each string modulo `num_buckets`."""
    string_tensor = input if string_tensor is None else string_tensor
    _check_buckets("StringToHashBucket", num_buckets)
    return one(create_op("StringToHashBucket", [_strings(string_tensor)],
                         name=name or "StringToHashBucket", num_buckets=int(num_buckets)))


def string_to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """Keyed SipHash-2-4 of each string (key: two integers) modulo `num_buckets`."""
    _check_buckets("StringToHashBucketStrong", num_buckets)
    key = [int(k) & ((1 << 64) - 1) for k in key]
    if len(key) != 2:
        raise errors.InvalidArgumentError(None, None, "Key must have 2 elements")
    return one(create_op("StringToHashBucketStrong", [_strings(input)],
                         name=name or "StringToHashBucketStrong", num_buckets=int(num_buckets),
                         key=key))


# --- ReduceJoin, UnsortedSegmentJoin ------------------------------------------------------------
def _reduction_axes(axes, rank, error, duplicates=True):
    axes = [int(a) for a in np.asarray(axes).reshape(-1)]
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise error(f"Invalid reduction dimension {a} for input with {rank} dimensions.")
        a %= rank
        if a in out and duplicates:
            raise error(f"Duplicate reduction dimension {a}")
        out.append(a)
    return out


def _reduce_join_shape(inputs, reduction_indices, *, keep_dims, separator):
    _check_string("ReduceJoin", inputs)
    if reduction_indices.dtype is not dtypes.int32:
        raise TypeError(f"ReduceJoin requires int32 reduction_indices, got "
                        f"{reduction_indices.dtype.name}")
    rank = inputs.shape.ndims
    axes = constant_value(reduction_indices)
    if rank is None:
        return [(dtypes.string, unknown_shape())]
    if axes is None:
        return [(dtypes.string, TensorShape([None] * rank) if keep_dims else unknown_shape())]
    axes = _reduction_axes(axes, rank, ValueError, duplicates=False)
    dims = list(inputs.shape.dims)
    kept = [1 if i in axes else d for i, d in enumerate(dims)] if keep_dims else \
        [d for i, d in enumerate(dims) if i not in axes]
    return [(dtypes.string, TensorShape(kept))]


def _reduce_join_kernel(inputs, reduction_indices, *, keep_dims, separator):
    inputs = np.asarray(inputs, dtype=object)
    axes = _reduction_axes(reduction_indices, inputs.ndim, _invalid)
    kept = [i for i in range(inputs.ndim) if i not in axes]
    moved = np.transpose(inputs, kept + axes[::-1])
    rows = moved.reshape([inputs.shape[i] for i in kept] + [-1])
    sep = _as_bytes(separator)
    out = np.empty(rows.shape[:-1], dtype=object)
    flat_rows = rows.reshape(out.size, -1)
    flat = out.reshape(-1)
    for i in range(out.size):
        flat[i] = sep.join(_as_bytes(v) for v in flat_rows[i])
    if keep_dims:
        out = out.reshape([1 if i in axes else d for i, d in enumerate(inputs.shape)])
    return out


register_op("ReduceJoin", shape=_reduce_join_shape, kernel=_reduce_join_kernel,
            grad=NOT_DIFFERENTIABLE)


def reduce_join(inputs, axis=None, keep_dims=None, separator="", name=None,
                reduction_indices=None, keepdims=None):
    """Joins the strings of `inputs` across `axis` (default: all axes) with `separator`; the
    first axis listed varies fastest: reduce_join([["a", "b"], ["c", "d"]], [0, 1]) ->
    b"acbd"."""
    if keepdims is not None and keep_dims is not None:
        raise ValueError("keepdims and keep_dims cannot both be specified.")
    keep = bool(keepdims if keepdims is not None else keep_dims)
    if axis is not None and reduction_indices is not None:
        raise ValueError("Cannot specify both 'axis' and 'reduction_indices'.")
    axis = reduction_indices if axis is None else axis
    with name_scope(name, "ReduceJoin", [inputs]) as scope:
        inputs = _strings(inputs, name="inputs")
        if axis is None:
            rank = inputs.shape.ndims
            axis = list(range(rank - 1, -1, -1)) if rank is not None else array.range_(
                array.rank(inputs) - 1, -1, -1)
        axes = convert_to_tensor(axis, dtype=dtypes.int32, name="reduction_indices")
        return one(create_op("ReduceJoin", [inputs, axes], name=scope or "ReduceJoin",
                             keep_dims=keep, separator=separator))


def _segment_join_shape(inputs, segment_ids, num_segments, *, separator):
    _check_string("UnsortedSegmentJoin", inputs)
    for t, what in ((segment_ids, "segment_ids"), (num_segments, "num_segments")):
        if t.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"UnsortedSegmentJoin requires int32 or int64 {what}, got "
                            f"{t.dtype.name}")
    count = constant_value(num_segments)
    count = None if count is None else int(count)
    ids_rank = segment_ids.shape.ndims
    if inputs.shape.ndims is None or ids_rank is None:
        return [(dtypes.string, unknown_shape())]
    head = inputs.shape.dims[:ids_rank]
    if not TensorShape(head).is_compatible_with(segment_ids.shape):
        raise ValueError(f"UnsortedSegmentJoin: segment_ids.shape {segment_ids.shape} must be "
                         f"a prefix of inputs.shape {inputs.shape}")
    return [(dtypes.string, TensorShape([count] + list(inputs.shape.dims[ids_rank:])))]


def _segment_join_kernel(inputs, segment_ids, num_segments, *, separator):
    inputs = np.asarray(inputs, dtype=object)
    ids = np.asarray(segment_ids).reshape(-1)
    count = int(num_segments)
    if inputs.shape[:np.ndim(segment_ids)] != np.shape(segment_ids):
        raise _invalid(f"segment_ids.shape = {list(np.shape(segment_ids))} does not prefix "
                       f"inputs.shape = {list(inputs.shape)}")
    if ids.size and (ids.min() < 0 or ids.max() >= count):
        raise _invalid("segment_ids are not allowed to exceed num_segments or to have "
                       "negative values.")
    rows = inputs.reshape((ids.size,) + inputs.shape[np.ndim(segment_ids):])
    parts = [[] for _ in range(count)]
    for row, segment in zip(rows, ids):
        parts[segment].append(row)
    inner = inputs.shape[np.ndim(segment_ids):]
    out = np.empty((count,) + inner, dtype=object)
    sep = _as_bytes(separator)
    for segment in range(count):
        out[segment] = b"" if not inner else np.full(inner, b"", dtype=object)
        if parts[segment]:
            stacked = np.stack(parts[segment]).reshape(len(parts[segment]), -1)
            joined = [sep.join(_as_bytes(v) for v in column) for column in stacked.T]
            out[segment] = np.array(joined, dtype=object).reshape(inner) if inner else joined[0]
    return out


register_op("UnsortedSegmentJoin", shape=_segment_join_shape, kernel=_segment_join_kernel,
            grad=NOT_DIFFERENTIABLE)


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None):
    """Joins the rows of `inputs` that share a segment id, in order, with `separator`; empty
    segments give b""."""
    inputs = _strings(inputs)
    segment_ids = convert_to_tensor(segment_ids)
    num_segments = convert_to_tensor(num_segments)
    return one(create_op("UnsortedSegmentJoin", [inputs, segment_ids, num_segments],
                         name=name or "UnsortedSegmentJoin", separator=separator))


# --- AsString ----------------------------------------------------------------------------------
def _as_string_format(dtype, precision, scientific, shortest, width, fill):
    """The printf format TensorFlow's AsString builds, checked as it checks it."""
    is_float = dtype.is_floating or dtype.is_complex
    if not is_float:
        if scientific or shortest:
            raise _invalid(f"scientific and shortest format not supported for datatype "
                           f"{dtype.name}")
        if precision >= 0:
            raise _invalid(f"precision not supported for datatype {dtype.name}")
    if len(fill) > 1:
        raise _invalid("Fill string must be one or fewer characters")
    if scientific and shortest:
        raise _invalid("Cannot select both scientific and shortest notation")
    spec = "%"
    if fill:
        if fill not in " +-0#":
            raise _invalid(f'Fill argument not supported: "{fill}"')
        spec += fill
    if width > -1:
        spec += str(width)
    if precision > -1:
        spec += f".{precision}"
    if is_float:
        spec += "g" if shortest else "e" if scientific else "f"
    elif dtype is dtypes.bool:
        return None
    elif dtype is dtypes.string:
        spec += "s"
    else:
        spec += "d"
    return f"({spec},{spec})" if dtype.is_complex else spec


def _c_float_text(spec, value):
    """Python's %-format of a float, with C's infinities and NaNs (never zero-padded)."""
    if not np.isfinite(value):
        spec = spec[0] + spec[1:].replace("0", "", 1) if spec[1:2] == "0" else spec
    text = spec % value
    return text.replace("nan", "-nan") if np.isnan(value) and np.signbit(value) else text


def _as_string_kernel(input, *, precision, scientific, shortest, width, fill):  # noqa: A002
    value = np.asarray(input)
    dtype = dtypes.as_dtype(value.dtype) if value.dtype != object else dtypes.string
    spec = _as_string_format(dtype, precision, scientific, shortest, width, fill)
    out = np.empty(value.shape, dtype=object)
    flat, source = out.reshape(-1), value.reshape(-1)
    for i, v in enumerate(source):
        if spec is None:
            text = "true" if v else "false"
        elif dtype.is_complex:
            part = spec[1:-1].split(",")[0]
            text = f"({_c_float_text(part, float(v.real))},{_c_float_text(part, float(v.imag))})"
        elif dtype.is_floating:
            text = _c_float_text(spec, float(v))
        elif dtype is dtypes.string:
            text = spec % _as_bytes(v).decode("utf-8", "surrogateescape")
        else:
            text = spec % int(v)
        flat[i] = text.encode("utf-8", "surrogateescape")
    return out


def _as_string_shape(input, **_):  # noqa: A002
    if input.dtype in (dtypes.resource, dtypes.variant) or input.dtype.is_quantized:
        raise TypeError(f"AsString does not take {input.dtype.name} tensors")
    return [(dtypes.string, input.shape)]


register_op("AsString", shape=_as_string_shape, kernel=_as_string_kernel,
            grad=NOT_DIFFERENTIABLE, row_wise=elementwise_rows)


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="",  # noqa
              name=None):
    """Each element as text, printf-style: floats %f (%e with `scientific`, %g with
    `shortest`) with `precision` digits, in a field of `width` padded with `fill`; bools as
    true/false."""
    return one(create_op("AsString", [convert_to_tensor(input)], name=name or "AsString",
                         precision=int(precision), scientific=bool(scientific),
                         shortest=bool(shortest), width=int(width), fill=fill))


# --- base64 ------------------------------------------------------------------------------------
def _encode_base64_kernel(input, *, pad):  # noqa: A002
    def encode(data):
        text = base64.urlsafe_b64encode(data)
        return text if pad else text.rstrip(b"=")
    return _map_strings(input, encode)


def _decode_one(data):
    stripped = data.rstrip(b"=")
    if len(stripped) % 4 == 1:
        raise _invalid("Base64 string length cannot be 1 modulo 4.")
    if len(data) % 4 and stripped != data or re.fullmatch(rb"[A-Za-z0-9_-]*", stripped) is None:
        raise _invalid("Invalid character found in base64.")
    try:
        return base64.urlsafe_b64decode(stripped + b"=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        raise _invalid("Invalid character found in base64.") from None


_elementwise("EncodeBase64", _encode_base64_kernel)
_elementwise("DecodeBase64", lambda input: _map_strings(input, _decode_one))


def encode_base64(input, pad=False, name=None):  # noqa: A002
    """Web-safe base64 of each string ('-' and '_' for '+' and '/'), '='-padded with `pad`."""
    return one(create_op("EncodeBase64", [_strings(input)], name=name or "EncodeBase64",
                         pad=bool(pad)))


def decode_base64(input, name=None):  # noqa: A002
    """Decodes web-safe base64 strings (padding optional)."""
    return one(create_op("DecodeBase64", [_strings(input)], name=name or "DecodeBase64"))


# --- StringNGrams --------------------------------------------------------------------------------
def _ngrams_shape(data, data_splits, **_):
    _check_string("StringNGrams", data)
    if data.shape.ndims not in (None, 1) or data_splits.shape.ndims not in (None, 1):
        raise ValueError("StringNGrams requires vectors data and data_splits")
    return [(dtypes.string, TensorShape([None])), (data_splits.dtype, data_splits.shape)]


def _ngrams_row(tokens, width, pad_width, left_pad, right_pad, separator):
    pad = min(width - 1 if pad_width < 0 else pad_width, width - 1)
    count = max(0, len(tokens) + 2 * pad - width + 1)
    out = []
    for k in range(count):
        left = max(0, pad - k)
        right = max(0, pad - (count - (k + 1)))
        start = 0 if left > 0 else k - pad
        words = [left_pad] * left + tokens[start:start + width - left - right] + \
            [right_pad] * right
        out.append(separator.join(words))
    return out


def _ngrams_kernel(data, data_splits, *, separator, ngram_widths, left_pad, right_pad,
                   pad_width, preserve_short_sequences):
    splits = [int(s) for s in data_splits]
    if splits and (splits[0] != 0 or splits[-1] != np.size(data) or
                   any(b < a for a, b in zip(splits, splits[1:]))):
        raise _invalid(f"Invalid split values: {splits}")
    sep, lp, rp = _as_bytes(separator), _as_bytes(left_pad), _as_bytes(right_pad)
    values, out_splits = [], [0]
    for a, b in zip(splits, splits[1:]):
        tokens = [_as_bytes(t) for t in data[a:b]]
        row = []
        for width in ngram_widths:
            row += _ngrams_row(tokens, width, pad_width, lp, rp, sep)
        if preserve_short_sequences and not row and tokens:
            row = _ngrams_row(tokens, len(tokens) + 2 * pad_width, pad_width, lp, rp, sep)
        values += row
        out_splits.append(out_splits[-1] + len(row))
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out, np.array(out_splits[:len(splits)] if splits else [],
                         dtype=np.asarray(data_splits).dtype)


register_op("StringNGrams", shape=_ngrams_shape, kernel=_ngrams_kernel, grad=NOT_DIFFERENTIABLE)


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """The n-grams of the last axis of dense string tensor `data` (rank >= 1), of each width
    in `ngram_width`, joined with `separator`, optionally padded with `pad_values` (one string
    or a (left, right) pair) `padding_width` times (default: width - 1)."""
    with name_scope(name, "StringNGrams", [data]) as scope:
        if pad_values is None:
            left_pad = right_pad = ""
        elif isinstance(pad_values, (list, tuple)):
            if len(pad_values) != 2 or not all(isinstance(p, (str, bytes))
                                                    for p in pad_values):
                raise ValueError("pad_values must be a string, tuple of strings, or None.")
            left_pad, right_pad = pad_values
        elif isinstance(pad_values, (str, bytes)):
            left_pad = right_pad = pad_values
        else:
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        widths = list(ngram_width) if isinstance(ngram_width, (list, tuple)) else [ngram_width]
        if padding_width is not None:
            if pad_values is None:
                raise ValueError("pad_values must be provided if padding_width is set.")
            if padding_width <= 0:
                raise ValueError("padding_width must be greater than 0.")
        else:
            padding_width = 0 if pad_values is None else -1
        data = _strings(data, name="data")
        rank = data.shape.ndims
        if rank is None:
            raise ValueError("Rank of data must be known.")
        if rank == 0:
            raise ValueError("Data must have rank>0")
        shape = array.shape(data, out_type=dtypes.int64)
        rows = array.reshape(data, [-1])
        row_length = shape[-1]
        count = math_ops.floordiv(array.size(data, out_type=dtypes.int64),
                                  math_ops.maximum(row_length, 1)) if rank > 1 else 1
        splits = array.range_(count + 1) * row_length if rank > 1 else array.stack(
            [np.int64(0), array.size(data, out_type=dtypes.int64)])
        if rank > 1:
            splits = array.cast(splits, dtypes.int64)
        values, _ = create_op(
            "StringNGrams", [rows, splits], name=scope or "StringNGrams", separator=separator,
            ngram_widths=[int(w) for w in widths], left_pad=left_pad, right_pad=right_pad,
            pad_width=int(padding_width),
            preserve_short_sequences=bool(preserve_short_sequences)).outputs
        if rank == 1:
            return values
        return array.reshape(values, array.concat([shape[:-1], np.array([-1], np.int64)], 0))


# --- Fingerprint -------------------------------------------------------------------------------
def _fingerprint_shape(data, method):
    if data.shape.ndims == 0:
        raise ValueError(f"Shape must be at least rank 1 but is rank 0 for 'Fingerprint' "
                         f"with input shapes: {data.shape}, {method.shape}.")
    _scalar_string("Fingerprint", method, "method")
    first = None if data.shape.ndims is None else data.shape.dims[0]
    return [(dtypes.uint8, TensorShape([first, 8]))]


def _fingerprint_rows(rows):
    """8 bytes (little-endian Fingerprint64) for each bytes of `rows`."""
    out = np.zeros((len(rows), 8), dtype=np.uint8)
    for i, data in enumerate(rows):
        out[i] = np.frombuffer(string_hash.fingerprint64(data).to_bytes(8, "little"), np.uint8)
    return out


def _fingerprint_kernel(data, method):
    method = _as_bytes(method[()])
    if method != b"farmhash64":
        raise _invalid(f"Unsupported fingerprint method is used: {method.decode()}")
    data = np.asarray(data)
    if data.ndim == 0:
        raise _invalid("data must have rank at least one")
    rows = data.shape[0]
    width = data.size // rows if rows else 0
    if data.dtype == object:
        each = _fingerprint_rows([_as_bytes(v) for v in data.reshape(-1)])
        if width <= 1 or rows == 0:
            return each if rows else np.zeros((0, 8), np.uint8)
        return _fingerprint_rows([bytes(r) for r in each.reshape(rows, width * 8)])
    raw = np.ascontiguousarray(data).astype(data.dtype.newbyteorder("<"), copy=False)
    return _fingerprint_rows([raw[i].tobytes() for i in range(rows)])


register_op("Fingerprint", shape=_fingerprint_shape, kernel=_fingerprint_kernel,
            grad=NOT_DIFFERENTIABLE)


def fingerprint(data, method="farmhash64", name=None):
    """A 64-bit fingerprint of each row data[i] (FarmHash Fingerprint64 of its bytes; of the
    strings' fingerprints for string rows) as uint8 [len(data), 8], TensorFlow's values."""
    data = convert_to_tensor(data)
    return one(create_op("Fingerprint", [data, _strings(method, name="method")],
                         name=name or "Fingerprint"))


# --- SerializeTensor, ParseTensor ----------------------------------------------------------------
def _serialize_tensor_kernel(tensor):
    from tensorweave.core import graph_def  # protobuf loads here
    value = np.asarray(tensor)
    dtype = dtypes.string if value.dtype == object else dtypes.as_dtype(value.dtype)
    proto = graph_def.tensor_pb2.TensorProto()
    proto.dtype = graph_def.datatype_enum(dtype)
    proto.tensor_shape.CopyFrom(graph_def.shape_proto(TensorShape(list(value.shape))))
    if dtype is dtypes.string:
        proto.string_val.extend(_as_bytes(v) for v in value.reshape(-1))
    else:
        little = value.astype(value.dtype.newbyteorder("<"), copy=False)
        proto.tensor_content = np.ascontiguousarray(little).tobytes()
    return np.array(proto.SerializeToString(), dtype=object)


register_op("SerializeTensor",
            shape=lambda tensor: [(dtypes.string, TensorShape([]))],
            kernel=_serialize_tensor_kernel, grad=NOT_DIFFERENTIABLE)


def _parse_tensor_kernel(serialized, *, out_type):
    out_type = dtypes.as_dtype(out_type)
    from tensorweave.core import graph_def  # protobuf loads here
    data = _as_bytes(np.asarray(serialized, dtype=object)[()])
    proto = graph_def.tensor_pb2.TensorProto()
    try:
        proto.ParseFromString(data)
        dtype = graph_def.dtype_from_enum(proto.dtype)
        value = graph_def.tensor_value(proto)
    except Exception:
        raise _invalid("Could not parse `serialized` as TensorProto, base64: "
                       + base64.urlsafe_b64encode(data).rstrip(b"=").decode()) from None
    if dtype is not out_type:
        raise _invalid(f"Type mismatch between parsed tensor ({_c_type_name(dtype)}) and dtype "
                       f"({_c_type_name(out_type)})")
    return value


def _c_type_name(dtype):
    return {"float32": "float", "float64": "double"}.get(dtype.name, dtype.name)


def _parse_tensor_shape(serialized, *, out_type):
    _scalar_string("ParseTensor", serialized, "serialized")
    return [(out_type, unknown_shape())]


register_op("ParseTensor", shape=_parse_tensor_shape, kernel=_parse_tensor_kernel,
            grad=NOT_DIFFERENTIABLE)


def serialize_tensor(tensor, name=None):
    """The serialized TensorProto of `tensor` (a scalar string), as TensorFlow writes it."""
    return one(create_op("SerializeTensor", [convert_to_tensor(tensor)],
                         name=name or "SerializeTensor"))


def parse_tensor(serialized, out_type, name=None):
    """The tensor of dtype `out_type` a serialized TensorProto (scalar string) holds."""
    return one(create_op("ParseTensor", [_strings(serialized)], name=name or "ParseTensor",
                         out_type=dtypes.as_dtype(out_type)))
