"""weighted_categorical_column and shared_embedding_columns against TF 2.15's compat.v1
feature columns (tests/fixtures/estimator_extra_reference.json): input_layer and linear_model
outputs and variable names, and canned estimators trained on them. Our features are dense
(-1 marks a missing id); TF was fed the SparseTensors of the same values."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import estimator_extra_cases as cases  # noqa: E402

REFERENCE = json.loads((FIXTURES / "estimator_extra_reference.json").read_text())


def _features():
    return {k: tf.constant(v) for k, v in cases.FC_FEATURES.items()}


@pytest.mark.parametrize("name", sorted(REFERENCE["feature_columns"]))
def test_columns_match_tensorflow(name):
    want = REFERENCE["feature_columns"][name]
    with tf.Graph().as_default():
        columns = cases.fc_columns(tf)[name]()
        with tf.variable_scope("model"):
            if name.startswith("input_layer"):
                out = tf.feature_column.input_layer(_features(), columns)
            else:
                out = tf.feature_column.linear_model(_features(), columns, units=2,
                                                     sparse_combiner=name.rsplit("_", 1)[1])
        variables = tf.global_variables()
        assert sorted(v.op.name for v in variables) == want["variables"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            if name.startswith("linear_model"):
                for v in variables:
                    v.load(cases.fc_values(v.shape.as_list()), sess)
            np.testing.assert_allclose(sess.run(out), want["output"], rtol=1e-5, atol=1e-6)


def test_shared_embedding_variable_is_reused_across_calls():
    fc = tf.feature_column
    a, c = (fc.categorical_column_with_identity(k, 4) for k in "ac")
    columns = fc.shared_embedding_columns([c, a], 2)
    assert [col.name for col in columns] == ["c_shared_embedding", "a_shared_embedding"]
    with tf.Graph().as_default():
        fc.input_layer(_features(), columns)
        fc.input_layer(_features(), columns[:1])
        assert [v.op.name for v in tf.global_variables()] == \
            ["input_layer/a_c_shared_embedding/embedding_weights"]


def test_errors_and_parse_spec():
    fc = tf.feature_column
    a = fc.categorical_column_with_identity("a", 4)
    b = fc.categorical_column_with_vocabulary_list("b", ["x"])
    with pytest.raises(ValueError, match="same type"):
        fc.shared_embedding_columns([a, b], 2)
    with pytest.raises(ValueError, match="same number of buckets"):
        fc.shared_embedding_columns([a, fc.categorical_column_with_identity("c", 5)], 2)
    with pytest.raises(ValueError, match="must be of type _CategoricalColumn"):
        fc.weighted_categorical_column(fc.numeric_column("x"), "w")
    weighted = fc.weighted_categorical_column(a, "aw")
    assert weighted.name == "a_weighted_by_aw" and weighted._num_buckets == 4
    spec = fc.make_parse_example_spec([weighted])
    assert set(spec) == {"a", "aw"} and spec["aw"].dtype == tf.float32
    with pytest.raises(ValueError, match="already exists"):
        fc.make_parse_example_spec([fc.weighted_categorical_column(a, "a")])


@pytest.mark.parametrize("name", sorted(REFERENCE["feature_column_estimators"]))
def test_canned_estimators_on_extra_columns(name, tmp_path):
    want = REFERENCE["feature_column_estimators"][name]
    class_name, label_key, kwargs = cases.fc_estimators(tf, tf)[name]
    estimator = getattr(tf.estimator, class_name)(model_dir=str(tmp_path / "a"), **kwargs)
    if class_name.startswith("DNN"):
        init = {"dnn/hiddenlayer_0/kernel": cases.fc_values([9, 3]),
                "dnn/hiddenlayer_0/bias": cases.fc_values([3]),
                "dnn/logits/kernel": cases.fc_values([3, 1]),
                "dnn/logits/bias": cases.fc_values([1])}
        with tf.Graph().as_default():
            for key, value in init.items():
                tf.Variable(value, name=key)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                ckpt = tf.train.Saver().save(sess, str(tmp_path / "init" / "init"))
        estimator = tf.estimator.Estimator(
            model_fn=estimator.model_fn, model_dir=str(tmp_path / "b"),
            warm_start_from=tf.estimator.WarmStartSettings(
                ckpt, vars_to_warm_start="dnn/(hiddenlayer|logits).*"))

    def input_fn():
        return _features(), tf.constant(cases.FC_LABELS[label_key])
    estimator.train(input_fn, steps=3)
    metrics = estimator.evaluate(input_fn, steps=1)
    metrics.pop("global_step")
    assert sorted(metrics) == sorted(want["metrics"])
    for key, value in want["metrics"].items():
        np.testing.assert_allclose(metrics[key], value, rtol=1e-4, err_msg=key)
    names = [n for n in estimator.get_variable_names() if "Ftrl" not in n]
    assert sorted(names) == want["variables"]


def _sequence_features(sparse):
    if sparse:
        return cases.seq_sparse_features(tf)
    return {k: tf.constant(v) for k, v in cases.SEQ_FEATURES.items() if k != "num"}


@pytest.mark.parametrize("sparse", [True, False], ids=["sparse", "dense"])
@pytest.mark.parametrize("name", sorted(REFERENCE["sequence"]))
def test_sequence_columns_match_tensorflow(name, sparse):
    if name == "embedding_numeric" and not sparse:
        pytest.skip("a dense numeric sequence has no padding to read lengths from")
    want = REFERENCE["sequence"][name]
    with tf.Graph().as_default():
        columns = cases.seq_columns(tf.feature_column, tf)[name]
        dense, length = tf.feature_column.sequence_input_layer(_sequence_features(sparse),
                                                               columns)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            dense, length = sess.run([dense, length])
        names = [v.op.name for v in tf.global_variables()]
    np.testing.assert_allclose(dense, want["output"], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(length, want["length"])
    if name == "embedding_numeric":
        assert names == ["sequence_input_layer/tok_embedding/embedding_weights"]


def test_sequence_columns_are_refused_by_input_layer_and_linear_model():
    fc = tf.feature_column
    seq = fc.sequence_categorical_column_with_identity("pos", 4)
    assert seq.name == "pos" and seq._num_buckets == 4
    assert set(fc.make_parse_example_spec([fc.sequence_numeric_column("num")])) == {"num"}
    with tf.Graph().as_default():
        features = {k: tf.constant(v) for k, v in cases.SEQ_FEATURES.items()}
        with pytest.raises(ValueError, match="sequence_input_layer instead of input_layer"):
            fc.input_layer(features, [fc.embedding_column(seq, 2)])
        with pytest.raises(ValueError, match="does not support sequence columns"):
            fc.linear_model(features, [seq])
        with pytest.raises(ValueError, match="must be sequence columns"):
            fc.sequence_input_layer(features, [fc.numeric_column("num")])
