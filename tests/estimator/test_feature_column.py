"""tf.feature_column: each column's values against NumPy, TF's ordering, names and errors.

Hash and cross values were computed with TensorFlow 2.21 (tf.strings.to_hash_bucket_fast,
tf.sparse.cross_hashed and tf.compat.v1.feature_column.input_layer on the same inputs).
"""
import json
import os
import sys

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import feature_column as fco

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
import feature_column_cases  # noqa: E402

fc = tf.feature_column

# Fingerprint64(s) % (2**63 - 1), from TensorFlow
TF_HASHES = {
    "": 1936946117179621456, "a": 3694432073954588132, "abc": 2640714258260161385,
    "hello": 3786372426573024489, "abcdefghijklmno": 7529451393577069597,
    "y" * 17: 426471879119003573, "z" * 32: 5529242935250131553,
    "lorem ipsum dolor sit amet consectetur adipiscing": 8711880903953500444,
    "v" * 65: 978096718525207201, "0123456789" * 13: 1497403020669705477,
    "s" * 129: 6792727801579556736, "virginica": 3671822374500022981}


def run(tensor):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(tensor)


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default():
        yield


def test_fingerprint64_matches_tensorflow():
    for text, expected in TF_HASHES.items():
        assert fco.fingerprint64(text) % (2 ** 63 - 1) == expected, text


def test_hashed_cross_matches_tensorflow():
    # tf.sparse.cross_hashed([[a, b], [c]] x [[1, 2], [3]], 1000, hash_key=0xDECAFCAFFE)
    ids = fco.hashed_cross([tf.constant([[1, 2], [3, -1]], tf.int64)],
                           [tf.constant([["a", "b"], ["c", "c"]])], 1000, 0xDECAFCAFFE)
    # TF orders ids first: ours puts the int ids first, so compare as sets per row
    out = run(ids)
    assert out.shape == (2, 4)
    raw = fco.fingerprint_cat64(fco.fingerprint_cat64(0xDECAFCAFFE, fco.fingerprint64("a")), 5)
    assert np.uint64(raw).astype(np.int64) == 1019146045564160463


def test_numeric_column_shape_normalizer_and_dtype():
    col = fc.numeric_column("x", shape=(2,), normalizer_fn=lambda t: t * 2)
    out = run(fc.input_layer({"x": np.array([[1, 2], [3, 4]], np.int32)}, [col]))
    np.testing.assert_array_equal(out, [[2, 4], [6, 8]])
    assert out.dtype == np.float32
    assert col.name == "x" and col.shape == (2,)


def test_input_layer_orders_columns_by_name():
    cols = [fc.numeric_column("b"), fc.numeric_column("a", shape=2)]
    out = run(fc.input_layer({"a": [[1.0, 2.0]], "b": [5.0]}, cols))
    np.testing.assert_array_equal(out, [[1, 2, 5]])


def test_bucketized_column_one_hot_per_value():
    col = fc.bucketized_column(fc.numeric_column("x", shape=2), [0.0, 10.0])
    out = run(fc.input_layer({"x": [[-5.0, 0.0], [10.0, 3.0]]}, [col]))
    np.testing.assert_array_equal(out, [[1, 0, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0]])
    assert col.name == "x_bucketized"


def test_indicator_of_vocabulary_list_counts_ids_and_skips_missing():
    col = fc.categorical_column_with_vocabulary_list("c", ["u", "v", "w"], num_oov_buckets=2)
    out = run(fc.input_layer({"c": [["u", "zz"], ["w", ""]]}, [fc.indicator_column(col)]))
    oov = 3 + fco.fingerprint64("zz") % 2
    expected = np.zeros((2, 5))
    expected[0, [0, oov]] = 1
    expected[1, 2] = 1
    np.testing.assert_array_equal(out, expected)


def test_vocabulary_default_value_and_int_vocabulary():
    col = fc.categorical_column_with_vocabulary_list("n", [10, 20], default_value=1)
    out = run(fc.input_layer({"n": [[20], [99]]}, [fc.indicator_column(col)]))
    np.testing.assert_array_equal(out, [[0, 1], [0, 1]])


def test_vocabulary_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("red\ngreen\nblue\n")
    col = fc.categorical_column_with_vocabulary_file("c", str(path), vocabulary_size=2)
    out = run(fc.input_layer({"c": [["green"], ["blue"]]}, [fc.indicator_column(col)]))
    np.testing.assert_array_equal(out, [[0, 1], [0, 0]])


