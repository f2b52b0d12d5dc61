"""Canned estimators on the Iris data: accuracy, prediction keys, metric keys, variable names."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.examples.get_started import iris_data

(TRAIN_X, TRAIN_Y), (TEST_X, TEST_Y) = iris_data.load_data()
COLUMNS = [tf.feature_column.numeric_column(k) for k in TRAIN_X.keys()]
CLASS_PREDICTIONS = {"logits", "probabilities", "class_ids", "classes", "all_class_ids",
                     "all_classes"}
# A graph-level seed: initial weights and the shuffle order, so accuracies do not vary by run
SEEDED = tf.estimator.RunConfig(tf_random_seed=2)


def train_eval_predict(estimator, steps=1000, labels=(TRAIN_Y, TEST_Y), features=None):
    train_x, test_x = features or (TRAIN_X, TEST_X)
    estimator.train(lambda: iris_data.train_input_fn(train_x, labels[0], 32), steps=steps)
    result = estimator.evaluate(lambda: iris_data.eval_input_fn(test_x, labels[1], 30))
    predictions = list(estimator.predict(lambda: iris_data.eval_input_fn(test_x, None, 30)))
    return result, predictions


@pytest.mark.parametrize("make", [
    lambda d: tf.estimator.DNNClassifier([10, 10], COLUMNS, n_classes=3, model_dir=d, config=SEEDED),
    lambda d: tf.estimator.LinearClassifier(COLUMNS, n_classes=3, model_dir=d, config=SEEDED),
    lambda d: tf.estimator.DNNLinearCombinedClassifier(
        model_dir=d, config=SEEDED, linear_feature_columns=COLUMNS, dnn_feature_columns=COLUMNS,
        dnn_hidden_units=[10, 10], n_classes=3, linear_optimizer=tf.train.FtrlOptimizer(0.2),
        dnn_optimizer=tf.train.AdagradOptimizer(0.05)),
], ids=["dnn", "linear", "dnn_linear_combined"])
def test_multi_class_on_iris(make, tmp_path):
    estimator = make(str(tmp_path))
    result, predictions = train_eval_predict(estimator)
    assert set(result) == {"accuracy", "average_loss", "loss", "global_step"}
    assert result["accuracy"] >= 0.9
    assert result["global_step"] == 1000
    assert len(predictions) == 30 and set(predictions[0]) == CLASS_PREDICTIONS
    ids = np.array([p["class_ids"][0] for p in predictions])
    assert np.mean(ids == TEST_Y) == pytest.approx(result["accuracy"])
    assert predictions[0]["classes"][0] == str(ids[0]).encode()
    np.testing.assert_array_equal(predictions[0]["all_class_ids"], [0, 1, 2])
    assert predictions[0]["all_class_ids"].dtype == np.int32
    assert list(predictions[0]["all_classes"]) == [b"0", b"1", b"2"]
    np.testing.assert_allclose(predictions[0]["probabilities"].sum(), 1, rtol=1e-5)


def test_dnn_variable_names(tmp_path):
    estimator = tf.estimator.DNNClassifier([4], COLUMNS, n_classes=3, model_dir=str(tmp_path), config=SEEDED)
    estimator.train(lambda: iris_data.train_input_fn(TRAIN_X, TRAIN_Y, 8), steps=1)
    names = [n for n in estimator.get_variable_names() if "Adagrad" not in n]
    assert names == ["dnn/hiddenlayer_0/bias", "dnn/hiddenlayer_0/kernel", "dnn/logits/bias",
                     "dnn/logits/kernel", "global_step"]


def test_binary_classifier_metrics_and_vocabulary(tmp_path):
    # versicolor vs the rest, with string labels through label_vocabulary
    names = np.array([b"other", b"versicolor"], dtype=object)
    labels = (names[(TRAIN_Y == 1).astype(int)], names[(TEST_Y == 1).astype(int)])
    estimator = tf.estimator.DNNClassifier([10, 10], COLUMNS, n_classes=2,
                                           label_vocabulary=["other", "versicolor"],
                                           model_dir=str(tmp_path), config=SEEDED)
    result, predictions = train_eval_predict(estimator, steps=1500, labels=labels)
    assert set(result) == {"accuracy", "accuracy_baseline", "auc", "auc_precision_recall",
                           "average_loss", "label/mean", "loss", "precision",
                           "prediction/mean", "recall", "global_step"}
    assert result["accuracy"] >= 0.9
    assert result["label/mean"] == pytest.approx(np.mean(TEST_Y == 1))
    assert result["accuracy_baseline"] == pytest.approx(max(result["label/mean"],
                                                            1 - result["label/mean"]))
    assert set(predictions[0]) == CLASS_PREDICTIONS | {"logistic"}
    assert predictions[0]["classes"][0] in (b"other", b"versicolor")
    assert list(predictions[0]["all_classes"]) == [b"other", b"versicolor"]


@pytest.mark.parametrize("make", [
    lambda d: tf.estimator.DNNRegressor([10], REG_COLUMNS, model_dir=d, config=SEEDED),
    lambda d: tf.estimator.LinearRegressor(REG_COLUMNS, model_dir=d, config=SEEDED),
], ids=["dnn", "linear"])
def test_regressors_predict_petal_width(make, tmp_path):
    def split(x):
        features = {k: v for k, v in dict(x).items() if k != "PetalWidth"}
        return features, np.asarray(x["PetalWidth"], np.float32)
    (train_x, train_y), (test_x, test_y) = split(TRAIN_X), split(TEST_X)
    result, predictions = train_eval_predict(make(str(tmp_path)), labels=(train_y, test_y),
                                             features=(train_x, test_x))
    assert set(result) == {"average_loss", "label/mean", "loss", "prediction/mean",
                           "global_step"}
    assert result["average_loss"] < 0.1  # the variance of petal width is 0.58
    assert set(predictions[0]) == {"predictions"}


REG_COLUMNS = [tf.feature_column.numeric_column(k) for k in
               ("SepalLength", "SepalWidth", "PetalLength")]


def test_optimizer_names_and_errors():
    from tensorweave.estimator.canned.optimizers import get_optimizer_instance
    assert isinstance(get_optimizer_instance("SGD", 0.1), tf.train.GradientDescentOptimizer)
    with pytest.raises(ValueError, match="Unsupported optimizer name"):
        get_optimizer_instance("Nope", 0.1)
    with pytest.raises(ValueError, match="n_classes"):
        tf.estimator.DNNClassifier([3], COLUMNS, n_classes=1)


# --- checkpoint names and a model_dir shared with TensorFlow -------------------------------------
# tests/fixtures/make_variable_names.py trained each canned estimator one step with TensorFlow
# (tensorflow-estimator 2.15's compat.v1 estimators, built as 1.15's) and recorded the names and
# shapes in its checkpoint: variables, optimizer slots (dnn/hiddenlayer_0/kernel/t_0/Adagrad,
# linear/linear_model/a/weights/part_0/Ftrl, dnn/head/beta1_power, ...) and global_step.
VARIABLE_NAMES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "variable_names"
VARIABLE_NAMES = json.loads((VARIABLE_NAMES_DIR / "names.json").read_text())


def _column_set(name):
    fc = tf.feature_column
    columns = [fc.numeric_column("a"), fc.numeric_column("b")]
    category = fc.categorical_column_with_vocabulary_list("c", ["x", "y"])
    if name == "embedding":
        columns.append(fc.embedding_column(category, 2))
    elif name == "categorical":
        columns.append(category)
    return columns


def _fixture_input_fn():
    features = {k: np.array(v, np.float32 if k != "c" else object)
                for k, v in VARIABLE_NAMES["features"].items()}
    labels = np.array(VARIABLE_NAMES["labels"])
    return tf.data.Dataset.from_tensor_slices((features, labels)).batch(4).repeat()


def _make_fixture_estimator(case, model_dir):
    kwargs = dict(case["kwargs"])
    for argument, columns in case["columns"].items():
        kwargs[argument] = _column_set(columns)
    return getattr(tf.estimator, case["class"])(
        model_dir=model_dir, config=tf.estimator.RunConfig(tf_random_seed=7), **kwargs)


@pytest.mark.parametrize("key", sorted(VARIABLE_NAMES["estimators"]))
def test_checkpoint_names_match_tf(key, tmp_path):
    case = VARIABLE_NAMES["estimators"][key]
    _make_fixture_estimator(case, str(tmp_path)).train(_fixture_input_fn, steps=1)
    names = sorted([name, list(shape)] for name, shape in tf.train.list_variables(str(tmp_path)))
    assert names == case["checkpoint"]


def test_dnn_classifier_resumes_training_from_a_tf_model_dir(tmp_path):
    expected = VARIABLE_NAMES["resume_dnn_classifier"]
    model_dir = tmp_path / "model"
    shutil.copytree(VARIABLE_NAMES_DIR / "dnn_classifier", model_dir)
    estimator = _make_fixture_estimator(expected, str(model_dir))
    estimator.train(_fixture_input_fn, steps=2)
    assert sorted(estimator.get_variable_names()) == sorted(expected["values"])
    assert estimator.get_variable_value("global_step") == 4
    for name, value in expected["values"].items():
        np.testing.assert_allclose(estimator.get_variable_value(name), value, rtol=1e-4,
                                   atol=1e-6, err_msg=name)
