"""Helpers shared by the checkpoint tests (tests/lib, tests/train): a value of every dtype,
variables made from such values, and a small model saved at several steps.

Importable by name from any test (pytest puts tests/, the root conftest's folder, on sys.path).
"""
import numpy as np

import tensorweave as tf

VALUES = {
    "float16": np.array([1.5, -2.25, 65504], np.float16),
    "float32": np.arange(6, dtype=np.float32).reshape(2, 3) / 3,
    "float64": np.array([[np.pi], [-np.inf]]),
    "int8": np.array([-128, 127], np.int8),
    "int16": np.array([-32768, 32767], np.int16),
    "int32": np.array(-7, np.int32),
    "int64": np.array([2 ** 62, -(2 ** 63)], np.int64),
    "uint8": np.array([[0, 255]], np.uint8),
    "uint16": np.array([65535], np.uint16),
    "uint32": np.array([2 ** 32 - 1], np.uint32),
    "uint64": np.array([2 ** 64 - 1], np.uint64),
    "bool": np.array([True, False, True]),
    "complex64": np.array([1 + 2j], np.complex64),
    "complex128": np.array([[-1j, 2.5]], np.complex128),
    "string": np.array([b"a", b"", "\u00fc".encode(), b"\x00" * 3], dtype=object),
}
"""One value of each dtype, keyed by the dtype's name, with the extremes of each range."""


def make_variables(values, scope=None):
    """Variables named after `values`' keys (under `scope`), initialized to zeros/empties; a
    key naming a dtype gives the variable that dtype."""
    made = {}
    for name, value in values.items():
        dtype = tf.as_dtype(name if name in VALUES else value.dtype)
        zero = np.zeros(value.shape, dtype.as_numpy_dtype) if dtype is not tf.string else \
            np.full(value.shape, b"", dtype=object)
        full = f"{scope}/{name}" if scope else name
        made[name] = tf.Variable(zero, dtype=dtype, name=full)
    return made


def assign_all(sess, variables, values):
    for name, var in variables.items():
        var.load(values[name], sess)


def small_model():
    """w: float32 [2, 3] = arange(6) and layer/b: float32 [3] = zeros."""
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
    with tf.variable_scope("layer"):
        b = tf.get_variable("b", [3], initializer=tf.zeros_initializer())
    return w, b


def save_steps(directory, steps, prefix="m", **saver_args):
    """Builds small_model, saves it to `directory/prefix-<step>` for each of `steps` with a
    `tf.train.Saver(**saver_args)` and returns that saver."""
    small_model()
    saver = tf.train.Saver(**saver_args)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in steps:
            saver.save(sess, str(directory / prefix), global_step=step, write_meta_graph=False)
    return saver
