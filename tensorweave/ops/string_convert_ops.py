"""String ops that convert: strings to numbers and hash buckets, values to text (AsString),
base64, fingerprints and serialized tensors (TensorProto bytes, protobuf loaded in the kernels).
tf.string_to_number, tf.as_string, tf.fingerprint, ... (re-exported by string_ops)."""
import base64
import binascii
import re

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import string_hash
from tensorweave.ops import string_common as common
from tensorweave.ops._common import elementwise_rows, one


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
        if data and not data.strip(common.ASCII_SPACE):
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
            raise common.invalid("StringToNumberOp could not correctly convert string: "
                           + data.decode("utf-8", "replace"))
        return value
    out = common.map_strings(string_tensor, convert)
    return out.astype(out_type.as_numpy_dtype)


def _string_to_number_shape(string_tensor, *, out_type):
    common.check_string("StringToNumber", string_tensor)
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
    return one(create_op("StringToNumber", [common.string_tensor(string_tensor)],
                         name=name or "StringToNumber", out_type=dtypes.as_dtype(out_type)))


# --- hash buckets ------------------------------------------------------------------------------
def _check_buckets(op_type, num_buckets):
    if num_buckets is None or int(num_buckets) < 1:
        raise ValueError(f"Attr 'num_buckets' of '{op_type}' Op passed {num_buckets} less than "
                         f"minimum 1.")


def _bucket_shape(x, *, num_buckets, key=None):
    common.check_string("StringToHashBucket", x)
    return [(dtypes.int64, x.shape)]


def _bucket_kernel(hash_fn):
    def kernel(x, *, num_buckets, key=None):
        return common.map_strings(x, lambda s: hash_fn(s, key) % num_buckets, dtype=np.int64)
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
    return one(create_op("StringToHashBucketFast", [common.string_tensor(input)],
                         name=name or "StringToHashBucketFast", num_buckets=int(num_buckets)))


def string_to_hash_bucket(string_tensor=None, num_buckets=None, name=None, input=None):  # noqa
    """Deprecated: TensorFlow's legacy Hash64 of each string modulo `num_buckets`."""
    string_tensor = input if string_tensor is None else string_tensor
    _check_buckets("StringToHashBucket", num_buckets)
    return one(create_op("StringToHashBucket", [common.string_tensor(string_tensor)],
                         name=name or "StringToHashBucket", num_buckets=int(num_buckets)))


def string_to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """Keyed SipHash-2-4 of each string (key: two integers) modulo `num_buckets`."""
    _check_buckets("StringToHashBucketStrong", num_buckets)
    key = [int(k) & ((1 << 64) - 1) for k in key]
    if len(key) != 2:
        raise errors.InvalidArgumentError(None, None, "Key must have 2 elements")
    return one(create_op("StringToHashBucketStrong", [common.string_tensor(input)],
                         name=name or "StringToHashBucketStrong", num_buckets=int(num_buckets),
                         key=key))


# --- AsString ----------------------------------------------------------------------------------
def _as_string_format(dtype, precision, scientific, shortest, width, fill):
    """The printf format TensorFlow's AsString builds, checked as it checks it."""
    is_float = dtype.is_floating or dtype.is_complex
    if not is_float:
        if scientific or shortest:
            raise common.invalid(f"scientific and shortest format not supported for datatype "
                           f"{dtype.name}")
        if precision >= 0:
            raise common.invalid(f"precision not supported for datatype {dtype.name}")
    if len(fill) > 1:
        raise common.invalid("Fill string must be one or fewer characters")
    if scientific and shortest:
        raise common.invalid("Cannot select both scientific and shortest notation")
    spec = "%"
    if fill:
        if fill not in " +-0#":
            raise common.invalid(f'Fill argument not supported: "{fill}"')
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
            text = spec % common.as_bytes(v).decode("utf-8", "surrogateescape")
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
    return common.map_strings(input, encode)


