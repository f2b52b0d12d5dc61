"""TF-slim programs (tests/fixtures/slim_cases.py) against what TensorFlow with tf_slim (the
TF 1.15 contrib code) gives: variable names, shapes and collections, and the numbers before
and after training; checkpoints written by TensorFlow restore into the same slim model."""
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import slim_cases as cases  # noqa: E402

REFERENCE = np.load(FIXTURES / "slim_reference.npz")
CHECKPOINT = str(FIXTURES / "slim_checkpoint" / "model.ckpt")
slim = tf.contrib.slim


def reference(program):
    prefix = program + "/"
    return {k[len(prefix):]: REFERENCE[k] for k in REFERENCE.files if k.startswith(prefix)}


_RESULTS = {}


def results(program):
    """The program's results on tensorweave (run once per test session)."""
    if program not in _RESULTS:
        _RESULTS[program] = cases.run(tf, slim, tf.contrib.layers, cases.PROGRAMS[program])
    return _RESULTS[program]


_COUNTS = ("update_ops", "regularization_losses", "losses")


@pytest.mark.parametrize("program", sorted(cases.PROGRAMS))
def test_program_variables_match_tf_slim(program):
    expected, got = reference(program), results(program)
    assert list(got["variables"]) == list(expected["variables"])
    for key in _COUNTS:
        assert int(got[key]) == int(expected[key]), key
    if "tensor_names" in expected:
        assert list(got["tensor_names"]) == list(expected["tensor_names"])


@pytest.mark.parametrize("program", sorted(cases.PROGRAMS))
def test_program_numbers_match_tf_slim(program):
    expected, got = reference(program), results(program)
    assert sorted(got) == sorted(expected)
    for key, value in expected.items():
        if value.dtype.kind in "fiub" and key not in _COUNTS + ("tensor_names",):
            np.testing.assert_allclose(got[key], value, rtol=2e-4, atol=2e-5, err_msg=key)


def test_vgg16_variable_names_and_end_points_match_tf_slim():
    with tf.Graph().as_default():
        _, end_points = cases.vgg16_body(tf, slim)
        assert cases.variable_specs(tf) == list(REFERENCE["vgg16/variables"])
        assert list(end_points) == list(REFERENCE["vgg16/end_points"])
        assert [str(t.shape.as_list()) for t in end_points.values()] == \
            list(REFERENCE["vgg16/end_point_shapes"])


def _vgg_after_restore(restore):
    with tf.Graph().as_default() as graph:
        program = cases.vgg(tf, slim, tf.contrib.layers)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            restore(sess)
            return sess.run(program["after"], program["feeds"])


def _assert_after_equals_reference(values):
    for key, value in values.items():
        np.testing.assert_allclose(value, REFERENCE[f"checkpoint/{key}"], rtol=1e-6,
                                   err_msg=key)


def test_tensorflow_checkpoint_restores_with_saver():
    _assert_after_equals_reference(
        _vgg_after_restore(lambda sess: tf.train.Saver().restore(sess, CHECKPOINT)))


def test_tensorflow_checkpoint_restores_with_assign_from_checkpoint_fn():
    def restore(sess):
        init_fn = slim.assign_from_checkpoint_fn(CHECKPOINT, slim.get_model_variables())
        init_fn(sess)
    _assert_after_equals_reference(_vgg_after_restore(restore))


def test_assign_from_checkpoint_leaves_excluded_scopes_alone():
    def restore(sess):
        chosen = slim.get_variables_to_restore(exclude=["fc8"])
        assert not any(v.op.name.startswith("fc8") for v in chosen)
        assign_op, feed = slim.assign_from_checkpoint(CHECKPOINT, chosen)
        sess.run(assign_op, feed)
    values = _vgg_after_restore(restore)
    np.testing.assert_allclose(values["mean"], REFERENCE["checkpoint/mean"], rtol=1e-6)
    assert not np.allclose(values["fc8"], REFERENCE["checkpoint/fc8"])


def test_tensorweave_checkpoint_round_trips_with_slim_names(tmp_path):
    path = str(tmp_path / "model.ckpt")
    with tf.Graph().as_default() as graph:
        program = cases.vgg(tf, slim, tf.contrib.layers)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            cases.assign_values(tf, sess)
            op, steps = program["train"]
            for _ in range(steps):
                sess.run(op, program["feeds"])
            tf.train.Saver().save(sess, path)
            saved = sess.run(program["after"], program["feeds"])
    names = {name for name, _ in tf.train.list_variables(path)}
    expected = {spec.split("|")[0] for spec in REFERENCE["vgg/variables"]}
    assert names == expected
    restored = _vgg_after_restore(lambda sess: tf.train.Saver().restore(sess, path))
    for key, value in saved.items():
        np.testing.assert_array_equal(restored[key], value)


def test_assign_from_checkpoint_errors():
    with tf.Graph().as_default():
        v = slim.model_variable("not_in_checkpoint", shape=[2])
        with pytest.raises(ValueError, match=r"Checkpoint is missing variable "
                                             r"\[not_in_checkpoint\]"):
            slim.assign_from_checkpoint(CHECKPOINT, [v])
        op, feed = slim.assign_from_checkpoint(CHECKPOINT, [v], ignore_missing_vars=True)
        assert feed == {}
        assert slim.assign_from_checkpoint_fn(CHECKPOINT, [v], ignore_missing_vars=True) is None
        with pytest.raises(ValueError, match="var_list cannot be empty"):
            slim.assign_from_checkpoint_fn(CHECKPOINT, [])
