"""tf.data sources and transformations: small TF1 programs with known answers."""
import collections
import threading

import numpy as np
import pytest

import tensorweave as tf
from data_helpers import elements, flat_values, scalars

D = tf.data.Dataset


# --- structure -------------------------------------------------------------------------------
def test_output_structure_of_tuples_dicts_and_lists():
    ds = D.from_tensor_slices(({"b": [1, 2], "a": np.zeros((2, 3), np.float64)},
                               [[b"x"], [b"y"]]))
    assert ds.output_types == ({"b": tf.int32, "a": tf.float64}, tf.string)
    assert ds.output_shapes == ({"b": tf.TensorShape([]), "a": tf.TensorShape([3])},
                                tf.TensorShape([1]))
    assert ds.output_classes == ({"b": tf.Tensor, "a": tf.Tensor}, tf.Tensor)
    assert list(ds.output_types[0]) == ["b", "a"]  # the caller's key order is kept
    assert tf.data.get_output_types(ds) == ds.output_types
    assert "shapes: ({b: (), a: (3,)}, (1,))" in repr(ds)


def test_repr_names_tf_1_15s_v1_classes(tmp_path):
    ds = D.from_tensor_slices((np.zeros((4, 784), np.float32), np.zeros((4, 10))))
    assert repr(ds) == ("<DatasetV1Adapter shapes: ((784,), (10,)), "
                        "types: (tf.float32, tf.float64)>")
    assert repr(ds.shuffle(3).repeat().batch(2)) == (
        "<DatasetV1Adapter shapes: ((?, 784), (?, 10)), types: (tf.float32, tf.float64)>")
    assert repr(D.range(3).map(lambda x: x + 1)) == (
        "<DatasetV1Adapter shapes: (), types: tf.int64>")
    path = str(tmp_path / "a.tfrecord")
    assert repr(tf.data.TFRecordDataset([path])) == (
        "<TFRecordDatasetV1 shapes: (), types: tf.string>")
    assert repr(tf.data.TextLineDataset(path)).startswith("<TextLineDatasetV1 shapes: ()")


def test_namedtuple_elements_keep_their_type():
    Point = collections.namedtuple("Point", "x y")
    got = elements(D.from_tensor_slices(Point([1, 2], [3.0, 4.0])).map(
        lambda p: Point(p.x * 10, p.y)))
    assert got == [Point(10, 3.0), Point(20, 4.0)]


def test_from_tensor_slices_checks_the_first_dimensions():
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        D.from_tensor_slices(([1, 2], [1, 2, 3]))
    with pytest.raises(ValueError, match="rank >= 1"):
        D.from_tensor_slices(3.0)


def test_from_tensor_slices_checks_fed_dimensions_at_initialization():
    a = tf.placeholder(tf.float32, [None])
    b = tf.placeholder(tf.float32, [None])
    it = D.from_tensor_slices((a, b)).make_initializable_iterator()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="first dimension"):
            sess.run(it.initializer, {a: [1, 2], b: [1, 2, 3]})


def test_from_tensor_slices_keeps_its_own_copy_of_numpy_data():
    data = np.arange(4.0)
    ds = D.from_tensor_slices(data)
    data[:] = -1
    assert scalars(ds) == [0.0, 1.0, 2.0, 3.0]


class _Column:
    """A stand-in for a pandas Series: converts itself with to_numpy()."""

    def __init__(self, values):
        self.values = np.asarray(values)

    def to_numpy(self):
        return self.values


def test_pandas_like_columns_and_dict_of_columns():
    features = {"SepalLength": _Column([5.1, 4.9]), "Species": _Column(["setosa", "virginica"])}
    ds = D.from_tensor_slices((features, _Column([0, 2])))
    assert ds.output_types == ({"SepalLength": tf.float64, "Species": tf.string}, tf.int64)
    got = elements(ds.batch(2))
    np.testing.assert_array_equal(got[0][0]["Species"], [b"setosa", b"virginica"])
    np.testing.assert_array_equal(got[0][1], [0, 2])


