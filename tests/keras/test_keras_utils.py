"""tf.keras.utils additions: Sequence and the enqueuers, HDF5Matrix, model_to_dot/plot_model
(pydot), get_source_inputs."""
import sys
import threading
import time
import types

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.keras.utils import data_utils, io_utils, layer_utils, vis_utils


class Squares(data_utils.Sequence):
    def __init__(self, n=7, fail_at=None, delay=0.0):
        self.n, self.fail_at, self.delay = n, fail_at, delay
        self.epochs = 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise RuntimeError(f"bad batch {i}")
        if self.delay:
            time.sleep(self.delay * (self.n - i))  # later batches finish first
        return i * i + 100 * self.epochs

    def on_epoch_end(self):
        self.epochs += 1


def take(generator, count):
    return [next(generator) for _ in range(count)]


def test_sequence_iterates_in_order():
    assert list(Squares(4)) == [0, 1, 4, 9]
    assert isinstance(Squares(), tf.keras.utils.Sequence)
    with pytest.raises(NotImplementedError):
        len(tf.keras.utils.Sequence())


def test_ordered_enqueuer_keeps_order_across_workers_and_epochs():
    seq = Squares(5, delay=0.002)
    enqueuer = tf.keras.utils.OrderedEnqueuer(seq)
    enqueuer.start(workers=3, max_queue_size=4)
    try:
        got = take(enqueuer.get(), 10)
    finally:
        enqueuer.stop()
    assert got[:5] == [0, 1, 4, 9, 16]
    assert got[5:] == [100, 101, 104, 109, 116]  # on_epoch_end ran between the epochs
    assert not enqueuer.is_running()


def test_ordered_enqueuer_shuffles_each_epoch():
    enqueuer = tf.keras.utils.OrderedEnqueuer(Squares(30), shuffle=True)
    enqueuer.start(workers=2)
    try:
        got = take(enqueuer.get(), 30)
    finally:
        enqueuer.stop()
    assert sorted(got) == [i * i for i in range(30)] and got != sorted(got)


def test_ordered_enqueuer_raises_a_workers_error():
    enqueuer = tf.keras.utils.OrderedEnqueuer(Squares(5, fail_at=2))
    enqueuer.start(workers=2)
    generator = enqueuer.get()
    try:
        assert take(generator, 2) == [0, 1]
        with pytest.raises(RuntimeError, match="bad batch 2"):
            next(generator)
    finally:
        enqueuer.stop()


def test_generator_enqueuer_until_exhausted_and_errors():
    lock = threading.Lock()
    drawn = []

    def numbers(n):
        for i in range(n):
            with lock:
                drawn.append(i)
            yield i

    enqueuer = tf.keras.utils.GeneratorEnqueuer(numbers(20))
    enqueuer.start(workers=3, max_queue_size=5)
    got = list(enqueuer.get())
    enqueuer.stop()
    assert sorted(got) == list(range(20)) and drawn == list(range(20))

    def broken():
        yield 1
        raise ValueError("generator broke")

    enqueuer = tf.keras.utils.GeneratorEnqueuer(broken())
    enqueuer.start()
    generator = enqueuer.get()
    assert next(generator) == 1
    with pytest.raises(ValueError, match="generator broke"):
        next(generator)
    enqueuer.stop()


def test_stop_ends_blocked_workers():
    def forever():
        while True:
            yield 0

    enqueuer = tf.keras.utils.GeneratorEnqueuer(forever())
    enqueuer.start(workers=2, max_queue_size=2)
    assert next(enqueuer.get()) == 0
    enqueuer.stop(timeout=5)
    assert not enqueuer.is_running()


