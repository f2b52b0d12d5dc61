"""tf.layers: names, variables, defaults, reuse, regularizers and the math of each layer."""
import numpy as np
import pytest

import tensorweave as tf

_rng = np.random.RandomState(3)


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feeds)


def _names(variables):
    return [v.name for v in variables]


# --- names, variables and defaults ---------------------------------------------------------
def test_variable_and_op_names_follow_tf():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    h = tf.layers.conv2d(x, 4, 5, padding="same")
    h = tf.layers.conv2d(h, 8, [3, 3])
    p = tf.layers.max_pooling2d(h, 2, 2)
    y = tf.layers.dense(tf.layers.flatten(p), 10)
    assert _names(tf.global_variables()) == ["conv2d/kernel:0", "conv2d/bias:0",
                                             "conv2d_1/kernel:0", "conv2d_1/bias:0",
                                             "dense/kernel:0", "dense/bias:0"]
    assert _names(tf.trainable_variables()) == _names(tf.global_variables())
    assert h.op.name.startswith("conv2d_1/")
    assert p.op.name.startswith("max_pooling2d/")
    assert y.op.name.startswith("dense/")
    assert y.shape.as_list() == [None, 10]
    assert tf.global_variables()[2].shape.as_list() == [3, 3, 4, 8]


def test_default_initializers_are_glorot_uniform_and_zeros():
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, [None, 300])
    layer = tf.layers.Dense(200)
    layer(x)
    conv = tf.layers.Conv2D(64, 5)
    conv(tf.placeholder(tf.float32, [None, 8, 8, 32]))
    kernel, bias, conv_kernel = _run([layer.kernel, layer.bias, conv.kernel])
    limit = np.sqrt(6 / (300 + 200))
    assert np.abs(kernel).max() <= limit * (1 + 1e-6)
    assert abs(kernel.std() - limit / np.sqrt(3)) < 0.01 * limit
    conv_limit = np.sqrt(6 / (25 * 32 + 25 * 64))  # fans count the receptive field
    assert np.abs(conv_kernel).max() <= conv_limit * (1 + 1e-6)
    assert abs(conv_kernel.std() - conv_limit / np.sqrt(3)) < 0.02 * conv_limit
    np.testing.assert_array_equal(bias, np.zeros(200, np.float32))


def test_layer_objects_expose_their_variables():
    layer = tf.layers.Dense(3, name="out")
    a = layer(tf.placeholder(tf.float32, [None, 4]))
    b = layer(tf.placeholder(tf.float32, [None, 4]))  # a second call shares the variables
    assert layer.name == "out" and layer.built
    assert layer.kernel.name == "out/kernel:0" and layer.bias.name == "out/bias:0"
    assert layer.variables == layer.weights == [layer.kernel, layer.bias]
    assert layer.trainable_weights == layer.trainable_variables == [layer.kernel, layer.bias]
    assert layer.non_trainable_weights == []
    assert len(tf.global_variables()) == 2
    assert a.op.name.startswith("out/") and b.op.name.startswith("out/")
    assert layer.count_params() == 15
    frozen = tf.layers.Dense(2, trainable=False)
    frozen(a)
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 2
    assert frozen.kernel not in tf.trainable_variables()


def test_layer_names_are_unique_per_class():
    layers = [tf.layers.Dense(1), tf.layers.Dense(1), tf.layers.Conv2D(1, 1),
              tf.layers.MaxPooling2D(2, 2), tf.layers.BatchNormalization(),
              tf.layers.Conv2DTranspose(1, 1), tf.layers.AveragePooling2D(2, 2)]
    assert [layer.name for layer in layers] == [
        "dense", "dense_1", "conv2d", "max_pooling2d", "batch_normalization",
        "conv2d_transpose", "average_pooling2d"]


