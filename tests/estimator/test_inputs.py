"""tf.estimator.inputs.numpy_input_fn and pandas_input_fn: batches, epochs, partial last
batch, shuffling, structure and errors."""
import numpy as np
import pytest

import tensorweave as tf


def _drain(input_fn, seed=None):
    """Every batch input_fn yields, as NumPy values, until OutOfRangeError."""
    with tf.Graph().as_default():
        if seed is not None:
            tf.set_random_seed(seed)
        batch = input_fn()
        out = []
        with tf.Session() as sess:
            try:
                while True:
                    out.append(sess.run(batch))
            except tf.errors.OutOfRangeError:
                pass
    return out


def test_batches_in_order_with_a_partial_last_batch():
    x = {"a": np.arange(10, dtype=np.float32), "b": np.arange(20).reshape(10, 2)}
    y = np.arange(10, 20)
    fn = tf.estimator.inputs.numpy_input_fn(x, y, batch_size=4, shuffle=False)
    batches = _drain(fn)
    assert [len(t) for _, t in batches] == [4, 4, 2]
    features, target = batches[0]
    assert sorted(features) == ["a", "b"]
    np.testing.assert_array_equal(features["a"], [0, 1, 2, 3])
    np.testing.assert_array_equal(features["b"], [[0, 1], [2, 3], [4, 5], [6, 7]])
    np.testing.assert_array_equal(np.concatenate([t for _, t in batches]), y)
    assert features["a"].dtype == np.float32 and target.dtype == np.int64


def test_static_shapes_and_dtypes_follow_the_arrays():
    fn = tf.estimator.inputs.numpy_input_fn({"img": np.zeros((6, 28, 28), np.float32)},
                                            np.zeros(6, np.int32), batch_size=4, shuffle=False)
    with tf.Graph().as_default():
        features, target = fn()
        assert features["img"].shape.as_list() == [None, 28, 28]
        assert features["img"].dtype == tf.float32 and target.dtype == tf.int32


def test_num_epochs_repeats_every_example_exactly():
    x = np.arange(7)
    fn = tf.estimator.inputs.numpy_input_fn(x, batch_size=3, num_epochs=3, shuffle=False)
    batches = _drain(fn)
    assert [len(b) for b in batches] == [3] * 7  # 21 examples, so no partial batch
    np.testing.assert_array_equal(np.concatenate(batches), np.tile(x, 3))


def test_zero_epochs_give_no_batch_as_tf_feeding_functions_do():
    # TF's _get_integer_indices_for_next_batch raises OutOfRange once epoch >= num_epochs,
    # so num_epochs=0 (a tutorial's typo for None) is no error, just an empty input.
    for shuffle in (False, True):
        fn = tf.estimator.inputs.numpy_input_fn({"x": np.arange(4.0)}, np.arange(4.0),
                                                batch_size=4, num_epochs=0, shuffle=shuffle)
        assert _drain(fn) == []


def test_array_x_gives_a_tensor_and_dict_y_gives_a_dict():
    fn = tf.estimator.inputs.numpy_input_fn(np.arange(4.0), {"t1": np.arange(4),
                                                              "t2": -np.arange(4)},
                                            batch_size=4, shuffle=False)
    [(features, target)] = _drain(fn)
    np.testing.assert_array_equal(features, [0.0, 1.0, 2.0, 3.0])
    assert sorted(target) == ["t1", "t2"]
    np.testing.assert_array_equal(target["t2"], [0, -1, -2, -3])


def test_shuffle_is_a_permutation_per_epoch_and_seeded_by_the_graph_seed():
    x = np.arange(50)
    fn = tf.estimator.inputs.numpy_input_fn(x, batch_size=8, num_epochs=2, shuffle=True,
                                            queue_capacity=20)
    first = np.concatenate(_drain(fn, seed=3))
    again = np.concatenate(_drain(fn, seed=3))
    other = np.concatenate(_drain(fn, seed=4))
    assert len(first) == 100
    np.testing.assert_array_equal(np.sort(first), np.sort(np.tile(x, 2)))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert not np.array_equal(first[:50], x)


def test_infinite_epochs_keep_going():
    fn = tf.estimator.inputs.numpy_input_fn(np.arange(3), batch_size=2, num_epochs=None,
                                            shuffle=False)
    with tf.Graph().as_default():
        batch = fn()
        with tf.Session() as sess:
            got = [sess.run(batch).tolist() for _ in range(4)]
    assert got == [[0, 1], [2, 0], [1, 2], [0, 1]]


def test_errors():
    with pytest.raises(ValueError, match="shuffle must be provided and explicitly set as "
                                         "boolean"):
        tf.estimator.inputs.numpy_input_fn(np.arange(3))
    bad = tf.estimator.inputs.numpy_input_fn([1, 2], shuffle=False)
    with pytest.raises(TypeError, match="x must be a dict or array; got list"):
        bad()
    mismatched = tf.estimator.inputs.numpy_input_fn({"a": np.arange(3)}, np.arange(4),
                                                    shuffle=False)
    with pytest.raises(ValueError, match="Length of tensors in x and y is mismatched"):
        mismatched()
    duplicate = tf.estimator.inputs.numpy_input_fn({"a": np.arange(3)}, {"a": np.arange(3)},
                                                   shuffle=False)
    with pytest.raises(ValueError, match="1 duplicate keys are found in both x and y"):
        duplicate()


def test_pandas_input_fn():
    pd = pytest.importorskip("pandas")
    x = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["u", "v", "w"]}, index=[5, 6, 7])
    y = pd.Series([0, 1, 0], index=[5, 6, 7])
    fn = tf.estimator.inputs.pandas_input_fn(x, y, batch_size=2, shuffle=False)
    batches = _drain(fn)
    features, target = batches[0]
    assert sorted(features) == ["a", "b"] and list(features["b"]) == [b"u", b"v"]
    assert [len(t) for _, t in batches] == [2, 1]
    with pytest.raises(ValueError, match="Index for x and y are mismatched"):
        tf.estimator.inputs.pandas_input_fn(x, pd.Series([0, 1, 0]), shuffle=False)
    with pytest.raises(ValueError, match="Cannot use name a for target column"):
        tf.estimator.inputs.pandas_input_fn(x, y, shuffle=False, target_column="a")


def test_pandas_input_fn_without_pandas_says_so():
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(TypeError, match="pandas_input_fn should not be called without "
                                            "pandas installed"):
            tf.estimator.inputs.pandas_input_fn(None, shuffle=False)
    else:
        pytest.skip("pandas is installed")
