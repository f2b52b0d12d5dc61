"""The cost of writing summaries every step, relative to the fully-connected tutorial's step.

    python benchmarks/summaries.py [--steps 400] [--rounds 5]

Builds the tutorial's graph (mnist.inference/loss/training, which adds the `loss` scalar
summary) on random batches of 100 images and times, in interleaved rounds:
  step      sess.run([train_op, loss])                                   (the tutorial's step)
  scalar    sess.run([train_op, loss, merged]) + writer.add_summary(...)  every step
  full      as `scalar` plus histograms of every weight and bias, every step
Prints time per step and the extra cost as a share of the plain step (goal for `scalar`,
the tutorial's summaries: under 10%). Writing happens on the FileWriter's background thread
and is included: every round ends with writer.flush(). On a busy machine, OPENBLAS_NUM_THREADS=1
keeps BLAS threads from distorting the step time.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tensorweave as tf  # noqa: E402
from tensorweave.examples.tutorials.mnist import mnist  # noqa: E402

# Benchmarks run tensorweave as tuned as it gets: speed variants and process tuning
# (runtime/accel). TENSORWEAVE_ACCEL=0 measures the plain NumPy reference kernels.
os.environ.setdefault("TENSORWEAVE_ACCEL", "1")

BATCH = 100


def build(logdir, histograms):
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(1)
        images = tf.placeholder(tf.float32, [BATCH, mnist.IMAGE_PIXELS])
        labels = tf.placeholder(tf.int32, [BATCH])
        logits = mnist.inference(images, 128, 32)
        loss = mnist.loss(logits, labels)
        train_op = mnist.training(loss, 0.01)
        if histograms:
            for v in tf.trainable_variables():
                tf.summary.histogram(v.op.name, v)
        merged = tf.summary.merge_all()
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter(logdir, graph)
    rng = np.random.default_rng(0)
    feed = {images: rng.random((BATCH, mnist.IMAGE_PIXELS), dtype=np.float32),
            labels: rng.integers(0, 10, BATCH).astype(np.int32)}
    return sess, writer, train_op, loss, merged, feed


def time_steps(run, steps, writer):
    start = time.perf_counter()
    for step in range(steps):
        run(step)
    writer.flush()
    return (time.perf_counter() - start) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain = build(os.path.join(tmp, "plain"), histograms=False)
        full = build(os.path.join(tmp, "full"), histograms=True)

        def plain_step(step, sess=plain[0], train=plain[2], loss=plain[3], feed=plain[5]):
            sess.run([train, loss], feed)

        def scalar_step(step, sess=plain[0], writer=plain[1], train=plain[2], loss=plain[3],
                        merged=plain[4], feed=plain[5]):
            _, _, summary = sess.run([train, loss, merged], feed)
            writer.add_summary(summary, step)

        def full_step(step, sess=full[0], writer=full[1], train=full[2], loss=full[3],
                      merged=full[4], feed=full[5]):
            _, _, summary = sess.run([train, loss, merged], feed)
            writer.add_summary(summary, step)

        cases = {"step": (plain_step, plain[1]), "scalar": (scalar_step, plain[1]),
                 "full": (full_step, full[1])}
        for run, writer in cases.values():  # warm up: plans, caches
            time_steps(run, 20, writer)
        times = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, (run, writer) in cases.items():
                times[name].append(time_steps(run, args.steps, writer))
        for _, writer in cases.values():
            writer.close()
    base = statistics.median(times["step"])
    print(f"{'case':8} {'ms/step':>9} {'extra us':>9} {'extra':>8}  (median of {args.rounds} "
          f"rounds of {args.steps} steps)")
    for name in cases:
        t = statistics.median(times[name])
        extra = "" if name == "step" else f"{(t - base) * 1e6:9.0f} {(t - base) / base:+8.1%}"
        print(f"{name:8} {t * 1e3:9.3f} {extra}")
    scalar_share = (statistics.median(times["scalar"]) - base) / base
    print(f"tutorial summaries every step cost {scalar_share:.1%} of the step (goal < 10%)")


if __name__ == "__main__":
    main()
