"""Reads tests/fixtures/image_color_reference.npz (made by
tests/fixtures/make_image_color_reference.py under TensorFlow) and runs its expressions."""
import pathlib

import numpy as np

import tensorweave as tf

PATH = pathlib.Path(__file__).parent.parent / "fixtures" / "image_color_reference.npz"
REF = dict(np.load(PATH))
INPUTS = {k.split("/", 1)[1]: v for k, v in REF.items() if k.startswith("input/")}


def expected(tag):
    """TF's value (or tuple of values) for case `tag`."""
    if f"case/{tag}" in REF:
        return REF[f"case/{tag}"]
    return tuple(REF[f"case/{tag}/{i}"] for i in range(2))


def cases(prefix=""):
    return sorted(k.split("/", 1)[1] for k in REF if k.startswith("expr/" + prefix))


def run(expr, *, seed=None, runs=1):
    """Evaluates a fixture expression with tf = tensorweave in a fresh graph."""
    with tf.Graph().as_default():
        if seed is not None:
            tf.set_random_seed(seed)
        env = {"tf": tf, **{k: tf.constant(v) for k, v in INPUTS.items()}}
        value = eval(expr, env)  # noqa: S307 - fixture expressions
        with tf.Session() as sess:
            results = [sess.run(value) for _ in range(runs)]
    return results[0] if runs == 1 else results
