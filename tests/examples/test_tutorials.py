"""The MNIST tutorials end to end on the real files: accuracy, flags and output format."""
import os
import re
import subprocess
import sys

from mnist_files import MNIST_DIR, REPO, needs_mnist



def run_module(module, *args):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                          env=env, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return done.stdout


@needs_mnist
def test_softmax_regression_reaches_tutorial_accuracy():
    from tensorweave.examples.tutorials.mnist import mnist_softmax
    accuracy = mnist_softmax.train_and_test(str(MNIST_DIR), seed=1)
    assert accuracy >= 0.91


@needs_mnist
def test_softmax_program_prints_accuracy():
    out = run_module("tensorweave.examples.tutorials.mnist.mnist_softmax", "--data_dir",
                     str(MNIST_DIR), "--seed", "2")
    assert float(out.strip().splitlines()[-1]) >= 0.91


@needs_mnist
def test_fully_connected_feed_reaches_tutorial_precision(tmp_path, capsys):
    from tensorweave.examples.tutorials.mnist import fully_connected_feed as program
    program.FLAGS, _ = program.parse_flags(["--input_data_dir", str(MNIST_DIR), "--log_dir",
                                            str(tmp_path / "logs"), "--seed", "3"])
    precisions = program.run_training()
    assert precisions["Test"] >= 0.89
    assert precisions["Validation"] >= 0.89
    out = capsys.readouterr().out
    assert len(re.findall(r"^Test Data Eval:$", out, re.M)) == 2  # at step 1000 and the end
    assert re.search(r"^Step 1900: loss = \d+\.\d\d \(\d+\.\d{3} sec\)$", out, re.M)


def test_fully_connected_feed_flags_and_output_format(tmp_path):
    log_dir = tmp_path / "logs"
    out = run_module("tensorweave.examples.tutorials.mnist.fully_connected_feed", "--fake_data",
                     "--max_steps", "3", "--batch_size", "10", "--log_dir", str(log_dir),
                     "--input_data_dir", str(tmp_path / "data"), "--unknown_flag_passes")
    lines = out.strip().splitlines()
    assert re.fullmatch(r"Step 0: loss = \d+\.\d\d \(\d+\.\d{3} sec\)", lines[0])
    titles = [f"{title} Data Eval:" for title in ("Training", "Validation", "Test")]
    assert lines[1::2] == titles
    for line in lines[2::2]:  # fake data sets have 10000 examples each, as in TF
        assert re.fullmatch(r"Num examples: 10000  Num correct: \d+  Precision @ 1: \d\.\d{4}",
                            line)
    assert log_dir.is_dir()


def test_fully_connected_feed_defaults_match_tensorflow():
    from tensorweave.examples.tutorials.mnist import fully_connected_feed as program
    flags, unparsed = program.parse_flags(["--extra"])
    assert (flags.learning_rate, flags.max_steps, flags.hidden1, flags.hidden2,
            flags.batch_size, flags.fake_data) == (0.01, 2000, 128, 32, 100, False)
    assert flags.input_data_dir.endswith("tensorflow/mnist/input_data")
    assert flags.log_dir.endswith("tensorflow/mnist/logs/fully_connected_feed")
    assert unparsed == ["--extra"]


def test_mnist_model_names_its_layers():
    import tensorweave as tf
    from tensorweave.examples.tutorials.mnist import mnist
    with tf.Graph().as_default() as graph:
        images = tf.placeholder(tf.float32, [None, mnist.IMAGE_PIXELS])
        labels = tf.placeholder(tf.int32, [None])
        logits = mnist.inference(images, 16, 8)
        loss = mnist.loss(logits, labels)
        mnist.training(loss, 0.1)
        correct = mnist.evaluation(logits, labels)
    names = [v.op.name for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)]
    assert names == ["hidden1/weights", "hidden1/biases", "hidden2/weights", "hidden2/biases",
                     "softmax_linear/weights", "softmax_linear/biases", "global_step"]
    assert logits.shape.as_list() == [None, 10]
    assert correct.dtype == tf.int32
    assert graph.get_collection(tf.GraphKeys.LOSSES) == [loss]


@needs_mnist
def test_intro_program_prints_decreasing_costs():
    out = run_module("tensorweave.examples.tutorials.mnist.intro", "--data_dir", str(MNIST_DIR),
                     "--seed", "4")
    costs = [float(line.split()[1]) for line in out.splitlines() if line.startswith("Cost:")]
    assert len(costs) == 1000
    assert sum(costs[:10]) / 10 > 9  # the post shows 12.67, 11.53, 8.51, ...
    assert sum(costs[-100:]) / 100 < 4.5  # ... and 4.81, 4.24, 3.49, 3.82, 4.21, 3.25 at the end


@needs_mnist
def test_intro_program_is_deterministic_with_a_seed():
    """--seed fixes the initial weights too (the graph seed is set before they are built)."""
    runs = [run_module("tensorweave.examples.tutorials.mnist.intro", "--data_dir",
                       str(MNIST_DIR), "--seed", "7", "--steps", "3") for _ in range(2)]
    assert runs[0] == runs[1] and runs[0].count("Cost:") == 3
