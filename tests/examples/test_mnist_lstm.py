"""The MNIST LSTM tutorial (rnn/mnist_lstm) on the real MNIST files: accuracy and output."""
import os
import re
import subprocess
import sys

from mnist_files import MNIST_DIR, REPO, needs_mnist


# CI size: 800 steps of 64 images at a larger learning rate, about 0.966 with seed 2 (the
# tutorial's defaults, 3000 steps of 128 at 0.001, reach about 0.98).
CI_STEPS, CI_BATCH, CI_LEARNING_RATE = 800, 64, 0.005


@needs_mnist
def test_mnist_lstm_reaches_ci_accuracy():
    """The program end to end. It runs in a child process with single-threaded BLAS: on a
    small shared machine OpenBLAS threads contending for cores make matmuls many times
    slower, and the accuracy does not depend on it."""
    env = dict(os.environ, PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-m", "tensorweave.examples.tutorials.rnn.mnist_lstm", "--data_dir",
         str(MNIST_DIR), "--steps", str(CI_STEPS), "--batch_size", str(CI_BATCH),
         "--learning_rate", str(CI_LEARNING_RATE), "--display_step", "400", "--seed", "2"],
        capture_output=True, text=True, env=env, timeout=1800, cwd=REPO)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if not line.startswith("Extracting")]
    assert [int(line.split(",")[0].split()[1]) for line in lines[:-1]] == [1, 400, 800]
    for line in lines[:-1]:
        assert re.fullmatch(r"Step \d+, Minibatch Loss= \d+\.\d{4}, Training Accuracy= "
                            r"[01]\.\d{3} \(\d+\.\d sec\)", line)
    accuracy = re.fullmatch(r"Testing Accuracy: (0\.\d{4})", lines[-1]).group(1)
    assert float(accuracy) >= 0.95


def test_mnist_lstm_defaults_follow_the_tutorial():
    from tensorweave.examples.tutorials.rnn import mnist_lstm
    flags, unparsed = mnist_lstm.parse_flags(["--unknown", "1"])
    assert (flags.steps, flags.batch_size, flags.learning_rate) == (3000, 128, 0.001)
    assert unparsed == ["--unknown", "1"]
    assert (mnist_lstm.TIMESTEPS, mnist_lstm.NUM_INPUT, mnist_lstm.NUM_HIDDEN) == (28, 28, 128)


def test_mnist_lstm_model_variables():
    import tensorweave as tf
    from tensorweave.examples.tutorials.rnn import mnist_lstm
    with tf.Graph().as_default():
        model = mnist_lstm.build_model(0.001)
        names = [v.name for v in tf.trainable_variables()]
    assert names == ["rnn/basic_lstm_cell/kernel:0", "rnn/basic_lstm_cell/bias:0",
                     "weights:0", "biases:0"]
    assert model["x"].shape.as_list() == [None, 28, 28]
