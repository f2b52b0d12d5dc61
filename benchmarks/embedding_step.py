"""An embedding training step: tf.nn.embedding_lookup of a float32 table of 128 columns with a
batch of 256 ids, a small dense head (128 -> 32 -> 1), trained with plain SGD, Adagrad, Adam
and (tensorweave; TensorFlow 2 has no tf.contrib) tf.contrib.opt.LazyAdamOptimizer.

    python benchmarks/embedding_step.py [--rows 10000 100000 1000000] [--seconds 1.5]
                                        [--tf-python /opt/tfref/bin/python]

The gradient of the lookup is an IndexedSlices, and SGD (ScatterSub), Adagrad
(SparseApplyAdagrad) and LazyAdam update only the rows of the batch, so their step time should
stay flat as the table grows (goal: big/small ratio ~1.0). TF 1.x's AdamOptimizer decays m and v
on every row (it is not lazy), so its step grows with the table in both engines; it is printed
anyway. TensorFlow runs the same program in child processes (compat.v1 graph mode, reference
variables), as installed and with TF_ENABLE_ONEDNN_OPTS=1.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

# The head's matrix products are small: BLAS threads only add noise on a shared machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

# Benchmarks run tensorweave as tuned as it gets: speed variants and process tuning
# (runtime/accel). TENSORWEAVE_ACCEL=0 measures the plain NumPy reference kernels.
os.environ.setdefault("TENSORWEAVE_ACCEL", "1")

BATCH, DIM, HIDDEN = 256, 128, 32
OPTIMIZERS = ("sgd", "adagrad", "adam", "lazy_adam")


def make_optimizer(tf, name):
    if name == "sgd":
        return tf.train.GradientDescentOptimizer(0.1)
    if name == "adagrad":
        return tf.train.AdagradOptimizer(0.1)
    if name == "adam":
        return tf.train.AdamOptimizer(0.001)
    return tf.contrib.opt.LazyAdamOptimizer(0.001)


def training_step(tf, rows, optimizer):
    """run() for one training step of the embedding model on `rows` table rows."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(1)
        table = tf.Variable(tf.random_uniform([rows, DIM], -0.05, 0.05), name="embedding")
        ids = tf.placeholder(tf.int32, [BATCH], name="ids")
        y = tf.placeholder(tf.float32, [BATCH, 1], name="y")
        h = tf.nn.relu(tf.layers.dense(tf.nn.embedding_lookup(table, ids), HIDDEN))
        loss = tf.reduce_mean(tf.square(tf.layers.dense(h, 1) - y))
        train = make_optimizer(tf, optimizer).minimize(loss)
        sess = tf.Session(graph=graph)
        sess.run(tf.global_variables_initializer())
    rng = np.random.default_rng(rows)
    feeds = [{ids: rng.integers(0, rows, BATCH).astype(np.int32),
              y: rng.standard_normal((BATCH, 1)).astype(np.float32)} for _ in range(16)]
    step = [0]

    def run():
        step[0] += 1
        sess.run(train, feeds[step[0] % len(feeds)])
    return run


def timed(run, seconds):
    """Seconds per step over at least `seconds` (and 5 steps)."""
    count, start = 0, time.perf_counter()
    while count < 5 or time.perf_counter() - start < seconds:
        run()
        count += 1
    return (time.perf_counter() - start) / count


def measure(engine, rows_list, seconds, optimizers=OPTIMIZERS, rounds=3):
    """{(optimizer, rows): seconds per step} in this process: per optimizer, the table sizes
    are timed in alternating rounds (a busy machine slows them alike), best round kept."""
    if engine == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        names = [o for o in optimizers if o != "lazy_adam"]  # no tf.contrib in TF 2
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        import tensorweave as tf
        names = optimizers
    times = {}
    for optimizer in names:
        runs = {rows: training_step(tf, rows, optimizer) for rows in rows_list}
        for run in runs.values():
            for _ in range(3):
                run()
        for _ in range(rounds):
            for rows, run in runs.items():
                t = timed(run, seconds)
                times[(optimizer, rows)] = min(t, times.get((optimizer, rows), t))
        del runs
    return times


def tensorflow_times(python, onednn, rows_list, seconds, optimizers):
    """The TensorFlow child's timings, or None (with the reason printed)."""
    if not Path(python).exists():
        print(f"TensorFlow not available ({python} missing): no reference timing")
        return None
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=str(int(onednn)), TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([python, __file__, "--engine", "tensorflow", "--seconds",
                           str(seconds), "--rows", *map(str, rows_list), "--optimizers",
                           *optimizers],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        print(f"TensorFlow run failed:\n{done.stderr[-1500:]}")
        return None
    return eval(done.stdout.strip().splitlines()[-1])  # noqa: S307 - our own child's output


def report(label, times, rows_list):
    small = rows_list[0]
    for optimizer in OPTIMIZERS:
        if (optimizer, small) not in times:
            continue
        cells = "  ".join(f"{rows:>8d} rows {times[(optimizer, rows)] * 1e3:8.2f} ms"
                          for rows in rows_list)
        base = times[(optimizer, small)]
        ratios = "  ".join(f"{rows // small}x: {times[(optimizer, rows)] / base:5.2f}"
                           for rows in rows_list[1:])
        goal = "  (not lazy: grows with the table)" if optimizer == "adam" else \
            "  (goal ~1.0)"
        print(f"  {label:24s} {optimizer:10s} {cells}   big/small {ratios}{goal}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10000, 100000, 1000000])
    parser.add_argument("--seconds", type=float, default=1.0,
                        help="per timing (best of 3 alternating rounds)")
    parser.add_argument("--optimizers", nargs="+", choices=OPTIMIZERS, default=OPTIMIZERS)
    parser.add_argument("--tf-python", default="/opt/tfref/bin/python",
                        help="A Python with TensorFlow (skipped when missing)")
    parser.add_argument("--engine", choices=["tensorweave", "tensorflow"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        print(measure(args.engine, args.rows, args.seconds, args.optimizers), flush=True)
        return
    results = {"tensorweave": measure("tensorweave", args.rows, args.seconds,
                                      args.optimizers)}
    for suffix, onednn in (("", False), (" +oneDNN", True)):
        theirs = tensorflow_times(args.tf_python, onednn, args.rows, args.seconds,
                                  args.optimizers)
        if theirs is not None:
            results["tensorflow" + suffix] = theirs
    print(f"ms per step (batch {BATCH}, {DIM} columns; TENSORWEAVE_ACCEL="
          f"{os.environ['TENSORWEAVE_ACCEL']}, OPENBLAS_NUM_THREADS="
          f"{os.environ['OPENBLAS_NUM_THREADS']}; TensorFlow with its own thread pools), "
          f"best of 3 alternating rounds of >= {args.seconds} s:")
    for label, times in results.items():
        report(label, times, args.rows)
    ours = results["tensorweave"]
    for label, theirs in results.items():
        if label == "tensorweave":
            continue
        for optimizer in OPTIMIZERS:
            if (optimizer, args.rows[0]) in theirs and (optimizer, args.rows[0]) in ours:
                ratios = "  ".join(
                    f"{rows}: {ours[(optimizer, rows)] / theirs[(optimizer, rows)]:.2f}"
                    for rows in args.rows)
                print(f"ratio tensorweave / {label} {optimizer:8s} {ratios}")


if __name__ == "__main__":
    main()
