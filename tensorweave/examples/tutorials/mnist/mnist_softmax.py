"""A very simple MNIST classifier: softmax regression trained with gradient descent.

    python -m tensorweave.examples.tutorials.mnist.mnist_softmax [--data_dir DIR]

Prints the test accuracy (about 0.92).
"""
import argparse
import sys

import tensorweave as tf
from tensorweave.examples.tutorials import tutorial_flags
from tensorweave.examples.tutorials.mnist import input_data

FLAGS = None


def train_and_test(data_dir, seed=None):
    """Trains the model; returns its accuracy on the test set."""
    mnist = input_data.read_data_sets(data_dir, seed=seed)
    if seed is not None:
        tf.set_random_seed(seed)

    # The model: y = xW + b.
    x = tf.placeholder(tf.float32, [None, 784])
    W = tf.Variable(tf.zeros([784, 10]))
    b = tf.Variable(tf.zeros([10]))
    y = tf.matmul(x, W) + b

    # Loss and optimizer. The labels are class ids; the loss applies the softmax itself,
    # which is numerically more stable than -sum(y_ * log(softmax(y))).
    y_ = tf.placeholder(tf.int64, [None])
    cross_entropy = tf.losses.sparse_softmax_cross_entropy(labels=y_, logits=y)
    train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)

    sess = tf.InteractiveSession()
    tf.global_variables_initializer().run()
    for _ in range(1000):
        batch_xs, batch_ys = mnist.train.next_batch(100)
        sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})

    correct_prediction = tf.equal(tf.argmax(y, 1), y_)
    accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
    result = sess.run(accuracy, feed_dict={x: mnist.test.images, y_: mnist.test.labels})
    sess.close()
    return result


def main(_):
    print(train_and_test(FLAGS.data_dir, FLAGS.seed))


def parse_flags(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data_dir", type=str, default="/tmp/tensorflow/mnist/input_data",
                        help="Directory for storing input data")
    tutorial_flags.add_seed_flag(parser)
    return parser.parse_known_args(argv)


if __name__ == "__main__":
    FLAGS, unparsed = parse_flags(sys.argv[1:])
    tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)
