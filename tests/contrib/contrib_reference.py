"""Shared by the tf.contrib sequence-model tests: TensorFlow's numbers from
tests/fixtures/contrib_sequence_reference.npz and loading its variable values by name."""
import os

import numpy as np

import tensorweave as tf

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures",
                       "contrib_sequence_reference.npz")
REF = dict(np.load(FIXTURE))


def variables_of(case):
    """{variable name: value} TensorFlow's model of `case` was run with."""
    prefix = f"{case}/var/"
    return {k[len(prefix):]: v for k, v in REF.items() if k.startswith(prefix)}


def load_variables(sess, case):
    """Assigns every global variable its value from the fixture; the names must be exactly
    the ones TensorFlow's model has."""
    values = variables_of(case)
    ours = {v.op.name: v for v in tf.global_variables()}
    assert sorted(ours) == sorted(values)
    sess.run([var.assign(values[name]) for name, var in ours.items()])
