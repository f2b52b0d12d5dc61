"""A Horovod-style TF1 MNIST program (as Horovod's tensorflow_mnist.py is written), run
unchanged on 1 or N processes: `mpirun -np 2 python -m tensorweave mnist_horovod.py`.

Each step, rank r trains on the r-th of `size` consecutive batches, so N processes with batch
B see what one process with batch N*B sees. Rank 0 alone writes checkpoints.
"""
import argparse
import hashlib
import os

import numpy as np
import tensorflow as tf
import horovod.tensorflow as hvd
from tensorflow.examples.tutorials.mnist import input_data

parser = argparse.ArgumentParser()
parser.add_argument("--batch-size", type=int, default=50)
parser.add_argument("--steps", type=int, default=100)
parser.add_argument("--lr", type=float, default=0.5)
parser.add_argument("--checkpoint-dir", default=None)
parser.add_argument("--data-dir", default=os.environ.get("TENSORWEAVE_MNIST_DIR", "MNIST_data"))
args = parser.parse_args()

hvd.init()
mnist = input_data.read_data_sets(args.data_dir, one_hot=True)
images, labels = mnist.train.images, mnist.train.labels

tf.set_random_seed(1234)
x = tf.placeholder(tf.float32, [None, 784])
y_ = tf.placeholder(tf.float32, [None, 10])
hidden = tf.layers.dense(x, 128, activation=tf.nn.relu)
logits = tf.layers.dense(hidden, 10)
loss = tf.losses.softmax_cross_entropy(y_, logits)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1)), tf.float32))

global_step = tf.train.get_or_create_global_step()
opt = hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(args.lr))
train_op = opt.minimize(loss, global_step=global_step)

hooks = [hvd.BroadcastGlobalVariablesHook(0),
         tf.train.StopAtStepHook(last_step=args.steps)]
checkpoint_dir = args.checkpoint_dir if hvd.rank() == 0 else None

with tf.train.MonitoredTrainingSession(checkpoint_dir=checkpoint_dir, hooks=hooks,
                                       save_summaries_steps=None,
                                       save_checkpoint_secs=None,
                                       save_checkpoint_steps=args.steps) as sess:
    step = 0
    while not sess.should_stop():
        start = ((step * hvd.size() + hvd.rank()) * args.batch_size) % (len(images) - 10000)
        batch = slice(start, start + args.batch_size)
        step = sess.run([train_op, global_step], {x: images[batch], y_: labels[batch]})[1]
    weights = sess.run(tf.trainable_variables())
    test_accuracy = sess.run(accuracy, {x: mnist.test.images, y_: mnist.test.labels})

digest = hashlib.sha256(b"".join(np.ascontiguousarray(w).tobytes() for w in weights))
print(f"rank {hvd.rank()} of {hvd.size()}: steps {step} accuracy {test_accuracy:.6f} "
      f"weights {digest.hexdigest()[:16]}", flush=True)
