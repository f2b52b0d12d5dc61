"""Op table rows for the string ops (tensorweave/ops/string_ops.py, unicode_ops.py). String
tensors are object arrays of bytes; none of these ops is differentiable. TensorFlow's own
numbers for them are checked in tests/test_string_ops.py."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.ops import string_ops  # noqa: F401 - registers the string op types

from op_case import Case, ints


def strings(*values, shape=None):
    """An object array of bytes (str values encoded as UTF-8)."""
    out = np.empty(len(values), dtype=object)
    out[:] = [v.encode() if isinstance(v, str) else v for v in values]
    return out.reshape(shape if shape is not None else (len(values),))


def scalar(value):
    return np.array(value.encode() if isinstance(value, str) else value, dtype=object)


def sparse(indices, values, shape):
    return (np.array(indices, np.int64).reshape(-1, 2), strings(*values),
            np.array(shape, np.int64))


_WORDS = strings("Hello", " b c ", "", "x", shape=(2, 2))
# TensorFlow's tf.serialize_tensor(tf.constant([1.0, 2.0])): a float32 TensorProto.
_SERIALIZED = b'\x08\x01\x12\x04\x12\x02\x08\x02"\x08\x00\x00\x80?\x00\x00\x00@'

CASES = [
    Case("StringJoin", [_WORDS, scalar("!")],
         lambda a, b: strings("Hello-!", " b c -!", "-!", "x-!", shape=(2, 2)),
         attrs={"separator": "-"}),
    Case("StringSplit", [strings("a b", "", "c  d"), scalar(" ")],
         lambda s, d: sparse([[0, 0], [0, 1], [2, 0], [2, 1]], ["a", "b", "c", "d"], [3, 2]),
         attrs={"skip_empty": True}, partial_shape=True),
    Case("StringSplitV2", [strings("a,b", "", ",c"), scalar(",")],
         lambda s, d: sparse([[0, 0], [0, 1], [1, 0], [2, 0], [2, 1]],
                             ["a", "b", "", "", "c"], [3, 2]),
         attrs={"maxsplit": -1}, partial_shape=True),
    Case("StringStrip", [_WORDS], lambda x: strings("Hello", "b c", "", "x", shape=(2, 2))),
    Case("StringLength", [strings("h\u00e9", "abc")], lambda x: ints(3, 3),
         attrs={"unit": "BYTE"}, tag="byte"),
    Case("StringLength", [strings("h\u00e9", "abc")], lambda x: ints(2, 3),
         attrs={"unit": "UTF8_CHAR"}, tag="utf8"),
    Case("StringLower", [_WORDS], lambda x: strings("hello", " b c ", "", "x", shape=(2, 2)),
         attrs={"encoding": ""}),
    Case("StringUpper", [strings("a\u00e9")], lambda x: strings("A\u00c9"),
         attrs={"encoding": "utf-8"}),
    Case("Substr", [_WORDS, ints(0, 1), ints(2, 1)],
         lambda x, p, n: strings("He", "b", "", "", shape=(2, 2)), attrs={"unit": "BYTE"}),
    Case("RegexReplace", [_WORDS, scalar("[a-z]"), scalar("<\\0>")],
         lambda x, p, r: strings("H<e><l><l><o>", " <b> <c> ", "", "<x>", shape=(2, 2)),
         attrs={"replace_global": True}),
    Case("StaticRegexReplace", [_WORDS],
         lambda x: strings("H_llo", " _ c ", "", "_", shape=(2, 2)),
         attrs={"pattern": "[a-z]", "rewrite": "_", "replace_global": False}),
    Case("RegexFullMatch", [_WORDS, scalar("[A-Za-z]+")],
         lambda x, p: np.array([[True, False], [False, True]])),
    Case("StaticRegexFullMatch", [_WORDS], lambda x: np.array([[False, True], [False, False]]),
         attrs={"pattern": ".*b.*"}),
    Case("StringToNumber", [strings("1.5", " -2", "1e3")],
         lambda x: np.array([1.5, -2.0, 1000.0], np.float32),
         attrs={"out_type": dtypes.float32}),
    Case("StringToHashBucket", [strings("a", "b", "hello")], lambda x: ints(868, 370, 938,
                                                                              dtype=np.int64),
         attrs={"num_buckets": 1000}),
    Case("StringToHashBucketFast", [strings("a", "b", "hello")],
         lambda x: ints(939, 822, 296, dtype=np.int64), attrs={"num_buckets": 1000}),
    Case("StringToHashBucketStrong", [strings("a", "b", "hello")],
         lambda x: ints(646, 184, 622, dtype=np.int64), attrs={"num_buckets": 1000,
                                                               "key": [1, 2]}),
    Case("ReduceJoin", [strings("a", "b", "c", "d", "e", "f", shape=(2, 3)), ints(1)],
         lambda x, axes: strings("a.b.c", "d.e.f"),
         attrs={"keep_dims": False, "separator": "."}),
    Case("ReduceJoin", [strings("a", "b", "c", "d", shape=(2, 2)), ints(0, 1)],
         lambda x, axes: strings("acbd", shape=(1, 1)), attrs={"keep_dims": True,
                                                              "separator": ""},
         tag="keep_dims"),
    Case("UnsortedSegmentJoin", [strings("a", "b", "c", "d"), ints(1, 0, 1, 1), np.array(3, np.int32)],
         lambda x, ids, n: strings("b", "a,c,d", ""), attrs={"separator": ","}),
    Case("AsString", [np.array([1.5, -2.0])], lambda x: strings("1.50", "-2.00"),
         attrs={"precision": 2, "scientific": False, "shortest": False, "width": -1,
                "fill": ""}),
    Case("AsString", [ints(7, -3)], lambda x: strings("007", "-03"), tag="int",
         attrs={"precision": -1, "scientific": False, "shortest": False, "width": 3,
                "fill": "0"}),
    Case("EncodeBase64", [strings("ab", "\xff\xfe")], lambda x: strings("YWI=", "w7_Dvg=="),
         attrs={"pad": True}),
    Case("DecodeBase64", [strings("YWI", "w7_Dvg==")], lambda x: strings("ab", "\xff\xfe")),
    Case("StringNGrams", [strings("a", "b", "c", "d"), ints(0, 3, 4, dtype=np.int64)],
         lambda d, s: (strings("<s> a", "a b", "b c", "c </s>", "<s> d", "d </s>"),
                       ints(0, 4, 6, dtype=np.int64)),
         attrs={"separator": " ", "ngram_widths": [2], "left_pad": "<s>", "right_pad": "</s>",
                "pad_width": 1, "preserve_short_sequences": False}, partial_shape=True),
    Case("Fingerprint", [strings("a", "b"), scalar("farmhash64")],
         lambda d, m: np.array([[227, 117, 223, 182, 101, 66, 69, 179],
                                [22, 241, 200, 94, 33, 96, 178, 163]], np.uint8)),
    Case("SerializeTensor", [np.array([1.0, 2.0], np.float32)],
         lambda x: np.array(_SERIALIZED, dtype=object)),
    Case("ParseTensor", [scalar(_SERIALIZED)], lambda s: np.array([1.0, 2.0], np.float32),
         attrs={"out_type": dtypes.float32}, partial_shape=True),
    Case("UnicodeTranscode", [strings("h\u00e9", "")], lambda x: strings(b"\x00h\x00\xe9", ""),
         attrs={"input_encoding": "UTF-8", "output_encoding": "UTF-16-BE",
                "errors": "replace", "replacement_char": 65533,
                "replace_control_characters": False}),
    Case("UnicodeDecode", [strings("h\u00e9", "", "a\U0001F600")],
         lambda x: (ints(0, 2, 2, 4, dtype=np.int64), ints(104, 233, 97, 128512)),
         attrs={"input_encoding": "UTF-8", "errors": "replace", "replacement_char": 65533,
                "replace_control_characters": False}, partial_shape=True),
    Case("UnicodeDecodeWithOffsets", [strings("h\u00e9", b"a\xffb")],
         lambda x: (ints(0, 2, 5, dtype=np.int64), ints(104, 233, 97, 65533, 98),
                    ints(0, 1, 0, 1, 2, dtype=np.int64)),
         attrs={"input_encoding": "UTF-8", "errors": "replace", "replacement_char": 65533,
                "replace_control_characters": False}, partial_shape=True),
    Case("UnicodeEncode", [ints(104, 233, 65), ints(0, 2, 3, dtype=np.int64)],
         lambda v, s: strings("h\u00e9", "A"),
         attrs={"output_encoding": "UTF-8", "errors": "replace", "replacement_char": 65533}),
]
