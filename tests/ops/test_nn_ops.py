"""Behaviour of nn ops beyond the op table: label and target range errors."""
import numpy as np
import pytest

import tensorweave as tf


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
