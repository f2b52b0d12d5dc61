"""A two-layer MNIST classifier that feeds every TensorBoard dashboard (TF's tutorial).

    python -m tensorweave.examples.tutorials.mnist.mnist_with_summaries [--max_steps 1000]
    tensorboard --logdir /tmp/tensorflow/mnist/logs/mnist_with_summaries

Name scopes keep the graph readable; each layer's weights and biases get mean, stddev, max,
min and histogram summaries; the input images, dropout keep probability, cross entropy and
accuracy are summarized too. Training summaries go to `<log_dir>/train`, test-set accuracy
(every 10th step) to `<log_dir>/test`, and every 100th step is a traced run whose step stats
(compute time and memory per op) the graph dashboard shows. Needs the `tensorboard` extra.
"""
import argparse
import os
import sys

import tensorweave as tf
from tensorweave.examples.tutorials import tutorial_flags
from tensorweave.examples.tutorials.mnist import input_data

FLAGS = None


def weight_variable(shape):
    """Weights drawn from a truncated normal (zeros would keep every unit identical)."""
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1))


def bias_variable(shape):
    """Biases starting slightly positive, so ReLU units start active."""
    return tf.Variable(tf.constant(0.1, shape=shape))


def variable_summaries(var):
    """Scalar summaries of var's mean, stddev, max and min, and a histogram of its values."""
    with tf.name_scope("summaries"):
        mean = tf.reduce_mean(var)
        tf.summary.scalar("mean", mean)
        with tf.name_scope("stddev"):
            stddev = tf.sqrt(tf.reduce_mean(tf.square(var - mean)))
        tf.summary.scalar("stddev", stddev)
        tf.summary.scalar("max", tf.reduce_max(var))
        tf.summary.scalar("min", tf.reduce_min(var))
        tf.summary.histogram("histogram", var)


def nn_layer(input_tensor, input_dim, output_dim, layer_name, act=tf.nn.relu):
    """act(input_tensor @ weights + biases) in its own name scope, with summaries of the
    weights, biases, pre-activations and activations."""
    with tf.name_scope(layer_name):
        with tf.name_scope("weights"):
            weights = weight_variable([input_dim, output_dim])
            variable_summaries(weights)
        with tf.name_scope("biases"):
            biases = bias_variable([output_dim])
            variable_summaries(biases)
        with tf.name_scope("Wx_plus_b"):
            preactivate = tf.matmul(input_tensor, weights) + biases
            tf.summary.histogram("pre_activations", preactivate)
        activations = act(preactivate, name="activation")
        tf.summary.histogram("activations", activations)
        return activations


def train():
    """Trains for FLAGS.max_steps steps writing summaries; returns the last test accuracy."""
    mnist = input_data.read_data_sets(FLAGS.data_dir, fake_data=FLAGS.fake_data,
                                      seed=FLAGS.seed)
    if FLAGS.seed is not None:
        tf.set_random_seed(FLAGS.seed)
    sess = tf.InteractiveSession()

    with tf.name_scope("input"):
        x = tf.placeholder(tf.float32, [None, 784], name="x-input")
        y_ = tf.placeholder(tf.int64, [None], name="y-input")
    with tf.name_scope("input_reshape"):
        image_shaped_input = tf.reshape(x, [-1, 28, 28, 1])
        tf.summary.image("input", image_shaped_input, 10)

    hidden1 = nn_layer(x, 784, 500, "layer1")
    with tf.name_scope("dropout"):
        keep_prob = tf.placeholder(tf.float32)
        tf.summary.scalar("dropout_keep_probability", keep_prob)
        dropped = tf.nn.dropout(hidden1, rate=(1 - keep_prob))
    y = nn_layer(dropped, 500, 10, "layer2", act=tf.identity)  # logits: softmax is in the loss

    with tf.name_scope("cross_entropy"):
        with tf.name_scope("total"):
            cross_entropy = tf.losses.sparse_softmax_cross_entropy(labels=y_, logits=y)
    tf.summary.scalar("cross_entropy", cross_entropy)
    with tf.name_scope("train"):
        train_step = tf.train.AdamOptimizer(FLAGS.learning_rate).minimize(cross_entropy)
    with tf.name_scope("accuracy"):
        with tf.name_scope("correct_prediction"):
            correct_prediction = tf.equal(tf.argmax(y, 1), y_)
        with tf.name_scope("accuracy"):
            accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
    tf.summary.scalar("accuracy", accuracy)

    merged = tf.summary.merge_all()
    train_writer = tf.summary.FileWriter(FLAGS.log_dir + "/train", sess.graph)
    test_writer = tf.summary.FileWriter(FLAGS.log_dir + "/test")
    tf.global_variables_initializer().run()

    def feed_dict(training):
        """A training batch with dropout, or the whole test set without (fake data: a batch)."""
        if training or FLAGS.fake_data:
            xs, ys = mnist.train.next_batch(100, fake_data=FLAGS.fake_data)
            k = FLAGS.dropout
        else:
            xs, ys = mnist.test.images, mnist.test.labels
            k = 1.0
        return {x: xs, y_: ys, keep_prob: k}

    acc = None
    for i in range(FLAGS.max_steps):
        if i % 10 == 0:  # summaries and accuracy on the test set
            summary, acc = sess.run([merged, accuracy], feed_dict=feed_dict(False))
            test_writer.add_summary(summary, i)
            print("Accuracy at step %s: %s" % (i, acc))
        elif i % 100 == 99:  # a training step traced for the graph dashboard
            run_options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
            run_metadata = tf.RunMetadata()
            summary, _ = sess.run([merged, train_step], feed_dict=feed_dict(True),
                                  options=run_options, run_metadata=run_metadata)
            train_writer.add_run_metadata(run_metadata, "step%03d" % i)
            train_writer.add_summary(summary, i)
            print("Adding run metadata for", i)
        else:  # a training step and its summaries
            summary, _ = sess.run([merged, train_step], feed_dict=feed_dict(True))
            train_writer.add_summary(summary, i)
    train_writer.close()
    test_writer.close()
    sess.close()
    return acc


def main(_):
    if tf.gfile.Exists(FLAGS.log_dir):
        tf.gfile.DeleteRecursively(FLAGS.log_dir)
    tf.gfile.MakeDirs(FLAGS.log_dir)
    train()


def parse_flags(argv):
    """The tutorial's flags (TF's names and defaults) and the arguments left over."""
    tmp = os.getenv("TEST_TMPDIR", "/tmp")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fake_data", nargs="?", const=True, type=bool, default=False,
                        help="If true, uses fake data for unit testing.")
    parser.add_argument("--max_steps", type=int, default=1000,
                        help="Number of steps to run trainer.")
    parser.add_argument("--learning_rate", type=float, default=0.001,
                        help="Initial learning rate")
    parser.add_argument("--dropout", type=float, default=0.9,
                        help="Keep probability for training dropout.")
    parser.add_argument("--data_dir", type=str,
                        default=os.path.join(tmp, "tensorflow/mnist/input_data"),
                        help="Directory for storing input data")
    parser.add_argument("--log_dir", type=str,
                        default=os.path.join(tmp, "tensorflow/mnist/logs/mnist_with_summaries"),
                        help="Summaries log directory")
    tutorial_flags.add_seed_flag(parser)
    return parser.parse_known_args(argv)


if __name__ == "__main__":
    FLAGS, unparsed = parse_flags(sys.argv[1:])
    tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)
