"""Stateful random ops draw TensorFlow's own numbers: the seeded programs of
tests/fixtures/random_cases.py against TensorFlow's values (fixtures/random_reference.npz,
written by make_random_reference.py), run after run in one Session. Exact, except float32
and float16 normals, which may differ by 2 units in the last place (TensorFlow's float32 log,
sin and cos are the C library's, not correctly rounded), and the candidate samplers' float32
expected counts (1 unit: the C library's float32 log1p and expm1)."""
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from random_cases import CASES, RUNS, outputs  # noqa: E402

REFERENCE = np.load(FIXTURES / "random_reference.npz")


def _run(program, graph_seed):
    with tf.Graph().as_default():
        if graph_seed is not None:
            tf.set_random_seed(graph_seed)
        fetches = outputs(tf, program)
        with tf.Session() as sess:
            return [sess.run(fetches) for _ in range(RUNS)]


def _ulps(a, b):
    if a.dtype == np.float16:
        a, b = a.astype(np.float32), b.astype(np.float32)
        scale = np.float32(2 ** -10)
    else:
        scale = np.finfo(a.dtype).eps
    spacing = np.maximum(np.abs(b), np.finfo(a.dtype).tiny) * scale
    return np.abs(a.astype(np.float64) - b.astype(np.float64)) / spacing


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_tensorflow(name):
    graph_seed, program = CASES[name]
    runs = _run(program, graph_seed)
    for run, values in enumerate(runs):
        for i, value in enumerate(values):
            expected = REFERENCE[f"{name}/{run}/{i}"]
            value = np.asarray(value)
            assert value.dtype == expected.dtype and value.shape == expected.shape
            if name.startswith(("normal_", "truncated_", "stateless_truncated_")) and \
                    expected.dtype != np.float64:
                assert _ulps(value, expected).max(initial=0) <= 2.0, (run, i)
            elif name.startswith("sampler_") and i > 0:
                assert _ulps(value, expected).max(initial=0) <= 1.0, (run, i)
            else:
                np.testing.assert_array_equal(value, expected, err_msg=f"run {run} output {i}")
