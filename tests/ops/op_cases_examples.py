"""Op table rows for the Example parsing op types (tensorweave/ops/example_parsing.py):
ParseExampleV2, ParseExample, ParseSingleExample, ParseSequenceExampleV2, ParseSequenceExample,
ParseSingleSequenceExample, DecodeCompressed and DecodePaddedRaw. Their values against
TensorFlow's are checked in tests/test_example_parsing.py."""
import gzip
import zlib

import numpy as np

import tensorweave as tf
from tensorweave.core.graph import create_op
from tensorweave.lib import example_protos
from tensorweave.ops import example_parsing  # noqa: F401 - registers the op types
from tests.ops.op_case import Case


def _feature(values):
    m = example_protos.messages()
    if isinstance(values[0], float):
        return m.Feature(float_list=m.FloatList(value=values))
    if isinstance(values[0], int):
        return m.Feature(int64_list=m.Int64List(value=values))
    return m.Feature(bytes_list=m.BytesList(value=values))


def _example(**features):
    m = example_protos.messages()
    return m.Example(features=m.Features(
        feature={k: _feature(v) for k, v in features.items()})).SerializeToString()


def _sequence(context, lists):
    m = example_protos.messages()
    return m.SequenceExample(
        context=m.Features(feature={k: _feature(v) for k, v in context.items()}),
        feature_lists=m.FeatureLists(feature_list={
            k: m.FeatureList(feature=[_feature(s) for s in steps])
            for k, steps in lists.items()})).SerializeToString()


def _strings(*values):
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


_RECORDS = _strings(_example(x=[1.0, 2.0], y=[3, 4, 5], s=[b"a"]), _example(x=[5.0, 6.0]))
_SEQUENCES = _strings(_sequence({"n": [2]}, {"t": [[1, 2], [3, 4]], "w": [[b"a"], [b"b", b"c"]]}),
                      _sequence({"n": [1]}, {"t": [[5, 6]]}))


def _const(value, dtype):
    return tf.constant(value, dtype=dtype)


def _parse_v2(serialized):
    return list(create_op(
        "ParseExampleV2",
        [serialized, _const(_strings(), tf.string), _const(_strings(b"y"), tf.string),
         _const(_strings(b"s", b"x"), tf.string), _const(_strings(), tf.string),
         _const(_strings(b"-"), tf.string), _const(np.zeros(0, np.float32), tf.float32)],
        Tdense=[tf.string, tf.float32], num_sparse=1, sparse_types=[tf.int64],
        ragged_value_types=[], ragged_split_types=[],
        dense_shapes=[tf.TensorShape([]), tf.TensorShape([2])]).outputs)


def _parse_v2_ref(serialized):
    if np.ndim(serialized) == 0:  # one example
        return (np.array([[0], [1], [2]]), np.array([3, 4, 5]), np.array([3]),
                np.array(b"a", dtype=object), np.array([1.0, 2.0], np.float32))
    return (np.array([[0, 0], [0, 1], [0, 2]]), np.array([3, 4, 5]), np.array([2, 3]),
            _strings(b"a", b"-"), np.array([[1.0, 2.0], [5.0, 6.0]], np.float32))


def _parse_v1(serialized):
    return list(create_op(
        "ParseExample",
        [serialized, _const(_strings(), tf.string), _const(b"y", tf.string),
         _const(b"x", tf.string), _const(np.zeros(0, np.float32), tf.float32)],
        Nsparse=1, Ndense=1, sparse_types=[tf.int64], Tdense=[tf.float32],
        dense_shapes=[tf.TensorShape([2])]).outputs)


def _parse_single(serialized):
    return list(create_op(
        "ParseSingleExample", [serialized, _const(np.zeros(2, np.float32), tf.float32)],
        num_sparse=1, sparse_keys=["y"], dense_keys=["x"], sparse_types=[tf.int64],
        Tdense=[tf.float32], dense_shapes=[tf.TensorShape([2])]).outputs)


_SEQUENCE_V2_TYPES = dict(
    Ncontext_sparse=0, Tcontext_dense=[tf.int64], context_sparse_types=[],
    context_ragged_value_types=[], context_ragged_split_types=[],
    context_dense_shapes=[tf.TensorShape([])], Nfeature_list_sparse=1, Nfeature_list_dense=1,
    feature_list_dense_types=[tf.int64], feature_list_sparse_types=[tf.string],
    feature_list_ragged_value_types=[], feature_list_ragged_split_types=[],
    feature_list_dense_shapes=[tf.TensorShape([2])])


def _sequence_v2(serialized):
    return list(create_op(
        "ParseSequenceExampleV2",
        [serialized, _const(_strings(), tf.string), _const(_strings(), tf.string),
         _const(_strings(b"n"), tf.string), _const(_strings(), tf.string),
         _const(_strings(b"w"), tf.string), _const(_strings(b"t"), tf.string),
         _const(_strings(), tf.string), _const(np.array([True]), tf.bool),
         _const(np.zeros(0, np.int64), tf.int64)], **_SEQUENCE_V2_TYPES).outputs)


def _sequence_batch_ref(serialized):
    return (np.array([2, 1]), np.array([[0, 0, 0], [0, 1, 0], [0, 1, 1]]),
            _strings(b"a", b"b", b"c"), np.array([2, 2, 2]),
            np.array([[[1, 2], [3, 4]], [[5, 6], [0, 0]]]), np.array([2, 1]))


def _sequence_one_ref(serialized):
    return (np.array(2), np.array([[0, 0], [1, 0], [1, 1]]), _strings(b"a", b"b", b"c"),
            np.array([2, 2]), np.array([[1, 2], [3, 4]]), np.array(2))


