"""The tutorial MLP training step through Session.run vs the same math hand-written in NumPy.

    python benchmarks/mlp_step.py [--steps 300]

Prints the time per step of each and their ratio (goal: <= 1.25), plus the per-run overhead of
a one-op graph (goal: under 20 us), and the step with the reference kernels (what the speed
variants of runtime/accel buy).
"""
import argparse
import os
import time

import numpy as np

import tensorweave as tf

# Benchmarks run tensorweave as tuned as it gets: speed variants and process tuning
# (runtime/accel). TENSORWEAVE_ACCEL=0 measures the plain NumPy reference kernels.
os.environ.setdefault("TENSORWEAVE_ACCEL", "1")

BATCH, SIZES, LR = 100, (784, 128, 32, 10), 0.01


def initial_weights(seed=0):
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        params.append((rng.standard_normal((fan_in, fan_out)).astype(np.float32) /
                       np.float32(np.sqrt(fan_in)), np.zeros(fan_out, np.float32)))
    return params


def tensorweave_step(params, images, labels, config=None):
    """Returns run() -> loss for the tutorial graph built on tensorweave."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [BATCH, SIZES[0]])
        y = tf.placeholder(tf.int32, [BATCH])
        h = x
        for i, (w0, b0) in enumerate(params):
            w, b = tf.Variable(w0), tf.Variable(b0)
            h = tf.matmul(h, w) + b
            if i < len(params) - 1:
                h = tf.nn.relu(h)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                             logits=h))
        train = tf.train.GradientDescentOptimizer(LR).minimize(loss)
        sess = tf.Session(config=config)
        sess.run(tf.global_variables_initializer())
    feed = {x: images, y: labels}
    return lambda: sess.run([train, loss], feed)[1]


def numpy_step(params, images, labels):
    """Returns run() -> loss for the same step written directly in NumPy."""
    params = [(w.copy(), b.copy()) for w, b in params]
    rows = np.arange(BATCH)
    lr = np.float32(LR)

    def run():
        acts = [images]
        for i, (w, b) in enumerate(params):
            z = acts[-1] @ w + b
            acts.append(np.maximum(z, 0) if i < len(params) - 1 else z)
        logits = acts[-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        exps = np.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(sums[:, 0]) - shifted[rows, labels])
        grad = exps / sums
        grad[rows, labels] -= 1
        grad /= BATCH
        for i in reversed(range(len(params))):
            w, b = params[i]
            grad_w, grad_b = acts[i].T @ grad, grad.sum(axis=0)
            if i > 0:
                grad = (grad @ w.T) * (acts[i] > 0)
            w -= lr * grad_w
            b -= lr * grad_b
        return loss
    return run


def per_step(fn, steps):
    for _ in range(20):
        fn()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(steps):
            fn()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def one_op_overhead(runs=20000):
    graph = tf.Graph()
    with graph.as_default():
        c = tf.constant(1.0)
        out = tf.identity(c)
        sess = tf.Session()
    per_step(lambda: sess.run(out), 100)
    start = time.perf_counter()
    for _ in range(runs):
        sess.run(out)
    return (time.perf_counter() - start) / runs


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    images = rng.random((BATCH, SIZES[0]), dtype=np.float32)
    labels = rng.integers(0, 10, BATCH).astype(np.int32)
    params = initial_weights()
    ours, ref = tensorweave_step(params, images, labels), numpy_step(params, images, labels)
    first = [(ours(), ref()) for _ in range(3)]
    assert all(abs(a - b) < 1e-4 * max(1, abs(b)) for a, b in first), first
    t_ours, t_ref = per_step(ours, args.steps), per_step(ref, args.steps)
    print(f"mlp step  tensorweave {t_ours * 1e6:8.1f} us   numpy {t_ref * 1e6:8.1f} us   "
          f"ratio {t_ours / t_ref:.2f}  (goal <= 1.25)")
    print(f"one-op run overhead {one_op_overhead() * 1e6:.1f} us  (goal < 20 us)")
    plain = tensorweave_step(params, images, labels, tf.ConfigProto(accel=False))
    t_plain = per_step(plain, args.steps)
    print(f"TENSORWEAVE_ACCEL={os.environ['TENSORWEAVE_ACCEL']}; the same step with the "
          f"reference kernels (ConfigProto(accel=False)) {t_plain * 1e6:8.1f} us, ratio "
          f"{t_plain / t_ref:.2f}")


if __name__ == "__main__":
    main()
