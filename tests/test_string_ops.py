"""String ops against TensorFlow: the programs of tests/fixtures/make_string_reference.py run on
tensorweave and must give what TensorFlow gave (tests/fixtures/string_reference.json), values
and errors; then behaviour TensorFlow documents that the fixture does not show (static shapes,
graph round trips, checkpoints of string variables, the hash functions themselves)."""
import importlib.util
import json
import pathlib
import types

import numpy as np
import pytest

import tensorweave
from tensorweave.ops import string_hash, string_ops, unicode_ops

_FIXTURES = pathlib.Path(__file__).parent / "fixtures"
_spec = importlib.util.spec_from_file_location(
    "make_string_reference", _FIXTURES / "make_string_reference.py")
programs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(programs)
REFERENCE = json.loads((_FIXTURES / "string_reference.json").read_text())


class _Namespace:
    """Attribute lookup through several modules in order (the tf. names this family adds are
    found whether or not tensorweave/__init__.py hands them on yet)."""

    def __init__(self, *sources):
        self._sources = sources

    def __getattr__(self, name):
        for source in self._sources:
            try:
                return getattr(source, name)
            except AttributeError:
                pass
        raise AttributeError(name)


def _strings_module():
    return importlib.import_module("tensorweave.strings")


tf = _Namespace(
    types.SimpleNamespace(
        strings=_strings_module(),
        dtypes=_Namespace(tensorweave.dtypes, types.SimpleNamespace(
            as_string=string_ops.as_string))),
    tensorweave, string_ops)

# Entries where tensorweave's text differs from TensorFlow's by design: {(program, entry):
# the prefix of TensorFlow's message that must match}.
_MESSAGE_PREFIX = {
    ("regex", "replace_bad"): "Invalid pattern: (a+, error: ",  # RE2's vs Python's wording
    ("regex", "full_bad"): "Invalid pattern: (a+, error: ",
    ("errors", "fingerprint_scalar"): "Shape must be at least rank 1 but is rank 0",
    ("errors", "reduce_join_axis"): "Invalid reduction dimension 2 for input with 2 dimensions",
    ("errors", "split_scalar"): "",
    ("errors", "ngrams_scalar"): "",
    ("errors", "split_sep_int"): "Expected string",
    ("substr", "bad_utf8"): "pos 4 out of range for ",
}

_ENTRIES = [(program, entry) for program in sorted(REFERENCE)
            for entry in sorted(REFERENCE[program])]


def _decode(encoded):
    if "sparse" in encoded:
        return tuple(_decode(part) for part in encoded["sparse"])
    dtype, values = encoded["dtype"], encoded["values"]
    if dtype == "string":
        flat = [bytes.fromhex(v) for v in values]
        array = np.empty(len(flat), dtype=object)
        array[:] = flat
    elif dtype.startswith("complex"):
        array = np.array([complex(*v) for v in values], dtype=dtype)
    elif dtype.startswith("float"):
        array = np.array([float(v) for v in values], dtype=dtype)
    else:
        array = np.array(values, dtype=dtype)
    return array.reshape(encoded["shape"])


def _assert_same(ours, theirs, where):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple), f"{where}: expected a SparseTensor"
        for a, b, part in zip(ours, theirs, ("indices", "values", "dense_shape")):
            _assert_same(a, b, f"{where}.{part}")
        return
    assert ours.dtype == theirs.dtype, f"{where}: dtype {ours.dtype}, TF {theirs.dtype}"
    assert ours.shape == theirs.shape, f"{where}: shape {ours.shape}, TF {theirs.shape}"
    if theirs.dtype.kind in "fc":
        np.testing.assert_array_equal(ours, theirs, err_msg=where)  # nan == nan here
    else:
        assert ours.tolist() == theirs.tolist(), f"{where}: {ours!r} != TF {theirs!r}"


@pytest.mark.parametrize("program,entry", _ENTRIES, ids=[f"{p}-{e}" for p, e in _ENTRIES])
def test_matches_tensorflow(program, entry):
    expected = REFERENCE[program][entry]
    got = _run(program, entry)
    where = f"{program}/{entry}"
    if "error" in expected:
        assert "error" in got, f"{where}: TF raised {expected}, we gave a value"
        assert got["error"] == expected["error"], f"{where}: {got} vs TF {expected}"
        prefix = _MESSAGE_PREFIX.get((program, entry), expected["message"])
        assert got["message"].startswith(prefix), f"{where}: {got['message']!r} vs TF {prefix!r}"
        return
    assert "value" in got, f"{where}: {got}"
    _assert_same(_decode(got["value"]), _decode(expected["value"]), where)


def _run(program, entry):
    with tensorweave.Graph().as_default():
        try:
            made = programs.PROGRAMS[program](tf)[entry]
        except Exception as e:  # noqa: BLE001 - compared with TensorFlow's error
            return {"error": type(e).__name__, "message": programs.error_text(e)}
        return programs.run_entry(tf, made)


# --- the hash functions on their own -----------------------------------------------------------
def test_fingerprint64_of_many_lengths_is_tensorflows():
    strings = programs.hash_inputs()
    fingerprints = _decode(REFERENCE["hash"]["fingerprint"]["value"])
    for data, expected in zip(strings, fingerprints):
        assert string_hash.fingerprint64(data).to_bytes(8, "little") == bytes(expected), data


