"""String ops (tf.string tensors are NumPy object arrays of bytes): joining, splitting,
stripping, lengths, case, substrings, regular expressions, reductions and n-grams; the
entry module of the string families (conversions: string_convert_ops.py, Unicode:
unicode_ops.py, hashes: string_hash.py), whose `__all__` lists their top-level tf. names.

    words = tf.string_split(["a b", "c"])       # SparseTensor of b"a", b"b", b"c"
    tf.strings.to_hash_bucket_fast(words.values, 100)

Regular expressions take RE2's syntax, run by Python's `re` on the UTF-8 text (RE2's
\\1-style rewrites; `\\d`, `\\w`, `\\s` ASCII-only as in RE2).
"""
import re

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.core.tensor_shape import TensorShape, shape_text, unknown_shape
from tensorweave.ops import array, math_ops, unicode_ops  # noqa: F401 - registers Unicode ops
from tensorweave.ops import string_common as common
from tensorweave.ops._common import one
from tensorweave.ops.string_convert_ops import (  # noqa: F401 - tf. names of the family
    as_string, decode_base64, encode_base64, fingerprint, parse_tensor, serialize_tensor,
    string_to_hash_bucket, string_to_hash_bucket_fast, string_to_hash_bucket_strong,
    string_to_number)

__all__ = [
    "as_string", "decode_base64", "encode_base64", "reduce_join", "regex_replace",
    "string_join", "string_split", "string_strip", "string_to_hash_bucket",
    "string_to_hash_bucket_fast", "string_to_hash_bucket_strong", "string_to_number", "substr",
    "fingerprint", "serialize_tensor", "parse_tensor",
]


# --- StringJoin --------------------------------------------------------------------------------
def _string_join_shape(*inputs, separator):
    shape = TensorShape([])
    for t in inputs:
        common.check_string("StringJoin", t, "inputs")
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
        raise common.invalid(f"Input shapes do not match: {list(a)} vs. {list(b)}")
    shape = shapes.pop() if shapes else ()
    sep = common.as_bytes(separator)
    flats = [np.broadcast_to(v, shape).reshape(-1) for v in values]
    out = np.empty(int(np.prod(shape, dtype=np.int64)), dtype=object)
    for i in range(out.size):
        out[i] = sep.join(common.as_bytes(f[i]) for f in flats)
    return out.reshape(shape)


register_op("StringJoin", shape=_string_join_shape, kernel=_string_join_kernel,
            grad=NOT_DIFFERENTIABLE)


def string_join(inputs, separator="", name=None):
    """Joins the strings of `inputs` (tensors of one shape, or scalars) elementwise with
    `separator`: string_join(["a", ["b", "c"]], "-") -> [b"a-b", b"a-c"]."""
    tensors = [common.string_tensor(t) for t in inputs]
    return one(create_op("StringJoin", tensors, name=name or "StringJoin",
                         separator=separator))


# --- StringSplit, StringSplitV2 ----------------------------------------------------------------
def _split_shape(op_type):
    def shape(source, sep, **_):
        common.check_string(op_type, source)
        common.check_string(op_type, sep, "delimiter")
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
        raise common.invalid(f"input must be a vector, got shape: {list(np.shape(source))}")
    if np.ndim(sep) != 0:
        raise common.invalid(f"delimiter must be a scalar, got shape: {list(np.shape(sep))}")


def _string_split_kernel(source, delimiter, *, skip_empty):
    _check_split_input("StringSplit", source, delimiter)
    delimiter = common.as_bytes(delimiter[()])
    rows = []
    for item in source:
        text = common.as_bytes(item)
        if not delimiter:
            tokens = [text[i:i + 1] for i in range(len(text))]
        else:
            tokens = re.split(b"[" + re.escape(delimiter) + b"]", text) if text else []
        rows.append([t for t in tokens if t] if skip_empty else tokens)
    return _sparse_rows(rows)


register_op("StringSplit", shape=_split_shape("StringSplit"), kernel=_string_split_kernel,
            grad=NOT_DIFFERENTIABLE)


