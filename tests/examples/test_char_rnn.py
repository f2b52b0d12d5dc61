"""The character-level language model tutorial (rnn/char_rnn) on a small generated text."""
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

import tensorweave as tf
from tensorweave.examples.tutorials.rnn import char_rnn

REPO = Path(__file__).resolve().parents[2]
PATTERN = "the quick brown fox jumps over the lazy dog. "


def test_char_rnn_learns_a_repeated_pattern(tmp_path):
    """End to end from the command line: the loss falls far below the uniform baseline and
    text sampled at a low temperature follows the pattern. Single-threaded BLAS in a child
    process, as for the other tutorials."""
    path = tmp_path / "input.txt"
    path.write_text(PATTERN * 40, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-m", "tensorweave.examples.tutorials.rnn.char_rnn", str(path),
         "--num_steps", "200", "--seq_length", "20", "--hidden_size", "64", "--num_layers",
         "1", "--batch_size", "16", "--learning_rate", "0.01", "--print_every", "100",
         "--sample_length", "150", "--temperature", "0.5", "--seed", "3"],
        capture_output=True, text=True, env=env, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    vocab = len(set(PATTERN))
    assert lines[0] == (f"{len(PATTERN) * 40} characters, vocabulary of {vocab}; uniform "
                        f"loss {math.log(vocab):.3f}")
    losses = []
    for line in lines[1:3]:
        match = re.fullmatch(r"step (\d+)/200: loss (\d+\.\d{4}), perplexity (\d+\.\d{3}) "
                             r"\(\d+\.\d sec\)", line)
        assert match, line
        losses.append(float(match.group(2)))
        assert abs(float(match.group(3)) - math.exp(losses[-1])) < 2e-3  # exp(loss)
    assert losses[-1] < 0.25 * math.log(vocab)  # uniform guessing: log(vocab) = 3.33
    assert lines[3] == "--- sample ---"
    sampled = "\n".join(lines[4:])
    assert len(sampled) == 151
    repeated = PATTERN * 3
    trigrams = [sampled[i:i + 3] for i in range(len(sampled) - 2)]
    conforming = sum(t in repeated for t in trigrams) / len(trigrams)
    assert conforming >= 0.9, sampled


def test_flags_follow_the_tutorial():
    flags, unparsed = char_rnn.parse_flags(["input.txt", "--unknown", "1"])
    assert flags.input_path == "input.txt" and flags.input_file is None
    assert (flags.num_steps, flags.seq_length, flags.hidden_size, flags.num_layers,
            flags.batch_size, flags.learning_rate, flags.sample_length, flags.seed) == \
        (2000, 50, 128, 2, 32, 0.002, 500, None)
    assert unparsed == ["--unknown", "1"]
    flags, _ = char_rnn.parse_flags(["--input_file", "a.txt", "--cell", "gru"])
    assert flags.input_file == "a.txt" and flags.cell == "gru"


def test_vocabulary_and_windows():
    vocab = char_rnn.Vocabulary("hello")
    assert vocab.chars == ["e", "h", "l", "o"] and len(vocab) == 4
    data = vocab.encode("hellohello")
    assert vocab.decode(data) == "hellohello"
    inputs, targets = char_rnn.random_windows(data, 5, 4, np.random.RandomState(0))
    assert inputs.shape == targets.shape == (5, 4)
    for row_in, row_out in zip(inputs, targets):
        start = next(s for s in range(len(data) - 4) if np.array_equal(data[s:s + 4], row_in))
        np.testing.assert_array_equal(row_out, data[start + 1:start + 5])


def test_sampler_shares_the_trained_weights():
    with tf.Graph().as_default():
        with tf.variable_scope("char_rnn"):
            model = char_rnn.build_model(7, 4, 5, hidden_size=8, num_layers=2)
        trained = [v.name for v in tf.global_variables()]
        with tf.variable_scope("char_rnn", reuse=True):
            sampler = char_rnn.build_model(7, 1, 1, hidden_size=8, num_layers=2,
                                           training=False)
        assert [v.name for v in tf.trainable_variables()] == [
            "char_rnn/embedding:0",
            "char_rnn/rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0",
            "char_rnn/rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias:0",
            "char_rnn/rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel:0",
            "char_rnn/rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias:0",
            "char_rnn/softmax/kernel:0", "char_rnn/softmax/bias:0"]
        assert [v.name for v in tf.global_variables()] == trained  # nothing new
        assert model["logits"].shape.as_list() == [4, 5, 7]
        assert sampler["next_char"].shape.as_list() == [1]
