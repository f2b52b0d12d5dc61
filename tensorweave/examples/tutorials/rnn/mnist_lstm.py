"""MNIST with a recurrent network: each 28x28 image is read as a sequence of 28 rows of 28
pixels by an LSTM of 128 units (tf.nn.dynamic_rnn), and its last output is classified.

    python -m tensorweave.examples.tutorials.rnn.mnist_lstm [--data_dir DIR] [--steps N]

Prints the minibatch loss and accuracy every --display_step steps, then the test accuracy
(about 0.98 after 3000 steps).
"""
import argparse
import sys
import time

import numpy as np

import tensorweave as tf
from tensorweave.examples.tutorials import tutorial_flags
from tensorweave.examples.tutorials.mnist import input_data

TIMESTEPS = 28  # rows of an image, read one per step
NUM_INPUT = 28  # pixels per row
NUM_HIDDEN = 128
NUM_CLASSES = 10

FLAGS = None


def build_model(learning_rate):
    """The graph: placeholders, logits, loss, training op and accuracy, in a dict."""
    x = tf.placeholder(tf.float32, [None, TIMESTEPS, NUM_INPUT], name="x")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    cell = tf.nn.rnn_cell.BasicLSTMCell(NUM_HIDDEN, forget_bias=1.0)
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    last = outputs[:, -1]  # the output after the last row
    weights = tf.Variable(tf.truncated_normal([NUM_HIDDEN, NUM_CLASSES], stddev=0.1),
                          name="weights")
    biases = tf.Variable(tf.zeros([NUM_CLASSES]), name="biases")
    logits = tf.matmul(last, weights) + biases
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                         logits=logits))
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
    correct = tf.equal(tf.argmax(logits, 1), labels)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return {"x": x, "labels": labels, "loss": loss, "train_op": train_op,
            "accuracy": accuracy}


def _rows(images):
    return images.reshape((-1, TIMESTEPS, NUM_INPUT))


def evaluate(sess, model, data_set, limit=None, chunk=1000):
    """Accuracy on the first `limit` examples of `data_set` (all by default)."""
    n = data_set.num_examples if limit is None else min(limit, data_set.num_examples)
    correct = 0.0
    for start in range(0, n, chunk):
        images = data_set.images[start:min(start + chunk, n)]
        labels = data_set.labels[start:start + len(images)]
        correct += len(images) * sess.run(model["accuracy"], {model["x"]: _rows(images),
                                                               model["labels"]: labels})
    return correct / n


def train_and_test(data_dir, steps=3000, batch_size=128, learning_rate=0.001, seed=None,
                   display_step=200, test_limit=None, log=print):
    """Trains the LSTM; returns its accuracy on the test set (its first `test_limit`
    images when given)."""
    mnist = input_data.read_data_sets(data_dir, seed=seed)
    graph = tf.Graph()
    with graph.as_default():
        if seed is not None:
            tf.set_random_seed(seed)
        model = build_model(learning_rate)
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        start = time.time()
        for step in range(1, steps + 1):
            images, labels = mnist.train.next_batch(batch_size)
            feed = {model["x"]: _rows(images), model["labels"]: labels}
            if step % display_step == 0 or step == 1:
                _, loss, acc = sess.run([model["train_op"], model["loss"], model["accuracy"]],
                                        feed)
                log(f"Step {step}, Minibatch Loss= {loss:.4f}, Training Accuracy= {acc:.3f} "
                    f"({time.time() - start:.1f} sec)")
            else:
                sess.run(model["train_op"], feed)
        return float(np.float32(evaluate(sess, model, mnist.test, test_limit)))


def main(_):
    accuracy = train_and_test(FLAGS.data_dir, FLAGS.steps, FLAGS.batch_size,
                              FLAGS.learning_rate, FLAGS.seed, FLAGS.display_step)
    print(f"Testing Accuracy: {accuracy:.4f}")


def parse_flags(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data_dir", type=str, default="/tmp/tensorflow/mnist/input_data",
                        help="Directory for storing input data")
    parser.add_argument("--steps", type=int, default=3000, help="Training steps.")
    parser.add_argument("--batch_size", type=int, default=128, help="Images per step.")
    parser.add_argument("--learning_rate", type=float, default=0.001,
                        help="Adam's learning rate.")
    parser.add_argument("--display_step", type=int, default=200,
                        help="Print the minibatch loss every this many steps.")
    tutorial_flags.add_seed_flag(parser)
    return parser.parse_known_args(argv)


if __name__ == "__main__":
    FLAGS, unparsed = parse_flags(sys.argv[1:])
    tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)
