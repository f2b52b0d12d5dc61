"""Allreduce throughput: tensorweave's HorovodAllreduce op run by a Session against raw mpi4py
`Allreduce` on the same buffer sizes, on 2 processes (goal: >= 0.9x raw for large buffers),
and Horovod's fusion: 64 small gradients through one HorovodGroupedAllreduce against 64 raw
calls.

    python benchmarks/allreduce.py [--np 2] [--rounds 3]     # starts itself under mpirun

Each size is timed in alternating rounds (ours, raw, ours, ...); the best round of each counts,
so a busy machine affects both alike. Our op runs through Session.run, checks in (one small
nonblocking allreduce of its signature's hash) and reduces: from 64 KB up by a ring reading its
input in place (kernels never write their inputs) into a reused output buffer, below that by
MPI_Allreduce on a copy. Raw mpi4py does the reduction alone, in place on its own buffer.
The load average is printed beside the result: numbers taken on a busy machine are noise.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SIZES = [2 ** k for k in (8, 12, 16, 18, 20, 22, 24)]  # float32 elements: 1 KB .. 64 MB
SMALL = 64  # small tensors fused into one op
SMALL_SIZE = 4096


def _best(run, repeats):
    start = time.perf_counter()
    for _ in range(repeats):
        run()
    return (time.perf_counter() - start) / repeats


def worker(rounds):
    sys.path.insert(0, str(REPO))
    from mpi4py import MPI
    import tensorweave as tf
    from tensorweave.horovod import tensorflow as hvd

    hvd.init()
    comm = MPI.COMM_WORLD
    rank = comm.Get_rank()
    rows = []
    for n in SIZES:
        repeats = max(3, min(200, (1 << 24) // n))
        data = np.ones(n, np.float32)
        graph = tf.Graph()
        with graph.as_default():
            v = tf.Variable(data)
            reduced = hvd.allreduce(v.value(), op=hvd.Sum)
            sess = tf.Session()
            sess.run(v.initializer)
        raw = data.copy()

        def ours():
            sess.run(reduced.op)

        def theirs():
            comm.Allreduce(MPI.IN_PLACE, raw, op=MPI.SUM)

        best = {"ours": float("inf"), "raw": float("inf")}
        for _ in range(rounds):
            for name, run in (("ours", ours), ("raw", theirs)):
                comm.Barrier()
                best[name] = min(best[name], _best(run, repeats))
        check = sess.run(reduced)
        assert np.all(check == comm.Get_size()), check[:4]
        rows.append((f"{n * 4 / 2 ** 20:9.3f} MB", best["ours"], best["raw"]))
        sess.close()

    # fusion: many small gradients in one op against one raw call each
    graph = tf.Graph()
    with graph.as_default():
        tensors = [tf.Variable(np.ones(SMALL_SIZE, np.float32)) for _ in range(SMALL)]
        fused = hvd.grouped_allreduce([t.value() for t in tensors], op=hvd.Sum)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
    buffers = [np.ones(SMALL_SIZE, np.float32) for _ in range(SMALL)]

    def ours_fused():
        sess.run([f.op for f in fused[:1]])

    def raw_each():
        for b in buffers:
            comm.Allreduce(MPI.IN_PLACE, b, op=MPI.SUM)

    best = {"ours": float("inf"), "raw": float("inf")}
    for _ in range(rounds):
        for name, run in (("ours", ours_fused), ("raw", raw_each)):
            comm.Barrier()
            best[name] = min(best[name], _best(run, 20))
    rows.append((f"{SMALL} x {SMALL_SIZE * 4 // 1024} KB fused", best["ours"], best["raw"]))
    if rank == 0:
        print(f"allreduce on {comm.Get_size()} processes (float32, sum); ratio = raw time / "
              f"our time (>= 0.9 is the goal); load average {os.getloadavg()[0]:.2f}")
        print(f"{'buffer':>22} {'ours ms':>10} {'raw ms':>10} {'GB/s ours':>10} {'ratio':>7}")
        for (label, ours_s, raw_s), n in zip(rows, SIZES + [SMALL * SMALL_SIZE]):
            print(f"{label:>22} {ours_s * 1e3:10.3f} {raw_s * 1e3:10.3f} "
                  f"{n * 4 / ours_s / 1e9:10.3f} {raw_s / ours_s:7.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--np", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.rounds)
        return
    sys.path.insert(0, str(REPO))
    from tensorweave.horovod import run
    available, reason = run.mpi_available()
    if not available:
        sys.exit(f"allreduce benchmark needs MPI: {reason}")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    command = run.mpirun_command(args.np, [__file__, "--worker", "--rounds", str(args.rounds)],
                                 runner=False)
    sys.exit(subprocess.call(command))


if __name__ == "__main__":
    main()
