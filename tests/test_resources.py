"""tensorflow.python.ops.resources (tensorweave.resources): the resource collections and their
initializers, as tensor_forest programs use them."""
import numpy as np

import tensorweave as tf
from tensorweave import resources
from tensorweave.contrib.tensor_forest.python import tensor_forest


def test_registered_resources_are_collected_initialized_and_reported():
    made = tf.Variable(0.0, name="made")
    create = tf.assign(made, 1.0).op
    resources.register_resource(made, create, tf.not_equal(made, 0.0))
    local = tf.Variable(0.0, name="local")
    resources.register_resource(local, tf.assign(local, 1.0).op, tf.constant(True),
                                is_shared=False)
    assert [r.handle for r in resources.shared_resources()] == [made]
    assert [r.handle for r in resources.local_resources()] == [local]
    report = resources.report_uninitialized_resources()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(report).tolist() == [b"made"]
        sess.run(resources.initialize_resources(resources.shared_resources()))
        assert sess.run(report).tolist() == []
    assert resources.initialize_resources([]).type == "NoOp"


def test_a_forest_initialized_as_tf_1_15_programs_do_trains():
    rng = np.random.RandomState(0)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.int32, [None])
    params = tensor_forest.ForestHParams(num_classes=2, num_features=4, num_trees=3,
                                         max_nodes=50, base_random_seed=1).fill()  # seeded
    forest = tensor_forest.RandomForestGraphs(params)
    train = forest.training_graph(x, y)
    probabilities, _, _ = forest.inference_graph(x)
    init = tf.group(tf.global_variables_initializer(),
                    resources.initialize_resources(resources.shared_resources()))
    assert len(resources.shared_resources()) == 3  # one per tree
    data = rng.randn(2000, 4).astype(np.float32)
    labels = (data[:, 0] + data[:, 1] > 0).astype(np.int32)
    with tf.Session() as sess:
        sess.run(init)
        assert sess.run(resources.report_uninitialized_resources()).tolist() == []
        for i in range(20):
            sess.run(train, {x: data[i * 100:(i + 1) * 100], y: labels[i * 100:(i + 1) * 100]})
        predicted = sess.run(probabilities, {x: data}).argmax(1)
    assert (predicted == labels).mean() > 0.85
