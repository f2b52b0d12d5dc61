"""Behaviour of nn ops beyond the op table: label and target range errors, relu's shared
zeros."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import nn_ops


@pytest.mark.parametrize("bad", [4, -1])
def test_in_top_k_names_the_target_out_of_range(bad):
    predictions = tf.constant(np.ones((3, 4), np.float32))
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match=r"targets\[1\] is out of range"):
        sess.run(tf.nn.in_top_k(predictions, tf.constant([0, bad, 1]), 1))


@pytest.mark.parametrize("bad", [10, -1])
def test_sparse_cross_entropy_names_the_label_out_of_range(bad):
    logits = tf.constant(np.zeros((3, 10), np.float32))
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([0, bad, 1]),
                                                          logits=logits)
    message = rf"Received a label value of {bad} which is outside the valid range of \[0, 10\)"
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match=message):
        sess.run(loss)


def test_relu_outputs_are_fresh_arrays_and_its_zeros_stay_zero():
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (), (0, 5), (70000,), (2, 3, 4), (200, 1000)]  # the buffer grows twice
    for dtype in (np.float32, np.float64, np.float16):
        for shape in shapes:
            x = np.asarray(rng.standard_normal(shape), dtype)
            out = nn_ops._relu_kernel(x)
            np.testing.assert_array_equal(out, np.maximum(x, 0))
            assert out.dtype == dtype and out.shape == shape
            if shape:
                out[...] = 7  # the caller owns its output
            assert not nn_ops._zeros_to_read(x).any()
    with pytest.raises(ValueError, match="read-only"):
        nn_ops._zeros_to_read(np.ones(3, np.float32))[0] = 1


def test_relu_keeps_a_bounded_number_of_zero_views():
    kept = nn_ops._zero_view.cache_info().maxsize
    for n in range(1, 3 * kept):
        nn_ops._relu_kernel(np.ones(n, np.float32))
    assert nn_ops._zero_view.cache_info().currsize <= kept


def test_relu_zeros_are_read_only_without_mmap_flags_too(monkeypatch):
    import types
    monkeypatch.setattr(nn_ops, "mmap", types.SimpleNamespace())  # as on Windows
    zeros = np.frombuffer(nn_ops._zero_memory(1 << 12), np.float32)
    assert not zeros.any() and not zeros.flags.writeable
