"""Unicode ops on string tensors: UnicodeTranscode, UnicodeDecode(WithOffsets), UnicodeEncode
(tf.strings.unicode_*), with TensorFlow's error modes: 'strict' fails the run, 'replace'
puts `replacement_char` for each invalid sequence (maximal subpart), 'ignore' drops it.

TensorFlow returns RaggedTensors where strings of different lengths decode to rows of
different lengths; tensorweave has no RaggedTensor, so the decoding functions take a scalar
string (whose result is a dense vector) and refuse other ranks.
"""
import codecs

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array, math_ops
from tensorweave.ops._common import elementwise_rows, one

_OUTPUT_ENCODINGS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}
_ERRORS = ("strict", "replace", "ignore")


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _codec(encoding):
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise _invalid(f"Could not create converter for input encoding: {encoding}") from None


def _check_attrs(op_type, errors_mode, output_encoding=None):
    if errors_mode not in _ERRORS:
        raise ValueError(f"{op_type}: errors must be one of {list(_ERRORS)}, got "
                         f"{errors_mode!r}")
    if output_encoding is not None and output_encoding not in _OUTPUT_ENCODINGS:
        raise ValueError(f"{op_type}: output_encoding must be one of "
                         f"{sorted(_OUTPUT_ENCODINGS)}, got {output_encoding!r}")


def is_unicode_char(code_point):
    """ICU's U_IS_UNICODE_CHAR: a scalar value that is not a surrogate or a noncharacter."""
    if code_point < 0 or code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        return False
    return not (0xFDD0 <= code_point <= 0xFDEF or (code_point & 0xFFFE) == 0xFFFE)


def decode(data, encoding, errors_mode, replacement_char, replace_control_characters):
    """[(code point, byte offset of its start)] of bytes `data` in `encoding`."""
    codec = _codec(encoding)
    out = []
    at = 0
    while at < len(data):
        try:
            good, bad = data[at:].decode(codec), None
        except UnicodeDecodeError as e:
            good, bad = data[at:at + e.start].decode(codec), (at + e.start, at + e.end)
        position = at
        for ch in good:
            code = ord(ch)
            if replace_control_characters and code < 0x20:
                code = replacement_char
            out.append((code, position))
            position += len(ch.encode(codec))
        if bad is None:
            break
        if errors_mode == "strict":
            raise _invalid("Invalid formatting on input string")
        if errors_mode == "replace":
            out.append((replacement_char, bad[0]))
        at = bad[1]
    return out


def encode(code_points, encoding, errors_mode, replacement_char):
    """Bytes of `code_points` in output `encoding` (UTF-8, UTF-16-BE, UTF-32-BE)."""
    chars = []
    for code in code_points:
        code = int(code)
        if not is_unicode_char(code):
            if errors_mode == "strict":
                raise _invalid("Code point is out of range for Unicode, or a noncharacter.")
            if errors_mode == "ignore":
                continue
            code = replacement_char
        chars.append(chr(code))
    return "".join(chars).encode(_OUTPUT_ENCODINGS[encoding], "surrogatepass")


def _as_bytes(value):
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


# --- UnicodeTranscode --------------------------------------------------------------------------
def _transcode_shape(input, **attrs):  # noqa: A002
    if input.dtype is not dtypes.string:
        raise TypeError(f"UnicodeTranscode requires a string input, got {input.dtype.name}")
    return [(dtypes.string, input.shape)]


def _transcode_kernel(input, *, input_encoding, output_encoding, errors,  # noqa: A002
                      replacement_char, replace_control_characters):
    source = np.asarray(input, dtype=object)
    out = np.empty(source.shape, dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(source.reshape(-1)):
        points = decode(_as_bytes(item), input_encoding, errors, replacement_char,
                        replace_control_characters)
        flat[i] = encode([p for p, _ in points], output_encoding, errors, replacement_char)
    return out


register_op("UnicodeTranscode", shape=_transcode_shape, kernel=_transcode_kernel,
            grad=NOT_DIFFERENTIABLE, row_wise=elementwise_rows)


def unicode_transcode(input, input_encoding, output_encoding, errors="replace",  # noqa: A002
                      replacement_char=65533, replace_control_characters=False, name=None):
    """Each string re-encoded from `input_encoding` to `output_encoding` (UTF-8, UTF-16-BE or
    UTF-32-BE)."""
    _check_attrs("UnicodeTranscode", errors, output_encoding)
    input = convert_to_tensor(input, dtype=dtypes.string)  # noqa: A001
    return one(create_op("UnicodeTranscode", [input], name=name or "UnicodeTranscode",
                         input_encoding=input_encoding, output_encoding=output_encoding,
                         errors=errors, replacement_char=int(replacement_char),
                         replace_control_characters=bool(replace_control_characters)))


# --- UnicodeDecode, UnicodeDecodeWithOffsets -----------------------------------------------------
def _decode_shape(with_offsets):
    def shape(input, **attrs):  # noqa: A002
        if input.dtype is not dtypes.string:
            raise TypeError(f"UnicodeDecode requires a string input, got {input.dtype.name}")
        count = input.shape.num_elements() if input.shape.is_fully_defined() else None
        splits = attrs.get("Tsplits", dtypes.int64)
        out = [(splits, TensorShape([None if count is None else count + 1])),
               (dtypes.int32, TensorShape([None]))]
        return out + [(dtypes.int64, TensorShape([None]))] if with_offsets else out
    return shape


def _decode_kernel(with_offsets):
    def kernel(input, *, input_encoding, errors, replacement_char,  # noqa: A002
               replace_control_characters, Tsplits=np.int64):
        splits, values, starts = [0], [], []
        for item in np.asarray(input, dtype=object).reshape(-1):
            points = decode(_as_bytes(item), input_encoding, errors, replacement_char,
                            replace_control_characters)
            values += [p for p, _ in points]
            starts += [s for _, s in points]
            splits.append(len(values))
        out = (np.array(splits, Tsplits), np.array(values, np.int32))
        return out + (np.array(starts, np.int64),) if with_offsets else out
    return kernel


register_op("UnicodeDecode", shape=_decode_shape(False), kernel=_decode_kernel(False),
            grad=NOT_DIFFERENTIABLE)
register_op("UnicodeDecodeWithOffsets", shape=_decode_shape(True), kernel=_decode_kernel(True),
            grad=NOT_DIFFERENTIABLE)


def _scalar_input(fn_name, input):  # noqa: A002
    input = convert_to_tensor(input, dtype=dtypes.string)  # noqa: A001
    if input.shape.ndims != 0:
        raise NotImplementedError(
            f"tf.strings.{fn_name} of a non-scalar string gives a RaggedTensor, which "
            f"tensorweave does not have; decode one string at a time (or use "
            f"tf.strings.unicode_transcode)")
    return input


def _decode_op(fn_name, op_type, input, input_encoding, errors, replacement_char,  # noqa
               replace_control_characters, name):
    _check_attrs(fn_name, errors)
    with name_scope(name, op_type, [input]) as scope:
        input = _scalar_input(fn_name, input)  # noqa: A001
        return create_op(op_type, [array.reshape(input, [1])], name=scope or op_type,
                         input_encoding=input_encoding, errors=errors,
                         replacement_char=int(replacement_char),
                         replace_control_characters=bool(replace_control_characters)).outputs


def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,  # noqa
                   replace_control_characters=False, name=None):
    """The code points (int32 vector) of scalar string `input` in `input_encoding`."""
    return _decode_op("unicode_decode", "UnicodeDecode", input, input_encoding, errors,
                      replacement_char, replace_control_characters, name)[1]


