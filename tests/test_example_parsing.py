"""tf.train.Example parsing against TensorFlow: records TensorFlow serialized, parsed by
tf.io.parse_example / parse_single_example / the sequence forms, with TensorFlow's values and
error messages (tests/fixtures/example_reference.json, made by make_example_reference.py);
TensorFlow's parsing GraphDefs imported and run; a TFRecord file of Examples read by tf.data
to train a small model."""
import base64
import gzip
import json
import os
import zlib

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import example_parsing

with open(os.path.join(os.path.dirname(__file__), "fixtures", "example_reference.json")) as f:
    REFERENCE = json.load(f)


def unb64(text):
    return base64.b64decode(text)


def make_feature(spec):
    kind = spec[0]
    if kind == "fixed":
        return tf.io.FixedLenFeature(spec[1], tf.as_dtype(spec[2]), default_value=spec[3])
    if kind == "var":
        return tf.io.VarLenFeature(tf.as_dtype(spec[1]))
    if kind == "seq":
        return tf.io.FixedLenSequenceFeature(spec[1], tf.as_dtype(spec[2]),
                                             allow_missing=spec[3], default_value=spec[4])
    return tf.io.SparseFeature(spec[1], spec[2], tf.as_dtype(spec[3]), spec[4])


def check_value(ours, expected, where):
    """`ours` (a fetched value) against TensorFlow's, as make_example_reference.plain wrote."""
    if isinstance(expected, list):
        assert len(ours) == len(expected), where
        for i, (o, e) in enumerate(zip(ours, expected)):
            check_value(o, e, f"{where}[{i}]")
    elif "indices" in expected:
        for part in ("indices", "values", "dense_shape"):
            check_value(getattr(ours, part), expected[part], f"{where}.{part}")
    elif "bytes" in expected:
        ours = np.asarray(ours, dtype=object)
        assert list(ours.shape) == expected["shape"], where
        assert list(ours.reshape(-1)) == [unb64(b) for b in expected["bytes"]], where
    elif "array" in expected:
        ours = np.asarray(ours)
        assert list(ours.shape) == expected["shape"], where
        assert ours.dtype == np.dtype(expected["dtype"]), where
        np.testing.assert_array_equal(
            ours, np.array(expected["array"], expected["dtype"]).reshape(expected["shape"]),
            err_msg=where)
    else:  # a dict of features
        assert sorted(ours) == sorted(expected), where
        for key in expected:
            check_value(ours[key], expected[key], f"{where}[{key!r}]")


def check_run(fetch, feed, expected, where):
    with tf.Session() as sess:
        if "error" in expected:
            with pytest.raises(getattr(tf.errors, expected["error"])) as info:
                sess.run(fetch, feed)
            assert expected["message"] in str(info.value), where
        else:
            check_value(sess.run(fetch, feed), expected["value"], where)


@pytest.mark.parametrize("case", REFERENCE["examples"], ids=lambda c: c["name"])
def test_parse_example_matches_tensorflow(case):
    features = {k: make_feature(v) for k, v in case["features"].items()}
    records = [unb64(r) for r in case["records"]]
    with tf.Graph().as_default():
        batch = tf.placeholder(tf.string, [None])
        one = tf.placeholder(tf.string, [])
        check_run(tf.io.parse_example(batch, features), {batch: records}, case["batch"],
                  case["name"])
        single = example_parsing.parse_single_example(one, features)
        for i, (record, expected) in enumerate(zip(records, case["single"])):
            check_run(single, {one: record}, expected, f"{case['name']} single {i}")


def test_parse_sequence_example_matches_tensorflow():
    ref = REFERENCE["sequence"]
    context = {k: make_feature(v) for k, v in ref["context"].items()}
    lists = {k: make_feature(v) for k, v in ref["lists"].items()}
    records = [unb64(r) for r in ref["records"]]
    with tf.Graph().as_default():
        batch = tf.placeholder(tf.string, [None])
        one = tf.placeholder(tf.string, [])
        check_run(tf.io.parse_sequence_example(batch, context, lists), {batch: records[:2]},
                  ref["batch"], "batch")
        single = tf.io.parse_single_sequence_example(one, context, lists)
        for i, (record, expected) in enumerate(zip(records, ref["single"])):
            check_run(single, {one: record}, expected, f"single {i}")


