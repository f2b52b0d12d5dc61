"""tf.contrib.layers: collections, aliases, reuse, errors, summaries and optimize_loss's
checks (the numbers and variable names are compared with TensorFlow in test_slim.py)."""
import numpy as np
import pytest

import tensorweave as tf

layers = tf.contrib.layers


def test_outputs_collections_and_end_points():
    with tf.Graph().as_default():
        x = tf.zeros([2, 4, 4, 3])
        net = layers.conv2d(x, 2, [3, 3], scope="conv1", outputs_collections="ends")
        net = layers.max_pool2d(net, [2, 2], scope="pool1", outputs_collections="ends")
        flat = layers.flatten(net, outputs_collections=["ends"])
        points = layers.utils.convert_collection_to_dict("ends")
        assert list(points) == ["conv1", "pool1", "Flatten"]
        assert points["pool1"] is net and points["Flatten"] is flat
        assert layers.utils.convert_collection_to_dict("ends", clear_collection=True)
        assert tf.get_collection("ends") == []


def test_variables_collections_by_name_and_list():
    with tf.Graph().as_default():
        x = tf.zeros([2, 3])
        layers.fully_connected(x, 4, variables_collections={"weights": ["W"]}, scope="a")
        layers.fully_connected(x, 4, variables_collections=["all"], scope="b")
        layers.batch_norm(tf.zeros([2, 2, 2, 3]),
                          variables_collections={"moving_mean": ["MM"]}, scope="bn")
        assert [v.op.name for v in tf.get_collection("W")] == ["a/weights"]
        assert [v.op.name for v in tf.get_collection("all")] == ["b/weights", "b/biases"]
        assert [v.op.name for v in tf.get_collection("MM")] == ["bn/moving_mean"]
        assert all(v in tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)
                   for v in tf.global_variables())


def test_reuse_shares_variables_and_regularizes_once():
    with tf.Graph().as_default():
        x = tf.zeros([2, 3])
        reg = layers.l2_regularizer(0.1)
        layers.fully_connected(x, 4, weights_regularizer=reg, scope="fc")
        layers.fully_connected(x, 4, weights_regularizer=reg, scope="fc", reuse=True)
        assert len(tf.global_variables()) == 2
        assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1
        with pytest.raises(ValueError, match="already exists"):
            layers.fully_connected(x, 4, scope="fc")


def test_trainable_false_and_normalizer_replaces_biases():
    with tf.Graph().as_default():
        x = tf.zeros([2, 3])
        layers.fully_connected(x, 4, trainable=False, scope="frozen")
        layers.fully_connected(x, 4, normalizer_fn=layers.layer_norm, scope="normed")
        assert [v.op.name for v in tf.trainable_variables()] == [
            "normed/weights", "normed/LayerNorm/beta", "normed/LayerNorm/gamma"]


def test_batch_norm_is_training_tensor_switches_statistics():
    with tf.Graph().as_default():
        training = tf.placeholder(tf.bool, [])
        x = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3))
        y = layers.batch_norm(x, is_training=training, updates_collections=None, decay=0.0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            normalized = sess.run(y, {training: True})
            np.testing.assert_allclose(normalized.mean(0), 0, atol=1e-5)
            # decay 0: the moving statistics are the batch's (variance with Bessel's
            # correction, as the fused kernel gives)
            moving = sess.run(y, {training: False})
            var = x_var = np.arange(12, dtype=np.float32).reshape(4, 3).var(0, ddof=1)
            expected = (np.arange(12).reshape(4, 3) - np.arange(12).reshape(4, 3).mean(0)) / \
                np.sqrt(x_var + 1e-3)
            np.testing.assert_allclose(moving, expected, rtol=1e-4)
            assert var.shape == (3,)


def test_errors_name_the_problem():
    with tf.Graph().as_default():
        x = tf.zeros([2, 3])
        with pytest.raises(ValueError, match="num_outputs type should be one of"):
            layers.fully_connected(x, 2.0)
        with pytest.raises(ValueError, match="Invalid data_format"):
            layers.conv2d(tf.zeros([1, 3, 3, 1]), 1, 1, data_format="HWCN")
        with pytest.raises(ValueError, match="Convolution expects input with rank 4, got 2"):
            layers.conv2d(x, 1, 1)
        with pytest.raises(ValueError, match="data_format has to be either NCHW or NHWC"):
            layers.batch_norm(x, data_format="NCW", fused=False)
        with pytest.raises(ValueError, match="Must specify vocab size and embedding dimension"):
            layers.embed_sequence(tf.zeros([2, 3], tf.int32))
        with pytest.raises(ValueError, match="stack_args need to be a list or tuple"):
            layers.stack(x, layers.fully_connected, 3)
        with pytest.raises(NotImplementedError, match="renorm"):
            layers.batch_norm(tf.zeros([2, 2, 2, 2]), renorm=True)
        with pytest.raises(ValueError, match="scale cannot be an integer: 1"):
            layers.l2_regularizer(1)
        with pytest.raises(ValueError, match="Setting a scale less than 0"):
            layers.l1_regularizer(-0.5)
        assert layers.l1_regularizer(0.0)(x) is None
        with pytest.raises(ValueError, match="No weights to regularize"):
            layers.apply_regularization(layers.l2_regularizer(0.1))
        with pytest.raises(TypeError, match="Unknown mode"):
            layers.variance_scaling_initializer(mode="fan_in")


def test_embed_sequence_names_and_unique_lookup_agree():
    with tf.Graph().as_default():
        ids = tf.constant([[1, 2, 1], [0, 2, 2]])
        plain = layers.embed_sequence(ids, vocab_size=3, embed_dim=4, scope="emb")
        unique = layers.embed_sequence(ids, scope="emb", reuse=True, unique=True)
        assert [v.op.name for v in tf.global_variables()] == ["emb/embeddings"]
        assert unique.shape.as_list() == [2, 3, 4]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            a, b = sess.run([plain, unique])
        np.testing.assert_array_equal(a, b)


def test_summaries():
    with tf.Graph().as_default():
        x = tf.constant([[-1.0, 2.0, 7.0]])
        act = tf.nn.relu6(x, name="act")
        layers.summarize_activation(act)
        layers.summarize_tensor(tf.reduce_sum(x, name="total"))
        tf.add_to_collection(tf.GraphKeys.ACTIVATIONS, tf.nn.relu(x, name="r"))
        layers.summarize_activations()
        tags = [s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)]
        assert tags == ["act/zeros", "act/sixes", "act/activation", "total_summary",
                        "r/zeros", "r/activation"]
        with tf.Session() as sess:
            summary = tf.Summary.FromString(sess.run(tf.summary.merge_all()))
        values = {v.tag: v.simple_value for v in summary.value if v.HasField("simple_value")}
        assert values["act/zeros"] == pytest.approx(1 / 3)
        assert values["act/sixes"] == pytest.approx(1 / 3)
        assert values["total_summary"] == 8.0