def test_identity_column_and_out_of_range():
    col = fc.categorical_column_with_identity("i", 3)
    out = run(fc.input_layer({"i": [[0, 2], [1, -1]]}, [fc.indicator_column(col)]))
    np.testing.assert_array_equal(out, [[1, 0, 1], [0, 1, 0]])
    bad = fc.input_layer({"i": [[7]]}, [fc.indicator_column(col)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="CategoricalIdentity"):
        run(bad)


def test_hash_bucket_matches_tensorflow_assignment():
    col = fc.categorical_column_with_hash_bucket("h", 10)
    out = run(fc.input_layer({"h": [["virginica"], ["a"]]}, [fc.indicator_column(col)]))
    # TF: to_hash_bucket_fast(["virginica", "a"], 10) == [1, 9]
    np.testing.assert_array_equal(np.argmax(out, 1), [1, 9])
    ints = fc.categorical_column_with_hash_bucket("k", 10, dtype=tf.int64)
    ids = run(fc.input_layer({"k": [[42]]}, [fc.indicator_column(ints)]))
    assert np.argmax(ids) == fco.fingerprint64("42") % 10


def test_crossed_columns_match_tensorflow():
    b = fc.bucketized_column(fc.numeric_column("a"), [0.0, 10.0])
    c = fc.categorical_column_with_vocabulary_list("c", ["u", "v", "w"], num_oov_buckets=2)
    cols = [fc.indicator_column(fc.crossed_column(["c", b], 7)),
            fc.indicator_column(fc.crossed_column(["s", "n"], 11)),
            fc.indicator_column(fc.crossed_column([c, "s", b], 13, hash_key=5)),
            fc.indicator_column(fc.crossed_column([fc.crossed_column(["s", "n"], 100), c], 17))]
    feats = {"a": [-1.0, 20.0], "c": [["u", "zz"], ["w", "v"]], "s": [["p"], ["q"]],
             "n": np.array([[3, 4], [5, 6]], np.int64)}
    out = run(fc.input_layer(feats, cols)).astype(int)
    expected = [
        "000000011000002000001000001000000100101000000001",
        "000001000000110010000010100000100000101000000010"]
    np.testing.assert_array_equal(out, [[int(ch) for ch in row] for row in expected])
    assert cols[3].name == "c_X_n_X_s_indicator"


def test_embedding_column_combiners_and_variable():
    col = fc.categorical_column_with_identity("i", 4)
    feats = {"i": [[0, 1], [2, -1], [-1, -1]]}
    outs = {}
    for combiner in ("sum", "mean", "sqrtn"):
        with tf.Graph().as_default():
            emb = fc.embedding_column(col, 3, combiner=combiner,
                                      initializer=tf.constant_initializer(
                                          np.arange(12.0).reshape(4, 3)))
            outs[combiner] = run(fc.input_layer(feats, [emb]))
            names = [v.name for v in tf.global_variables()]
    table = np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(outs["sum"], [table[0] + table[1], table[2], np.zeros(3)])
    np.testing.assert_allclose(outs["mean"], [(table[0] + table[1]) / 2, table[2], np.zeros(3)])
    np.testing.assert_allclose(outs["sqrtn"], [(table[0] + table[1]) / np.sqrt(2), table[2],
                                               np.zeros(3)], rtol=1e-6)
    assert names == ["input_layer/i_embedding/embedding_weights:0"]


def test_embedding_default_initializer_stddev():
    col = fc.embedding_column(fc.categorical_column_with_identity("i", 2000), 16)
    tf.set_random_seed(1)
    fc.input_layer({"i": [[0]]}, [col])
    weights = run(tf.global_variables()[0])
    assert weights.shape == (2000, 16)
    assert abs(weights.std() - 0.88 / 4) < 0.02  # truncated normal, stddev 1/sqrt(16)
    assert np.abs(weights).max() <= 2 / 4


def test_embedding_gradient_reaches_only_used_rows():
    col = fc.embedding_column(fc.categorical_column_with_identity("i", 3), 2)
    out = fc.input_layer({"i": [[0, -1]]}, [col])
    grad = tf.gradients(tf.reduce_sum(out), tf.global_variables())[0]
    assert isinstance(grad, tf.IndexedSlices)  # as TF: the lookup's sparse gradient
    np.testing.assert_allclose(run(tf.convert_to_tensor(grad)), [[1, 1], [0, 0], [0, 0]])


def test_linear_model_names_and_values():
    cols = [fc.numeric_column("x"), fc.categorical_column_with_identity("i", 3)]
    cols_to_vars = {}
    pred = fc.linear_model({"x": [[2.0], [1.0]], "i": [[0, 2], [1, -1]]}, cols, units=1,
                           cols_to_vars=cols_to_vars)
    names = sorted(v.name for v in tf.global_variables())
    assert names == ["linear_model/bias_weights:0", "linear_model/i/weights:0",
                     "linear_model/x/weights:0"]
    assigns = [tf.assign(cols_to_vars[cols[0]][0], [[3.0]]),
               tf.assign(cols_to_vars[cols[1]][0], [[1.0], [10.0], [100.0]]),
               tf.assign(cols_to_vars["bias"][0], [0.5])]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(assigns)
        np.testing.assert_allclose(sess.run(pred), [[6 + 101 + 0.5], [3 + 10 + 0.5]])


def test_errors():
    with pytest.raises(ValueError, match="must be a _DenseColumn"):
        fc.input_layer({"i": [[1]]}, [fc.categorical_column_with_identity("i", 3)])
    with pytest.raises(ValueError, match="feature_columns must not be empty"):
        fc.input_layer({}, [])
    with pytest.raises(ValueError, match="Duplicate feature column name"):
        fc.input_layer({"x": [1.0]}, [fc.numeric_column("x"), fc.numeric_column("x")])
    with pytest.raises(ValueError, match="Feature y is not in features dictionary"):
        fc.input_layer({"x": [1.0]}, [fc.numeric_column("y")])
    with pytest.raises(ValueError, match="cannot have rank 0"):
        fc.input_layer({"x": 1.0}, [fc.numeric_column("x")])
    with pytest.raises(ValueError, match="Batch size \\(first dimension\\)"):
        fc.input_layer({"x": [1.0, 2.0], "y": [1.0]},
                       [fc.numeric_column("x"), fc.numeric_column("y")])
    with pytest.raises(ValueError, match="boundaries must be a sorted list"):
        fc.bucketized_column(fc.numeric_column("x"), [2.0, 1.0])
    with pytest.raises(ValueError, match="Column dtype and SparseTensors dtype"):
        fc.input_layer({"c": [[1]]}, [fc.indicator_column(
            fc.categorical_column_with_vocabulary_list("c", ["a"]))])
    with pytest.raises(ValueError, match="not supported for crossing"):
        fc.crossed_column([fc.categorical_column_with_hash_bucket("h", 3), "x"], 10)
    with pytest.raises(ValueError, match="Invalid dimension"):
        fc.embedding_column(fc.categorical_column_with_identity("i", 3), 0)
    with pytest.raises(ValueError, match="expects 2 values per example"):
        fc.input_layer({"x": [[1.0, 2.0, 3.0]]}, [fc.numeric_column("x", shape=2)])


def test_make_parse_example_spec_as_tf():
    """TF 2.15's tf.compat.v1.feature_column.make_parse_example_spec gives these configs."""
    age = fc.numeric_column("age", shape=(2,), default_value=(0.0, 1.0))
    city = fc.categorical_column_with_vocabulary_list("city", ["a", "b"])
    crossed = fc.crossed_column([city, "zip"], 10)
    spec = fc.make_parse_example_spec([age, fc.bucketized_column(age, [0.5]),
                                       fc.indicator_column(crossed),
                                       fc.embedding_column(
                                           fc.categorical_column_with_identity("i", 3), 2)])
    assert spec == {"age": tf.FixedLenFeature((2,), tf.float32, (0.0, 1.0)),
                    "city": tf.VarLenFeature(tf.string), "zip": tf.VarLenFeature(tf.string),
                    "i": tf.VarLenFeature(tf.int64)}
    with pytest.raises(ValueError, match="different parse_spec"):
        fc.make_parse_example_spec([age, fc.numeric_column("age")])


def test_column_reprs_as_tensorflow_prints_them(tmp_path):
    """v2 class names and fields as TF 1.15's tf.feature_column returns (boundaries and nested
    default values kept as given); fixture from TF 2.15, whose vocabulary-file column has a
    later file_format field TF 1.15 lacks."""
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures",
                        "feature_column_reprs_reference.json")
    with open(path) as f:
        expected = json.load(f)
    vocab = str(tmp_path / "pets.txt")
    with open(vocab, "w") as f:
        f.write("cat\ndog\nrabbit\npig\n")
    columns = feature_column_cases.repr_columns(tf, vocab)
    assert sorted(columns) == sorted(expected)
    for name, column in columns.items():
        assert repr(column).replace(vocab, "<vocab>") == \
            expected[name].replace(", file_format=None", ""), name