def test_siphash_reference_vector():
    """SipHash-2-4's published test vector: key 00..0f, message 00..0e."""
    key0 = int.from_bytes(bytes(range(8)), "little")
    key1 = int.from_bytes(bytes(range(8, 16)), "little")
    assert string_hash.siphash24(key0, key1, bytes(range(15))) == 0xA129CA6149BE45E5


# --- shapes, names, graphs ------------------------------------------------------------------------
def test_static_shapes_and_dtypes():
    with tensorweave.Graph().as_default():
        x = tensorweave.placeholder(tensorweave.string, [None, 3])
        assert string_ops.string_join([x, "a"]).shape.as_list() == [None, 3]
        assert string_ops.reduce_join(x, 1).shape.as_list() == [None]
        assert string_ops.reduce_join(x, 0, keep_dims=True).shape.as_list() == [1, 3]
        assert string_ops.reduce_join(x).shape.as_list() == []
        assert string_ops.string_to_number(x, tensorweave.int64).dtype is tensorweave.int64
        assert string_ops.string_to_hash_bucket_fast(x, 5).dtype is tensorweave.int64
        assert string_ops.fingerprint(x).shape.as_list() == [None, 8]
        assert tf.strings.length(x).dtype is tensorweave.int32
        assert tf.strings.regex_full_match(x, "a").dtype is tensorweave.bool
        assert string_ops.substr(x, [0, 1, 2], [1, 1, 1]).shape.as_list() == [None, 3]
        split = string_ops.string_split(tensorweave.placeholder(tensorweave.string, [None]))
        assert split.indices.shape.as_list() == [None, 2]
        assert split.dense_shape.shape.as_list() == [2]
        assert tf.strings.ngrams(x, 2).shape.as_list() == [None, None]
        with pytest.raises(ValueError, match="Invalid reduction dimension"):
            string_ops.reduce_join(x, 2)
        with pytest.raises(TypeError):
            tf.strings.length(tensorweave.constant([1.0]))
        with pytest.raises(ValueError, match="num_buckets"):
            string_ops.string_to_hash_bucket_fast(x, 0)


def test_fed_strings_and_unknown_reduction_axes():
    with tensorweave.Graph().as_default():
        x = tensorweave.placeholder(tensorweave.string)
        axis = tensorweave.placeholder(tensorweave.int32)
        joined = string_ops.reduce_join(x, axis, separator="+")
        assert joined.shape.ndims is None
        with tensorweave.Session() as sess:
            out = sess.run(joined, {x: [["a", "b"], ["c", "d"]], axis: 0})
            assert out.tolist() == [b"a+c", b"b+d"]
            with pytest.raises(tensorweave.errors.InvalidArgumentError, match="Duplicate"):
                sess.run(joined, {x: [["a"]], axis: [0, 0]})


def test_graph_def_round_trip():
    graph = tensorweave.Graph()
    with graph.as_default():
        x = tensorweave.constant(["Hello World", "a b"])
        out = string_ops.string_join([tf.strings.lower(x), string_ops.as_string(
            tf.strings.length(x))], "|", name="out")
        buckets = string_ops.string_to_hash_bucket_strong(x, 100, [3, 4], name="buckets")
    with tensorweave.Session(graph=graph) as sess:
        expected = sess.run([out, buckets])
    imported = tensorweave.Graph()
    with imported.as_default():
        tensorweave.import_graph_def(graph.as_graph_def(), name="")
        with tensorweave.Session() as sess:
            got = sess.run(["out:0", "buckets:0"])
    assert got[0].tolist() == expected[0].tolist() == [b"hello world|11", b"a b|3"]
    assert got[1].tolist() == expected[1].tolist()


def test_string_variable_checkpoint(tmp_path):
    with tensorweave.Graph().as_default():
        v = tensorweave.Variable(["alpha", "beta"], name="words")
        assign = v.assign(["gamma", "delta"])
        saver = tensorweave.train.Saver()
        with tensorweave.Session() as sess:
            sess.run(v.initializer)
            path = saver.save(sess, str(tmp_path / "model"))
            sess.run(assign)
            saver.restore(sess, path)
            assert sess.run(v).tolist() == [b"alpha", b"beta"]


def test_serialize_parse_round_trip_in_one_graph():
    with tensorweave.Graph().as_default():
        value = np.arange(12, dtype=np.int16).reshape(3, 4)
        parsed = string_ops.parse_tensor(string_ops.serialize_tensor(value), tensorweave.int16)
        with tensorweave.Session() as sess:
            np.testing.assert_array_equal(sess.run(parsed), value)


def test_ragged_results_are_refused_with_a_reason():
    with tensorweave.Graph().as_default():
        with pytest.raises(NotImplementedError, match="RaggedTensor"):
            unicode_ops.unicode_decode(["ab", "c"], "UTF-8")
        with pytest.raises(NotImplementedError, match="RaggedTensor"):
            string_ops.strings_split(["a b"], result_type="RaggedTensor")
        with pytest.raises(NotImplementedError, match="RaggedTensor"):
            string_ops.bytes_split(["ab"])


def test_strings_namespace_has_tf_1_15_names():
    names = [line.strip()[len("tf.strings."):] for line in
             (pathlib.Path(__file__).parents[1] / "tools" / "tf1_api.txt").read_text().split()
             if line.startswith("tf.strings.")]
    missing = [n for n in names if not hasattr(tf.strings, n)]
    assert missing == ["unicode_script"], missing  # needs ICU's script table (see report)