def test_graph_names_and_static_shapes_follow_tensorflow():
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [None])
        parsed = tf.io.parse_example(serialized, {"x": tf.io.FixedLenFeature([2], tf.float32),
                                                  "y": tf.io.VarLenFeature(tf.int64)})
        assert parsed["x"].name == "ParseExample/ParseExampleV2:3"
        assert parsed["x"].shape.as_list() == [None, 2]
        assert parsed["y"].indices.shape.as_list() == [None, 2]
        one = tf.io.parse_single_example(tf.placeholder(tf.string, []),
                                         {"q": tf.io.FixedLenFeature([], tf.int64)}, name="foo")
        assert one["q"].name == "foo/foo/foo:0" and one["q"].shape.as_list() == []
        context, lists = tf.io.parse_single_sequence_example(
            tf.placeholder(tf.string, []), {"n": tf.io.FixedLenFeature([], tf.int64)},
            {"t": tf.io.FixedLenSequenceFeature([3], tf.float32)})
        assert lists["t"].op.name == \
            "ParseSingleSequenceExample/ParseSequenceExample/ParseSequenceExampleV2"
        assert lists["t"].shape.as_list() == [None, 3]


def test_decode_compressed_and_padded_raw_match_tensorflow():
    ref = REFERENCE["decode"]
    texts = [unb64(t) for t in ref["texts"]]
    with tf.Graph().as_default(), tf.Session() as sess:
        for kind in ("ZLIB", "GZIP"):
            data = [unb64(d) for d in ref[kind]]
            assert list(sess.run(tf.io.decode_compressed(data, compression_type=kind))) == texts
        assert list(sess.run(tf.io.decode_compressed(texts))) == texts
        raw = [unb64(r) for r in ref["raw"]]
        for key, expected in ref["padded"].items():
            dtype, length, little = key.split("-")
            out = tf.io.decode_padded_raw(raw, int(length), tf.as_dtype(dtype),
                                          little_endian=little == "True")
            assert out.shape.as_list() == expected["shape"]
            check_value(sess.run(out), expected, key)
        with pytest.raises(tf.errors.DataLossError):
            sess.run(tf.io.decode_compressed([b"not zlib"], compression_type="ZLIB"))
        with pytest.raises(ValueError, match="multiple of the size"):
            tf.io.decode_padded_raw(raw, 3, tf.int16)


def test_tensorflow_graph_defs_with_parsing_ops_import_and_run():
    """ParseExampleV2 / ParseSequenceExampleV2 as TF 2's compat.v1 writes them, and the TF 1
    op types ParseExample, ParseSingleExample, ParseSequenceExample,
    ParseSingleSequenceExample."""
    from tensorboard.compat.proto import graph_pb2
    ref = REFERENCE["graphs"]
    graph_def = graph_pb2.GraphDef.FromString(unb64(ref["graph_def"]))
    records = [unb64(r) for r in ref["records"]]
    seq_records = [unb64(r) for r in ref["seq_records"]]
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
        fetch = {}
        with tf.Session() as sess:
            for group, feed in (("batch", {"serialized:0": records}),
                                ("seq_batch", {"serialized:0": seq_records}),
                                ("seq_one", {"one:0": seq_records[0]}),
                                ("one", {"one:0": records[0]})):
                names = sorted(ref[group])
                fetch = [graph.get_tensor_by_name(n + ":0") for n in names]
                for name, value in zip(names, sess.run(fetch, feed)):
                    check_value(value, ref[group][name], name)