def test_vocabulary_file_column_reads_its_file_when_used(tmp_path):
    vocab = tmp_path / "v.txt"
    vocab.write_text("a\nb\nc\n")
    column = tf.feature_column.categorical_column_with_vocabulary_file("k", str(vocab),
                                                                       vocabulary_size=2)
    dense = tf.feature_column.input_layer({"k": [["b"], ["c"], ["a"]]},
                                          [tf.feature_column.indicator_column(column)])
    with tf.Session() as sess:
        sess.run(tf.tables_initializer())
        assert sess.run(dense).tolist() == [[0, 1], [0, 0], [1, 0]]


def test_linear_model_output_names_as_tensorflow():
    """Each call builds its ops in a fresh name scope named after its variable scope, as TF's
    _LinearModel layer (fixture make_linear_model_names_reference.py); variables of the first
    call as TF's. (TF 2.15 also makes the second call's column scopes unique graph-wide,
    color_1, which TF 1.15's tf.layers-based wrapper may not: not checked.)"""
    with open(os.path.join(os.path.dirname(__file__), "..", "fixtures",
                           "linear_model_names_reference.json")) as f:
        expected = json.load(f)
    features = {"price": [[1.0], [5.0]], "color": [["R"], ["B"]]}
    columns = [fc.numeric_column("price"),
               fc.categorical_column_with_vocabulary_list("color", ["R", "G", "B"])]
    outputs = [fc.linear_model(features, columns).name for _ in range(2)]
    assert outputs == expected["outputs"]
    names = sorted(v.name for v in tf.global_variables())
    first = [n for n in expected["variables"] if n.startswith("linear_model/")]
    assert [n for n in names if n.startswith("linear_model/")] == first
    assert "linear_model_1/bias_weights:0" in names


