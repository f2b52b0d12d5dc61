"""The `tf` face the lookup, sets and ragged tests use: tensorweave, with tf.lookup, tf.sets,
tf.ragged and tf.RaggedTensor taken from their modules (whether or not tensorweave/__init__.py
names them yet), and the fixture programs of tests/fixtures/lookup_cases.py.

Importable by name from any test (pytest puts tests/ on sys.path).
"""
import json
import pathlib
import sys
import types

import numpy as np

import tensorweave
from tensorweave import lookup, lookup_ops, ragged, sets
from tensorweave.ops import lookup_ops as lookup_op_types  # noqa: F401 - registers the ops
from tensorweave.ops import set_ops  # noqa: F401 - registers the ops
from tensorweave.ragged import ragged_tensor

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import lookup_cases  # noqa: E402


class _Face(types.ModuleType):
    def __getattr__(self, name):
        return getattr(tensorweave, name)


tf = _Face("tf")
tf.lookup, tf.sets, tf.ragged = lookup, sets, ragged
tf.RaggedTensor = ragged_tensor.RaggedTensor
tf.RaggedTensorSpec = ragged_tensor.RaggedTensorSpec

REFERENCE = json.loads((FIXTURES / "lookup_reference.json").read_text())


def run_case(case, directory):
    lookup_cases.write_files(str(directory))
    return lookup_cases.run_case(tf, lookup_ops, case, str(directory))


def assert_same(ours, theirs, where=""):
    """Fixture values equal (floats to 1e-5 relative)."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and sorted(ours) == sorted(theirs), (where, ours, theirs)
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), (where, ours, theirs)
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(theirs, float):
        assert np.isclose(ours, theirs, rtol=1e-5, atol=1e-6), (where, ours, theirs)
    else:
        assert ours == theirs, (where, ours, theirs)