def test_reuse_shares_variables():
    x = tf.placeholder(tf.float32, [None, 4])
    first = tf.layers.dense(x, 3, name="shared")
    second = tf.layers.dense(x, 3, name="shared", reuse=True)
    assert len(tf.global_variables()) == 2
    with tf.variable_scope("tower", reuse=tf.AUTO_REUSE):
        tf.layers.dense(x, 3, name="d")
    with tf.variable_scope("tower", reuse=tf.AUTO_REUSE):
        tf.layers.dense(x, 3, name="d")
    assert _names(tf.global_variables())[2:] == ["tower/d/kernel:0", "tower/d/bias:0"]
    feed = {x: _rng.randn(2, 4)}
    a, b = _run([first, second], feed)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="already exists"):
        tf.layers.dense(x, 3, name="shared")


def _tower(x):
    h = tf.layers.dense(x, 4, activation=tf.nn.relu)
    return tf.layers.dense(h, 1)


def _names_of_type(*op_types):
    return [op.name for op in tf.get_default_graph().get_operations() if op.type in op_types]


def test_default_layer_names_restart_in_a_scope_entered_again_by_name():
    # Names as TF 1.x gives them (checked against TensorFlow).
    x = tf.placeholder(tf.float32, [None, 5])
    with tf.variable_scope("X"):
        _tower(x)
    with tf.variable_scope("X", reuse=True):
        _tower(x)
    assert sorted(_names(tf.global_variables())) == [
        "X/dense/bias:0", "X/dense/kernel:0", "X/dense_1/bias:0", "X/dense_1/kernel:0"]
    assert _names_of_type("BiasAdd") == ["X/dense/BiasAdd", "X/dense_1/BiasAdd",
                                         "X_1/dense/BiasAdd", "X_1/dense_1/BiasAdd"]


def test_default_layer_names_restart_in_a_scope_entered_again_by_object():
    x = tf.placeholder(tf.float32, [None, 5])
    with tf.variable_scope("X") as scope:
        _tower(x)
    with tf.variable_scope(scope, reuse=True):
        _tower(x)
    with tf.variable_scope(scope, reuse=True):
        _tower(x)
    with tf.variable_scope("X", reuse=True):
        _tower(x)
    assert len(tf.global_variables()) == 4
    assert _names_of_type("Relu") == ["X/dense/Relu", "X_1/dense/Relu", "X_2/dense/Relu",
                                      "X_3/dense/Relu"]


def test_default_layer_names_with_auto_reuse_and_nested_conv_scopes():
    x = tf.placeholder(tf.float32, [None, 5])
    for _ in range(3):
        with tf.variable_scope("X", reuse=tf.AUTO_REUSE):
            _tower(x)
    assert len(tf.global_variables()) == 4
    tf.reset_default_graph()
    images = tf.placeholder(tf.float32, [None, 8, 8, 1])

    def cnn(inputs):
        h = tf.layers.conv2d(inputs, 2, 3)
        h = tf.layers.conv2d(h, 2, 3)
        return tf.layers.dense(tf.layers.flatten(h), 1)
    with tf.variable_scope("outer"):
        with tf.variable_scope("D"):
            cnn(images)
        with tf.variable_scope("D", reuse=True):
            cnn(images)
    with tf.variable_scope("outer", reuse=True):
        with tf.variable_scope("D"):
            cnn(images)
    assert sorted(_names(tf.global_variables())) == [
        "outer/D/conv2d/bias:0", "outer/D/conv2d/kernel:0", "outer/D/conv2d_1/bias:0",
        "outer/D/conv2d_1/kernel:0", "outer/D/dense/bias:0", "outer/D/dense/kernel:0"]
    assert _names_of_type("Conv2D") == [
        "outer/D/conv2d/Conv2D", "outer/D/conv2d_1/Conv2D", "outer/D_1/conv2d/Conv2D",
        "outer/D_1/conv2d_1/Conv2D", "outer_1/D/conv2d/Conv2D", "outer_1/D/conv2d_1/Conv2D"]