def test_example_protos_round_trip_and_records_from_tensorflow_parse():
    record = unb64(REFERENCE["examples"][0]["records"][0])  # serialized by TensorFlow
    ex = tf.train.Example.FromString(record)
    assert list(ex.features.feature["x"].float_list.value) == [1.0, 2.0]
    assert list(ex.features.feature["y"].int64_list.value) == [3, 4, 5]
    assert ex.DESCRIPTOR.full_name == "tensorflow.Example"
    again = tf.train.Example.FromString(ex.SerializeToString())
    assert again == ex
    seq = tf.train.SequenceExample.FromString(unb64(REFERENCE["sequence"]["records"][0]))
    steps = seq.feature_lists.feature_list["tok"].feature
    assert [list(s.int64_list.value) for s in steps] == [[1, 2], [3, 4], [5, 6]]
    assert isinstance(tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"a"])),
                      tf.train.Feature)
    assert tf.train.FeatureLists().DESCRIPTOR.full_name == "tensorflow.FeatureLists"


def test_feature_configurations_are_tensorflows_namedtuples():
    assert repr(tf.io.FixedLenFeature([2], tf.float32)) == \
        "FixedLenFeature(shape=[2], dtype=tf.float32, default_value=None)"
    assert repr(tf.io.VarLenFeature(tf.string)) == "VarLenFeature(dtype=tf.string)"
    assert tf.io.FixedLenSequenceFeature([], tf.int64) == ([], tf.int64, False, None)
    assert tf.io.SparseFeature("i", "v", tf.float32, 3).already_sorted is False


@pytest.mark.parametrize("build, error, match", [
    (lambda s: tf.io.parse_example(s, {}), ValueError, "cannot be None"),
    (lambda s: tf.io.parse_example(s, {"a": tf.io.FixedLenFeature([None], tf.float32)}), ValueError,
     "First dimension of shape for feature a unknown"),
    (lambda s: tf.io.parse_example(s, {"a": tf.io.FixedLenFeature([], tf.int32)}), TypeError,
     "DataType int32 not in list of allowed values"),
    (lambda s: tf.io.parse_example(s, {"a": tf.io.FixedLenSequenceFeature([], tf.float32)}),
     ValueError, "requires allow_missing to be True"),
    (lambda s: tf.io.parse_single_example(s, {"a": tf.io.FixedLenFeature([2], tf.float32)}),
     ValueError, "must be a scalar"),
])
def test_feature_errors_at_build_time(build, error, match):
    with tf.Graph().as_default():
        with pytest.raises(error, match=match):
            build(tf.placeholder(tf.string, [None]))


def test_tfrecord_of_examples_trains_a_model_through_tf_data(tmp_path):
    """Examples written with tf.io.TFRecordWriter, read back by TFRecordDataset and
    parse_single_example in a map (and parse_example after batch), train a classifier."""
    rng = np.random.RandomState(0)
    xs = rng.randn(96, 3).astype(np.float32)
    ys = (xs @ np.array([1.0, -2.0, 0.5]) > 0).astype(np.int64)
    path = str(tmp_path / "train.tfrecord")
    with tf.io.TFRecordWriter(path) as writer:
        for x, y in zip(xs, ys):
            writer.write(tf.train.Example(features=tf.train.Features(feature={
                "x": tf.train.Feature(float_list=tf.train.FloatList(value=x)),
                "y": tf.train.Feature(int64_list=tf.train.Int64List(value=[y])),
                "id": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"r"]))}))
                .SerializeToString())
    features = {"x": tf.io.FixedLenFeature([3], tf.float32),
                "y": tf.io.FixedLenFeature([], tf.int64),
                "w": tf.io.FixedLenFeature([], tf.float32, default_value=1.0)}
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        dataset = (tf.data.TFRecordDataset(path)
                   .map(lambda s: tf.io.parse_single_example(s, features))
                   .shuffle(96, seed=2).repeat().batch(16))
        batch = tf.data.make_one_shot_iterator(dataset).get_next()
        weights = tf.Variable(tf.zeros([3, 2]))
        bias = tf.Variable(tf.zeros([2]))
        logits = tf.matmul(batch["x"], weights) + bias
        loss = tf.reduce_mean(batch["w"] * tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=batch["y"], logits=logits))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        whole = (tf.data.TFRecordDataset(path).batch(96)
                 .map(lambda s: tf.io.parse_example(s, features)))
        everything = tf.data.make_one_shot_iterator(whole).get_next()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(loss)
            for _ in range(60):
                sess.run(train)
            data = sess.run(everything)
            np.testing.assert_array_equal(data["x"], xs)
            np.testing.assert_array_equal(data["y"], ys)
            np.testing.assert_array_equal(data["w"], np.ones(96, np.float32))
            predictions = np.argmax(data["x"] @ sess.run(weights) + sess.run(bias), axis=1)
    assert first == pytest.approx(np.log(2.0), rel=1e-6)
    assert np.mean(predictions == ys) > 0.9


