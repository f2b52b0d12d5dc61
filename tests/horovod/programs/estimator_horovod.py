"""Horovod's Estimator recipe (as in Horovod's tensorflow_mnist_estimator.py): the learning
rate scaled by size(), model_dir on rank 0 only, BroadcastGlobalVariablesHook, each rank on its
own shard of the data."""
import argparse
import hashlib
import os

import numpy as np
import tensorflow as tf
import horovod.tensorflow as hvd
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser()
parser.add_argument("--model-dir", required=True)
parser.add_argument("--steps", type=int, default=60)
parser.add_argument("--data-dir", default=os.environ.get("TENSORWEAVE_MNIST_DIR", "MNIST_data"))
args = parser.parse_args()

hvd.init()
mnist = input_data.read_data_sets(args.data_dir)
shard = slice(hvd.rank() * 20000, (hvd.rank() + 1) * 20000)
train_x, train_y = mnist.train.images[shard], mnist.train.labels[shard].astype(np.int32)


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 64, activation=tf.nn.relu)
    logits = tf.layers.dense(hidden, 10)
    predictions = tf.argmax(logits, 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    if mode == tf.estimator.ModeKeys.TRAIN:
        optimizer = hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.25 * hvd.size()))
        train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
    return tf.estimator.EstimatorSpec(
        mode, loss=loss, eval_metric_ops={"accuracy": tf.metrics.accuracy(labels, predictions)})


model_dir = args.model_dir if hvd.rank() == 0 else None
classifier = tf.estimator.Estimator(model_fn=model_fn, model_dir=model_dir)
train_input = tf.estimator.inputs.numpy_input_fn(
    x={"x": train_x}, y=train_y, batch_size=50, num_epochs=None, shuffle=True)
classifier.train(train_input, steps=args.steps, hooks=[hvd.BroadcastGlobalVariablesHook(0)])

names = [n for n in classifier.get_variable_names() if n.startswith("dense")]
digest = hashlib.sha256(b"".join(classifier.get_variable_value(n).tobytes() for n in names))
eval_input = tf.estimator.inputs.numpy_input_fn(
    x={"x": mnist.test.images}, y=mnist.test.labels.astype(np.int32), shuffle=False)
accuracy = classifier.evaluate(eval_input)["accuracy"]
print(f"rank {hvd.rank()} model_dir {classifier.model_dir == args.model_dir} accuracy "
      f"{accuracy:.4f} weights {digest.hexdigest()[:16]}", flush=True)
