"""Op table rows for the forest op types (ops/tensor_forest_ops.py).

A tree lives in the Session, so the op types are checked through one session check: a tree
grows on a toy problem, its size, predictions and feature counts are read. Behaviour in depth
(the library, seeds, errors): tests/contrib/test_tensor_forest.py.
"""
import numpy as np

import tensorweave as tf
from tensorweave.ops import tensor_forest_ops

CASES = []


def _check_tree_ops():
    rng = np.random.RandomState(0)
    x = rng.rand(600, 3).astype(np.float32)
    y = (x[:, 1] > 0.5).astype(np.int32)  # feature 1 decides the class
    with tf.Graph().as_default():
        tree = tensor_forest_ops.tree_variable(2, 3, max_nodes=7, num_splits_to_consider=5,
                                               split_after_samples=40,
                                               split_type="less_or_equal", seed=1, seed2=2,
                                               name="tree")
        data = tf.placeholder(tf.float32, [None, 3])
        labels = tf.placeholder(tf.int32, [None])
        train = tensor_forest_ops.train_tree(tree, data, labels)
        predict = tensor_forest_ops.tree_predictions(tree, data)
        size = tensor_forest_ops.tree_size(tree)
        usage = tensor_forest_ops.feature_usage_counts(tree)
        assert {train.type, predict.op.type, size.op.type, usage.op.type, tree.op.type} == {
            "ForestTreeTrain", "ForestTreePredict", "ForestTreeSize",
            "ForestFeatureUsageCounts", "ForestTree"}
        assert predict.shape.as_list() == [None, 2] and usage.shape.as_list() == [3]
        assert size.dtype is tf.int32 and tree.dtype is tf.resource
        with tf.Session() as sess:
            assert sess.run(size) == 1
            np.testing.assert_allclose(sess.run(predict, {data: x[:2]}), 0.5)  # no counts
            for start in range(0, 600, 100):
                sess.run(train, {data: x[start:start + 100], labels: y[start:start + 100]})
            grown = sess.run(size)
            assert 3 <= grown <= 7 and grown % 2 == 1
            counts = sess.run(usage)
            assert counts.dtype == np.int32 and counts.sum() == (grown - 1) // 2
            assert counts[1] >= 1
            p = sess.run(predict, {data: x})
            assert p.dtype == np.float32 and np.allclose(p.sum(1), 1)
            assert (p.argmax(1) == y).mean() > 0.9


SESSION_CASES = dict.fromkeys(["ForestTree", "ForestTreeTrain", "ForestTreePredict",
                               "ForestTreeSize", "ForestFeatureUsageCounts"], _check_tree_ops)