# --- HDF5Matrix --------------------------------------------------------------------------------
def test_hdf5_matrix(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = str(tmp_path / "data.h5")
    values = np.arange(60, dtype=np.float32).reshape(20, 3)
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=values)
    matrix = tf.keras.utils.HDF5Matrix(path, "x", start=5, end=15, normalizer=lambda v: v * 2)
    assert len(matrix) == 10 and matrix.shape == (10, 3) and matrix.dtype == np.float32
    assert matrix.ndim == 2 and matrix.size == 30
    np.testing.assert_array_equal(matrix[0], values[5] * 2)
    np.testing.assert_array_equal(matrix[2:4], values[7:9] * 2)
    np.testing.assert_array_equal(matrix[:], values[5:15] * 2)
    np.testing.assert_array_equal(matrix[[0, 3]], values[[5, 8]] * 2)
    np.testing.assert_array_equal(matrix[np.array([1, 2])], values[[6, 7]] * 2)
    for bad in (10, slice(0, 11), [9, 10], np.array([10]), "x"):
        with pytest.raises(IndexError):
            matrix[bad]
    whole = io_utils.HDF5Matrix(path, "x")
    assert whole.shape == (20, 3)


# --- get_source_inputs ---------------------------------------------------------------------------
def test_get_source_inputs_walks_the_layer_history():
    with tf.Graph().as_default():
        a = tf.keras.Input(shape=(3,), name="a")
        b = tf.keras.Input(shape=(2,), name="b")
        ha = tf.keras.layers.Dense(4)(a)
        hb = tf.keras.layers.Dense(4)(b)
        merged = tf.keras.layers.add([ha, hb])
        out = tf.keras.layers.Dense(1)(tf.keras.layers.add([merged, ha]))
        sources = layer_utils.get_source_inputs(out)
        assert len(sources) == 2 and sources[0] is a and sources[1] is b
        assert layer_utils.get_source_inputs(a) == [a]
        plain = tf.constant([1.0])
        assert layer_utils.get_source_inputs(plain) is plain


# --- plot_model ----------------------------------------------------------------------------------
def small_model():
    inputs = tf.keras.Input(shape=(3,), name="features")
    hidden = tf.keras.layers.Dense(4, name="hidden")(inputs)
    return tf.keras.Model(inputs, tf.keras.layers.Dense(1, name="score")(hidden))


def test_model_to_dot_needs_pydot(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with tf.Graph().as_default():
        with pytest.raises(ImportError, match="Failed to import pydot"):
            tf.keras.utils.model_to_dot(small_model())


def fake_pydot():
    """A stand-in for pydot recording what model_to_dot builds (pydot itself is optional)."""
    module = types.ModuleType("pydot")

    class Node:
        def __init__(self, name, label=""):
            self.name, self.label = name, label

    class Edge:
        def __init__(self, src, dst):
            self.src, self.dst = src, dst

    class Dot:
        def __init__(self):
            self.nodes, self.edges, self.attrs = [], [], {}

        def set(self, key, value):
            self.attrs[key] = value

        def set_node_defaults(self, **kwargs):
            self.attrs.update(kwargs)

        def add_node(self, node):
            self.nodes.append(node)

        def add_edge(self, edge):
            self.edges.append(edge)

        def write(self, path, format="raw"):
            with open(path, "w") as f:
                f.write(f"{format}:{len(self.nodes)}:{len(self.edges)}")

    module.Node, module.Edge, module.Dot = Node, Edge, Dot
    return module


def test_model_to_dot_and_plot_model(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pydot", fake_pydot())
    with tf.Graph().as_default():
        model = small_model()
        dot = vis_utils.model_to_dot(model, show_shapes=True, rankdir="LR")
        labels = [n.label for n in dot.nodes]
        assert [label.split("\n")[0] for label in labels] == [
            "features: InputLayer", "hidden: Dense", "score: Dense"]
        assert "(None, 4)" in labels[1] and dot.attrs["rankdir"] == "LR"
        ids = {n.label.split(":")[0]: n.name for n in dot.nodes}
        assert {(e.src, e.dst) for e in dot.edges} == {
            (ids["features"], ids["hidden"]), (ids["hidden"], ids["score"])}
        tf.keras.utils.plot_model(model, to_file=str(tmp_path / "m.svg"))
        assert (tmp_path / "m.svg").read_text() == "svg:3:2"


@pytest.mark.skipif("pydot" not in sys.modules and __import__("importlib").util.find_spec(
    "pydot") is None, reason="pydot is not installed")
def test_model_to_dot_with_real_pydot():
    with tf.Graph().as_default():
        dot = tf.keras.utils.model_to_dot(small_model())
        assert len(dot.get_nodes()) >= 3