def _sparse_reference():
    with open(os.path.join(os.path.dirname(__file__), "..", "fixtures",
                           "feature_column_sparse_reference.json")) as f:
        return json.load(f)


def test_get_sparse_tensors_and_crosses_of_sparse_features_as_tensorflow():
    """TF 1.x's IdWeightPair view of categorical columns (as programs read it through
    _LazyBuilder), and crosses where a raw SparseTensor feature crosses only its present
    values (fixture make_feature_column_sparse_reference.py)."""
    from tensorweave.estimator.feature_column import LazyBuilder
    expected = _sparse_reference()["sparse"]
    features, columns = feature_column_cases.sparse_features_and_columns(tf)
    pairs = {name: column._get_sparse_tensors(LazyBuilder(features))
             for name, column in columns.items()}
    dense = {name: fc.input_layer(features, [fc.indicator_column(columns[name])])
             for name in feature_column_cases.CROSSED_SPARSE}
    with tf.Session() as sess:
        sess.run(tf.tables_initializer())
        for name, pair in pairs.items():
            assert isinstance(pair, columns[name].IdWeightPair)
            ids = sess.run(pair.id_tensor)
            want = expected[name]
            assert ids.indices.tolist() == want["indices"], name
            assert ids.values.tolist() == want["values"], name
            assert ids.dense_shape.tolist() == want["dense_shape"], name
            assert (pair.weight_tensor is None) == ("weights" not in want), name
            if pair.weight_tensor is not None:
                weights = sess.run(pair.weight_tensor)
                assert weights.values.tolist() == want["weights"]
                assert weights.indices.tolist() == want["weight_indices"]
        for name, tensor in dense.items():
            assert sess.run(tensor).tolist() == expected[name + "_indicator"], name


def test_input_layer_and_linear_model_variables_join_model_variables():
    """As TF: GLOBAL_VARIABLES and MODEL_VARIABLES besides the given weight_collections, an
    empty value (a program passing {} there) counting as none."""
    expected = _sparse_reference()["collections"]
    column = fc.categorical_column_with_hash_bucket("s", 5)
    features = {"s": [["a"], ["x"]], "p": [[1.], [2.]]}
    fc.input_layer(features, fc.embedding_column(column, 3), {})
    fc.linear_model(features, [column, fc.numeric_column("p")])
    fc.input_layer(features, fc.embedding_column(column, 2), ["mine"])
    names = lambda key: [v.name for v in tf.get_collection(key)]  # noqa: E731
    assert names(tf.GraphKeys.MODEL_VARIABLES) == expected["model"]
    assert names(tf.GraphKeys.GLOBAL_VARIABLES) == expected["global"]
    assert names("mine") == expected["mine"]
