"""Data-parallel scaling on one machine: training images per second of the MNIST MLP and the
deep MNIST CNN (the TF tutorial's model, Adam) with hvd.DistributedOptimizer, at 2 processes x
1 BLAS thread against 1 process x 1 thread, each process with the same batch (goal: >= 1.8x),
and a check that every rank ends with identical weights.

    python benchmarks/horovod_scaling.py [--np 2] [--steps 100] [--repeats 3] [--models mlp cnn]

Every run starts under mpirun (so all pay the same launcher); each configuration runs
`--repeats` times, alternating with the others, and its best run counts; a run times its steps
after a warm-up, on real MNIST when TENSORWEAVE_MNIST_DIR has it, else on random images. A third run,
the ceiling, starts 2 independent processes without Horovod (no communication at all, each
bound to its core as the ranks are): what this machine gives two processes at once. On a
machine whose CPUs are hyperthreads of shared cores, or busy with other work, the ceiling
itself is well under 2x; "of ceiling" is the 2-process rate over the ceiling's.

A fourth run, the bound, is what any MPI-based data-parallel implementation could reach here:
the same ranks train without Horovod and after each step allreduce a buffer of all the
gradients' bytes with raw mpi4py (`Allreduce` in place, then the mean), so it pays the compute,
MPI's own allreduce and the wait for the slower rank, and nothing else. "of bound" is the
Horovod rate over the bound's: how much of what MPI allows tensorweave's Horovod keeps.
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
BATCH = {"mlp": 128, "cnn": 50}
WARMUP = 5


def _data(batch, steps, rank, size):
    """(images, labels) for every step of this rank: its own slice of each global batch."""
    directory = os.environ.get("TENSORWEAVE_MNIST_DIR")
    count = batch * size * (steps + WARMUP)
    if directory and Path(directory, "train-images-idx3-ubyte.gz").is_file():
        from tensorweave.contrib.learn.datasets import mnist
        data = mnist.read_data_sets(directory, one_hot=True)
        images, labels = data.train.images, data.train.labels
        reps = -(-count // len(images))
        images, labels = np.concatenate([images] * reps), np.concatenate([labels] * reps)
    else:
        rng = np.random.RandomState(0)
        images = rng.rand(count, 784).astype(np.float32)
        labels = np.eye(10, dtype=np.float32)[rng.randint(0, 10, count)]
    starts = [(step * size + rank) * batch for step in range(steps + WARMUP)]
    return [(images[s:s + batch], labels[s:s + batch]) for s in starts]


def _model(tf, name):
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    if name == "mlp":
        h = tf.layers.dense(x, 512, activation=tf.nn.relu)
        h = tf.layers.dense(h, 512, activation=tf.nn.relu)
        logits = tf.layers.dense(h, 10)
        lr = 0.05
    else:
        image = tf.reshape(x, [-1, 28, 28, 1])
        h = tf.layers.conv2d(image, 32, 5, padding="same", activation=tf.nn.relu)
        h = tf.layers.max_pooling2d(h, 2, 2)
        h = tf.layers.conv2d(h, 64, 5, padding="same", activation=tf.nn.relu)
        h = tf.layers.max_pooling2d(h, 2, 2)
        h = tf.layers.dense(tf.reshape(h, [-1, 7 * 7 * 64]), 1024, activation=tf.nn.relu)
        logits = tf.layers.dense(h, 10)
        lr = 1e-4
    loss = tf.losses.softmax_cross_entropy(y, logits)
    return x, y, loss, lr


def worker(models, steps, independent=False, bound=False):
    sys.path.insert(0, str(REPO))
    import tensorweave as tf
    from tensorweave.horovod import tensorflow as hvd

    if independent:  # the ceiling: every process trains alone on the first shard
        rank, size = int(os.environ.get("OMPI_COMM_WORLD_RANK", 0)), 1
    elif bound:  # the bound: own training, then a raw MPI allreduce of the gradients' bytes
        from mpi4py import MPI
        comm = MPI.COMM_WORLD
        rank, size = comm.Get_rank(), comm.Get_size()
    else:
        hvd.init()
        rank, size = hvd.rank(), hvd.size()
    for name in models:
        batch = BATCH[name]
        feeds = _data(batch, steps, 0 if independent else rank, size)
        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(7)
            x, y, loss, lr = _model(tf, name)
            opt = tf.train.AdamOptimizer(lr)
            opt = opt if independent or bound else hvd.DistributedOptimizer(opt)
            train = opt.minimize(loss)
            bcast = tf.no_op() if independent or bound else hvd.broadcast_global_variables(0)
            gradients = np.zeros(sum(int(np.prod(v.shape.as_list()))
                                     for v in tf.trainable_variables()), np.float32)

            def exchange():  # the bound's allreduce: MPI's own, in place, then the mean
                if bound:
                    comm.Allreduce(MPI.IN_PLACE, gradients, op=MPI.SUM)
                    np.multiply(gradients, np.float32(1.0 / size), out=gradients)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(bcast)
                for images, labels in feeds[:WARMUP]:
                    sess.run(train, {x: images, y: labels})
                    exchange()
                sess.run(bcast)  # a barrier: every rank starts timing together
                if bound:
                    comm.Barrier()
                start = time.perf_counter()
                for images, labels in feeds[WARMUP:]:
                    sess.run(train, {x: images, y: labels})
                    exchange()
                elapsed = time.perf_counter() - start
                weights = sess.run(tf.trainable_variables())
        digest = hashlib.sha256(b"".join(w.tobytes() for w in weights)).hexdigest()[:16]
        line = f"RESULT {name} rank {rank} size {size} images/s " \
            f"{batch * steps * size / elapsed:.1f} weights {digest}\n"
        print(line, end="", flush=True)
        if os.environ.get("HOROVOD_SCALING_RESULTS"):  # one file per rank: no interleaving
            with open(Path(os.environ["HOROVOD_SCALING_RESULTS"], f"{name}-{rank}"), "w") as f:
                f.write(line)


RESULT = re.compile(r"RESULT (\w+) rank (\d+) size (\d+) images/s ([0-9.]+) weights (\w+)")


def _run(np_, models, steps, independent=False, bound=False):
    from tensorweave.horovod import run
    command = run.mpirun_command(np_, [__file__, "--worker", "--steps", str(steps),
                                       "--models", *models] +
                                 (["--independent"] if independent else []) +
                                 (["--bound"] if bound else []), runner=False)
    with tempfile.TemporaryDirectory() as directory:
        command[1:1] = ["-x", "HOROVOD_SCALING_RESULTS"]
        env = dict(os.environ, HOROVOD_SCALING_RESULTS=directory)
        out = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, env=env)
        if out.returncode:
            sys.exit(out.stdout)
        text = "".join(p.read_text() for p in sorted(Path(directory).iterdir()))
    results = {}
    for name, rank, size, speed, digest in RESULT.findall(text):
        results.setdefault(name, []).append((int(rank), float(speed), digest))
    return results


def _total(ranks, independent):
    """A run's images/second: the ranks' sum for independent processes (each reports its
    own), else what rank 0 reports for the job."""
    return sum(speed for _, speed, _ in ranks) if independent else ranks[0][1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--np", type=int, default=2)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each configuration, alternating; the best counts")
    parser.add_argument("--models", nargs="+", default=["mlp", "cnn"], choices=["mlp", "cnn"])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--independent", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bound", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = "1"
    if args.worker:
        worker(args.models, args.steps, args.independent, args.bound)
        return
    sys.path.insert(0, str(REPO))
    from tensorweave.horovod import run
    available, reason = run.mpi_available()
    if not available:
        sys.exit(f"scaling benchmark needs MPI: {reason}")
    load = os.getloadavg()[0]
    one, many, ceiling, bound = {}, {}, {}, {}
    for _ in range(args.repeats):  # alternating; the best of each counts
        for best, np_, independent, raw in ((one, 1, False, False), (many, args.np, False, False),
                                            (ceiling, args.np, True, False),
                                            (bound, args.np, False, True)):
            for name, ranks in _run(np_, args.models, args.steps, independent, raw).items():
                if name not in best or _total(ranks, independent) > _total(best[name],
                                                                           independent):
                    best[name] = ranks
    print(f"images/second, 1 BLAS thread per process; load average {load:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs")
    print(f"{'model':>6} {'batch':>6} {'1 process':>10} {f'{args.np} processes':>12} "
          f"{'scaling':>8} {'ceiling':>8} {'of ceiling':>10} {'MPI bound':>10} {'of bound':>9}"
          f"  identical weights on every rank")
    for name in args.models:
        single = one[name][0][1]
        ranks = many[name]
        total = ranks[0][1]
        alone = _total(ceiling[name], True)
        limit = _total(bound[name], False)
        same = len({digest for _, _, digest in ranks}) == 1 and len(ranks) == args.np
        print(f"{name:>6} {BATCH[name]:>6} {single:10.1f} {total:12.1f} "
              f"{total / single:7.2f}x {alone / single:7.2f}x {total / alone:9.2f}x "
              f"{limit / single:9.2f}x {total / limit:8.2f}x  {same}")


if __name__ == "__main__":
    main()
