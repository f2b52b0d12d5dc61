"""A deep MNIST classifier: two convolutional layers, a 1024-unit hidden layer and dropout.

    python -m tensorweave.examples.tutorials.mnist.mnist_deep [--data_dir DIR] [--steps N]

Prints `step N, training accuracy A` every 100 steps and `test accuracy A` at the end
(about 0.992 after the default 20000 steps of 50 images).
"""
import argparse
import sys

import tensorweave as tf
from tensorweave.examples.tutorials import tutorial_flags
from tensorweave.examples.tutorials.mnist import input_data

FLAGS = None
TEST_BATCH = 1000  # test images evaluated at a time (bounds memory, same accuracy)


def deepnn(x):
    """The model: returns (logits of shape [batch, 10], keep_prob placeholder for dropout)."""
    with tf.name_scope("reshape"):  # the images as a 4-D [batch, height, width, channels]
        x_image = tf.reshape(x, [-1, 28, 28, 1])

    with tf.name_scope("conv1"):  # 32 features from each 5x5 patch
        W_conv1 = weight_variable([5, 5, 1, 32])
        b_conv1 = bias_variable([32])
        h_conv1 = tf.nn.relu(conv2d(x_image, W_conv1) + b_conv1)

    with tf.name_scope("pool1"):  # 28x28 -> 14x14
        h_pool1 = max_pool_2x2(h_conv1)

    with tf.name_scope("conv2"):  # 64 features from 5x5 patches of the 32 maps
        W_conv2 = weight_variable([5, 5, 32, 64])
        b_conv2 = bias_variable([64])
        h_conv2 = tf.nn.relu(conv2d(h_pool1, W_conv2) + b_conv2)

    with tf.name_scope("pool2"):  # 14x14 -> 7x7
        h_pool2 = max_pool_2x2(h_conv2)

    with tf.name_scope("fc1"):  # the 7x7x64 maps into 1024 units
        W_fc1 = weight_variable([7 * 7 * 64, 1024])
        b_fc1 = bias_variable([1024])
        h_pool2_flat = tf.reshape(h_pool2, [-1, 7 * 7 * 64])
        h_fc1 = tf.nn.relu(tf.matmul(h_pool2_flat, W_fc1) + b_fc1)

    with tf.name_scope("dropout"):  # keep_prob is fed: 0.5 while training, 1.0 to evaluate
        keep_prob = tf.placeholder(tf.float32)
        h_fc1_drop = tf.nn.dropout(h_fc1, keep_prob)

    with tf.name_scope("fc2"):  # 1024 units to the 10 classes
        W_fc2 = weight_variable([1024, 10])
        b_fc2 = bias_variable([10])
        y_conv = tf.matmul(h_fc1_drop, W_fc2) + b_fc2
    return y_conv, keep_prob


def conv2d(x, W):
    """A stride-1 convolution whose output has the input's size."""
    return tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding="SAME")


def max_pool_2x2(x):
    """Halves each spatial dimension, keeping the maximum of every 2x2 block."""
    return tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")


def weight_variable(shape):
    """Weights drawn from a truncated normal: small noise breaks the symmetry."""
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1))


def bias_variable(shape):
    """Slightly positive biases keep ReLUs from starting dead."""
    return tf.Variable(tf.constant(0.1, shape=shape))


def train_and_test(data_dir, steps, seed=None, log=print):
    """Trains for `steps` steps of 50 images; returns the test accuracy."""
    mnist = input_data.read_data_sets(data_dir, seed=seed)
    if seed is not None:
        tf.set_random_seed(seed)

    x = tf.placeholder(tf.float32, [None, 784])
    y_ = tf.placeholder(tf.int64, [None])  # class ids
    y_conv, keep_prob = deepnn(x)

    with tf.name_scope("loss"):
        cross_entropy = tf.losses.sparse_softmax_cross_entropy(labels=y_, logits=y_conv)
    with tf.name_scope("adam_optimizer"):
        train_step = tf.train.AdamOptimizer(1e-4).minimize(cross_entropy)
    with tf.name_scope("accuracy"):
        correct_prediction = tf.cast(tf.equal(tf.argmax(y_conv, 1), y_), tf.float32)
        accuracy = tf.reduce_mean(correct_prediction)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(steps):
            batch = mnist.train.next_batch(50)
            if i % 100 == 0:
                train_accuracy = accuracy.eval(feed_dict={x: batch[0], y_: batch[1],
                                                          keep_prob: 1.0})
                log("step %d, training accuracy %g" % (i, train_accuracy))
            train_step.run(feed_dict={x: batch[0], y_: batch[1], keep_prob: 0.5})

        images, labels = mnist.test.images, mnist.test.labels
        correct = 0.0
        for start in range(0, len(images), TEST_BATCH):
            part = slice(start, start + TEST_BATCH)
            correct += sess.run(correct_prediction, {x: images[part], y_: labels[part],
                                                     keep_prob: 1.0}).sum()
        test_accuracy = correct / len(images)
        log("test accuracy %g" % test_accuracy)
    return test_accuracy


def main(_):
    train_and_test(FLAGS.data_dir, FLAGS.steps, FLAGS.seed)


def parse_flags(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data_dir", type=str, default="/tmp/tensorflow/mnist/input_data",
                        help="Directory for storing input data")
    parser.add_argument("--steps", type=int, default=20000,
                        help="Training steps of 50 images (tensorweave addition).")
    tutorial_flags.add_seed_flag(parser)
    return parser.parse_known_args(argv)


if __name__ == "__main__":
    FLAGS, unparsed = parse_flags(sys.argv[1:])
    tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)
