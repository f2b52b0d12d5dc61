"""The TensorFlow reference of tests/fixtures/keras_layers_f_cases.py
(make_keras_layers_f_reference.py) and comparisons against it."""
import json
import os
import sys

import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "fixtures")
sys.path.insert(0, FIXTURES)
import keras_layers_f_cases as cases  # noqa: E402,F401

with open(os.path.join(FIXTURES, "keras_layers_f_reference.json")) as _f:
    PLAIN = json.load(_f)
with np.load(os.path.join(FIXTURES, "keras_layers_f_reference.npz")) as _z:
    ARRAYS = dict(_z)


def assert_matches(result, prefix, rtol=1e-5, atol=1e-6, skip=()):
    """Every value of `result` equals the reference's: arrays to rtol/atol, lists of floats to
    rtol, the rest exactly."""
    got_arrays, got_plain = cases.split(result)
    want_arrays = {k[len(prefix) + 1:]: v for k, v in ARRAYS.items()
                   if k.startswith(prefix + "/")}
    assert sorted(got_arrays) == sorted(want_arrays), prefix
    for key, want in want_arrays.items():
        got = got_arrays[key]
        assert got.shape == want.shape, (prefix, key, got.shape, want.shape)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"{prefix}/{key}")
    want_plain = PLAIN[prefix]
    assert sorted(k for k in got_plain if k not in skip) == \
        sorted(k for k in want_plain if k not in skip), prefix
    for key, want in want_plain.items():
        if key in skip:
            continue
        got = got_plain[key]
        if isinstance(want, list) and want and isinstance(want[0], float):
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=key)
        else:
            assert got == want, (prefix, key, got, want)
