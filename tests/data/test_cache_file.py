"""Dataset.cache(filename): the file `<filename>.tw-cache` holds plain arrays only, is checked
when read (a damaged one is DataLossError naming it, one written for other element types is
InvalidArgumentError as in TensorFlow) and is reused by later programs."""
import io
import pickle
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import tensorweave as tf
from data_helpers import elements, flat_values

D = tf.data.Dataset


class _CreatesFile:
    """Unpickling this creates `path`: a stand-in for code a planted pickle would run."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return open, (self.path, "w")


def numbers(n=5):
    return D.range(n)


def never_called():
    raise AssertionError("the cache file was not used")
    yield  # pragma: no cover


# --- refusing what is not a sound cache -------------------------------------------------------
def test_a_planted_pickle_runs_no_code(tmp_path):
    marker = tmp_path / "marker"
    cache = tmp_path / "data"
    (tmp_path / "data.tw-cache").write_bytes(pickle.dumps([_CreatesFile(str(marker))]))
    with pytest.raises(tf.errors.DataLossError, match="data.tw-cache") as info:
        elements(numbers().cache(str(cache)))
    assert not marker.exists()
    assert str(tmp_path / "data.tw-cache") in str(info.value)


def npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def valid_cache(tmp_path):
    """The bytes of a sound cache of numbers()."""
    elements(numbers().cache(str(tmp_path / "valid")))
    return (tmp_path / "valid.tw-cache").read_bytes()


def damaged_caches(tmp_path):
    good = valid_cache(tmp_path)
    with np.load(io.BytesIO(good)) as z:
        arrays = dict(z)
    compressed = io.BytesIO()
    np.savez_compressed(compressed, **arrays)
    huge = io.BytesIO()
    with zipfile.ZipFile(huge, "w") as archive:
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, {"descr": "<i8", "fortran_order": False, "shape": (1 << 33,)})
        archive.writestr("c0.data.npy", header.getvalue() + b"\0" * 8)
    flipped = bytearray(good)
    flipped[len(good) // 3] ^= 0xFF
    return {
        "random bytes": b"\x93NUMPY not really" * 10,
        "truncated": good[:len(good) // 2],
        "a flipped byte": bytes(flipped),
        "an object array": npz_bytes(**{**arrays, "c0.data": np.array([1, "x"], object)}),
        "a compressed member": compressed.getvalue(),
        "a 64 GiB member": huge.getvalue(),
        "another format": npz_bytes(**{**arrays, "format": np.frombuffer(b"other", np.uint8)}),
        "too few values": npz_bytes(**{**arrays, "c0.data": arrays["c0.data"][:-1]}),
        "negative dims": npz_bytes(**{**arrays, "c0.dims": -arrays["c0.dims"] - 1}),
        "a missing array": npz_bytes(**{k: v for k, v in arrays.items() if k != "c0.ranks"}),
    }


@pytest.mark.parametrize("case", ["random bytes", "truncated", "a flipped byte",
                                  "an object array", "a compressed member", "a 64 GiB member",
                                  "another format", "too few values", "negative dims",
                                  "a missing array"])
def test_damaged_caches_are_data_loss(tmp_path, case):
    content = damaged_caches(tmp_path)[case]
    (tmp_path / "data.tw-cache").write_bytes(content)
    with pytest.raises(tf.errors.DataLossError, match="data.tw-cache"):
        elements(numbers().cache(str(tmp_path / "data")))


def test_a_cache_of_other_types_is_invalid_argument(tmp_path):
    path = str(tmp_path / "data")
    elements(numbers().cache(path))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Data type mismatch at component 0: expected float32 but got int64"):
        elements(numbers().map(lambda x: tf.cast(x, tf.float32)).cache(path))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"1 component\(s\), the dataset.s have 2"):
        elements(numbers().map(lambda x: (x, x)).cache(path))
    with pytest.raises(tf.errors.InvalidArgumentError, match="string"):
        elements(D.from_tensor_slices(["a", "b"]).cache(path))
    with pytest.raises(tf.errors.InvalidArgumentError, match="shape"):
        elements(numbers().map(lambda x: tf.fill([2], x)).cache(path))


# --- round trips --------------------------------------------------------------------------------
PROGRAM = textwrap.dedent("""
    import sys
    import numpy as np
    import tensorweave as tf

    def source():
        if sys.argv[2] == "read":
            raise AssertionError("the cache file was not used")
        for i in range(5):
            yield (np.arange(i, dtype=np.float32), ("x" * i).encode())

    slices = tf.data.Dataset.from_tensor_slices(
        {"id": np.arange(6), "pair": (np.eye(6, 2, dtype=np.float64),
                                      np.array([b"a", b"", "\\u00fc".encode(), b"\\0", b"e", b"f"],
                                               dtype=object))})
    ragged = tf.data.Dataset.from_generator(source, (tf.float32, tf.string),
                                            (tf.TensorShape([None]), tf.TensorShape([])))
    if sys.argv[2] == "read":
        slices = slices.map(lambda e: {"id": e["id"] * 0 - 1, "pair": e["pair"]})
    out = []
    for ds in (slices.cache(sys.argv[1] + "-slices").batch(4),
               ragged.cache(sys.argv[1] + "-ragged")):
        next_element = ds.make_one_shot_iterator().get_next()
        with tf.Session() as sess:
            while True:
                try:
                    out.append(repr(sess.run(next_element)))
                except tf.errors.OutOfRangeError:
                    break
    print("\\n".join(out))
""")


def test_a_cache_round_trips_between_programs(tmp_path):
    script = tmp_path / "program.py"
    script.write_text(PROGRAM)
    prefix = str(tmp_path / "cached")

    def run(mode):
        done = subprocess.run([sys.executable, str(script), prefix, mode], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    written = run("write")
    assert "array([b'a', b'', b'\\xc3\\xbc', b'\\x00']" in written
    assert run("read") == written  # the second program reads only the files


def test_the_cache_is_reused_by_a_new_session_of_the_same_program(tmp_path):
    path = str(tmp_path / "c")
    made = D.from_generator(lambda: iter([np.ones((1, 2)), np.zeros((3, 2))]), tf.float64,
                            tf.TensorShape([None, 2]))
    first = flat_values(made.cache(path))
    again = flat_values(D.from_generator(never_called, tf.float64,
                                         tf.TensorShape([None, 2])).cache(path))
    assert again == first == [[[[1.0, 1.0]]], [[[0.0, 0.0]] * 3]]


def test_an_empty_dataset_round_trips(tmp_path):
    path = str(tmp_path / "empty")
    assert elements(numbers(0).cache(path)) == []
    assert elements(D.from_generator(never_called, tf.int64, tf.TensorShape([]))
                    .cache(path)) == []
