"""Done-when of issue 23: a Horovod-style TF1 MNIST program runs unchanged on 1 and 2
processes; on 2 it reaches the accuracy of 1 process with twice the batch, with identical
weights on every rank, and only rank 0 writes checkpoints."""
import re

from horovod_helpers import mpirun, needs_mpi, single
from mnist_files import MNIST_DIR, needs_mnist

LINE = re.compile(r"rank (\d) of (\d): steps (\d+) accuracy ([0-9.]+) weights ([0-9a-f]+)")


def _results(output):
    found = LINE.findall(output)
    assert found, output
    return {int(rank): (int(size), int(steps), float(acc), digest)
            for rank, size, steps, acc, digest in found}


@needs_mnist
@needs_mpi
def test_two_processes_match_one_process_with_twice_the_batch(tmp_path):
    two = mpirun(2, "mnist_horovod.py", "--data-dir", MNIST_DIR, "--batch-size", 50,
                 "--steps", 60,
                 "--checkpoint-dir", tmp_path / "ckpt")
    assert two.returncode == 0, two.stdout
    ranks = _results(two.stdout)
    assert sorted(ranks) == [0, 1]
    assert ranks[0][3] == ranks[1][3]  # identical final weights on every rank
    assert ranks[0][:3] == ranks[1][:3]
    one = single("mnist_horovod.py", "--data-dir", MNIST_DIR, "--batch-size", 100, "--steps", 60)
    assert one.returncode == 0, one.stdout
    (size, steps, accuracy, _), = _results(one.stdout).values()
    assert size == 1 and steps == 60 and ranks[0][1] == 60
    assert accuracy > 0.85
    assert abs(accuracy - ranks[0][2]) <= 0.002, (accuracy, ranks[0][2])
    assert (tmp_path / "ckpt" / "model.ckpt-60.index").is_file()


@needs_mnist
def test_the_program_runs_unchanged_on_one_process():
    one = single("mnist_horovod.py", "--data-dir", MNIST_DIR, "--batch-size", 50, "--steps", 30)
    assert one.returncode == 0, one.stdout
    (size, steps, accuracy, _), = _results(one.stdout).values()
    assert (size, steps) == (1, 30) and accuracy > 0.7