def test_real_pandas_frame():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "label": [0, 1, 0]})
    labels = frame.pop("label")
    got = elements(D.from_tensor_slices((dict(frame), labels)).batch(3))
    np.testing.assert_array_equal(got[0][0]["x"], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(got[0][1], [0, 1, 0])


def test_from_tensors_and_tensors_in_lists():
    x = tf.constant(2.0)
    assert elements(D.from_tensors([x, x * 3]))[0].tolist() == [2.0, 6.0]


# --- sources ---------------------------------------------------------------------------------
@pytest.mark.parametrize("args, expected", [
    ((4,), [0, 1, 2, 3]), ((2, 5), [2, 3, 4]), ((5, 0, -2), [5, 3, 1]), ((3, 3), [])])
def test_range(args, expected):
    ds = D.range(*args)
    assert ds.output_types == tf.int64
    assert scalars(ds) == expected
    assert scalars(D.range(*args).batch(2)) == expected


def test_range_with_a_fed_limit_and_a_zero_step():
    n = tf.placeholder(tf.int64, [])
    assert scalars(D.range(n), initializable=True, feed={n: 3}) == [0, 1, 2]
    with pytest.raises(tf.errors.InvalidArgumentError, match="step must be a non-zero"):
        elements(D.range(0, 5, 0))


def test_zip_stops_at_the_shortest_and_nests():
    ds = D.zip({"a": D.range(3), "b": (D.range(10, 20), D.from_tensor_slices([1.5, 2.5]))})
    assert ds.output_types == {"a": tf.int64, "b": (tf.int64, tf.float32)}
    assert flat_values(ds) == [[0, 10, 1.5], [1, 11, 2.5]]
    assert flat_values(ds.batch(5)) == [[[0, 1], [10, 11], [1.5, 2.5]]]


def test_from_generator_restarts_each_repetition_and_takes_args():
    calls = []

    def gen(n):
        calls.append(int(n))
        for i in range(int(n)):
            yield i, [i] * i

    n = tf.placeholder(tf.int64, [])
    ds = D.from_generator(gen, (tf.int64, tf.int32), (tf.TensorShape([]), tf.TensorShape([None])),
                          args=(n,))
    got = elements(ds.repeat(2), initializable=True, feed={n: 3})
    assert [(int(a), b.tolist()) for a, b in got] == [(0, []), (1, [1]), (2, [2, 2])] * 2
    assert calls == [3, 3]


def test_from_generator_checks_shapes_and_structure():
    ds = D.from_generator(lambda: iter([[1, 2], [1, 2, 3]]), tf.float32, tf.TensorShape([2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape \(3,\)"):
        elements(ds)
    ds = D.from_generator(lambda: iter([(1, 2)]), (tf.int32, tf.int32, tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected 3 components"):
        elements(ds)


# --- transformations -------------------------------------------------------------------------
def test_map_traces_the_function_once_and_unpacks_tuples():
    traced = []

    def fn(a, b):
        traced.append((a.shape.as_list(), b.dtype))
        return {"sum": a + tf.cast(b, tf.float32)}

    ds = D.from_tensor_slices((np.ones((4, 2), np.float32), [1, 2, 3, 4])).map(fn)
    assert ds.output_shapes == {"sum": tf.TensorShape([2])}
    got = elements(ds.repeat(3))
    assert len(got) == 12 and traced == [([2], tf.int32)]
    np.testing.assert_array_equal(got[3]["sum"], [5.0, 5.0])


def test_map_passes_a_dict_as_one_argument_and_a_returned_list_becomes_a_tuple():
    ds = D.from_tensor_slices({"x": [1, 2]}).map(lambda d: [d["x"], d["x"] * 2])
    assert ds.output_types == (tf.int32, tf.int32)
    assert flat_values(ds) == [[1, 2], [2, 4]]


def test_map_captures_placeholders_and_variables_when_initialized():
    scale = tf.placeholder(tf.float32, [])
    v = tf.Variable(10.0)
    ds = D.from_tensor_slices(np.arange(3, dtype=np.float32)).map(lambda x: x * scale + v)
    it = ds.make_initializable_iterator()
    x = it.get_next()
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(it.initializer, {scale: 2.0})
        sess.run(v.assign(100.0))
        # the placeholder's value is read at initialization; the variable's captured snapshot
        # aliases its buffer, which Assign writes in place, as in TF (TF 2.15's compat.v1 with
        # its ref variables gives [100.0, 102.0, 104.0] too)
        assert [sess.run(x) for _ in range(3)] == [100.0, 102.0, 104.0]


def test_map_with_an_outer_tensor_as_first_operand():
    offset = tf.constant(10.0)
    assert scalars(D.from_tensor_slices([1.0, 2.0]).map(lambda x: offset - x)) == [9.0, 8.0]


def test_map_runs_per_chunk_when_ops_are_row_wise():
    ds = D.from_tensor_slices(np.arange(12, dtype=np.float32).reshape(6, 2)).map(
        lambda x: (tf.reshape(x * 2.0 + 1.0, [2, 1]), tf.one_hot(tf.cast(x[0], tf.int32), 3)))
    assert ds._fn.batched() is None  # x[0] (StridedSlice) is not row-wise
    ds = D.from_tensor_slices(np.arange(12, dtype=np.float32).reshape(6, 2)).map(
        lambda x: (tf.reshape(x * 2.0 + 1.0, [2, 1]), tf.expand_dims(tf.cast(x, tf.int32), 0)))
    assert ds._fn.batched() is not None
    per_element = elements(ds)
    batched = elements(ds.batch(4))
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batched]),
                                  np.stack([e[0] for e in per_element]))
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batched]),
                                  np.stack([e[1] for e in per_element]))