def test_gan_discriminator_called_twice_shares_its_layers():
    z = tf.placeholder(tf.float32, [None, 3])
    real = tf.placeholder(tf.float32, [None, 5])

    def generator(noise):
        with tf.variable_scope("generator"):
            return tf.layers.dense(tf.layers.dense(noise, 8, activation=tf.nn.relu), 5)

    def discriminator(inputs, reuse=False):
        with tf.variable_scope("discriminator", reuse=reuse):
            h = tf.layers.dense(inputs, 8, activation=tf.nn.relu)
            return tf.sigmoid(tf.layers.dense(h, 1))
    discriminator(real)
    discriminator(generator(z), reuse=True)
    assert sorted(_names(tf.global_variables())) == [
        "discriminator/dense/bias:0", "discriminator/dense/kernel:0",
        "discriminator/dense_1/bias:0", "discriminator/dense_1/kernel:0",
        "generator/dense/bias:0", "generator/dense/kernel:0",
        "generator/dense_1/bias:0", "generator/dense_1/kernel:0"]
    assert _names_of_type("Sigmoid") == ["discriminator/Sigmoid", "discriminator_1/Sigmoid"]


def test_scope_object_entered_again_around_new_sub_scopes():
    z = tf.placeholder(tf.float32, [None, 5])
    with tf.variable_scope("disc") as scope:
        tf.layers.dense(z, 2)
    with tf.variable_scope(scope, reuse=True):
        tf.layers.dense(z, 2)
    with tf.variable_scope("other"):
        tf.layers.dense(z, 2)
    with tf.variable_scope(scope, reuse=True):
        with tf.variable_scope("inner", reuse=tf.AUTO_REUSE):
            tf.layers.dense(z, 2)
    with tf.variable_scope(scope, reuse=tf.AUTO_REUSE):
        with tf.variable_scope("inner"):
            tf.layers.dense(z, 2)
    assert sorted(_names(tf.global_variables())) == [
        "disc/dense/bias:0", "disc/dense/kernel:0", "disc/inner/dense/bias:0",
        "disc/inner/dense/kernel:0", "other/dense/bias:0", "other/dense/kernel:0"]
    assert _names_of_type("BiasAdd") == ["disc/dense/BiasAdd", "disc_1/dense/BiasAdd",
                                         "other/dense/BiasAdd", "disc_2/inner/dense/BiasAdd",
                                         "disc_3/inner/dense/BiasAdd"]


def test_regularizers_land_in_regularization_losses():
    x = tf.placeholder(tf.float32, [None, 4])
    layer = tf.layers.Dense(3, kernel_regularizer=lambda w: 0.5 * tf.reduce_sum(w * w),
                            bias_initializer=tf.constant_initializer(2.0),
                            bias_regularizer=lambda b: tf.reduce_sum(b),
                            activity_regularizer=lambda y: tf.reduce_mean(y))
    y = layer(x)
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert losses == layer.losses and len(losses) == 3
    total = tf.losses.get_regularization_loss()
    kernel, got, out = _run([layer.kernel, losses + [total], y], {x: _rng.randn(2, 4)})
    expected = [0.5 * np.sum(kernel ** 2), 6.0, out.mean()]
    np.testing.assert_allclose(got[:3], expected, rtol=1e-5)
    np.testing.assert_allclose(got[3], sum(expected), rtol=1e-5)


