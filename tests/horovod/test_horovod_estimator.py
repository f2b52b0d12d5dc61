"""Horovod's Estimator recipe on two processes: identical weights on both ranks, rank 0's
model_dir holds the checkpoints and events, the other rank writes none there."""
import re

from horovod_helpers import mpirun, needs_mpi
from mnist_files import MNIST_DIR, needs_mnist

LINE = re.compile(r"rank (\d) model_dir (True|False) accuracy ([0-9.]+) weights ([0-9a-f]{16})")


@needs_mnist
@needs_mpi
def test_estimator_trains_under_horovod(tmp_path):
    model_dir = tmp_path / "model"
    result = mpirun(2, "estimator_horovod.py", "--data-dir", MNIST_DIR, "--model-dir", model_dir,
                    "--steps", 40)
    assert result.returncode == 0, result.stdout
    ranks = {int(r): (own == "True", float(acc), digest)
             for r, own, acc, digest in LINE.findall(result.stdout)}
    assert sorted(ranks) == [0, 1], result.stdout
    assert ranks[0][0] and not ranks[1][0]  # rank 0 alone uses the model_dir
    assert ranks[0][2] == ranks[1][2]       # identical weights
    assert ranks[0][1] == ranks[1][1] > 0.7
    assert (model_dir / "model.ckpt-40.index").is_file()
    assert len(list(model_dir.glob("events.out.tfevents.*"))) == 1