def test_map_with_broadcasting_keeps_element_semantics():
    row = tf.constant([1.0, 2.0, 3.0])
    ds = D.from_tensor_slices([1.0, 2.0]).map(lambda x: x * row)  # scalar * vector per element
    assert ds._fn.batched() is None
    np.testing.assert_array_equal(elements(ds.batch(2))[0], [[1, 2, 3], [2, 4, 6]])
    ds = D.from_tensor_slices(np.ones((2, 3), np.float32)).map(lambda x: x * row)
    assert ds._fn.batched() is not None
    np.testing.assert_array_equal(elements(ds.batch(2))[0], [[1, 2, 3], [1, 2, 3]])


def test_map_with_a_reduction_runs_per_element_under_batch():
    ds = D.from_tensor_slices(np.arange(6.0).reshape(3, 2)).map(tf.reduce_sum).batch(3)
    assert elements(ds)[0].tolist() == [1.0, 5.0, 9.0]


def test_map_with_random_ops_draws_per_element_and_follows_the_graph_seed():
    def run(graph_seed):
        with tf.Graph().as_default():
            tf.set_random_seed(graph_seed)
            ds = D.range(6).map(lambda x: tf.random_uniform([])).batch(6)
            return elements(ds)[0]
    first, again, other = run(1), run(1), run(2)
    assert len(set(first.tolist())) == 6
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_map_errors_name_the_get_next_op():
    ds = D.from_tensor_slices(["1", "x"]).map(lambda s: tf.decode_csv(s, [[0]])[0])
    next_element = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert sess.run(next_element) == 1
        with pytest.raises(tf.errors.InvalidArgumentError, match="not a valid int32: x") as e:
            sess.run(next_element)
    assert "IteratorGetNext" in str(e.value)


def test_filter_checks_its_predicate_and_works_by_chunk():
    with pytest.raises(ValueError, match="scalar boolean"):
        D.range(3).filter(lambda x: x)
    ds = D.range(20).filter(lambda x: tf.logical_and(tf.equal(x % 2, 0), x > 5))
    assert ds._fn.batched() is not None
    assert scalars(ds.batch(4)) == [6, 8, 10, 12, 14, 16, 18]
    assert scalars(ds) == [6, 8, 10, 12, 14, 16, 18]


def test_flat_map_and_interleave_capture_the_element_and_outer_tensors():
    k = tf.placeholder(tf.int64, [])
    ds = D.range(1, 4).flat_map(lambda x: D.range(x).map(lambda y: y * k + x))
    assert scalars(ds, initializable=True, feed={k: 10}) == [1, 2, 12, 3, 13, 23]
    ds = D.from_tensor_slices([[1, 2], [3, 4]]).interleave(
        lambda v: D.from_tensor_slices(v), cycle_length=2)
    assert scalars(ds) == [1, 3, 2, 4]
    assert scalars(ds.batch(3)) == [1, 3, 2, 4]


