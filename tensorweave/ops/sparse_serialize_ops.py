"""SparseTensors as strings and sequences (TF 1.15): SerializeSparse, SerializeManySparse,
DeserializeManySparse (each component a serialized TensorProto, as TensorFlow writes them),
and EditDistance (Levenshtein distance between sparse sequences).

    st = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2])
    tf.serialize_many_sparse(st)                        # string [2, 3], one row per batch entry
    tf.edit_distance(hypothesis, truth)                 # one distance per sequence
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.sparse_tensor import SparseTensor, SparseTensorValue
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops._common import one
from tensorweave.ops.sparse_common import (as_sparse_tensor, check_components, check_indices,
                                           check_rank, invalid, known_shape, validate)

__all__ = ["serialize_sparse", "serialize_many_sparse", "deserialize_many_sparse",
           "edit_distance"]


# --- TensorProto bytes ---------------------------------------------------------------------
def _to_bytes(array, dtype):
    """`array` as a serialized TensorProto, as TensorFlow's AsProtoTensorContent writes it."""
    from tensorweave.core import graph_def  # protobuf loads on first use, not on import
    proto = graph_def.tensor_pb2.TensorProto(dtype=graph_def.datatype_enum(dtype),
                                             tensor_shape=graph_def.shape_proto(array.shape))
    if dtype is dtypes.string:
        if array.size:  # TF's string tensor_content: every length as a varint, then the bytes
            items = [v if isinstance(v, bytes) else str(v).encode() for v in array.reshape(-1)]
            proto.tensor_content = b"".join(_varint(len(v)) for v in items) + b"".join(items)
    elif array.size:
        little = np.dtype(dtype.as_numpy_dtype).newbyteorder("<")
        proto.tensor_content = np.ascontiguousarray(array, little).tobytes()
    return proto.SerializeToString()


def _varint(n):
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _strings_from_content(content, size):
    """The `size` strings of a string TensorProto's tensor_content (lengths, then bytes)."""
    lengths, pos = [], 0
    for _ in range(size):
        n = shift = 0
        while True:
            byte = content[pos]
            pos += 1
            n |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        lengths.append(n)
    out = np.empty(size, object)
    for i, n in enumerate(lengths):
        out[i] = bytes(content[pos:pos + n])
        pos += n
    if pos != len(content):
        raise ValueError("trailing bytes in a string tensor_content")
    return out


def _from_bytes(data, where):
    from tensorweave.core import graph_def  # protobuf loads on first use, not on import
    try:
        proto = graph_def.tensor_pb2.TensorProto.FromString(bytes(data))
        dtype = graph_def.dtype_from_enum(proto.dtype)
        if dtype is dtypes.string and proto.tensor_content:
            shape = tuple(d.size for d in proto.tensor_shape.dim)
            return dtype, _strings_from_content(proto.tensor_content,
                                                int(np.prod(shape))).reshape(shape)
        return dtype, graph_def.tensor_value(proto)
    except Exception:  # a corrupt string: DecodeError, an unknown dtype, short content
        raise invalid(f"Could not parse serialized_sparse{where}") from None


# --- SerializeSparse / SerializeManySparse -------------------------------------------------
def _serialize_shape(many):
    op_type = "SerializeManySparse" if many else "SerializeSparse"

    def shape(indices, values, dense_shape, *, out_type):
        check_components(op_type, indices, values, dense_shape,
                         ("sparse_indices", "sparse_values", "sparse_shape"))
        if out_type is not dtypes.string:
            raise TypeError(f"{op_type} supports out_type string only (variant is TF2's), got "
                            f"{out_type.name}")
        return [(dtypes.string, TensorShape([None, 3] if many else [3]))]
    return shape


def _serialize_kernel(indices, values, dense_shape, *, out_type):
    validate(indices, values, dense_shape)
    dtype = dtypes.as_dtype(values.dtype) if values.dtype != object else dtypes.string
    out = np.empty(3, object)
    out[:] = [_to_bytes(indices.astype(np.int64), dtypes.int64), _to_bytes(values, dtype),
              _to_bytes(dense_shape.astype(np.int64), dtypes.int64)]
    return out