def _string_split_v2_kernel(source, sep, *, maxsplit):
    _check_split_input("StringSplitV2", source, sep)
    sep = common.as_bytes(sep[()])
    rows = []
    for item in source:
        text = common.as_bytes(item)
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
        while i < n and text[i] in common.ASCII_SPACE:
            i += 1
        if i == n:
            break
        if 0 <= maxsplit <= len(tokens):
            tokens.append(text[i:])
            break
        j = i
        while j < n and text[j] not in common.ASCII_SPACE:
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
        source = common.string_tensor(source, name="source")
        sep = common.string_tensor(sep, name="delimiter")
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
        input = common.string_tensor(input, name="input")  # noqa: A001
        if input.shape.ndims == 0:
            input = array.reshape(input, [1])  # noqa: A001
        sep = common.string_tensor("" if sep is None else sep, name="sep")
        return _split_any_rank("StringSplitV2", input, sep, scope or "StringSplitV2",
                               maxsplit=int(maxsplit))


def bytes_split(input, name=None):  # noqa: A002
    """The bytes of scalar string `input` as a vector of one-byte strings (TF gives a
    RaggedTensor for inputs of rank >= 1, which tensorweave does not have)."""
    with name_scope(name, "StringsByteSplit", [input]) as scope:
        input = common.string_tensor(input, name="input")  # noqa: A001
        if input.shape.ndims != 0:
            raise NotImplementedError("tf.strings.bytes_split of a non-scalar gives a "
                                      "RaggedTensor, which tensorweave does not have")
        op = create_op("StringSplit", [array.reshape(input, [1]), common.string_tensor("")],
                       name=scope or "StringSplit", skip_empty=False)
        return op.outputs[1]


# --- StringStrip, StringLength, StringLower/Upper ------------------------------------------------
common.elementwise("StringStrip",
             lambda input: common.map_strings(input, lambda s: s.strip(common.ASCII_SPACE)))


def string_strip(input, name=None):  # noqa: A002
    """Removes leading and trailing ASCII whitespace from each string."""
    return one(create_op("StringStrip", [common.string_tensor(input)], name=name or "StringStrip"))


def _check_unit(op_type, unit):
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"{op_type}: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")


def _utf8_count(data):
    """Characters of UTF-8 bytes: the bytes that do not continue a character."""
    return sum(1 for b in data if (b & 0xC0) != 0x80)


def _string_length_kernel(input, *, unit):  # noqa: A002
    count = len if unit == "BYTE" else _utf8_count
    return common.map_strings(input, count, dtype=np.int32)


common.elementwise("StringLength", _string_length_kernel, out_dtype=dtypes.int32)


