"""Iterator checkpoints: make_saveable_from_iterator in a Saver saves an iterator's position
with the variables, and a restored iterator (in a new graph and Session) goes on with the
elements that followed (TF's SerializeIterator / DeserializeIterator)."""
import numpy as np
import pytest

import tensorweave as tf

D = tf.data.Dataset


def _pipeline(make_dataset, initializable=False, contrib=False):
    """A graph with an iterator over make_dataset(), its next element, a Saver holding its
    saveable (through SAVEABLE_OBJECTS) and a variable."""
    graph = tf.Graph()
    with graph.as_default():
        if initializable:
            limit = tf.placeholder(tf.int64, [])
            iterator = make_dataset(limit).make_initializable_iterator()
        else:
            limit, iterator = None, make_dataset().make_one_shot_iterator()
        element = iterator.get_next()
        make = (tf.contrib.data if contrib else tf.data.experimental).make_saveable_from_iterator
        saveable = make(iterator)
        tf.add_to_collection(tf.GraphKeys.SAVEABLE_OBJECTS, saveable)
        v = tf.Variable(1.0, name="v")
        saver = tf.train.Saver()
    return graph, iterator, element, saver, saveable, limit, v


def _values(sess, element, n):
    def plain(value):
        if isinstance(value, tuple):
            return tuple(plain(v) for v in value)
        return np.asarray(value).tolist()
    return [plain(sess.run(element)) for _ in range(n)]


def _save_then_restore(tmp_path, make_dataset, k, n, **kw):
    """(the n elements after the first k in the saving Session, the n elements a restored
    iterator in a new graph and Session gives)."""
    graph, iterator, element, saver, _, limit, _ = _pipeline(make_dataset, **kw)
    with tf.Session(graph=graph) as sess:
        sess.run(tf.variables_initializer(graph.get_collection("variables")))
        if limit is not None:
            sess.run(iterator.initializer, {limit: 12})
        _values(sess, element, k)
        path = saver.save(sess, str(tmp_path / "model"))
        following = _values(sess, element, n)
    graph, iterator, element, saver, _, limit, _ = _pipeline(make_dataset, **kw)
    with tf.Session(graph=graph) as sess:
        if limit is not None:
            sess.run(iterator.initializer, {limit: 12})
        saver.restore(sess, path)
        return following, _values(sess, element, n)


def test_one_shot_range_goes_on_after_restore(tmp_path):
    graph, _, element, saver, saveable, _, _ = _pipeline(lambda: D.range(10), contrib=True)
    assert saveable.name == "OneShotIterator:0"
    assert [s.name for s in saveable.specs] == ["OneShotIterator:0_STATE"]
    assert saveable.specs[0].tensor.op.type == "SerializeIterator"
    with tf.Session(graph=graph) as sess:
        sess.run(tf.variables_initializer(graph.get_collection("variables")))
        assert _values(sess, element, 2) == [0, 1]
        path = saver.save(sess, str(tmp_path / "ckpt"))
    reader = tf.train.NewCheckpointReader(path)
    assert reader.get_variable_to_dtype_map() == {"OneShotIterator:0_STATE": tf.string,
                                                   "v": tf.float32}
    with tf.Session(graph=graph) as sess:
        saver.restore(sess, path)
        assert _values(sess, element, 2) == [2, 3]
        assert sess.run(graph.get_tensor_by_name("v:0")) == 1.0


def test_map_seeded_shuffle_batch_repeat_give_tensorflows_elements(tmp_path):
    """TF 2.15 gives these elements for this pipeline, before and after the restore."""
    def make(limit):
        return D.range(limit).map(lambda v: v * 10).shuffle(5, seed=3).batch(2).repeat(2)
    graph, iterator, element, saver, _, limit, _ = _pipeline(make, initializable=True)
    tf_after = [[70, 30], [60, 50], [80], [30, 40], [20, 60], [50, 10], [70, 80], [0]]
    with tf.Session(graph=graph) as sess:
        sess.run(tf.variables_initializer(graph.get_collection("variables")))
        sess.run(iterator.initializer, {limit: 9})
        assert _values(sess, element, 2) == [[40, 10], [0, 20]]
        path = saver.save(sess, str(tmp_path / "model"))
        assert _values(sess, element, 8) == tf_after
        at_end = saver.save(sess, str(tmp_path / "end"))
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(element)
        saver.restore(sess, path)  # in the same Session too
        assert _values(sess, element, 1) == tf_after[:1]
    with tf.Session(graph=graph) as sess:
        sess.run(iterator.initializer, {limit: 9})
        saver.restore(sess, path)
        assert _values(sess, element, 8) == tf_after
        saver.restore(sess, at_end)
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(element)


@pytest.mark.parametrize("k", [0, 3, 7])
def test_unseeded_shuffles_are_replayed_with_their_seeds(tmp_path, k):
    def make():
        outer = D.range(20).shuffle(8).map(lambda v: v + 1).repeat(2).shuffle(3).batch(3)
        return D.zip((outer, D.range(4).shuffle(4).repeat())).prefetch(2)
    following, restored = _save_then_restore(tmp_path, make, k, 6)
    assert restored == following