def _serialize_many_kernel(indices, values, dense_shape, *, out_type):
    validate(indices, values, dense_shape)
    if dense_shape.shape[0] < 2:
        raise invalid(f"Rank of input SparseTensor should be > 1, but saw rank: "
                      f"{dense_shape.shape[0]}")
    check_indices(indices, dense_shape)
    rows = int(dense_shape[0])
    first = indices[:, 0]
    out = np.empty((rows, 3), object)
    for r in range(rows):
        kept = first == r
        out[r] = _serialize_kernel(indices[kept][:, 1:], values[kept], dense_shape[1:],
                                   out_type=out_type)
    return out


register_op("SerializeSparse", shape=_serialize_shape(False), kernel=_serialize_kernel,
            grad=NOT_DIFFERENTIABLE)
register_op("SerializeManySparse", shape=_serialize_shape(True),
            kernel=_serialize_many_kernel, grad=NOT_DIFFERENTIABLE)


def _serializer(op_type, doc):
    def serialize(sp_input, name=None, out_type=dtypes.string):
        sp_input = as_sparse_tensor(sp_input)
        return one(create_op(op_type, [sp_input.indices, sp_input.values,
                                       sp_input.dense_shape], name=name or op_type,
                             out_type=dtypes.as_dtype(out_type)))
    serialize.__doc__ = doc
    return serialize


serialize_sparse = _serializer(
    "SerializeSparse", "A string [3] vector: the SparseTensor's indices, values and shape, each "
                       "a serialized TensorProto.")
serialize_many_sparse = _serializer(
    "SerializeManySparse", "A string [N, 3] matrix: row i is the serialized SparseTensor of "
                           "batch entry i (the input's first dimension, N).")


# --- DeserializeManySparse -----------------------------------------------------------------
def _deserialize_shape(serialized, *, dtype):
    if serialized.dtype is not dtypes.string:
        raise TypeError(f"DeserializeManySparse requires string serialized_sparse, got "
                        f"{serialized.dtype.name}")
    check_rank("DeserializeManySparse", serialized, 2, "serialized_sparse")
    dims = serialized.shape.as_tuple()
    if dims is not None and dims[1] not in (None, 3):
        raise ValueError(f"Dimension 1 in both shapes must be equal, but are {dims[1]} and 3 "
                         f"for 'DeserializeManySparse'")
    return [(dtypes.int64, TensorShape([None, None])), (dtype, TensorShape([None])),
            (dtypes.int64, TensorShape([None]))]


def _deserialize_kernel(serialized, *, dtype):
    if serialized.ndim != 2 or serialized.shape[1] != 3:
        raise invalid(f"Serialized sparse should be a matrix with 3 columns, got shape "
                      f"{list(serialized.shape)}")
    if not len(serialized):
        raise invalid("Serialized sparse should have non-zero number of rows")
    parts, rank = [], None
    for i, row in enumerate(serialized):
        _, indices = _from_bytes(row[0], f"[{i}, 0]")
        kind, values = _from_bytes(row[1], f"[{i}, 1]")
        _, shape = _from_bytes(row[2], f"[{i}, 2]")
        if kind.name != dtypes.as_dtype(dtype).name:
            raise invalid(f"Requested SparseTensor of type {dtype.name} but "
                          f"SparseTensor[{i}].values.dtype() == {kind.name}")
        validate(indices, values, shape)
        if rank is not None and shape.shape[0] != rank:
            raise invalid(f"Inconsistent rank across SparseTensors: rank prior to "
                          f"SparseTensor[{i}] was: {rank + 1} but rank of SparseTensor[{i}] "
                          f"is: {shape.shape[0] + 1}")
        rank = shape.shape[0]
        batch = np.full((len(indices), 1), i, np.int64)
        parts.append((np.concatenate([batch, indices.astype(np.int64)], 1), values, shape))
    shape = np.max(np.stack([p[2] for p in parts]), 0) if rank else np.zeros(0, np.int64)
    values = np.concatenate([p[1] for p in parts]) if dtype is not dtypes.string else \
        np.array([v for p in parts for v in p[1]] or [], object)
    return (np.concatenate([p[0] for p in parts]).reshape(-1, rank + 1), values,
            np.concatenate([[len(serialized)], shape]).astype(np.int64))


register_op("DeserializeManySparse", shape=_deserialize_shape, kernel=_deserialize_kernel,
            grad=NOT_DIFFERENTIABLE)


