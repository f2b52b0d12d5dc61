"""A convolutional MNIST classifier built with tf.layers and trained by an Estimator
(TF's "A Guide to TF Layers: Building a Convolutional Neural Network").

    python -m tensorweave.examples.tutorials.layers.cnn_mnist [--steps N] [--model_dir DIR]

Logs the softmax probabilities every 50 steps, then prints the evaluation results, e.g.
{'accuracy': 0.9733, 'loss': ..., 'global_step': 20000} after the default 20000 steps (TF's
documented result). MNIST is read from $TENSORWEAVE_MNIST_DIR or --data_dir.
"""
import argparse
import sys

import numpy as np

import tensorweave as tf
from tensorweave.examples.tutorials import tutorial_flags
from tensorweave.examples.tutorials.mnist import input_data

FLAGS = None


def cnn_model_fn(features, labels, mode, params):
    """Model function for the CNN: two conv/pool blocks, a dense layer with dropout, logits.
    params: {"learning_rate": 0.001} (the tutorial's rate; a tensorweave flag changes it)."""
    # Input layer: [batch_size, 28, 28, 1] from the flat 784-pixel images
    input_layer = tf.reshape(features["x"], [-1, 28, 28, 1])

    # Convolutional layer #1: 32 5x5 filters with ReLU, same padding -> [batch, 28, 28, 32]
    conv1 = tf.layers.conv2d(inputs=input_layer, filters=32, kernel_size=[5, 5],
                             padding="same", activation=tf.nn.relu)
    # Pooling layer #1: 2x2 max pooling with stride 2 -> [batch, 14, 14, 32]
    pool1 = tf.layers.max_pooling2d(inputs=conv1, pool_size=[2, 2], strides=2)

    # Convolutional layer #2 and pooling layer #2 -> [batch, 7, 7, 64]
    conv2 = tf.layers.conv2d(inputs=pool1, filters=64, kernel_size=[5, 5], padding="same",
                             activation=tf.nn.relu)
    pool2 = tf.layers.max_pooling2d(inputs=conv2, pool_size=[2, 2], strides=2)

    # Dense layer: 1024 units, with dropout (rate 0.4) only while training
    pool2_flat = tf.reshape(pool2, [-1, 7 * 7 * 64])
    dense = tf.layers.dense(inputs=pool2_flat, units=1024, activation=tf.nn.relu)
    dropout = tf.layers.dropout(inputs=dense, rate=0.4,
                                training=mode == tf.estimator.ModeKeys.TRAIN)

    # Logits layer: [batch_size, 10]
    logits = tf.layers.dense(inputs=dropout, units=10)

    predictions = {
        # the predicted classes (for PREDICT and EVAL mode)
        "classes": tf.argmax(input=logits, axis=1),
        # `softmax_tensor` is named so the logging hook can find it
        "probabilities": tf.nn.softmax(logits, name="softmax_tensor"),
    }
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode=mode, predictions=predictions)

    # Loss (for both TRAIN and EVAL modes)
    onehot_labels = tf.one_hot(indices=tf.cast(labels, tf.int32), depth=10)
    loss = tf.losses.softmax_cross_entropy(onehot_labels=onehot_labels, logits=logits)

    # The training op (for TRAIN mode)
    if mode == tf.estimator.ModeKeys.TRAIN:
        optimizer = tf.train.GradientDescentOptimizer(learning_rate=params["learning_rate"])
        train_op = optimizer.minimize(loss=loss, global_step=tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode=mode, loss=loss, train_op=train_op)

    # Evaluation metrics (for EVAL mode)
    eval_metric_ops = {
        "accuracy": tf.metrics.accuracy(labels=labels, predictions=predictions["classes"])}
    return tf.estimator.EstimatorSpec(mode=mode, loss=loss, eval_metric_ops=eval_metric_ops)


def train_and_evaluate(data_dir, steps, model_dir, seed=None, learning_rate=0.001,
                       eval_examples=None):
    """Trains the classifier for `steps` steps of 100 images; returns the evaluation dict
    (on the first `eval_examples` test images, default all 10000)."""
    # Load training and eval data
    mnist = input_data.read_data_sets(data_dir, seed=seed)
    train_data = mnist.train.images  # a NumPy array [55000, 784]
    train_labels = np.asarray(mnist.train.labels, dtype=np.int32)
    eval_data = mnist.test.images[:eval_examples]  # [10000, 784]
    eval_labels = np.asarray(mnist.test.labels[:eval_examples], dtype=np.int32)

    # Create the Estimator
    config = tf.estimator.RunConfig(tf_random_seed=seed)
    mnist_classifier = tf.estimator.Estimator(model_fn=cnn_model_fn, model_dir=model_dir,
                                              config=config,
                                              params={"learning_rate": learning_rate})

    # Set up logging for predictions: log the "softmax_tensor" values as "probabilities"
    tensors_to_log = {"probabilities": "softmax_tensor"}
    logging_hook = tf.train.LoggingTensorHook(tensors=tensors_to_log,
                                              every_n_iter=50)

    # Train the model
    train_input_fn = tf.estimator.inputs.numpy_input_fn(
        x={"x": train_data}, y=train_labels, batch_size=100, num_epochs=None, shuffle=True)
    mnist_classifier.train(input_fn=train_input_fn, steps=steps, hooks=[logging_hook])

    # Evaluate the model and print results
    eval_input_fn = tf.estimator.inputs.numpy_input_fn(
        x={"x": eval_data}, y=eval_labels, num_epochs=1, shuffle=False)
    return mnist_classifier.evaluate(input_fn=eval_input_fn)


def main(unused_argv):
    eval_results = train_and_evaluate(FLAGS.data_dir, FLAGS.steps, FLAGS.model_dir, FLAGS.seed,
                                      FLAGS.learning_rate)
    print(eval_results)


def parse_flags(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data_dir", type=str, default="/tmp/tensorflow/mnist/input_data",
                        help="Directory for storing input data")
    parser.add_argument("--model_dir", type=str, default="/tmp/mnist_convnet_model",
                        help="Where the Estimator keeps checkpoints and summaries")
    parser.add_argument("--steps", type=int, default=20000,
                        help="Training steps of 100 images.")
    parser.add_argument("--learning_rate", type=float, default=0.001,
                        help="Gradient descent learning rate (tensorweave addition).")
    tutorial_flags.add_seed_flag(parser)
    return parser.parse_known_args(argv)


if __name__ == "__main__":
    tf.logging.set_verbosity(tf.logging.INFO)
    FLAGS, unparsed = parse_flags(sys.argv[1:])
    tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)