# --- the math of each layer -----------------------------------------------------------------
def test_dense_matches_numpy_and_works_on_rank_3():
    x = _rng.randn(2, 5, 4).astype(np.float32)
    layer = tf.layers.Dense(3, activation=tf.nn.relu, bias_initializer=tf.ones_initializer())
    y = layer(tf.placeholder_with_default(x, [None, 5, 4]))
    assert y.shape.as_list() == [None, 5, 3]
    out, kernel = _run([y, layer.kernel])
    np.testing.assert_allclose(out, np.maximum(x @ kernel + 1, 0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv2d_layer_matches_nn_conv2d(data_format):
    x = _rng.randn(2, 6, 7, 3).astype(np.float32)
    nchw = data_format == "channels_first"
    inputs = tf.constant(x.transpose(0, 3, 1, 2) if nchw else x)
    layer = tf.layers.Conv2D(4, (3, 2), strides=(2, 1), padding="same", data_format=data_format,
                             bias_initializer=tf.constant_initializer(0.5), dilation_rate=1)
    y = layer(inputs)
    assert y.shape.as_list() == ([2, 4, 3, 7] if nchw else [2, 3, 7, 4])
    out, kernel = _run([y, layer.kernel])
    with tf.Graph().as_default():
        expected = tf.Session().run(tf.nn.conv2d(x, kernel, [1, 2, 1, 1], "SAME") + 0.5)
    np.testing.assert_allclose(out.transpose(0, 2, 3, 1) if nchw else out, expected,
                               rtol=1e-5, atol=1e-5)


def test_conv2d_transpose_layer_shapes_and_values():
    x = _rng.randn(2, 4, 3, 5).astype(np.float32)
    same = tf.layers.Conv2DTranspose(6, 3, strides=2, padding="same")
    valid = tf.layers.Conv2DTranspose(6, 3, strides=2, padding="valid")
    inputs = tf.placeholder(tf.float32, [None, 4, 3, 5])
    a, b = same(inputs), valid(inputs)
    assert a.shape.as_list() == [None, 8, 6, 6] and b.shape.as_list() == [None, 9, 7, 6]
    assert same.kernel.shape.as_list() == [3, 3, 6, 5]
    out, kernel = _run([a, same.kernel], {inputs: x})
    with tf.Graph().as_default():
        expected = tf.Session().run(tf.nn.conv2d_transpose(x, kernel, [2, 8, 6, 6],
                                                           [1, 2, 2, 1], "SAME"))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_pooling_layers_match_nn_pooling():
    x = _rng.randn(2, 7, 6, 3).astype(np.float32)
    got = _run([tf.layers.max_pooling2d(x, 2, 2), tf.layers.average_pooling2d(x, [3, 2], 2,
                                                                              padding="same"),
                tf.layers.MaxPooling2D(3, 1, data_format="channels_first")(
                    tf.constant(x.transpose(0, 3, 1, 2)))])
    expected = _run([tf.nn.max_pool(x, 2, 2, "VALID"), tf.nn.avg_pool(x, [3, 2], 2, "SAME"),
                     tf.nn.max_pool(x, 3, 1, "VALID")])
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-6)
    np.testing.assert_array_equal(got[2].transpose(0, 2, 3, 1), expected[2])


def test_flatten_shapes_and_channel_order():
    x = tf.placeholder(tf.float32, [None, 7, 7, 64])
    assert tf.layers.flatten(x).shape.as_list() == [None, 3136]
    value = _rng.randn(2, 3, 4, 5).astype(np.float32)
    last = tf.layers.flatten(value)
    first = tf.layers.Flatten(data_format="channels_first")(tf.constant(
        value.transpose(0, 3, 1, 2)))
    a, b = _run([last, first])
    np.testing.assert_array_equal(a, value.reshape(2, -1))
    np.testing.assert_array_equal(b, a)


def test_dropout_training_flag_bool_and_tensor():
    x = np.ones((200, 50), np.float32)
    training = tf.placeholder(tf.bool, [])
    off = tf.layers.dropout(x, rate=0.4)
    on = tf.layers.dropout(x, rate=0.4, training=True, seed=1)
    fed = tf.layers.dropout(x, rate=0.4, training=training, seed=2)
    with tf.Session() as sess:
        a, b = sess.run([off, on])
        c, d = sess.run(fed, {training: True}), sess.run(fed, {training: False})
    np.testing.assert_array_equal(a, x)
    np.testing.assert_array_equal(d, x)
    for dropped in (b, c):
        assert set(np.unique(dropped)) == {0.0, np.float32(1 / 0.6)}
        assert abs((dropped == 0).mean() - 0.4) < 0.03


# --- batch normalization ------------------------------------------------------------------------
@pytest.mark.parametrize("shape,axis", [((8, 3), -1), ((4, 3, 2, 5), -1), ((4, 5, 3, 2), 1)])
def test_batch_normalization_training_updates_moving_statistics(shape, axis):
    x = (_rng.randn(*shape) * 2 + 3).astype(np.float32)
    layer = tf.layers.BatchNormalization(axis=axis, momentum=0.9)
    y = layer(tf.constant(x), training=True)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert updates == layer.updates and len(updates) == 2
    assert layer.fused == (len(shape) == 4)
    assert _names(layer.variables) == ["batch_normalization/gamma:0",
                                       "batch_normalization/beta:0",
                                       "batch_normalization/moving_mean:0",
                                       "batch_normalization/moving_variance:0"]
    assert _names(tf.trainable_variables()) == _names(layer.variables[:2])
    axes = tuple(a for a in range(len(shape)) if a != axis % len(shape))
    mean, var = x.mean(axes), x.var(axes)
    if layer.fused:  # the fused kernel's batch variance carries Bessel's correction, as in TF
        n = x.size // mean.size
        var = var * n / (n - 1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y)
        sess.run(updates)
        moving = sess.run([layer.moving_mean, layer.moving_variance])
    np.testing.assert_allclose(out, (x - x.mean(axes, keepdims=True)) / np.sqrt(
        x.var(axes, keepdims=True) + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(moving[0], 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(moving[1], 0.9 + 0.1 * var, rtol=1e-5)


def test_batch_normalization_inference_and_training_tensor():
    x = (_rng.randn(6, 4) + 1).astype(np.float32)
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.batch_normalization(x, training=training, momentum=0.5)
    inference = tf.layers.batch_normalization(x, training=False, name="batch_normalization",
                                              reuse=True)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(inference), x / np.sqrt(1 + 1e-3), rtol=1e-5)
        np.testing.assert_allclose(sess.run(y, {training: False}), x / np.sqrt(1 + 1e-3),
                                   rtol=1e-5)
        sess.run(updates, {training: False})  # not training: the statistics stay
        moving = tf.global_variables()[2]
        np.testing.assert_array_equal(sess.run(moving), np.zeros(4, np.float32))
        trained = sess.run(y, {training: True})
        sess.run(updates, {training: True})
        np.testing.assert_allclose(sess.run(moving), 0.5 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(trained.mean(0), 0, atol=1e-5)


def test_batch_normalization_trains_with_update_ops():
    """A model with batch norm fits a linear target; the moving statistics track the data."""
    tf.set_random_seed(3)
    rng = np.random.RandomState(0)
    data = (rng.randn(256, 6) * [1, 2, 3, 0.5, 1, 4] + [5, -2, 0, 1, 3, -1]).astype(np.float32)
    target = (data @ rng.randn(6, 1)).astype(np.float32)
    x, t = tf.placeholder(tf.float32, [None, 6]), tf.placeholder(tf.float32, [None, 1])
    training = tf.placeholder_with_default(True, [])
    h = tf.layers.batch_normalization(x, training=training, momentum=0.9)
    loss = tf.reduce_mean(tf.square(tf.layers.dense(h, 1) - t))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: data, t: target, training: False})
        for step in range(150):
            batch = slice(step % 8 * 32, step % 8 * 32 + 32)
            sess.run(train, {x: data[batch], t: target[batch]})
        last = sess.run(loss, {x: data, t: target, training: False})
        moving_mean = sess.run(tf.global_variables()[2])
    assert last < 0.05 * first
    np.testing.assert_allclose(moving_mean, data.mean(0), atol=0.35)