def unicode_decode_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                                replacement_char=65533, replace_control_characters=False,
                                name=None):
    """(code points, the byte offset where each starts) of scalar string `input`."""
    outs = _decode_op("unicode_decode_with_offsets", "UnicodeDecodeWithOffsets", input,
                      input_encoding, errors, replacement_char, replace_control_characters,
                      name)
    return outs[1], outs[2]


def _split(fn_name, input, input_encoding, errors, replacement_char, name):  # noqa: A002
    outs = _decode_op(fn_name, "UnicodeDecodeWithOffsets", input, input_encoding, errors,
                      replacement_char, False, name)
    starts = outs[2]
    source = array.reshape(outs[0].op.inputs[0], [])
    total = array.cast(one(create_op("StringLength", [source], unit="BYTE")), dtypes.int64)
    limits = array.concat([starts[1:], array.reshape(total, [1])], 0)
    pieces = one(create_op("Substr", [source, starts, limits - starts], unit="BYTE"))
    return pieces, starts


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533,  # noqa
                  name=None):
    """The characters of scalar string `input`, each as its own bytes (a string vector)."""
    return _split("unicode_split", input, input_encoding, errors, replacement_char, name)[0]


def unicode_split_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                               replacement_char=65533, name=None):
    """(the characters of scalar string `input`, the byte offset where each starts)."""
    return _split("unicode_split_with_offsets", input, input_encoding, errors,
                  replacement_char, name)


# --- UnicodeEncode -----------------------------------------------------------------------------
def _encode_shape(input_values, input_splits, **attrs):
    if input_values.dtype is not dtypes.int32:
        raise TypeError(f"UnicodeEncode requires int32 input_values, got "
                        f"{input_values.dtype.name}")
    rows = input_splits.shape.as_tuple()
    if rows is None:
        return [(dtypes.string, unknown_shape(1))]
    return [(dtypes.string, TensorShape([None if rows[0] is None else max(rows[0] - 1, 0)]))]


def _encode_kernel(input_values, input_splits, *, output_encoding, errors, replacement_char,
                   Tsplits=dtypes.int64):
    splits = [int(s) for s in input_splits]
    out = np.empty(max(len(splits) - 1, 0), dtype=object)
    for i, (a, b) in enumerate(zip(splits, splits[1:])):
        out[i] = encode(input_values[a:b], output_encoding, errors, replacement_char)
    return out


register_op("UnicodeEncode", shape=_encode_shape, kernel=_encode_kernel,
            grad=NOT_DIFFERENTIABLE)


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533,  # noqa
                   name=None):
    """The strings of int32 code points along the last axis of dense `input` (rank >= 1):
    a tensor of rank(input) - 1."""
    _check_attrs("unicode_encode", errors, output_encoding)
    with name_scope(name, "UnicodeEncode", [input]) as scope:
        input = convert_to_tensor(input, dtype=dtypes.int32  # noqa: A001
                                  if not hasattr(input, "dtype") else None)
        rank = input.shape.ndims
        if rank is None:
            raise ValueError("Rank of input_tensor must be statically known.")
        if rank == 0:
            raise ValueError("input_tensor's rank must be at least 1.")
        shape = array.shape(input, out_type=dtypes.int64)
        width = shape[-1]
        rows = math_ops.floordiv(array.size(input, out_type=dtypes.int64),
                                 math_ops.maximum(width, 1)) if rank > 1 else 1
        splits = array.cast(array.range_(rows + 1), dtypes.int64) * width
        out = one(create_op("UnicodeEncode", [array.reshape(input, [-1]), splits],
                            name=scope or "UnicodeEncode", output_encoding=output_encoding,
                            errors=errors, replacement_char=int(replacement_char)))
        return array.reshape(out, shape[:-1] if rank > 1 else [])