def test_optimize_loss_checks_its_arguments():
    with tf.Graph().as_default():
        w = tf.Variable(1.0)
        loss = tf.square(w)
        step = tf.train.get_or_create_global_step()
        with pytest.raises(ValueError, match="Optimizer name should be one of"):
            layers.optimize_loss(loss, step, 0.1, "Nesterov")
        with pytest.raises(ValueError, match="Summaries should be one of"):
            layers.optimize_loss(loss, step, 0.1, "SGD", summaries=["weights"])
        with pytest.raises(ValueError, match="Learning rate should be 0d Tensor or float"):
            layers.optimize_loss(loss, step, 1, "SGD")
        with pytest.raises(ValueError, match="Learning rate is None"):
            layers.optimize_loss(loss, step, None, "SGD")
        train = layers.optimize_loss(loss, step, None, tf.train.GradientDescentOptimizer(0.5),
                                     summaries=[], increment_global_step=False)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            assert sess.run(w) == 0.0  # 1 - 0.5 * 2
            assert sess.run(step) == 0


def test_tf_module_paths_are_the_same_modules():
    import tensorweave.contrib.framework.python.ops.variables as old_variables
    import tensorweave.contrib.layers.python.layers.layers as old_layers
    import tensorweave.contrib.slim.python.slim.learning as old_learning
    from tensorweave.contrib.framework.python.ops import arg_scope
    from tensorweave.contrib.layers.python.layers import batch_norm, utils
    slim = tf.contrib.slim
    assert old_layers.conv2d is slim.conv2d and batch_norm is slim.batch_norm
    assert old_variables.model_variable is slim.model_variable
    assert old_learning.train is slim.learning.train
    assert arg_scope is slim.arg_scope  # the package's name is the function, as in TF
    assert utils is slim.utils


def test_images_to_sequence_and_back():
    """TF 1.15's contrib.layers: columns become time steps, [width, batch * height, depth]."""
    images = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    with tf.Graph().as_default():
        sequence = tf.contrib.layers.images_to_sequence(images)
        nchw = tf.contrib.layers.images_to_sequence(images.transpose(0, 3, 1, 2),
                                                    data_format="NCHW")
        back = tf.contrib.layers.sequence_to_images(sequence, 3)
        first = tf.contrib.layers.sequence_to_images(sequence, 3, "channels_first")
        assert sequence.op.name.startswith("ImagesToSequence/")
        with tf.Session() as sess:
            sequence, nchw, back, first = sess.run([sequence, nchw, back, first])
    expected = images.transpose(2, 0, 1, 3).reshape(4, 6, 5)
    np.testing.assert_array_equal(sequence, expected)
    np.testing.assert_array_equal(nchw, expected)
    np.testing.assert_array_equal(back, images)
    np.testing.assert_array_equal(first, images.transpose(0, 3, 1, 2))


def test_scale_gradient_scales_only_the_gradient():
    with tf.Graph().as_default():
        x = tf.constant([1.0, -2.0])
        y = tf.contrib.layers.scale_gradient(x, 0.25)
        grad, = tf.gradients(tf.reduce_sum(y * 3.0), [x])
        with tf.Session() as sess:
            y, grad = sess.run([y, grad])
    np.testing.assert_array_equal(y, [1.0, -2.0])
    np.testing.assert_array_equal(grad, [0.75, 0.75])
    with pytest.raises(NotImplementedError, match="rev_block"):
        tf.contrib.layers.rev_block  # noqa: B018
