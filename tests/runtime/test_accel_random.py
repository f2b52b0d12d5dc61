"""runtime/accel/random_blocks.py: the random ops' blocked draws give the reference kernels'
numbers bit for bit (ops/philox.py), in one block and in many shared with helper threads."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import philox
from tensorweave.runtime import accel
from tensorweave.runtime.accel import draws_ahead, random_blocks

DRAWS = [(random_blocks.uniform_from, philox.uniform_from),
         (random_blocks.normal_from, philox.normal_from),
         (random_blocks.truncated_normal_from, philox.truncated_normal_from)]
COUNTERS = [0, (1 << 64) - 5, (1 << 128) - 3, 12345 << 64 | 77]  # carries and wrap-around


def _same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got.reshape(-1).view(np.uint8), want.reshape(-1).view(np.uint8))


@pytest.fixture(params=["one block", "many blocks and threads"])
def blocks(request, monkeypatch):
    if request.param != "one block":
        monkeypatch.setattr(random_blocks, "BLOCK", 100)
        monkeypatch.setattr(random_blocks, "SHARED_ABOVE", 0)


@pytest.fixture(params=["numpy rounds", "randomgen"])
def engine(request, monkeypatch):
    """The Philox calls computed by the NumPy rounds, or by randomgen (from 3 calls a block)."""
    if request.param == "randomgen":
        if random_blocks.philox_engine() is None:
            pytest.skip("randomgen is not installed")
        monkeypatch.setattr(random_blocks, "ENGINE_FROM", 3)
    else:
        monkeypatch.setattr(random_blocks, "philox_engine", lambda: None)


def test_engine_words_are_the_reference_calls():
    if random_blocks.philox_engine() is None:
        pytest.skip("randomgen is not installed")
    for counter in COUNTERS:
        stream = philox.Stream((0xDEADBEEF, 0x12345678), counter)
        for start, count in [(0, 1), (5, 300), (7, 1)]:
            words = random_blocks.engine_words(stream, start, count)
            np.testing.assert_array_equal(words.astype(np.uint32),
                                          stream.words(4 * count, start=start))


@pytest.mark.parametrize("fast, reference", DRAWS, ids=["uniform", "normal", "truncated"])
@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64])
def test_draws_are_the_reference_numbers(fast, reference, dtype, blocks, engine):
    for counter in COUNTERS:
        stream = philox.Stream((0xDEADBEEF, 0x12345678), counter)
        for shape in [(), (0,), (1,), (3,), (5, 7), (1001,), (4, 1003)]:
            _same_bits(fast(stream, shape, dtype), reference(stream, shape, dtype))


def test_box_muller_on_every_input():
    """Every one of the 2**23 angles and radii a float32 Box-Muller pair can take."""
    words = np.arange(1 << 23, dtype=np.uint32)
    pairs = np.stack([words, words[::-1] | np.uint32(0x5A800000)], axis=1).reshape(-1)
    stream_words = pairs.reshape(-1, 4)  # as calls: (w0, w1) and (w2, w3) are the pairs
    block = random_blocks.Block(stream_words.shape[0])
    n = stream_words.shape[0]
    block.even, block.odd = stream_words[:, 0::2].T.copy(), stream_words[:, 1::2].T.copy()
    out = np.empty((n, 2, 2), np.float32)
    random_blocks.box_muller(block, n, out)
    first, second = philox.box_muller32(pairs[0::2], pairs[1::2])
    _same_bits(out.reshape(-1), np.stack([first, second], axis=1).reshape(-1))


def _session_draws(accel_on, graph_seed=7):
    with tf.Graph().as_default():
        tf.set_random_seed(graph_seed)
        outs = [tf.random_uniform([300, 7]), tf.random_normal([5, 301], dtype=tf.float16),
                tf.truncated_normal([1234]), tf.random_normal([6], dtype=tf.float64),
                tf.random.stateless_uniform([77], seed=[3, 4]),
                tf.random.stateless_normal([3, 33], seed=[5, 6]),
                tf.random.stateless_truncated_normal([2, 50], seed=[7, 8])]
        with tf.Session(config=tf.ConfigProto(accel=None if accel_on else False)) as sess:
            return [sess.run(outs) for _ in range(2)]


def test_sessions_with_and_without_variants_agree(engine):
    for got_run, want_run in zip(_session_draws(True), _session_draws(False)):
        for got, want in zip(got_run, want_run):
            _same_bits(got, want)


def test_variants_chosen_for_single_precision_only():
    with tf.Graph().as_default():
        single = tf.random_normal([3], dtype=tf.float32)
        double = tf.random_normal([3], dtype=tf.float64)
        uniform = tf.random_uniform([3], dtype=tf.float64)
    ops = [t.op.inputs[0].op.inputs[0].op for t in (single, double, uniform)]
    assert [op.type for op in ops] == ["RandomStandardNormal"] * 2 + ["RandomUniform"]
    assert accel.variant_for(ops[0]) is not None
    assert accel.variant_for(ops[1]) is None
    assert accel.variant_for(ops[2]) is not None  # RandomUniform: every dtype, exact bits
    with tf.Graph().as_default():
        stateless = tf.random.stateless_truncated_normal([3], seed=[1, 2]).op
    while stateless.type != "StatelessTruncatedNormal":
        stateless = stateless.inputs[0].op
    assert accel.variant_for(stateless) is not None


def test_refused_shapes_raise_the_reference_errors():
    with tf.Graph().as_default():
        dims = tf.placeholder(tf.int32)
        sample = tf.random_normal(dims)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="dimensions must be >= 0"):
                sess.run(sample, {dims: [2, -1]})


def _runs_of_dropout_like_draws(accel_on, runs, shapes):
    """The values of a seeded random_uniform and random_normal whose shape is fed, run by run
    (`shapes[k]` in run k)."""
    with tf.Graph().as_default():
        dims = tf.placeholder(tf.int32, [2])
        draws = [tf.random_uniform(dims, seed=3), tf.random_normal(dims, seed=4)]
        with tf.Session(config=tf.ConfigProto(accel=None if accel_on else False)) as sess:
            return [sess.run(draws, {dims: shapes[k % len(shapes)]}) for k in range(runs)]


def test_draws_made_ahead_are_the_draws_of_the_next_run(monkeypatch):
    # runs of one shape, then another (the draw made ahead does not fit the first of those)
    shapes = [(30, 7)] * 4 + [(5, 3)] * 3
    want = _runs_of_dropout_like_draws(False, len(shapes), shapes)
    run = tf.Session.run

    def run_then_settle(*args, **kwargs):  # the draws made ahead finish before the next run
        values = run(*args, **kwargs)
        assert draws_ahead.settle(10)
        return values
    monkeypatch.setattr(tf.Session, "run", run_then_settle)
    before = draws_ahead.counts.taken
    got = _runs_of_dropout_like_draws(True, len(shapes), shapes)
    for got_run, want_run in zip(got, want):
        for g, w in zip(got_run, want_run):
            _same_bits(g, w)
    assert draws_ahead.counts.taken - before == 2 * 4  # runs 3, 4, 6 and 7 of each op


def test_drawing_ahead_can_be_turned_off(monkeypatch):
    monkeypatch.setattr(draws_ahead, "AHEAD_UP_TO", 0)
    before = draws_ahead.counts.taken
    _runs_of_dropout_like_draws(True, 4, [(4, 4)])
    assert draws_ahead.counts.taken == before
