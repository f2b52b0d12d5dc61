"""tf.keras.preprocessing (image, sequence, text) against TensorFlow's: the programs of
tests/fixtures/keras_preprocessing_cases.py run here and their results are compared with those
TF 2.15's tf.keras.preprocessing gave (make_keras_preprocessing_reference.py)."""
import json
import os
import sys

import numpy as np
import pytest

import tensorweave as tf

pytest.importorskip("PIL")
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
sys.path.insert(0, FIXTURES)
import keras_preprocessing_cases as cases  # noqa: E402

pre = tf.keras.preprocessing
REFERENCE = np.load(os.path.join(FIXTURES, "keras_preprocessing_reference.npz"))


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    return cases.run_all(pre.image, pre.sequence, pre.text, str(tmp_path_factory.mktemp("pre")))


def test_every_reference_result_is_produced(ours):
    assert set(ours) == set(REFERENCE.files)


# TF 1.15 (Keras-Preprocessing 1.1) gave sparse directory labels as int32; Keras 2.x casts
# them to the float dtype.
TF1_DTYPES = {"dir_sparse_y": np.int32, "dir_subset_y": np.int32}


@pytest.mark.parametrize("name", sorted(REFERENCE.files))
def test_matches_tensorflow(ours, name):
    expected, got = REFERENCE[name], ours[name]
    if name in TF1_DTYPES:
        assert got.dtype == TF1_DTYPES[name]
        expected = expected.astype(TF1_DTYPES[name])
    if expected.dtype.kind == "U" and expected.ndim == 0:  # JSON text
        assert json.loads(str(got)) == json.loads(str(expected))
        return
    assert got.shape == expected.shape, name
    if expected.dtype == object or expected.dtype.kind == "U":
        assert got.tolist() == expected.tolist()
        return
    assert got.dtype == expected.dtype, (name, got.dtype, expected.dtype)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4, err_msg=name)


# --- errors and edge cases as TensorFlow raises them ------------------------------------------
def test_pad_sequences_errors():
    seq = pre.sequence
    with pytest.raises(ValueError, match='Padding type "middle" not understood'):
        seq.pad_sequences([[1, 2]], padding="middle")
    with pytest.raises(ValueError, match='Truncating type "x" not understood'):
        seq.pad_sequences([[1, 2, 3]], maxlen=2, truncating="x")
    with pytest.raises(ValueError, match="must be a list of iterables"):
        seq.pad_sequences([1, 2])
    with pytest.raises(ValueError, match="is not compatible with `value`'s type"):
        seq.pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match="is different from expected shape"):
        seq.pad_sequences([[[1, 2]], [[1, 2, 3]]])


def test_timeseries_generator_errors_and_config():
    seq = pre.sequence
    with pytest.raises(ValueError, match="Data and targets have to be of same length"):
        seq.TimeseriesGenerator(np.zeros(5), np.zeros(4), length=2)
    with pytest.raises(ValueError, match="is disallowed"):
        seq.TimeseriesGenerator(np.zeros(5), np.zeros(5), length=5)
    gen = seq.TimeseriesGenerator(np.arange(10), np.arange(10), length=2, batch_size=3)
    assert isinstance(gen, tf.keras.utils.Sequence)
    config = json.loads(gen.to_json())["config"]
    assert json.loads(config["data"]) == list(range(10)) and config["start_index"] == 0


def test_tokenizer_errors():
    text = pre.text
    with pytest.raises(ValueError, match="Specify a dimension"):
        text.Tokenizer().texts_to_matrix(["a"])
    with pytest.raises(ValueError, match="Fit the Tokenizer"):
        text.Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        text.Tokenizer(bogus=1)
    tok = text.Tokenizer(nb_words=3)
    assert tok.num_words == 3
    tok.fit_on_texts(["a b"])
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        tok.texts_to_matrix(["a"], mode="nope")


def test_one_hot_is_hashing_in_range():
    values = pre.text.one_hot("one two three two", 5)
    assert len(values) == 4 and all(1 <= v < 5 for v in values) and values[1] == values[3]


def test_image_generator_errors(tmp_path):
    image = pre.image
    with pytest.raises(ValueError, match="`data_format` should be"):
        image.ImageDataGenerator(data_format="nchw")
    with pytest.raises(ValueError, match="`zoom_range` should be a float"):
        image.ImageDataGenerator(zoom_range=(1, 2, 3))
    with pytest.raises(ValueError, match="`validation_split` must be strictly between"):
        image.ImageDataGenerator(validation_split=1.5)
    with pytest.raises(ValueError, match="`brightness_range should be tuple"):
        image.ImageDataGenerator(brightness_range=0.5)
    gen = image.ImageDataGenerator()
    with pytest.raises(ValueError, match="should have rank 4"):
        gen.fit(np.zeros((2, 3, 3)))
    with pytest.raises(ValueError, match="should have the same length"):
        gen.flow(np.zeros((2, 3, 3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="Expected image array to have rank 3"):
        image.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="Invalid interpolation method"):
        image.save_img(str(tmp_path / "a.png"), np.ones((4, 4, 3)))
        image.load_img(str(tmp_path / "a.png"), target_size=(2, 2), interpolation="cubic")


def test_flow_saves_augmented_images(tmp_path):
    gen = pre.image.ImageDataGenerator(rotation_range=10)
    x = cases.images(n=3)
    batch = next(gen.flow(x, batch_size=3, seed=1, save_to_dir=str(tmp_path),
                          save_prefix="aug", save_format="png"))
    assert batch.shape == x.shape
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".png"] * 3


def test_flow_feeds_fit_generator_style_iteration():
    gen = pre.image.ImageDataGenerator(horizontal_flip=True)
    flow = gen.flow(cases.images(n=5), np.arange(5), batch_size=2, shuffle=False)
    sizes = [len(next(flow)[1]) for _ in range(4)]
    assert sizes == [2, 2, 1, 2] and len(flow) == 3


def test_utils_aliases():
    assert tf.keras.utils.pad_sequences is pre.sequence.pad_sequences
    assert tf.keras.utils.array_to_img is pre.image.array_to_img
    assert tf.keras.utils.load_img is pre.image.load_img
