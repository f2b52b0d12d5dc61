"""tf.data's named constants and Options (typed, merged and compared as in TensorFlow)."""
import pytest

import tensorweave as tf


def test_constants():
    assert tf.data.AUTOTUNE == tf.data.experimental.AUTOTUNE == -1
    assert tf.data.INFINITE_CARDINALITY == -1
    assert tf.data.UNKNOWN_CARDINALITY == -2


def test_options_are_typed_and_none_until_set():
    options = tf.data.Options()
    assert options.deterministic is None and options.experimental_slack is None
    assert options.threading.private_threadpool_size is None
    assert isinstance(options.threading, tf.data.ThreadingOptions)
    assert options.experimental_optimization.map_fusion is None
    with pytest.raises(AttributeError, match="Cannot set the property foo on Options"):
        options.foo = 1
    with pytest.raises(TypeError, match="experimental_slack"):
        options.experimental_slack = 3
    with pytest.raises(TypeError, match="private_threadpool_size"):
        options.threading.private_threadpool_size = True
    options.experimental_deterministic = False
    assert options.deterministic is False
    options.experimental_threading.max_intra_op_parallelism = 1
    assert options.threading.max_intra_op_parallelism == 1


def test_merge_and_equality():
    first, second = tf.data.Options(), tf.data.Options()
    assert first == second
    second.threading.private_threadpool_size = 4
    first.experimental_optimization.map_fusion = True
    assert first != second
    merged = first.merge(second)
    assert merged.threading.private_threadpool_size == 4
    assert merged.experimental_optimization.map_fusion is True
    assert first.threading.private_threadpool_size is None  # merge makes a new object
    third = tf.data.Options()
    third.threading.private_threadpool_size = 8
    assert merged.merge(third).threading.private_threadpool_size == 8
    with pytest.raises(TypeError):
        first.merge({"deterministic": True})


def test_with_options_merges_into_the_pipelines_options_and_keeps_elements():
    dataset = tf.data.Dataset.range(5)
    first = tf.data.Options()
    first.experimental_deterministic = False
    second = tf.data.Options()
    second.experimental_threading.private_threadpool_size = 2
    optioned = dataset.with_options(first).map(lambda x: x * 2).with_options(second)
    options = optioned.options()
    assert options.experimental_deterministic is False
    assert options.experimental_threading.private_threadpool_size == 2
    assert dataset.options() == tf.data.Options()
    with tf.Session() as sess:
        get = tf.data.make_one_shot_iterator(optioned).get_next()
        assert [sess.run(get) for _ in range(5)] == [0, 2, 4, 6, 8]