def string_length(input, name=None, unit="BYTE"):  # noqa: A002
    """The length of each string in bytes, or with unit="UTF8_CHAR" in UTF-8 characters."""
    _check_unit("StringLength", unit)
    return one(create_op("StringLength", [common.string_tensor(input)], name=name or "StringLength",
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
        return common.map_strings(input, lambda s: convert(s, encoding))
    return kernel


common.elementwise("StringLower", _case_kernel(False))
common.elementwise("StringUpper", _case_kernel(True))


def _case_builder(op_type):
    def builder(input, encoding="", name=None):  # noqa: A002
        if encoding not in ("", "utf-8", "UTF-8"):
            raise ValueError(f"{op_type}: encoding must be '' or 'utf-8', got {encoding!r}")
        return one(create_op(op_type, [common.string_tensor(input)], name=name or op_type,
                             encoding=encoding))
    builder.__doc__ = (f"Each string in {'upper' if op_type == 'StringUpper' else 'lower'} "
                       f"case: ASCII letters only, or every letter with encoding='utf-8'.")
    return builder


lower = _case_builder("StringLower")
upper = _case_builder("StringUpper")


# --- Substr ----------------------------------------------------------------------------------
def _substr_shape(input, pos, length, *, unit):  # noqa: A002
    common.check_string("Substr", input)
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
        raise common.invalid(f"pos and len should have the same shape, got: {list(np.shape(pos))} "
                       f"vs. {list(np.shape(length))}")
    try:
        shape = np.broadcast_shapes(np.shape(input), np.shape(pos))
    except ValueError:
        raise common.invalid(f"Incompatible shapes: {list(np.shape(input))} vs. "
                       f"{list(np.shape(pos))}") from None
    strings = np.broadcast_to(np.asarray(input, dtype=object), shape).reshape(-1)
    starts = np.broadcast_to(pos, shape).reshape(-1)
    lengths = np.broadcast_to(length, shape).reshape(-1)
    out = np.empty(strings.size, dtype=object)
    for i, (item, p, n) in enumerate(zip(strings, starts, lengths)):
        data = common.as_bytes(item)
        p, n = int(p), int(n)
        if unit == "BYTE":
            size = len(data)
            if abs(p) > size:
                raise common.invalid(f"pos {p} out of range for string {common.string_text(data)} at "
                               f"index {i}")
            p = p + size if p < 0 else p
            out[i] = data[p:] if n < 0 else data[p:p + n]
        else:
            offsets = _utf8_starts(data)
            chars = len(offsets) - 1
            if abs(p) > chars:
                raise common.invalid(f"pos {p} out of range for string at index {i}")
            p = p + chars if p < 0 else p
            end = p if n < 0 else min(p + n, chars)
            out[i] = data[offsets[p]:offsets[end]]
    return out.reshape(shape)


register_op("Substr", shape=_substr_shape, kernel=_substr_kernel, grad=NOT_DIFFERENTIABLE)


def substr(input, pos, len, name=None, unit="BYTE"):  # noqa: A002
    """The substrings of `input` of `len` bytes (or UTF-8 characters with unit="UTF8_CHAR")
    from `pos` (negative: from the end); pos and len broadcast against input."""
    _check_unit("Substr", unit)
    input = common.string_tensor(input)  # noqa: A001
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
    text = common.as_bytes(pattern).decode("utf-8", "surrogateescape")
    python = re.sub(r"\[:(\^?)([a-z]+):\]", lambda m: _POSIX_CLASSES.get(m.group(2), m.group(0))
                    if not m.group(1) else m.group(0), text.replace("\\z", "\\Z"))
    try:
        return re.compile(python, re.ASCII)
    except re.error as e:
        raise common.invalid(f"Invalid pattern: {text}, error: {e}") from None


def _rewriter(rewrite, groups):
    """RE2's rewrite string (\\0-\\9 groups, \\\\ a backslash) as a function of a match, or
    None when it names a group the pattern lacks (RE2 then replaces nothing)."""
    text = common.as_bytes(rewrite).decode("utf-8", "surrogateescape")
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
        return common.map_strings(input, lambda s: s)
    return common.map_strings(input, lambda s: _replace(regex, rewrite_fn, s, replace_global))


def _regex_replace_shape(input, pattern, rewrite, *, replace_global):  # noqa: A002
    common.check_string("RegexReplace", input)
    common.check_scalar_string("RegexReplace", pattern, "pattern")
    common.check_scalar_string("RegexReplace", rewrite, "rewrite")
    return [(dtypes.string, input.shape)]


register_op("RegexReplace", shape=_regex_replace_shape,
            kernel=lambda input, pattern, rewrite, *, replace_global: _regex_replace_values(
                input, pattern[()], rewrite[()], replace_global),
            grad=NOT_DIFFERENTIABLE)
common.elementwise("StaticRegexReplace", _regex_replace_values)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replaces the matches of RE2 `pattern` in each string by `rewrite` (\\1 names a group),
    every match or only the first."""
    input = common.string_tensor(input)  # noqa: A001
    if isinstance(pattern, (str, bytes)) and isinstance(rewrite, (str, bytes)):
        return one(create_op("StaticRegexReplace", [input], name=name or "StaticRegexReplace",
                             pattern=pattern, rewrite=rewrite,
                             replace_global=bool(replace_global)))
    return one(create_op("RegexReplace", [input, common.string_tensor(pattern), common.string_tensor(rewrite)],
                         name=name or "RegexReplace", replace_global=bool(replace_global)))


def _full_match_values(input, pattern):  # noqa: A002
    regex = _compile(pattern)
    return common.map_strings(input, lambda s: regex.fullmatch(s.decode("utf-8", "surrogateescape"))
                        is not None, dtype=np.bool_)


def _regex_full_match_shape(input, pattern):  # noqa: A002
    common.check_string("RegexFullMatch", input)
    common.check_scalar_string("RegexFullMatch", pattern, "pattern")
    return [(dtypes.bool, input.shape)]


register_op("RegexFullMatch", shape=_regex_full_match_shape,
            kernel=lambda input, pattern: _full_match_values(input, pattern[()]),
            grad=NOT_DIFFERENTIABLE)
common.elementwise("StaticRegexFullMatch", _full_match_values, out_dtype=dtypes.bool)


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """True where the whole string matches RE2 `pattern`."""
    input = common.string_tensor(input)  # noqa: A001
    if isinstance(pattern, (str, bytes)):
        return one(create_op("StaticRegexFullMatch", [input],
                             name=name or "StaticRegexFullMatch", pattern=pattern))
    return one(create_op("RegexFullMatch", [input, common.string_tensor(pattern)],
                         name=name or "RegexFullMatch"))


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
    common.check_string("ReduceJoin", inputs)
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
    axes = _reduction_axes(reduction_indices, inputs.ndim, common.invalid)
    kept = [i for i in range(inputs.ndim) if i not in axes]
    moved = np.transpose(inputs, kept + axes[::-1])
    rows = moved.reshape([inputs.shape[i] for i in kept] + [-1])
    sep = common.as_bytes(separator)
    out = np.empty(rows.shape[:-1], dtype=object)
    flat_rows = rows.reshape(out.size, -1)
    flat = out.reshape(-1)
    for i in range(out.size):
        flat[i] = sep.join(common.as_bytes(v) for v in flat_rows[i])
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
        inputs = common.string_tensor(inputs, name="inputs")
        if axis is None:
            rank = inputs.shape.ndims
            axis = list(range(rank - 1, -1, -1)) if rank is not None else array.range_(
                array.rank(inputs) - 1, -1, -1)
        axes = convert_to_tensor(axis, dtype=dtypes.int32, name="reduction_indices")
        return one(create_op("ReduceJoin", [inputs, axes], name=scope or "ReduceJoin",
                             keep_dims=keep, separator=separator))


def _segment_join_shape(inputs, segment_ids, num_segments, *, separator):
    common.check_string("UnsortedSegmentJoin", inputs)
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
        raise common.invalid(f"segment_ids.shape = {list(np.shape(segment_ids))} does not prefix "
                       f"inputs.shape = {list(inputs.shape)}")
    if ids.size and (ids.min() < 0 or ids.max() >= count):
        raise common.invalid("segment_ids are not allowed to exceed num_segments or to have "
                       "negative values.")
    rows = inputs.reshape((ids.size,) + inputs.shape[np.ndim(segment_ids):])
    parts = [[] for _ in range(count)]
    for row, segment in zip(rows, ids):
        parts[segment].append(row)
    inner = inputs.shape[np.ndim(segment_ids):]
    out = np.empty((count,) + inner, dtype=object)
    sep = common.as_bytes(separator)
    for segment in range(count):
        out[segment] = b"" if not inner else np.full(inner, b"", dtype=object)
        if parts[segment]:
            stacked = np.stack(parts[segment]).reshape(len(parts[segment]), -1)
            joined = [sep.join(common.as_bytes(v) for v in column) for column in stacked.T]
            out[segment] = np.array(joined, dtype=object).reshape(inner) if inner else joined[0]
    return out


register_op("UnsortedSegmentJoin", shape=_segment_join_shape, kernel=_segment_join_kernel,
            grad=NOT_DIFFERENTIABLE)


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None):
    """Joins the rows of `inputs` that share a segment id, in order, with `separator`; empty
    segments give b""."""
    inputs = common.string_tensor(inputs)
    segment_ids = convert_to_tensor(segment_ids)
    num_segments = convert_to_tensor(num_segments)
    return one(create_op("UnsortedSegmentJoin", [inputs, segment_ids, num_segments],
                         name=name or "UnsortedSegmentJoin", separator=separator))


# --- StringNGrams --------------------------------------------------------------------------------
def _ngrams_shape(data, data_splits, **_):
    common.check_string("StringNGrams", data)
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
        raise common.invalid(f"Invalid split values: {splits}")
    sep, lp, rp = common.as_bytes(separator), common.as_bytes(left_pad), common.as_bytes(right_pad)
    values, out_splits = [], [0]
    for a, b in zip(splits, splits[1:]):
        tokens = [common.as_bytes(t) for t in data[a:b]]
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
        data = common.string_tensor(data, name="data")
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
