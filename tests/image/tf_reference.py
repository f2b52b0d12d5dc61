"""Runs the programs of tests/fixtures/image_cases.py on tensorweave and compares them with
TensorFlow's numbers in tests/fixtures/image_reference.npz (make_image_reference.py)."""
import pathlib
import sys

import numpy as np

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import image_cases  # noqa: E402

REFERENCE = np.load(FIXTURES / "image_reference.npz")


def names(prefix):
    return [n for n in image_cases.CASES if n.startswith(prefix)]


def expected(name):
    count = len([k for k in REFERENCE.files if k.startswith(name + "/")])
    return [REFERENCE[f"{name}/{i}"] for i in range(count)]


def run(name):
    """The case's values computed by tensorweave."""
    env = {"tf": tf, "np": np, "I": image_cases.I, "F": image_cases.files(),
           "grad": image_cases.grad, "nms_padded": image_cases.nms_padded,
           "shaped": image_cases.shaped}
    with tf.Graph().as_default():
        result = eval(image_cases.CASES[name], env)  # noqa: S307 - our own case table
        results = list(result) if isinstance(result, (tuple, list)) else [result]
        with tf.Session() as sess:
            return sess.run(results)


def check(name, rtol=1e-5, atol=1e-4):
    """Values, dtypes and shapes of case `name` as TensorFlow's."""
    if f"{name}/error" in REFERENCE.files:
        message = str(REFERENCE[f"{name}/error"]).split("\n")
        text = [line for line in message if line.strip() and "[[" not in line][-1]
        try:
            run(name)
        except tf.errors.OpError as e:
            assert type(e).__name__ == message[0].split(":")[0], name
            assert text.strip() in e.message, f"{name}: {e.message!r}, TF says {text!r}"
            return None
        raise AssertionError(f"{name}: TensorFlow raises {text!r}")
    got, want = run(name), expected(name)
    assert len(got) == len(want), name
    for g, w in zip(got, want):
        g = np.asarray(g)
        assert g.dtype == w.dtype, f"{name}: dtype {g.dtype}, TF gives {w.dtype}"
        assert g.shape == w.shape, f"{name}: shape {g.shape}, TF gives {w.shape}"
        if w.dtype.kind == "f":
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, err_msg=name)
        else:
            np.testing.assert_array_equal(g, w, err_msg=name)
    return got
