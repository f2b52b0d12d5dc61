"""The classic Keras example programs (tests/keras/programs: mnist_mlp, mnist_cnn, imdb_lstm,
a two-input two-output functional model, a subclassed model), written for TF 1.x's tf.keras,
run unmodified with `python -m tensorweave` on shortened runs (runs.py: one epoch on 6000 MNIST
images, 2000 reviews) and reach the test accuracy they print under TensorFlow
(keras_programs_reference.json) within the spread of random initializations."""
import json
import os
import re
import subprocess
import sys

import pytest

from mnist_files import MNIST_DIR, REPO, needs_mnist

PROGRAMS = REPO / "tests" / "keras" / "programs"
with open(REPO / "tests" / "fixtures" / "keras_programs_reference.json") as _f:
    REFERENCE = json.load(_f)

# One unseeded epoch on 6000 images: runs (TF's as ours) spread by several points from one
# initialization and shuffle to another (0.865-0.90 for the MLP, 0.83-0.87 with two inputs).
# Unseeded one-epoch runs spread widely: mnist_mlp gave 0.864-0.912 in 8 runs of TF 2.15 and
# 0.824-0.911 in 40 of tensorweave (its reference is one TF run, 0.9006)
SPREAD = 0.10


def run(name, args):
    env = dict(os.environ, TENSORWEAVE_MNIST_DIR=str(MNIST_DIR), OPENBLAS_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "tensorweave", f"{name}.py",
                           *map(str, args)], cwd=PROGRAMS, env=env, capture_output=True,
                          text=True, timeout=600)


@needs_mnist
@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_program_reaches_tensorflows_accuracy(name):
    reference = REFERENCE[name]
    result = run(name, reference["args"])
    assert result.returncode == 0, result.stderr[-3000:]
    accuracy = float(re.search(r"^Test accuracy: (\S+)$", result.stdout, re.M).group(1))
    assert accuracy >= reference["test_accuracy"] - SPREAD, result.stdout
    lines = result.stdout.splitlines()
    if name != "mnist_subclassed":
        assert any(line.startswith("Train on ") for line in lines)
    epoch = [line for line in lines if line.startswith(f"{reference['args'][1]}/")]
    if name != "mnist_two_inputs":   # that one holds out a validation split
        assert epoch and " - loss: " in epoch[0] and " - acc: " in epoch[0]
    if name == "mnist_subclassed":
        assert "'mlp/dense/kernel:0'" in result.stdout
    if name == "mnist_two_inputs":
        assert "first predictions:" in result.stdout
        assert "digit_acc" in result.stdout and "even_loss" in result.stdout
