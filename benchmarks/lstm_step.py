"""An LSTM training step (the MNIST-rows tutorial: batch 128, 28 steps of 28 inputs, 128 units,
Adam) on tensorweave and, where importable, on TensorFlow's compat.v1 graph mode.

    python benchmarks/lstm_step.py [--steps 10] [--rounds 5] [--tf-python /opt/tfref/bin/python]

Prints the time per step of each. On tensorweave the model is tf.nn.dynamic_rnn with a
BasicLSTMCell (one BlockLSTM op), and the same loop written by hand with tf.while_loop and
TensorArrays; on TensorFlow the hand-written loop (its Keras-3 builds have no
tf.nn.rnn_cell), with its default thread pools and with one thread (intra- and inter-op),
each as installed (TF's own default on this CPU), with oneDNN forced on and forced off
(benchmarks/tf_modes.py). TensorFlow runs in child
processes kept alive between rounds; the rounds alternate between the engines, so a busy
machine slows both alike, and each ratio compares times of the same round. Wall time is what
the goal is about; CPU time (all of a process's threads) shows the work done, which a busy
machine disturbs less. Also timed each round: the step's matrix products alone in NumPy (what
bounds tensorweave's step). Goal: tensorweave <= 0.9x TensorFlow as installed.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import tf_modes

# Benchmarks run tensorweave as tuned as it gets: speed variants and process tuning
# (runtime/accel). TENSORWEAVE_ACCEL=0 measures the plain NumPy reference kernels.
os.environ.setdefault("TENSORWEAVE_ACCEL", "1")

BATCH, STEPS, INPUTS, UNITS, CLASSES = 128, 28, 28, 128, 10


def hand_written_lstm(tf, x):
    """The last output of a BasicLSTMCell run over x [batch, time, input] by tf.while_loop."""
    kernel = tf.Variable(tf.random_normal([INPUTS + UNITS, 4 * UNITS], stddev=0.05, seed=1))
    bias = tf.Variable(tf.zeros([4 * UNITS]))
    inputs = tf.TensorArray(tf.float32, size=STEPS).unstack(tf.transpose(x, [1, 0, 2]))

    def body(t, c, h):
        gates = tf.matmul(tf.concat([inputs.read(t), h], 1), kernel) + bias
        i, j, f, o = tf.split(gates, 4, axis=1)
        c = c * tf.sigmoid(f + 1.0) + tf.sigmoid(i) * tf.tanh(j)
        return t + 1, c, tf.tanh(c) * tf.sigmoid(o)
    zeros = tf.zeros([BATCH, UNITS])
    _, _, h = tf.while_loop(lambda t, c, h: t < STEPS, body, [tf.constant(0), zeros, zeros])
    return h


def training_step(tf, model, config=None):
    """Returns run() -> loss for one Adam step of the classifier on random data."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.float32, [BATCH, STEPS, INPUTS])
        labels = tf.placeholder(tf.int64, [BATCH])
        if model == "dynamic_rnn":
            outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(UNITS), x,
                                           dtype=tf.float32)
            last = outputs[:, -1]
        else:
            last = hand_written_lstm(tf, x)
        w = tf.Variable(tf.random_normal([UNITS, CLASSES], stddev=0.1, seed=2))
        logits = tf.matmul(last, w)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                             logits=logits))
        train = tf.train.AdamOptimizer(0.001).minimize(loss)
        sess = tf.Session(config=config)
        sess.run(tf.global_variables_initializer())
    rng = np.random.default_rng(1)
    feed = {x: rng.random((BATCH, STEPS, INPUTS), dtype=np.float32),
            labels: rng.integers(0, CLASSES, BATCH)}
    return lambda: sess.run([train, loss], feed)[1]


def matmuls_alone():
    """run() doing the step's matrix products in NumPy: per time step the gates' product
    forward and the two of its gradient, plus the classifier's three."""
    rng = np.random.default_rng(0)
    kernel = rng.random((INPUTS + UNITS, 4 * UNITS), dtype=np.float32)
    joined = rng.random((BATCH, INPUTS + UNITS), dtype=np.float32)
    gates = rng.random((BATCH, 4 * UNITS), dtype=np.float32)
    w = rng.random((UNITS, CLASSES), dtype=np.float32)
    h, logits = joined[:, INPUTS:], gates[:, :CLASSES]

    def run():
        for _ in range(STEPS):
            joined @ kernel
            gates @ kernel.T
            joined.T @ gates
        h @ w
        logits @ w.T
        h.T @ logits
    return run