def _sequence_v1(serialized):
    return list(create_op(
        "ParseSequenceExample",
        [serialized, _const(_strings(), tf.string), _const(np.zeros(0, np.int64), tf.int64)],
        feature_list_dense_missing_assumed_empty=[], context_sparse_keys=[],
        context_dense_keys=["n"], feature_list_sparse_keys=["w"], feature_list_dense_keys=["t"],
        Ncontext_sparse=0, Ncontext_dense=1, Nfeature_list_sparse=1, Nfeature_list_dense=1,
        context_sparse_types=[], Tcontext_dense=[tf.int64], feature_list_dense_types=[tf.int64],
        context_dense_shapes=[tf.TensorShape([])], feature_list_sparse_types=[tf.string],
        feature_list_dense_shapes=[tf.TensorShape([2])]).outputs)


def _single_sequence_v1(serialized):
    return list(create_op(
        "ParseSingleSequenceExample",
        [serialized, _const(_strings(), tf.string), _const(b"n", tf.string),
         _const(b"w", tf.string), _const(b"t", tf.string),
         _const(np.zeros(0, np.int64), tf.int64), _const(b"", tf.string)],
        Ncontext_sparse=0, Ncontext_dense=1, Nfeature_list_sparse=1, Nfeature_list_dense=1,
        context_sparse_types=[], Tcontext_dense=[tf.int64], feature_list_dense_types=[tf.int64],
        context_dense_shapes=[tf.TensorShape([])], feature_list_sparse_types=[tf.string],
        feature_list_dense_shapes=[tf.TensorShape([2])]).outputs)


_TEXTS = [b"hello hello", b"", b"\x00\x01" * 7]
_RAW = _strings(b"\x01\x02\x03\x04\x05", b"\xff\xfe")

CASES = [
    Case("ParseExampleV2", [_RECORDS], _parse_v2_ref, build=_parse_v2, tag="batch",
         partial_shape=True),
    Case("ParseExampleV2", [np.array(_RECORDS[0], dtype=object)], _parse_v2_ref,
         build=_parse_v2, tag="one", partial_shape=True),
    Case("ParseExample", [_RECORDS],
         lambda s: (np.array([[0, 0], [0, 1], [0, 2]]), np.array([3, 4, 5]), np.array([2, 3]),
                    np.array([[1.0, 2.0], [5.0, 6.0]], np.float32)), build=_parse_v1,
         partial_shape=True),
    Case("ParseSingleExample", [np.array(_RECORDS[1], dtype=object)],
         lambda s: (np.zeros((0, 1), np.int64), np.zeros(0, np.int64), np.array([0]),
                    np.array([5.0, 6.0], np.float32)), build=_parse_single, partial_shape=True),
    Case("ParseSequenceExampleV2", [_SEQUENCES], _sequence_batch_ref, build=_sequence_v2,
         tag="batch", partial_shape=True),
    Case("ParseSequenceExampleV2", [np.array(_SEQUENCES[0], dtype=object)], _sequence_one_ref,
         build=_sequence_v2, tag="one", partial_shape=True),
    Case("ParseSequenceExample", [_SEQUENCES], _sequence_batch_ref, build=_sequence_v1,
         partial_shape=True),
    Case("ParseSingleSequenceExample", [np.array(_SEQUENCES[0], dtype=object)],
         lambda s: _sequence_one_ref(s)[:5], build=_single_sequence_v1, partial_shape=True),
    Case("DecodeCompressed", [_strings(*[zlib.compress(t) for t in _TEXTS])],
         lambda b: _strings(*_TEXTS), attrs={"compression_type": "ZLIB"}, tag="zlib"),
    Case("DecodeCompressed", [_strings(*[gzip.compress(t) for t in _TEXTS]).reshape(3, 1)],
         lambda b: _strings(*_TEXTS).reshape(3, 1), attrs={"compression_type": "GZIP"},
         tag="gzip"),
    Case("DecodePaddedRaw", [_RAW, np.array(6, np.int32)],
         lambda b, n: np.array([[0x0201, 0x0403, 0x0005], [-257, 0, 0]], np.int16),
         attrs={"out_type": tf.int16, "little_endian": True}, partial_shape=True),
    Case("DecodePaddedRaw", [_RAW, np.array(4, np.int32)],
         lambda b, n: np.array([[0x0102, 0x0304], [-2, 0]], np.int16),
         attrs={"out_type": tf.int16, "little_endian": False}, tag="big_endian",
         partial_shape=True),
]


def _check_decode_json_example():
    """The JSON form of an Example decodes to a proto that parses to its values; bad JSON is
    TF's InvalidArgumentError."""
    import pytest

    import tensorweave as tf
    text = ('{"features": {"feature": {"x": {"floatList": {"value": [1.5, 2]}}, '
            '"n": {"int64List": {"value": ["7", 8]}}}}}')
    with tf.Graph().as_default():
        decoded = tf.decode_json_example([text])
        parsed = tf.parse_example(decoded, {"x": tf.FixedLenFeature([2], tf.float32),
                                            "n": tf.FixedLenFeature([2], tf.int64)})
        bad = tf.io.decode_json_example(["not json"])
        with tf.Session() as sess:
            values = sess.run(parsed)
            assert values["x"].tolist() == [[1.5, 2.0]] and values["n"].tolist() == [[7, 8]]
            with pytest.raises(tf.errors.InvalidArgumentError, match="parsing JSON"):
                sess.run(bad)


SESSION_CASES = {"DecodeJSONExample": _check_decode_json_example}