def test_io_namespace_has_tensorflows_names():
    from tensorweave.io import gfile
    for name in ("FixedLenFeature", "VarLenFeature", "SparseFeature", "FixedLenSequenceFeature",
                 "parse_example", "parse_single_example", "parse_sequence_example",
                 "parse_single_sequence_example", "decode_compressed", "decode_csv",
                 "TFRecordWriter", "TFRecordOptions", "TFRecordCompressionType",
                 "tf_record_iterator", "write_graph", "gfile", "decode_padded_raw",
                 "PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue",
                 "decode_raw", "matching_files", "read_file", "write_file",
                 "match_filenames_once", "deserialize_many_sparse", "serialize_many_sparse",
                 "serialize_sparse", "decode_base64", "encode_base64", "parse_tensor",
                 "serialize_tensor"):
        assert getattr(tf.io, name) is not None
    assert tf.io.parse_example is example_parsing.parse_example
    assert tf.io.gfile is gfile
    assert tf.io.write_graph is tf.train.write_graph


def test_io_gfile_uses_tensorflow_2_names(tmp_path):
    nested = tf.io.gfile.join(str(tmp_path), "a", "b")
    tf.io.gfile.makedirs(nested)
    with tf.io.gfile.GFile(os.path.join(nested, "f.txt"), "w") as f:
        f.write("hello")
    assert tf.io.gfile.exists(nested) and tf.io.gfile.isdir(nested)
    assert tf.io.gfile.listdir(nested) == ["f.txt"]
    assert tf.io.gfile.stat(os.path.join(nested, "f.txt")).length == 5
    assert [d for d, _, _ in tf.io.gfile.walk(str(tmp_path), topdown=False)][-1] == \
        str(tmp_path)
    errors = []
    assert list(tf.io.gfile.walk(str(tmp_path / "missing"), onerror=errors.append)) == []
    assert len(errors) == 1
    tf.io.gfile.copy(os.path.join(nested, "f.txt"), str(tmp_path / "g.txt"))
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.io.gfile.rename(str(tmp_path / "g.txt"), os.path.join(nested, "f.txt"))
    tf.io.gfile.rmtree(str(tmp_path / "a"))
    assert tf.io.gfile.glob(str(tmp_path / "*")) == [str(tmp_path / "g.txt")]


def test_compressed_records_decode_with_python_zlib():
    with tf.Graph().as_default(), tf.Session() as sess:
        data = tf.constant([[zlib.compress(b"ab")], [zlib.compress(b"")]])
        assert sess.run(tf.io.decode_compressed(data, "ZLIB")).tolist() == [[b"ab"], [b""]]
        assert sess.run(tf.io.decode_compressed(gzip.compress(b"xyz"), "GZIP")) == b"xyz"


def test_errors_name_the_example_by_its_example_name():
    record = unb64(REFERENCE["examples"][3]["records"][0])  # lacks the required feature x
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [None])
        parsed = tf.io.parse_example(serialized, {"x": tf.io.FixedLenFeature([2], tf.float32)},
                                     example_names=["a", "b"])
        good = unb64(REFERENCE["examples"][0]["records"][0])
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"Name: b, Feature: x \(data type: float\) is required"):
                sess.run(parsed, {serialized: [good, record]})