def test_interleave_with_inner_unseeded_shuffles(tmp_path):
    """Inner shuffles opened before the save go on in their order; one opened after it draws
    fresh seeds (as in TF, where each function call makes a new unseeded dataset)."""
    def make():
        return D.range(3).interleave(lambda x: D.range(x * 10, x * 10 + 5).shuffle(5),
                                     cycle_length=2, block_length=2)
    following, restored = _save_then_restore(tmp_path, make, 4, 11)
    assert [v for v in restored if v < 20] == [v for v in following if v < 20]
    assert sorted(v for v in restored if v >= 20) == [20, 21, 22, 23, 24]


@pytest.mark.parametrize("make, refused", [
    (lambda: D.range(5).map(lambda v: v + tf.random_uniform([], maxval=3, dtype=tf.int64,
                                                          seed=2)), "RandomUniformInt"),
    (lambda: D.range(5).flat_map(lambda v: D.range(3).map(
        lambda u: tf.cast(u, tf.float32) * tf.random_normal([]))), "RandomStandardNormal"),
    (lambda: D.range(5).map(lambda v: tf.py_func(lambda a: a, [v], tf.int64)), "PyFunc"),
    (lambda: D.from_generator(lambda: iter(range(5)), tf.int64), "PyFunc"),
    (lambda: D.range(5).map(lambda v: tf.Print(v, [v], "v"))
     .shuffle(3).map(lambda v: tf.read_file(tf.as_string(v))), None),
])
def test_random_and_python_functions_keep_the_iterator_from_being_saved(make, refused):
    """As in TF: '<op type> is stateful.' when the Saver saves; Print is allowed."""
    graph, _, element, saver, saveable, _, _ = _pipeline(make)
    with tf.Session(graph=graph) as sess:
        if refused is None:
            assert isinstance(sess.run(saveable.specs[0].tensor), bytes)
            return
        sess.run(element)
        with pytest.raises(tf.errors.FailedPreconditionError, match=f"^{refused} is stateful"):
            sess.run(saveable.specs[0].tensor)


def test_initializable_iterator_with_a_fed_placeholder(tmp_path):
    following, restored = _save_then_restore(
        tmp_path, lambda n: D.range(n).shuffle(6, seed=1).batch(4), 1, 2, initializable=True)
    assert restored == following and len(following[1]) == 4


def test_save_and_restore_need_an_initialized_iterator(tmp_path):
    graph, iterator, element, saver, saveable, limit, _ = _pipeline(
        lambda n: D.range(n), initializable=True)
    with tf.Session(graph=graph) as sess:
        sess.run(tf.variables_initializer(graph.get_collection("variables")))
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match=r"Save\(\) failed because the iterator 'Iterator' has not"):
            saver.save(sess, str(tmp_path / "model"))
        sess.run(iterator.initializer, {limit: 5})
        sess.run(element)
        path = saver.save(sess, str(tmp_path / "model"))
    with tf.Session(graph=graph) as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match=r"Restore\(\) failed because the iterator 'Iterator' has not"):
            saver.restore(sess, path)
        sess.run(iterator.initializer, {limit: 5})
        saver.restore(sess, path)
        assert sess.run(element) == 1


def test_state_is_json_data(tmp_path):
    graph, _, element, _, saveable, _, _ = _pipeline(lambda: D.range(5).shuffle(5))
    with tf.Session(graph=graph) as sess:
        sess.run(element)
        state = sess.run(saveable.specs[0].tensor)
    assert isinstance(state, bytes) and state.startswith(b'{"tensorweave_iterator_state":1,')
    assert b'"consumed":1' in state and b'"ended":false' in state


@pytest.mark.parametrize("state", [
    b"\x80\x04garbage", b"[]", b'{"tensorweave_iterator_state":2,"consumed":1,"ended":false,'
    b'"seeds":[]}', b'{"tensorweave_iterator_state":1,"consumed":-1,"ended":false,"seeds":[]}',
    b'{"tensorweave_iterator_state":1,"consumed":1,"ended":false,"seeds":[[1]]}', b""])
def test_a_corrupt_state_raises_data_loss_naming_the_iterator(tmp_path, state):
    with tf.Graph().as_default():  # a checkpoint whose iterator state is `state`
        fake = tf.Variable(state, name="fake")
        writer = tf.train.Saver({"OneShotIterator:0_STATE": fake})
        with tf.Session() as sess:
            sess.run(fake.initializer)
            path = writer.save(sess, str(tmp_path / "corrupt"))
    graph, _, element, saver, saveable, _, _ = _pipeline(lambda: D.range(5))
    with graph.as_default():
        iterator_only = tf.train.Saver([saveable])
    with tf.Session(graph=graph) as sess:
        sess.run(element)
        with pytest.raises(tf.errors.DataLossError,
                           match="restore iterator 'OneShotIterator' from checkpoint"):
            iterator_only.restore(sess, path)
