"""The TensorFlow reference of tests/fixtures/keras_cases.py (make_keras_reference.py) and
comparisons against it."""
import json
import os
import sys

import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "fixtures")
sys.path.insert(0, FIXTURES)
import keras_cases as cases  # noqa: E402,F401

with open(os.path.join(FIXTURES, "keras_reference.json")) as _f:
    PLAIN = json.load(_f)
with np.load(os.path.join(FIXTURES, "keras_reference.npz")) as _z:
    ARRAYS = dict(_z)


def reference(prefix):
    """(arrays under prefix/, JSON part) of one recorded result."""
    parts = prefix.split("/")
    plain = PLAIN
    for p in parts:
        plain = plain[p]
    arrays = {k[len(prefix) + 1:]: v for k, v in ARRAYS.items() if k.startswith(prefix + "/")}
    return arrays, plain


_CELL_SCOPES = ("/simple_rnn_cell/", "/lstm_cell/", "/gru_cell/")


def tf115_name(name):
    """The reference's variable name as TF 1.15 gives it: TF 2.x builds an RNN's cell in a
    scope of the cell's name (lstm/lstm_cell/kernel), TF 1.15 does not (lstm/kernel)."""
    for scope in _CELL_SCOPES:
        name = name.replace(scope, "/")
    return name


def assert_matches(result, prefix, rtol=1e-5, atol=1e-6, skip=()):
    """Every value of result equals the reference's (arrays to rtol/atol, the rest exactly,
    floats in lists to rtol)."""
    ref_arrays, ref_plain = reference(prefix)
    got_arrays, got_plain = cases.split(result)
    assert sorted(got_arrays) == sorted(ref_arrays), prefix
    for key, want in ref_arrays.items():
        if key in skip:
            continue
        got = got_arrays[key]
        assert got.shape == want.shape, (prefix, key, got.shape, want.shape)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"{prefix}/{key}")
    for key, want in ref_plain.items():
        if key in skip:
            continue
        if key == "weight_names":
            want = [tf115_name(n) for n in want]
        _close(got_plain.get(key), want, rtol, atol, f"{prefix}/{key}")


def _close(got, want, rtol, atol, where):
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), (where, got, want)
        for k in want:
            _close(got[k], want[k], rtol, atol, f"{where}/{k}")
    elif isinstance(want, list) and want and isinstance(want[0], float):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=where)
    elif isinstance(want, float):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=where)
    else:
        assert got == want, (where, got, want)
