"""The Iris data, tf.keras.utils.get_file, and the premade/custom Estimator programs."""
import hashlib
import re

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.examples.get_started import custom_estimator, iris_data, premade_estimator


def test_iris_files_match_tensorflows():
    train_path, test_path = iris_data.maybe_download()
    with open(train_path) as f:
        assert f.readline().strip() == "120,4,setosa,versicolor,virginica"
    # md5 of TF's iris_training.csv / iris_test.csv as shipped (LF line ends)
    assert hashlib.md5(open(train_path, "rb").read()).hexdigest() == \
        "b522e13521ffde008d6b2c94a89a508b"
    assert hashlib.md5(open(test_path, "rb").read()).hexdigest() == \
        "dfe6b853c962619dc914387aeed91e4b"
    (train_x, train_y), (test_x, test_y) = iris_data.load_data()
    assert list(train_x.keys()) == iris_data.CSV_COLUMN_NAMES[:4]
    assert len(train_y) == 120 and len(test_y) == 30
    assert np.bincount(np.concatenate([train_y, test_y])).tolist() == [50, 50, 50]
    np.testing.assert_allclose([train_x[k][0] for k in train_x.keys()], [6.4, 2.8, 5.6, 2.2])


def test_csv_input_fn_parses_rows():
    with tf.Graph().as_default():
        features, labels = iris_data.csv_input_fn(iris_data.maybe_download()[1], 30) \
            .make_one_shot_iterator().get_next()
        with tf.Session() as sess:
            f, y = sess.run([features, labels])
    assert sorted(y.tolist()) == sorted(iris_data.load_data()[1][1].tolist())
    assert f["SepalLength"].dtype == np.float32


def test_get_file_caches_and_checks_hashes(tmp_path):
    source = tmp_path / "src.csv"
    source.write_bytes(b"1,2\n")
    origin = source.as_uri()
    good = hashlib.sha256(b"1,2\n").hexdigest()
    path = tf.keras.utils.get_file("copy.csv", origin, file_hash=good,
                                   cache_dir=str(tmp_path / "cache"))
    assert path == str(tmp_path / "cache" / "datasets" / "copy.csv")
    source.write_bytes(b"changed")  # cached: not fetched again
    assert open(tf.keras.utils.get_file("copy.csv", origin, cache_dir=str(
        tmp_path / "cache")), "rb").read() == b"1,2\n"
    with pytest.raises(ValueError, match="md5 file hash does not match"):
        tf.keras.utils.get_file("other.csv", origin, md5_hash="0" * 32,
                                cache_dir=str(tmp_path / "cache"))
    with pytest.raises(Exception, match="URL fetch failure"):
        tf.keras.utils.get_file("missing.csv", (tmp_path / "nope").as_uri(),
                                cache_dir=str(tmp_path / "cache"))


@pytest.mark.parametrize("program", [premade_estimator, custom_estimator],
                         ids=["premade", "custom"])
def test_program_prints_accuracy_and_predictions(program, tmp_path, capsys):
    with tf.Graph().as_default():
        program.main(["prog", "--train_steps=1000", f"--model_dir={tmp_path}", "--seed=3"])
    out = capsys.readouterr().out
    accuracy = float(re.search(r"Test set accuracy: (0\.\d{3})", out).group(1))
    assert accuracy >= 0.9
    predicted = re.findall(r'Prediction is "(\w+)" \((\d+\.\d)%\), expected "(\w+)"', out)
    assert len(predicted) == 3
    assert all(got == expected for got, _, expected in predicted)