def per_step(run, steps):
    """(wall seconds, CPU seconds of all the process's threads) per step of `run`, from one
    timed block of `steps` calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        run()
    return (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps


def models(engine):
    """{model: run()} for 'tensorweave' or 'tensorflow', imported in this process."""
    if engine == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        one = tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
        return {"while_loop": training_step(tf, "while_loop"),
                "while_loop/1 thread": training_step(tf, "while_loop", one)}
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import tensorweave as tf
    return {model: training_step(tf, model) for model in ("dynamic_rnn", "while_loop")}


def serve(engine):
    """A child process: builds the models, then for each line 'N' read from stdin times N
    steps of each and prints {model: (wall, CPU) seconds per step}."""
    runs = models(engine)
    for run in runs.values():
        for _ in range(3):
            run()
    print("ready", flush=True)
    for line in sys.stdin:
        print({model: per_step(run, int(line)) for model, run in runs.items()}, flush=True)


def start_tensorflow(python, env):
    """A TensorFlow child process with `env` (a tf_modes environment) ready to time rounds, or
    None (with the reason printed)."""
    if not Path(python).exists():
        print(f"TensorFlow not available ({python} missing): no reference timing")
        return None
    child = subprocess.Popen([python, __file__, "--engine", "tensorflow"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if child.stdout.readline().strip() != "ready":
        print(f"TensorFlow run failed:\n{child.stderr.read()[-1500:]}")
        return None
    return child


def tensorflow_round(child, steps):
    child.stdin.write(f"{steps}\n")
    child.stdin.flush()
    return eval(child.stdout.readline())  # noqa: S307 - our own child's output


def median(values):
    return sorted(values)[len(values) // 2]


def report(rounds, steps):
    """Prints each timing (best wall, median CPU) and the same-round ratios to TensorFlow."""
    print(f"ms per step, {len(rounds)} alternating rounds of {steps} steps: best wall time, "
          "median CPU time (all threads)")
    for key in rounds[0]:
        print(f"  {key[0]:11s} {key[1]:28s} wall {min(r[key][0] for r in rounds) * 1e3:7.1f}"
              f"   cpu {median([r[key][1] for r in rounds]) * 1e3:7.1f}")
    for theirs in [key for key in rounds[0] if key[0] == "tensorflow"]:
        for model in ("dynamic_rnn", "while_loop"):
            ours = ("tensorweave", model)
            wall = sorted(r[ours][0] / r[theirs][0] for r in rounds)
            cpu = median([r[ours][1] / r[theirs][1] for r in rounds])
            print(f"ratio tensorweave {model} / tensorflow {theirs[1]}: wall median "
                  f"{median(wall):.2f} (range {wall[0]:.2f}-{wall[-1]:.2f}), cpu median "
                  f"{cpu:.2f}  (goal <= 0.9 against TF as installed)")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=10, help="steps per timed round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tf-python", default="/opt/tfref/bin/python",
                        help="A Python with TensorFlow (skipped when missing)")
    parser.add_argument("--engine", choices=["tensorweave", "tensorflow"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        serve(args.engine)
        return
    ours = models("tensorweave")
    ours["matmuls alone"] = matmuls_alone()
    for run in ours.values():
        for _ in range(3):
            run()
    children = {suffix: start_tensorflow(args.tf_python, env)
                for suffix, env in ((label[len("tf"):], env)
                                    for label, env in tf_modes.environments())}
    children = {suffix: child for suffix, child in children.items() if child is not None}
    rounds = []  # per round: {(engine, model): (wall, cpu) per step}, engines alternating
    for _ in range(args.rounds):
        times = {("tensorweave", m): per_step(run, args.steps) for m, run in ours.items()}
        times[("numpy", "matmuls alone")] = times.pop(("tensorweave", "matmuls alone"))
        for suffix, child in children.items():
            times.update({("tensorflow", m + suffix): t
                          for m, t in tensorflow_round(child, args.steps).items()})
        rounds.append(times)
    for child in children.values():
        child.stdin.close()
        child.wait()
    report(rounds, args.steps)


if __name__ == "__main__":
    main()
