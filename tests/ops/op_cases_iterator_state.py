"""Op table rows for SerializeIterator and DeserializeIterator (ops/iterator.py): an iterator's
position as a scalar string, and putting an iterator back at a saved position. Behaviour with
tf.train.Saver in depth: tests/data/test_iterator_saveable.py."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import iterator as iterator_ops


def _check_iterator_state_ops():
    """The serialized state of an iterator over a seeded shuffle is a scalar string; feeding it
    back after more elements puts the iterator where it was; a corrupt state is DataLossError
    and an iterator not yet started is FailedPreconditionError."""
    graph = tf.Graph()
    with graph.as_default():
        limit = tf.placeholder(tf.int64, [])
        iterator = tf.data.Dataset.range(limit).shuffle(4, seed=2).batch(2) \
            .make_initializable_iterator()
        x = iterator.get_next()
        handle = iterator.string_handle()
        state = iterator_ops.serialize_iterator(handle)
        fed = tf.placeholder(tf.string, [])
        restore = iterator_ops.deserialize_iterator(handle, fed)
    assert state.op.type == "SerializeIterator" and state.dtype is tf.string
    assert state.shape.as_list() == [] and restore.type == "DeserializeIterator"
    assert len(restore.outputs) == 0
    with tf.Session(graph=graph) as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="not been initialized"):
            sess.run(state)
        sess.run(iterator.initializer, {limit: 7})
        sess.run(x)
        saved = sess.run(state)
        assert isinstance(saved, bytes)
        following = [sess.run(x) for _ in range(3)]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(x)
        assert sess.run(restore, {fed: saved}) is None
        for want in following:
            np.testing.assert_array_equal(sess.run(x), want)
        with pytest.raises(tf.errors.DataLossError, match="iterator 'Iterator'"):
            sess.run(restore, {fed: saved[:-3]})


SESSION_CASES = {
    "SerializeIterator": _check_iterator_state_ops,
    "DeserializeIterator": _check_iterator_state_ops,
}
