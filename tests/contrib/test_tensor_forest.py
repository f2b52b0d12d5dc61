"""tf.contrib.tensor_forest: TF 1.15's RandomForestGraphs on small toy problems.

The numbers cannot be TensorFlow's (its trees draw from its own random streams); the checks
are the algorithm's: a forest learns a separable problem, grows up to max_nodes, predicts
distributions, is reproducible with a graph seed, and rejects bad inputs while building.
"""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib.tensor_forest.python import tensor_forest


def _problem(n=2000, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 6).astype(np.float32)
    y = ((x[:, 0] > 0.5).astype(np.int32) + 2 * (x[:, 4] > 0.3)).astype(np.int32)
    return x, y


def _forest(num_trees=4, max_nodes=63, **kwargs):
    hparams = tensor_forest.ForestHParams(num_classes=4, num_features=6, num_trees=num_trees,
                                          max_nodes=max_nodes, split_after_samples=40,
                                          **kwargs).fill()
    return tensor_forest.RandomForestGraphs(hparams)


def _train(steps=10, seed=3, **kwargs):
    """Trains a forest on batches of 200; returns (losses, accuracy, probabilities, sizes)."""
    x, y = _problem()
    with tf.Graph().as_default():
        tf.set_random_seed(seed)
        data = tf.placeholder(tf.float32, [None, 6])
        labels = tf.placeholder(tf.int32, [None])
        forest = _forest(**kwargs)
        train = forest.training_graph(data, labels)
        loss = forest.training_loss(data, labels)
        probabilities = forest.inference_graph(data)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(probabilities, 1),
                                                   tf.cast(labels, tf.int64)), tf.float32))
        sizes = [tree.size() for tree in forest.trees]
        losses = []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for step in range(steps):
                rows = slice(step * 200 % 2000, step * 200 % 2000 + 200)
                sess.run(train, {data: x[rows], labels: y[rows]})
                losses.append(sess.run(loss))
            return (losses, sess.run(accuracy, {data: x, labels: y}),
                    sess.run(probabilities[0], {data: x}), sess.run(sizes))


def test_fill_derives_tf_defaults():
    hparams = tensor_forest.ForestHParams(num_classes=10, num_features=784, num_trees=10,
                                          max_nodes=1000).fill()
    assert hparams.num_splits_to_consider == 28  # max(10, floor(sqrt(784)))
    assert hparams.split_after_samples == 250 and hparams.valid_leaf_threshold == 1
    assert hparams.bagging_fraction == 1.0 and hparams.bagged_features is None
    assert hparams.num_output_columns == 11 and hparams.base_random_seed == 0
    assert tensor_forest.ForestHParams(num_classes=2, num_features=4).fill() \
        .num_splits_to_consider == 10
    with pytest.raises(AttributeError):
        tensor_forest.ForestHParams(num_features=3).fill()


def test_forest_learns_a_separable_problem():
    losses, accuracy, probabilities, sizes = _train()
    assert accuracy > 0.95
    assert losses[-1] < losses[0] < 0  # the loss is minus the average tree size
    np.testing.assert_allclose(probabilities.sum(1), 1, rtol=1e-5)
    assert probabilities.min() > 0  # smoothed: no class has probability 0


def test_max_nodes_is_respected():
    _, _, _, sizes = _train(max_nodes=9)
    assert all(size <= 9 and size % 2 == 1 for size in sizes) and max(sizes) == 9


def test_same_graph_seed_gives_the_same_forest():
    first, second, other = _train(seed=5), _train(seed=5), _train(seed=6)
    np.testing.assert_array_equal(first[2], second[2])
    assert first[0] == second[0]
    assert not np.array_equal(first[2], other[2])


def test_inference_result_unpacks_as_tf_1_15():
    with tf.Graph().as_default():
        data = tf.placeholder(tf.float32, [None, 6])
        forest = _forest(num_trees=3)
        probabilities, paths, variance = forest.inference_graph(data)
        assert probabilities.shape.as_list() == [None, 4] and paths.dtype is tf.string
        with tf.Session() as sess:
            p, t, v = sess.run([probabilities, paths, variance], {data: np.zeros((2, 6))})
        np.testing.assert_allclose(p, 0.25)  # untrained: uniform
        assert t.shape == (2, 3) and (v == 0).all()


def test_bagging_and_feature_importances():
    x, y = _problem()
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        forest = _forest(bagging_fraction=0.7, base_random_seed=7)
        train = forest.training_graph(tf.constant(x), tf.constant(y))
        importances = forest.feature_importances()
        with tf.Session() as sess:
            for _ in range(3):
                sess.run(train)
            got = sess.run(importances)
    assert abs(got.sum() - 1) < 1e-6 and got[[0, 4]].sum() > 0.5


def test_bad_inputs_are_refused_while_building():
    with tf.Graph().as_default():
        forest = _forest(num_trees=2)
        with pytest.raises(ValueError, match="num_features=6"):
            forest.training_graph(tf.placeholder(tf.float32, [None, 5]),
                                  tf.placeholder(tf.int32, [None]))
        with pytest.raises(ValueError, match="num_features=6"):
            forest.inference_graph(tf.placeholder(tf.float32, [None, 7]))
        with pytest.raises(TypeError, match="labels must be class ids"):
            forest.training_graph(tf.placeholder(tf.float32, [None, 6]),
                                  tf.placeholder(tf.string, [None]))
        with pytest.raises(ValueError, match="shape \\[batch\\]"):
            forest.training_graph(tf.placeholder(tf.float32, [None, 6]),
                                  tf.placeholder(tf.int32, [None, 3]))
        with pytest.raises(ValueError, match="rows"):
            forest.training_graph(tf.placeholder(tf.float32, [4, 6]),
                                  tf.placeholder(tf.int32, [5]))


def test_bad_labels_fail_at_run_time():
    with tf.Graph().as_default():
        forest = _forest(num_trees=1)
        data = tf.placeholder(tf.float32, [None, 6])
        labels = tf.placeholder(tf.int32, [None])
        train = forest.training_graph(data, labels)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="label 4"):
                sess.run(train, {data: np.zeros((2, 6)), labels: [1, 4]})


def test_unsupported_options_say_so():
    hparams = tensor_forest.ForestHParams(num_classes=2, num_features=3,
                                          split_finish_name="hoeffding").fill()
    with pytest.raises(NotImplementedError, match="split_finish_name"):
        tensor_forest.RandomForestGraphs(hparams)