def _decode_one(data):
    stripped = data.rstrip(b"=")
    if len(stripped) % 4 == 1:
        raise common.invalid("Base64 string length cannot be 1 modulo 4.")
    if len(data) % 4 and stripped != data or re.fullmatch(rb"[A-Za-z0-9_-]*", stripped) is None:
        raise common.invalid("Invalid character found in base64.")
    try:
        return base64.urlsafe_b64decode(stripped + b"=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        raise common.invalid("Invalid character found in base64.") from None


common.elementwise("EncodeBase64", _encode_base64_kernel)
common.elementwise("DecodeBase64", lambda input: common.map_strings(input, _decode_one))


def encode_base64(input, pad=False, name=None):  # noqa: A002
    """Web-safe base64 of each string ('-' and '_' for '+' and '/'), '='-padded with `pad`."""
    return one(create_op("EncodeBase64", [common.string_tensor(input)], name=name or "EncodeBase64",
                         pad=bool(pad)))


def decode_base64(input, name=None):  # noqa: A002
    """Decodes web-safe base64 strings (padding optional)."""
    return one(create_op("DecodeBase64", [common.string_tensor(input)], name=name or "DecodeBase64"))


# --- Fingerprint -------------------------------------------------------------------------------
def _fingerprint_shape(data, method):
    if data.shape.ndims == 0:
        raise ValueError(f"Shape must be at least rank 1 but is rank 0 for 'Fingerprint' "
                         f"with input shapes: {data.shape}, {method.shape}.")
    common.check_scalar_string("Fingerprint", method, "method")
    first = None if data.shape.ndims is None else data.shape.dims[0]
    return [(dtypes.uint8, TensorShape([first, 8]))]


def _fingerprint_rows(rows):
    """8 bytes (little-endian Fingerprint64) for each bytes of `rows`."""
    out = np.zeros((len(rows), 8), dtype=np.uint8)
    for i, data in enumerate(rows):
        out[i] = np.frombuffer(string_hash.fingerprint64(data).to_bytes(8, "little"), np.uint8)
    return out


def _fingerprint_kernel(data, method):
    method = common.as_bytes(method[()])
    if method != b"farmhash64":
        raise common.invalid(f"Unsupported fingerprint method is used: {method.decode()}")
    data = np.asarray(data)
    if data.ndim == 0:
        raise common.invalid("data must have rank at least one")
    rows = data.shape[0]
    width = data.size // rows if rows else 0
    if data.dtype == object:
        each = _fingerprint_rows([common.as_bytes(v) for v in data.reshape(-1)])
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
    return one(create_op("Fingerprint", [data, common.string_tensor(method, name="method")],
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
        proto.string_val.extend(common.as_bytes(v) for v in value.reshape(-1))
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
    data = common.as_bytes(np.asarray(serialized, dtype=object)[()])
    proto = graph_def.tensor_pb2.TensorProto()
    try:
        proto.ParseFromString(data)
        dtype = graph_def.dtype_from_enum(proto.dtype)
        value = graph_def.tensor_value(proto)
    except Exception:
        raise common.invalid("Could not parse `serialized` as TensorProto, base64: "
                       + base64.urlsafe_b64encode(data).rstrip(b"=").decode()) from None
    if dtype is not out_type:
        raise common.invalid(f"Type mismatch between parsed tensor ({_c_type_name(dtype)}) and dtype "
                       f"({_c_type_name(out_type)})")
    return value


def _c_type_name(dtype):
    return {"float32": "float", "float64": "double"}.get(dtype.name, dtype.name)


def _parse_tensor_shape(serialized, *, out_type):
    common.check_scalar_string("ParseTensor", serialized, "serialized")
    return [(out_type, unknown_shape())]


register_op("ParseTensor", shape=_parse_tensor_shape, kernel=_parse_tensor_kernel,
            grad=NOT_DIFFERENTIABLE)


def serialize_tensor(tensor, name=None):
    """The serialized TensorProto of `tensor` (a scalar string), as TensorFlow writes it."""
    return one(create_op("SerializeTensor", [convert_to_tensor(tensor)],
                         name=name or "SerializeTensor"))


def parse_tensor(serialized, out_type, name=None):
    """The tensor of dtype `out_type` a serialized TensorProto (scalar string) holds."""
    return one(create_op("ParseTensor", [common.string_tensor(serialized)], name=name or "ParseTensor",
                         out_type=dtypes.as_dtype(out_type)))
