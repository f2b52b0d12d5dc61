"""tf.contrib.kernel_methods against TF 1.15's definitions run with real TensorFlow's ops
(tests/fixtures/make_kernel_methods_reference.py): the random Fourier features of a mapper,
the multiclass hinge loss under every reduction, and KernelLinearClassifier's weights, loss and
accuracy after 20 steps, which equal TF's linear classifier on the mapped features."""
import pathlib

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib import kernel_methods

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
REF = np.load(FIXTURES / "kernel_methods_reference.npz")
REDUCTIONS = ["none", "weighted_sum", "weighted_sum_by_nonzero_weights",
              "weighted_sum_over_batch_size", "weighted_mean"]


@pytest.mark.parametrize("input_dim,output_dim,stddev,seed", [(5, 7, 2.0, 3), (4, 16, 1.0, 1)])
def test_random_fourier_features_are_tfs(input_dim, output_dim, stddev, seed):
    name = f"rffm_{input_dim}_{output_dim}_{stddev}_{seed}"
    mapper = tf.contrib.kernel_methods.RandomFourierFeatureMapper(
        input_dim, output_dim, stddev=stddev, seed=seed, name="rffm")
    assert (mapper.name, mapper.input_dim, mapper.output_dim) == ("rffm", input_dim, output_dim)
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(mapper.map(tf.constant(REF[name + "/x"])))
    np.testing.assert_allclose(got, REF[name + "/mapped"], rtol=1e-5, atol=1e-6)


def test_mapper_refuses_other_shapes():
    mapper = kernel_methods.RandomFourierFeatureMapper(3, 4)
    with tf.Graph().as_default():
        with pytest.raises(kernel_methods.InvalidShapeError, match="should be 2. Got 1"):
            mapper.map(tf.zeros([3]))
        with pytest.raises(kernel_methods.InvalidShapeError, match="expected 3 input features"):
            mapper.map(tf.zeros([2, 5]))
    assert mapper.name == str(id(mapper))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_hinge_loss_is_tfs(reduction, weighted):
    with tf.Graph().as_default(), tf.Session() as sess:
        weights = REF["hinge/weights"] if weighted else 1.0
        loss = tf.contrib.kernel_methods.sparse_multiclass_hinge_loss(
            tf.constant(REF["hinge/labels"]), tf.constant(REF["hinge/logits"]),
            weights=weights, reduction=reduction)
        assert len(tf.losses.get_losses()) == 1
        got = sess.run(loss)
    np.testing.assert_allclose(got, REF[f"hinge/{reduction}/{int(weighted)}"], rtol=1e-6)


def test_hinge_loss_refusals():
    with tf.Graph().as_default():
        logits = tf.zeros([2, 3])
        with pytest.raises(ValueError, match="rank 2"):
            kernel_methods.sparse_multiclass_hinge_loss(tf.constant([0, 1]), tf.zeros([2]))
        with pytest.raises(ValueError, match="Invalid dtype for labels"):
            kernel_methods.sparse_multiclass_hinge_loss(tf.constant([0.0, 1.0]), logits)
        with pytest.raises(tf.errors.InvalidArgumentError, match="x < y did not hold"):
            kernel_methods.sparse_multiclass_hinge_loss(tf.constant([0, 3]), logits)
        labels = tf.placeholder(tf.int32, [2])  # a label outside [0, num_classes) when run
        loss = kernel_methods.sparse_multiclass_hinge_loss(labels, logits)
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(loss, {labels: [0, 3]})


@pytest.mark.parametrize("n_classes", [2, 3])
def test_kernel_linear_classifier_is_tfs_linear_model_on_the_mapped_features(tmp_path,
                                                                              n_classes):
    x, y = REF["rings/x"], REF[f"rings/{n_classes}/y"]
    column = tf.contrib.layers.real_valued_column("x", dimension=2)
    mapper = tf.contrib.kernel_methods.RandomFourierFeatureMapper(2, 64, stddev=0.7)
    estimator = tf.contrib.kernel_methods.KernelLinearClassifier(
        n_classes=n_classes, optimizer=tf.train.FtrlOptimizer(0.5),
        kernel_mappers={column: [mapper]}, model_dir=str(tmp_path))

    def input_fn():
        return {"x": tf.constant(x)}, tf.constant(y)
    estimator.fit(input_fn=input_fn, steps=20)
    np.testing.assert_allclose(
        estimator.get_variable_value("linear/linear_model/x_MAPPED/weights"),
        REF[f"rings/{n_classes}/weights"], rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(estimator.get_variable_value("linear/linear_model/bias_weights"),
                               REF[f"rings/{n_classes}/bias"], rtol=2e-5, atol=2e-6)
    result = estimator.evaluate(input_fn=input_fn, steps=1)
    assert abs(result["loss"] - REF[f"rings/{n_classes}/loss"]) < 1e-5
    assert abs(result["accuracy"] - REF[f"rings/{n_classes}/accuracy"]) < 1e-6
    once = tf.estimator.inputs.numpy_input_fn({"x": x}, num_epochs=1, shuffle=False)
    predictions = list(estimator.predict(input_fn=once))
    assert len(predictions) == len(x)
    assert set(predictions[0]) >= {"classes", "probabilities", "logits"}
    classes = list(estimator.predict_classes(input_fn=once))
    assert classes == [p["classes"] for p in predictions]
    proba = np.stack(list(estimator.predict_proba(input_fn=once)))
    np.testing.assert_allclose(proba, [p["probabilities"] for p in predictions])
    assert abs((np.array(classes) == y).mean() - REF[f"rings/{n_classes}/accuracy"]) < 1e-6


def test_kernel_linear_classifier_keeps_plain_columns_and_refuses_bad_arguments(tmp_path):
    x, y = REF["rings/x"], REF["rings/2/y"]
    column = tf.contrib.layers.real_valued_column("x", dimension=2)
    estimator = kernel_methods.KernelLinearClassifier(
        feature_columns=[column], kernel_mappers={column: [
            kernel_methods.RandomFourierFeatureMapper(2, 8, seed=2),
            kernel_methods.RandomFourierFeatureMapper(2, 4, seed=3)]}, model_dir=str(tmp_path))
    estimator.fit(input_fn=lambda: ({"x": tf.constant(x)}, tf.constant(y)), steps=2)
    names = estimator.get_variable_names()
    assert "linear/linear_model/x/weights" in names  # the column as given
    assert estimator.get_variable_value("linear/linear_model/x_MAPPED/weights").shape == (12, 1)
    with pytest.raises(ValueError, match="at least one of feature_columns, kernel_mappers"):
        kernel_methods.KernelLinearClassifier()
    with pytest.raises(ValueError, match="Invalid kernel mappers"):
        kernel_methods.KernelLinearClassifier(kernel_mappers={column: [object()]})
    with pytest.raises(ValueError, match="n_classes must be > 1"):
        kernel_methods.KernelLinearClassifier(feature_columns=[column], n_classes=1)
