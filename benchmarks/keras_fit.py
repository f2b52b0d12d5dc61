"""tf.keras fit in graph mode: the MNIST MLP 784-512-512-10 (ReLU, dropout 0.2, RMSprop,
batch 128), one epoch of 60000 images, on tensorweave and on TensorFlow's compat.v1 Keras (run
as a subprocess with a separate Python, where installed); also evaluate and predict over the
10000 test images.

    python benchmarks/keras_fit.py [--rounds 3] [--tf-python /work/tfenv/bin/python]

Prints seconds per epoch for both and their ratio, against TensorFlow as installed (its own
default on this CPU), with oneDNN forced on and forced off (benchmarks/tf_modes.py), and the share of tensorweave's epoch spent outside Session.run (the
fit loop itself: batching, callbacks, logs). The implementations are measured in alternating
rounds and the best round of each counts, so a busy machine affects both alike. Run it with
OPENBLAS_NUM_THREADS=1 (TensorFlow uses its own thread pools). MNIST comes from
$TENSORWEAVE_MNIST_DIR (or ../shared/data/mnist beside the repository); without it, random
images of the same shape.
"""
import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import tf_modes

# Benchmarks run tensorweave as tuned as it gets: speed variants and process tuning
# (runtime/accel). TENSORWEAVE_ACCEL=0 measures the plain NumPy reference kernels.
os.environ.setdefault("TENSORWEAVE_ACCEL", "1")

REPO = Path(__file__).resolve().parents[1]
MNIST_DIR = Path(os.environ.get("TENSORWEAVE_MNIST_DIR", REPO.parent / "shared" / "data" /
                                "mnist"))


def mnist():
    """(x_train, y_train, x_test, y_test): float32 images in [0, 1], int labels."""
    def read(name, offset):
        with gzip.open(MNIST_DIR / name, "rb") as f:
            return np.frombuffer(f.read(), np.uint8, offset=offset)
    if (MNIST_DIR / "train-images-idx3-ubyte.gz").is_file():
        x = read("train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
        y = read("train-labels-idx1-ubyte.gz", 8)
        xt = read("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784)
        yt = read("t10k-labels-idx1-ubyte.gz", 8)
    else:
        rng = np.random.RandomState(0)
        x, xt = rng.randint(0, 256, (60000, 784)), rng.randint(0, 256, (10000, 784))
        y, yt = rng.randint(0, 10, 60000), rng.randint(0, 10, 10000)
    return (x.astype("float32") / 255, y.astype("int64"), xt.astype("float32") / 255,
            yt.astype("int64"))


def measure(tf):
    """Seconds for one fit epoch, an evaluate and a predict, and the accuracy reached."""
    keras = tf.keras
    x, y, xt, yt = mnist()
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        model = keras.Sequential([
            keras.layers.Dense(512, activation="relu", input_shape=(784,)),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10, activation="softmax")])
        rng = np.random.RandomState(1)
        model.set_weights([rng.uniform(-0.05, 0.05, w.shape.as_list()).astype("float32")
                           for w in model.weights])
        model.compile(keras.optimizers.RMSprop(), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x[:1280], y[:1280], batch_size=128, epochs=1, verbose=0)  # warm up
        start = time.perf_counter()
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)
        epoch = time.perf_counter() - start
        start = time.perf_counter()
        _, accuracy = model.evaluate(xt, yt, batch_size=128, verbose=0)
        evaluate = time.perf_counter() - start
        start = time.perf_counter()
        model.predict(xt, batch_size=128)
        predict = time.perf_counter() - start
    return {"epoch": epoch, "evaluate": evaluate, "predict": predict,
            "accuracy": float(accuracy)}


def session_share(tf):
    """The fraction of a tensorweave fit epoch spent inside Session.run."""
    import cProfile
    import pstats
    keras = tf.keras
    x, y, _, _ = mnist()
    with tf.Graph().as_default():
        model = keras.Sequential([keras.layers.Dense(512, activation="relu",
                                                     input_shape=(784,)),
                                  keras.layers.Dense(512, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x[:1280], y[:1280], batch_size=128, verbose=0)
        profile = cProfile.Profile()
        profile.runcall(model.fit, x[:12800], y[:12800], batch_size=128, verbose=0)
    stats = pstats.Stats(profile).stats
    total = max(v[3] for v in stats.values())
    inside = sum(v[3] for k, v in stats.items() if k[2] == "_run_steps")
    return inside / total


def best_of(a, b):
    if a is None or b is None:
        return a or b
    return {key: min(a[key], b[key]) if key != "accuracy" else a[key] for key in a}


def tensorflow_times(python, env):
    """measure() under TensorFlow's compat.v1 in a subprocess with `env` (a tf_modes
    environment), or None if unavailable."""
    return tf_modes.run_json(python, [__file__, "--impl", "tensorflow"], env)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tf-python", default=os.environ.get("TENSORWEAVE_TF_PYTHON",
                                                              "/work/tfenv/bin/python"))
    parser.add_argument("--impl", choices=["tensorweave", "tensorflow"], default="tensorweave",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.impl == "tensorflow":  # the subprocess: report TensorFlow's times as JSON
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        print(json.dumps(measure(tf)))
        return
    sys.path.insert(0, str(REPO))
    import tensorweave as tf
    ours, theirs = None, {label: None for label, _ in tf_modes.MODES}
    for _ in range(args.rounds):
        ours = best_of(ours, measure(tf))
        for label, env in tf_modes.environments():
            theirs[label] = best_of(theirs[label], tensorflow_times(args.tf_python, env))
    theirs = {label: times for label, times in theirs.items() if times}
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, load "
          f"average {os.getloadavg()[0]:.1f}; MLP 784-512-512-10, batch 128, RMSprop")
    print(f"{'':28} {'tensorweave':>12}" + "".join(f" {label:>16} {'ratio':>6}"
                                                    for label in theirs))
    for key, title in (("epoch", "fit, one epoch (60000)"), ("evaluate", "evaluate (10000)"),
                       ("predict", "predict (10000)")):
        line = f"{title:28} {ours[key]:10.2f} s"
        for reference in theirs.values():
            line += f" {reference[key]:14.2f} s {ours[key] / reference[key]:6.2f}"
        print(line)
    line = f"{'test accuracy after it':28} {ours['accuracy']:12.4f}"
    for reference in theirs.values():
        line += f" {reference['accuracy']:16.4f} {'':6}"
    print(line)
    print(f"tensorweave's fit spends {session_share(tf) * 100:.0f}% of its time in the "
          f"graph's kernels (Session.run's step loop); the rest is the fit loop itself")


if __name__ == "__main__":
    main()
