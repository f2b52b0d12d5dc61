"""A Horovod-style tf.keras MNIST program (as Horovod's keras_mnist.py is written), run
unchanged on 1 or N processes: `mpirun -np 2 python -m tensorweave keras_mnist_horovod.py`.

The global batch is split between the ranks: rank r trains on the r-th of `size` consecutive
slices of each global batch, so N processes see what one process sees. Rank 0 alone writes
checkpoints; every rank writes its final weights to OUT/weights-<size>-<rank>.npz and its results
to OUT/result-<size>-<rank>.json.
"""
import argparse
import hashlib
import json
import os

import numpy as np
import tensorflow as tf
import horovod.tensorflow.keras as hvd

parser = argparse.ArgumentParser()
parser.add_argument("--global-batch", type=int, default=64)
parser.add_argument("--samples", type=int, default=6400)
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--warmup-epochs", type=int, default=0)
parser.add_argument("--out", required=True)
args = parser.parse_args()

hvd.init()
tf.keras.backend.set_session(tf.Session(config=tf.ConfigProto()))

(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = x_train[:args.samples].reshape(-1, 784).astype("float32") / 255
y_train = tf.keras.utils.to_categorical(y_train[:args.samples], 10)
x_test = x_test[:2000].reshape(-1, 784).astype("float32") / 255
y_test = tf.keras.utils.to_categorical(y_test[:2000], 10)

# this rank's shard: its slice of every global batch
batch = args.global_batch // hvd.size()
steps = len(x_train) // args.global_batch
rows = np.arange(steps * args.global_batch).reshape(steps, hvd.size(), batch)[:, hvd.rank()]
x_shard, y_shard = x_train[rows.reshape(-1)], y_train[rows.reshape(-1)]

tf.set_random_seed(100 + hvd.rank())  # different initial weights: the broadcast must fix them
model = tf.keras.Sequential([
    tf.keras.layers.Dense(64, activation="relu", input_shape=(784,)),
    tf.keras.layers.Dense(10, activation="softmax"),
])
opt = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.5)
opt = hvd.DistributedOptimizer(opt)
model.compile(loss=tf.keras.losses.categorical_crossentropy, optimizer=opt,
              metrics=["accuracy"])

callbacks = [hvd.callbacks.BroadcastGlobalVariablesCallback(0),
             hvd.callbacks.MetricAverageCallback()]
if args.warmup_epochs:
    callbacks.append(hvd.callbacks.LearningRateWarmupCallback(
        warmup_epochs=args.warmup_epochs, initial_lr=0.1))
else:
    callbacks.append(hvd.callbacks.LearningRateScheduleCallback(
        lambda epoch: 1.0 if epoch < 1 else 0.5, initial_lr=0.1))
if hvd.rank() == 0:
    callbacks.append(tf.keras.callbacks.ModelCheckpoint(
        os.path.join(args.out, "checkpoint-{epoch}.h5")))

history = model.fit(x_shard, y_shard, batch_size=batch, epochs=args.epochs, shuffle=False,
                    callbacks=callbacks, verbose=0)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
weights = model.get_weights()
np.savez(os.path.join(args.out, f"weights-{hvd.size()}-{hvd.rank()}.npz"), *weights)
digest = hashlib.sha256(b"".join(np.ascontiguousarray(w).tobytes() for w in weights))
result = {"accuracy": float(accuracy), "weights": digest.hexdigest()[:16],
          "loss": [float(v) for v in history.history["loss"]],
          "lr": [float(v) for v in history.history["lr"]]}
print(f"rank {hvd.rank()} of {hvd.size()}: {result}", flush=True)

hvd.allreduce(0, name="barrier")  # rank 0 has written its checkpoints
loaded = hvd.load_model(os.path.join(args.out, f"checkpoint-{args.epochs}.h5"))
result["loaded"] = [type(loaded.optimizer).__name__,
                    type(loaded.optimizer).__mro__[1].__name__ == "SGD",
                    all(np.array_equal(a, b) for a, b in zip(loaded.get_weights(), weights))]
result["collectives"] = [float(hvd.allreduce(float(hvd.rank()))),
                         hvd.allgather(np.array([hvd.rank()])).tolist(),
                         int(hvd.broadcast(hvd.rank() + 5, 0)),
                         float(hvd.allreduce(1.0, average=False))]
with open(os.path.join(args.out, f"result-{hvd.size()}-{hvd.rank()}.json"), "w") as f:
    json.dump(result, f)
