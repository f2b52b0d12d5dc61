"""tf.data input pipelines through get_next vs the same batches drawn with hand-written NumPy.

    python benchmarks/data_pipeline.py [--steps 300]

For MNIST-sized arrays (55000 x 784 float32) prints the time per batch of 100 of each pipeline
and its ratio to a NumPy loop doing the same work (shuffle: a permutation and a gather per
epoch; map: the same arithmetic on the gathered batch). The shuffle buffer moves each row
three times (in, out, and the fetched copy) where NumPy gathers once. Goals: plain batches
within 2x of NumPy, shuffled ones within 8x; a map that must run per element is reported for
reference.
"""
import argparse
import os
import time

import numpy as np

import tensorweave as tf

# Benchmarks run tensorweave as tuned as it gets: speed variants and process tuning
# (runtime/accel). TENSORWEAVE_ACCEL=0 measures the plain NumPy reference kernels.
os.environ.setdefault("TENSORWEAVE_ACCEL", "1")

ROWS, COLUMNS, BATCH = 55000, 784, 100


def _time(fn, steps):
    fn()
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - start) / steps


def pipeline(build, images, labels):
    graph = tf.Graph()
    with graph.as_default():
        next_batch = build(tf.data.Dataset.from_tensor_slices((images, labels)))\
            .make_one_shot_iterator().get_next()
        sess = tf.Session()
    return lambda: sess.run(next_batch)


def numpy_batches(images, labels, transform):
    rng = np.random.default_rng(0)
    state = {"order": rng.permutation(ROWS), "at": 0}

    def run():
        if state["at"] + BATCH > ROWS:
            state["order"], state["at"] = rng.permutation(ROWS), 0
        index = state["order"][state["at"]:state["at"] + BATCH]
        state["at"] += BATCH
        return transform(images[index], labels[index])
    return run


CASES = {
    "shuffle(10000).repeat().batch(100)": (
        lambda d: d.shuffle(10000, seed=1).repeat().batch(BATCH),
        lambda x, y: (x, y)),
    "map(scale, one_hot).shuffle.repeat.batch": (
        lambda d: d.map(lambda x, y: (x * 2.0 - 1.0, tf.one_hot(y, 10)))
        .shuffle(10000, seed=1).repeat().batch(BATCH),
        lambda x, y: (x * 2.0 - 1.0, np.eye(10, dtype=np.float32)[y])),
    "repeat().batch(100).prefetch(2)": (
        lambda d: d.repeat().batch(BATCH).prefetch(2),
        lambda x, y: (x, y)),
    "map(reduce_sum) per element, batch": (
        lambda d: d.map(lambda x, y: (tf.reduce_sum(x), y)).repeat().batch(BATCH),
        lambda x, y: (x.sum(axis=1), y)),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300)
    steps = parser.parse_args().steps
    rng = np.random.default_rng(0)
    images = rng.random((ROWS, COLUMNS), dtype=np.float32)
    labels = rng.integers(0, 10, ROWS).astype(np.int64)
    for name, (build, transform) in CASES.items():
        ours = _time(pipeline(build, images, labels), steps)
        reference = _time(numpy_batches(images, labels, transform), steps)
        print(f"{name:45s} {ours * 1e3:7.3f} ms/batch  numpy {reference * 1e3:7.3f} ms  "
              f"ratio {ours / reference:5.2f}")


if __name__ == "__main__":
    main()
