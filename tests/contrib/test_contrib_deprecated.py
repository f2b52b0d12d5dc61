"""tf.contrib.deprecated: TF 0.12's summary functions, tags as given (no name-scope prefix)."""
import numpy as np
import pytest

pytest.importorskip("tensorboard")

import tensorweave as tf  # noqa: E402


def _values(serialized):
    summary = tf.Summary()
    summary.ParseFromString(serialized)
    return summary.value


def test_tags_are_used_as_given_and_collected():
    deprecated = tf.contrib.deprecated
    with tf.Graph().as_default():
        with tf.name_scope("layer"):
            loss = deprecated.scalar_summary("loss", tf.constant(0.5))
            pair = deprecated.scalar_summary(["a", "b"], tf.constant([1.0, 2.0]))
            hist = deprecated.histogram_summary("weights", tf.constant([1.0, 2.0, 2.0]))
            image = deprecated.image_summary("img", tf.zeros([2, 3, 3, 1]), max_images=2)
        assert loss.op.name == "layer/ScalarSummary" and loss.op.type == "ScalarSummary"
        assert set(tf.get_collection(tf.GraphKeys.SUMMARIES)) == {loss, pair, hist, image}
        merged = deprecated.merge_all_summaries()
        with tf.Session() as sess:
            values = _values(sess.run(merged))
            assert [v.tag for v in _values(sess.run(loss))] == ["loss"]
    assert [v.tag for v in values] == ["loss", "a", "b", "weights", "img/image/0",
                                       "img/image/1"]
    assert [v.simple_value for v in values[:3]] == [0.5, 1.0, 2.0]
    assert values[3].histo.num == 3


def test_merge_summary_and_empty_collections():
    deprecated = tf.contrib.deprecated
    with tf.Graph().as_default():
        assert deprecated.merge_all_summaries() is None
        a = deprecated.scalar_summary("a", 1.0, collections=[])
        b = deprecated.audio_summary("clip", np.zeros((1, 8), np.float32), 8000)
        merged = deprecated.merge_summary([a, b])
        assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [b]
        with tf.Session() as sess:
            assert [v.tag for v in _values(sess.run(merged))] == ["a", "clip/audio/0"]
        with pytest.raises(ValueError, match="same shape"):
            deprecated.scalar_summary(["a", "b"], tf.constant([1.0, 2.0, 3.0]))