def test_batch_with_a_fed_size_and_ragged_elements():
    n = tf.placeholder(tf.int64, [])
    ds = D.range(5).batch(n)
    assert ds.output_shapes == tf.TensorShape([None])
    got = elements(ds, initializable=True, feed={n: 2})
    assert [b.tolist() for b in got] == [[0, 1], [2, 3], [4]]
    ragged = D.range(1, 4).map(lambda x: tf.range(x)).batch(2)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Cannot batch tensors with different shapes in component 0"):
        elements(ragged)


def test_padded_batch_errors_when_an_element_is_longer_than_its_padded_shape():
    ds = D.range(1, 4).map(lambda x: tf.range(x)).padded_batch(3, padded_shapes=[2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="pad to a smaller size"):
        elements(ds)


def test_padded_batch_of_strings_pads_with_empty_strings():
    ds = D.from_generator(lambda: iter([["a"], ["b", "c"]]), tf.string, tf.TensorShape([None]))
    got = elements(ds.padded_batch(2, padded_shapes=[None]))[0]
    assert got.tolist() == [[b"a", b""], [b"b", b"c"]]


def test_padded_batch_padding_values_may_be_tensors_read_at_initialization():
    # tensorflow/nmt pads with the eos id looked up in a table: a Tensor, known only at run time
    with tf.Graph().as_default():
        eos = tf.placeholder(tf.int32, [])
        ds = D.from_generator(lambda: iter([[1], [2, 3]]), tf.int32, tf.TensorShape([None]))
        ds = ds.map(lambda x: (x, tf.size(x))).padded_batch(
            2, padded_shapes=([None], []), padding_values=(eos, 0))
        it = ds.make_initializable_iterator()
        batch = it.get_next()
        with tf.Session() as sess:
            sess.run(it.initializer, {eos: 9})
            got, lengths = sess.run(batch)
            assert got.tolist() == [[1, 9], [2, 3]] and lengths.tolist() == [1, 2]
        with pytest.raises(TypeError, match="does not match output type: int32"):
            ds.padded_batch(1, padding_values=(tf.constant(1.0), 0))
        with pytest.raises(ValueError, match="should be a scalar"):
            ds.padded_batch(1, padding_values=(tf.constant([1, 2]), 0))


def test_repeat_take_skip_with_edge_counts():
    assert scalars(D.range(3).repeat(0)) == []
    assert scalars(D.range(0).repeat()) == []  # an empty epoch ends an endless repeat
    assert scalars(D.range(2).repeat().take(5)) == [0, 1, 0, 1, 0]
    assert scalars(D.range(5).skip(10)) == []
    assert scalars(D.range(5).take(0)) == []


def test_cache_reads_its_input_once(tmp_path):
    calls = []

    def gen():
        calls.append(1)
        yield from range(3)

    ds = D.from_generator(gen, tf.int64, tf.TensorShape([])).cache().repeat(3)
    assert scalars(ds) == [0, 1, 2] * 3
    assert len(calls) == 1
    path = str(tmp_path / "cache")
    ds = D.from_generator(gen, tf.int64, tf.TensorShape([])).cache(path)
    assert scalars(ds.batch(2)) == [0, 1, 2]
    assert scalars(ds) == [0, 1, 2]  # a new session reads the file
    assert len(calls) == 2


def test_prefetch_keeps_order_and_passes_errors_on():
    ds = D.range(50).map(lambda x: x * 2).batch(7).prefetch(2)
    assert scalars(ds) == list(range(0, 100, 2))
    bad = D.from_tensor_slices(["1", "2", "x", "4"]).map(
        lambda s: tf.decode_csv(s, [[0]])[0]).prefetch(1)
    next_element = bad.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert [sess.run(next_element) for _ in range(2)] == [1, 2]
        with pytest.raises(tf.errors.InvalidArgumentError, match="not a valid int32"):
            sess.run(next_element)


def test_prefetch_threads_end_with_the_session():
    before = threading.active_count()
    it = D.range(10 ** 6).prefetch(4).make_initializable_iterator()
    x = it.get_next()
    with tf.Session() as sess:
        sess.run(it.initializer)
        sess.run(x)
        sess.run(it.initializer)
        sess.run(x)
    for _ in range(50):
        if threading.active_count() <= before:
            break
        threading.Event().wait(0.05)
    assert threading.active_count() <= before


def test_concatenate_unbatch_shard_apply_enumerate():
    with pytest.raises(TypeError, match="different types"):
        D.range(2).concatenate(D.from_tensor_slices([1.0]))
    ds = D.from_tensor_slices(np.zeros((2, 3))).concatenate(D.from_tensor_slices(np.ones((1, 4))))
    assert ds.output_shapes == tf.TensorShape([None])
    assert scalars(D.range(7).batch(3).unbatch().batch(2)) == list(range(7))
    assert scalars(D.range(9).shard(4, 1)) == [1, 5]
    assert scalars(D.range(6).apply(lambda d: d.skip(4))) == [4, 5]
    with pytest.raises(TypeError, match="must return a Dataset"):
        D.range(3).apply(lambda d: 3)
    assert flat_values(D.range(5, 7).enumerate()) == [[0, 5], [1, 6]]


def test_experimental_transformations():
    ds = D.range(4).apply(tf.data.experimental.map_and_batch(lambda x: x + 1, 3))
    assert scalars(ds) == [1, 2, 3, 4]
    ds = D.range(4).apply(tf.data.experimental.shuffle_and_repeat(10, count=2, seed=3))
    got = scalars(ds)
    assert sorted(got[:4]) == sorted(got[4:]) == [0, 1, 2, 3]
    ds = D.range(6).batch(4).apply(tf.data.experimental.unbatch())
    assert scalars(ds) == list(range(6))


def test_a_dataset_is_not_iterable_in_graph_mode():
    with pytest.raises(RuntimeError, match="eager"):
        iter(D.range(3))


def test_window_components_are_datasets_flat_mapped_into_batches():
    # DRMALEK's time-series lesson: window(21, shift=1, drop_remainder=True).flat_map(batch)
    # (the lists below are what TF 2.15's compat.v1 gives for the same pipelines)
    with tf.Graph().as_default():
        short = D.range(7).window(3, shift=2).flat_map(lambda w: w.batch(3))
        strided = D.range(10).window(4, shift=1, stride=2, drop_remainder=True) \
            .flat_map(lambda w: w.batch(4))
        pairs = D.from_tensor_slices(([1, 2, 3, 4, 5], [10., 20., 30., 40., 50.])).window(2) \
            .flat_map(lambda a, b: D.zip((a.batch(2), b.batch(2))))
        series = D.from_tensor_slices(np.arange(6.0, dtype=np.float32)) \
            .window(3, shift=1, drop_remainder=True).flat_map(lambda w: w.batch(3)) \
            .map(lambda w: (w[:-1], w[-1]))
        assert short.output_shapes == tf.TensorShape([None])
        assert series.output_shapes == (tf.TensorShape([None]), tf.TensorShape([]))
        got = [elements(d) for d in (short, strided, pairs, series)]
    assert [e.tolist() for e in got[0]] == [[0, 1, 2], [2, 3, 4], [4, 5, 6], [6]]
    assert [e.tolist() for e in got[1]] == [[0, 2, 4, 6], [1, 3, 5, 7], [2, 4, 6, 8],
                                            [3, 5, 7, 9]]
    assert [[c.tolist() for c in e] for e in got[2]] == [
        [[1, 2], [10.0, 20.0]], [[3, 4], [30.0, 40.0]], [[5], [50.0]]]
    assert [(x.tolist(), float(y)) for x, y in got[3]] == [
        ([0.0, 1.0], 2.0), ([1.0, 2.0], 3.0), ([2.0, 3.0], 4.0), ([3.0, 4.0], 5.0)]


def test_window_arguments_must_be_positive():
    with tf.Graph().as_default():
        it = D.range(3).window(2, shift=0).flat_map(lambda w: w).make_one_shot_iterator()
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="shift"):
                sess.run(it.get_next())
