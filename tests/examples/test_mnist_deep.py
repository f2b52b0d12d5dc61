"""The deep MNIST tutorial (mnist_deep) on the real MNIST files: accuracy and output format."""
import os
import re
import subprocess
import sys

from mnist_files import MNIST_DIR, REPO, needs_mnist


CI_STEPS = 500  # of 50 images; the full tutorial runs 20000 for about 0.992


@needs_mnist
def test_mnist_deep_reaches_ci_accuracy():
    from tensorweave.examples.tutorials.mnist import mnist_deep
    lines = []
    accuracy = mnist_deep.train_and_test(str(MNIST_DIR), CI_STEPS, seed=1, log=lines.append)
    assert accuracy >= 0.93
    assert len(lines) == CI_STEPS // 100 + 1
    for i, line in enumerate(lines[:-1]):
        assert re.fullmatch(rf"step {i * 100}, training accuracy [0-9.]+(e-?\d+)?", line)
    assert lines[-1] == "test accuracy %g" % accuracy


@needs_mnist
def test_mnist_deep_program_flags_and_output():
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", "tensorweave.examples.tutorials.mnist.mnist_deep",
                           "--data_dir", str(MNIST_DIR), "--steps", "2", "--seed", "3"],
                          capture_output=True, text=True, env=env, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert re.fullmatch(r"step 0, training accuracy [0-9.]+", lines[-2])
    assert re.fullmatch(r"test accuracy [0-9.]+", lines[-1])
    assert 0.0 < float(lines[-1].split()[-1]) < 0.5  # two steps learn little


def test_mnist_deep_defaults_follow_the_tutorial():
    from tensorweave.examples.tutorials.mnist import mnist_deep
    flags, unparsed = mnist_deep.parse_flags(["--unknown", "1"])
    assert flags.steps == 20000 and flags.data_dir == "/tmp/tensorflow/mnist/input_data"
    assert unparsed == ["--unknown", "1"]