def deserialize_many_sparse(serialized_sparse, dtype, rank=None, name=None):
    """The SparseTensor of a string [N, 3] matrix of serialized SparseTensors (as
    serialize_many_sparse writes): rank one higher, the batch index first; the other
    dimensions are the largest among the rows."""
    serialized = convert_to_tensor(serialized_sparse, dtype=dtypes.string,
                                   name="serialized_sparse")
    indices, values, shape = create_op("DeserializeManySparse", [serialized],
                                       name=name or "DeserializeManySparse",
                                       dtype=dtypes.as_dtype(dtype)).outputs
    if rank is not None:
        indices.set_shape([None, rank])
        shape.set_shape([rank])
    return SparseTensor(indices, values, shape)


# --- EditDistance --------------------------------------------------------------------------
def _edit_distance_shape(h_indices, h_values, h_shape, t_indices, t_values, t_shape, *,
                         normalize):
    rank = check_components("EditDistance", h_indices, h_values, h_shape,
                            ("hypothesis_indices", "hypothesis_values", "hypothesis_shape"))
    t_rank = check_components("EditDistance", t_indices, t_values, t_shape,
                              ("truth_indices", "truth_values", "truth_shape"))
    if h_values.dtype is not t_values.dtype:
        raise TypeError(f"EditDistance requires hypothesis and truth values of one dtype, got "
                        f"{h_values.dtype.name} and {t_values.dtype.name}")
    if rank is not None and t_rank is not None and rank != t_rank:
        raise ValueError(f"EditDistance requires hypothesis and truth of one rank, got {rank} "
                         f"and {t_rank}")
    h, t = known_shape(h_shape), known_shape(t_shape)
    if h is not None and t is not None:
        return [(dtypes.float32, TensorShape([max(a, b) for a, b in zip(h[:-1], t[:-1])]))]
    rank = rank if rank is not None else t_rank
    return [(dtypes.float32, unknown_shape() if rank is None else TensorShape([None] *
                                                                              (rank - 1)))]


def _levenshtein(a, b):
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _sequences(indices, values, dense_shape, what):
    """{outer index: list of values}, each sequence in the order its entries come (TF does
    not reorder them)."""
    validate(indices, values, dense_shape, what)
    groups = {}
    for key, value in zip(indices[:, :-1].tolist(), values.tolist()):
        groups.setdefault(tuple(key), []).append(value)
    return groups


def _edit_distance_kernel(h_indices, h_values, h_shape, t_indices, t_values, t_shape, *,
                          normalize):
    if h_shape.shape != t_shape.shape:
        raise invalid(f"hypothesis_shape and truth_shape should have the same number of "
                      f"dimensions: {h_shape.shape[0]} vs. {t_shape.shape[0]}")
    if h_shape.shape[0] < 1:
        raise invalid("Input SparseTensors must have rank at least 1")
    hypothesis = _sequences(h_indices, h_values, h_shape, "hypothesis")
    truth = _sequences(t_indices, t_values, t_shape, "truth")
    shape = np.maximum(h_shape[:-1], t_shape[:-1])
    out = np.zeros(tuple(int(d) for d in shape), np.float32)
    for key in set(hypothesis) | set(truth):
        if any(k >= d for k, d in zip(key, shape)):
            raise invalid(f"Edit distance index {list(key)} is out of bounds of the output "
                          f"shape {list(shape)}")
        h, t = hypothesis.get(key, []), truth.get(key, [])
        distance = _levenshtein(h, t)
        out[key] = distance / len(t) if normalize and t else \
            (np.inf if normalize and h else distance)
    return out


register_op("EditDistance", shape=_edit_distance_shape, kernel=_edit_distance_kernel,
            grad=NOT_DIFFERENTIABLE)


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance"):
    """The Levenshtein distance between the sequences (last dimension) of two SparseTensors,
    divided by the truth's length when `normalize`; a float32 tensor of the outer shape."""
    if not isinstance(hypothesis, (SparseTensor, SparseTensorValue)):
        raise TypeError("Hypothesis must be a SparseTensor.")
    if not isinstance(truth, (SparseTensor, SparseTensorValue)):
        raise TypeError("Truth must be a SparseTensor.")
    hypothesis, truth = as_sparse_tensor(hypothesis), as_sparse_tensor(truth)
    return one(create_op("EditDistance", [hypothesis.indices, hypothesis.values,
                                          hypothesis.dense_shape, truth.indices, truth.values,
                                          truth.dense_shape], name=name,
                         normalize=bool(normalize)))
