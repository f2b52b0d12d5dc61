"""Queues (tf.FIFOQueue and kin) and QueueRunners: TensorFlow's order, messages, blocking,
timeouts, cancellation and several threads running one Session."""
import json
import pathlib
import threading
import time

import numpy as np
import pytest

import tensorweave as tf
from tensorweave import queues

SHUFFLE = json.loads(pathlib.Path(__file__).parent.joinpath(
    "fixtures", "queue_reference.json").read_text())["shuffle_queue"]


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default() as graph:
        yield graph


@pytest.mark.parametrize("case", sorted(SHUFFLE))
def test_random_shuffle_queue_order_as_tensorflow(case):
    graph_seed, op_seed = (None if s == "None" else int(s) for s in case.split("-"))
    if graph_seed is not None:
        tf.set_random_seed(graph_seed)
    q = queues.RandomShuffleQueue(50, 0, [tf.int32], shapes=[[]], seed=op_seed)
    fill = q.enqueue_many([np.arange(40, dtype=np.int32)])
    taken, one = q.dequeue_many(15), q.dequeue()
    expected = SHUFFLE[case]
    op = q.queue_ref.op
    assert [op.attrs["seed"], op.attrs["seed2"]] == expected["seeds"]
    with tf.Session() as sess:
        sess.run(fill)
        assert sess.run(taken).tolist() == expected["many"]
        assert [int(sess.run(one)) for _ in range(5)] == expected["single"]


def test_closed_queue_messages_and_restored_elements():
    q = queues.FIFOQueue(5, tf.int32, shapes=[[]])
    fill, close = q.enqueue_many([[1, 2]]), q.close()
    many, one, up_to = q.dequeue_many(3), q.dequeue(), q.dequeue_up_to(3)
    with tf.Session() as sess:
        sess.run(fill)
        sess.run(close)
        with pytest.raises(tf.errors.OutOfRangeError) as info:
            sess.run(many)
        assert "FIFOQueue '_0_fifo_queue' is closed and has insufficient elements (requested " \
               "3, current size 2)" in info.value.message
        assert sess.run(one) == 1  # the failed dequeue_many took nothing
        assert sess.run(up_to).tolist() == [2]
        with pytest.raises(tf.errors.OutOfRangeError, match=r"requested 3, current size 0"):
            sess.run(up_to)
        with pytest.raises(tf.errors.CancelledError,
                           match="FIFOQueue '_0_fifo_queue' is closed."):
            sess.run(fill)


def test_enqueue_checks_shapes_and_names():
    q = queues.FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []], names=["x", "y"])
    with pytest.raises(ValueError, match="must enqueue a dictionary"):
        q.enqueue([[1.0, 2.0], 1])
    with pytest.raises(ValueError, match="do not match names"):
        q.enqueue({"x": [1.0, 2.0]})
    with pytest.raises(ValueError):
        q.enqueue({"x": [1.0, 2.0, 3.0], "y": 1})  # incompatible static shape
    out = q.dequeue()
    assert sorted(out) == ["x", "y"] and out["x"].shape.as_list() == [2]
    fed = tf.placeholder(tf.float32, [None])
    enqueue = q.enqueue({"x": fed, "y": 1})
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Shape mismatch in tuple component 0. Expected \[2\], got "
                                 r"\[3\]"):
            sess.run(enqueue, {fed: [1.0, 2.0, 3.0]})
        sess.run(enqueue, {fed: [1.0, 2.0]})
        got = sess.run(out)
        assert got["x"].tolist() == [1.0, 2.0] and got["y"] == 1
    with pytest.raises(ValueError, match="All shapes must be fully defined"):
        queues.FIFOQueue(3, tf.float32, shapes=[[None]])
    with pytest.raises(ValueError, match="Shapes must be provided for all components"):
        queues.PaddingFIFOQueue(3, [tf.float32, tf.int32], shapes=[[None]])


def test_run_timeouts_raise_deadline_exceeded():
    q = queues.FIFOQueue(1, tf.float32, shapes=[[]])
    one, fill = q.dequeue(), q.enqueue(1.0)
    with tf.Session() as sess:
        start = time.monotonic()
        with pytest.raises(tf.errors.DeadlineExceededError,
                           match="Timed out waiting for notification"):
            sess.run(one, options=tf.RunOptions(timeout_in_ms=100))
        assert time.monotonic() - start < 5
        sess.run(fill)
        with pytest.raises(tf.errors.DeadlineExceededError):  # full: the enqueue waits
            sess.run(fill, options=tf.RunOptions(timeout_in_ms=50))
        assert sess.run(one) == 1.0
    config = tf.ConfigProto(operation_timeout_in_ms=50)
    with tf.Session(config=config) as sess:
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(one)


def test_dequeue_waits_for_another_thread():
    q = queues.FIFOQueue(2, tf.int32, shapes=[[]])
    value = tf.placeholder(tf.int32, [])
    enqueue, batch = q.enqueue(value), q.dequeue_many(5)
    with tf.Session() as sess:
        def produce():
            for i in range(5):
                sess.run(enqueue, {value: i})  # blocks whenever the queue holds 2
        producer = threading.Thread(target=produce)
        producer.start()
        assert sess.run(batch).tolist() == [0, 1, 2, 3, 4]
        producer.join(10)
        assert not producer.is_alive()


def test_closing_the_session_cancels_a_blocked_dequeue():
    q = queues.FIFOQueue(2, tf.int32, shapes=[[]])
    one = q.dequeue()
    sess = tf.Session()
    errors = []

    def consume():
        try:
            sess.run(one)
        except tf.errors.OpError as e:
            errors.append(e)
    consumer = threading.Thread(target=consume)
    consumer.start()
    time.sleep(0.1)
    sess.close()
    consumer.join(10)
    assert not consumer.is_alive()
    assert [type(e) for e in errors] == [tf.errors.CancelledError]


def test_shared_name_shares_one_queue_and_from_list_selects():
    first = queues.FIFOQueue(5, tf.int32, shapes=[[]], shared_name="shared")
    second = queues.FIFOQueue(5, tf.int32, shapes=[[]], shared_name="shared")
    other = queues.FIFOQueue(5, tf.int32, shapes=[[]])
    index = tf.placeholder(tf.int32, [])
    chosen = queues.QueueBase.from_list(index, [first, other])
    with tf.Session() as sess:
        sess.run(first.enqueue(7))
        assert sess.run(second.size()) == 1
        sess.run(chosen.enqueue(3), {index: 1})
        assert sess.run(other.dequeue()) == 3
        assert sess.run(chosen.dequeue(), {index: 0}) == 7
    with pytest.raises(TypeError, match="A list of queues expected"):
        queues.QueueBase.from_list(index, [])


def test_priority_and_padding_queues():
    pq = queues.PriorityQueue(5, [tf.string], shapes=[[]])
    fill = pq.enqueue_many([[3, 1, 2], ["c", "a", "b"]])
    taken = pq.dequeue_up_to(5)
    padded = queues.PaddingFIFOQueue(4, [tf.int32], shapes=[[None, 2]])
    rows = tf.placeholder(tf.int32, [None, 2])
    push, batch = padded.enqueue([rows]), padded.dequeue_many(2)
    assert batch.shape.as_list() == [2, None, 2]
    with tf.Session() as sess:
        sess.run(fill)
        sess.run(pq.close())
        priorities, values = sess.run(taken)
        assert priorities.tolist() == [1, 2, 3] and values.tolist() == [b"a", b"b", b"c"]
        sess.run(push, {rows: [[1, 2]]})
        sess.run(push, {rows: [[3, 4], [5, 6]]})
        assert sess.run(batch).tolist() == [[[1, 2], [0, 0]], [[3, 4], [5, 6]]]


def test_queue_runner_closes_the_queue_when_its_input_ends():
    numbers = tf.train.limit_epochs(tf.constant([1, 2, 3]), num_epochs=2)
    q = queues.FIFOQueue(10, tf.int32, shapes=[[]])
    runner = tf.train.QueueRunner(q, [q.enqueue_many([numbers])] * 2)
    tf.train.add_queue_runner(runner)
    assert tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS) == [runner]
    batch = q.dequeue_up_to(4)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert len(threads) == 3  # two enqueue threads and the one closing on stop
        got = []
        try:
            while True:
                got.extend(sess.run(batch).tolist())
        except tf.errors.OutOfRangeError:
            pass
        assert sorted(got) == [1, 1, 2, 2, 3, 3]
        coord.request_stop()
        coord.join(threads)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_queue_runner_reports_errors_to_the_coordinator():
    """With a coordinator the error goes to join(); without one the thread re-raises it
    (as TF) and keeps it in exceptions_raised."""
    q = queues.FIFOQueue(10, tf.float32, shapes=[[]])
    bad = tf.placeholder(tf.float32, [])  # never fed: the enqueue fails
    runner = tf.train.queue_runner.QueueRunner(q, [q.enqueue(bad)])
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = runner.create_threads(sess, coord=coord, start=True)
        with pytest.raises(tf.errors.InvalidArgumentError):
            coord.join(threads, stop_grace_period_secs=10)
        threads = runner.create_threads(sess, start=True)  # no coordinator: kept
        for thread in threads:
            thread.join(10)
        assert [type(e) for e in runner.exceptions_raised] == [tf.errors.InvalidArgumentError]
    with pytest.raises(ValueError, match="Must provide queue and enqueue_ops"):
        tf.train.QueueRunner(q, [])


def test_coordinator_stop_cancels_blocked_enqueue_threads():
    q = queues.FIFOQueue(2, tf.float32, shapes=[[]])
    runner = tf.train.QueueRunner(q, [q.enqueue(1.0)] * 3)
    tf.train.add_queue_runner(runner)
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert sess.run(q.dequeue()) == 1.0
        time.sleep(0.05)
        assert runner.create_threads(sess) == []  # its threads still run in this session
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=10)
        assert not any(t.is_alive() for t in threads)
        assert sess.run(q.is_closed())


def test_coordinator_join_passes_over_threads_not_started():
    coord = tf.train.Coordinator()
    unstarted = [threading.Thread(target=coord.request_stop) for _ in range(2)]
    coord.join(unstarted)  # TF polls is_alive: a thread never started is not waited for
    for t in unstarted:
        t.start()
    coord.join(unstarted)
    assert coord.should_stop()


def test_start_queue_runners_needs_a_session():
    with pytest.raises(ValueError, match="No default session is registered"):
        tf.train.start_queue_runners()
    with tf.Session() as sess:
        assert tf.train.start_queue_runners() == []  # the default session; no runners
        assert sess is tf.get_default_session()


def test_a_thread_running_sessions_lets_the_others_run():
    """TF runs a graph without Python's lock, so a thread in a loop of Session.run calls does
    not keep the others waiting for the interpreter's switch interval: here a thread that
    requests the stop after its first run gets it in before its sibling fills the queue (the
    O'Reilly book's queue_basic.py otherwise hangs with both blocked on a full queue)."""
    import sys
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1.0)  # without a yield, the first thread keeps the lock for 1 s
    try:
        q = queues.FIFOQueue(1000, tf.float32, shapes=[[]])
        enqueue, size = q.enqueue(1.0), q.size()
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            runs = []

            def add(i):
                while not coord.should_stop():
                    sess.run(enqueue)
                    runs.append(i)
                    if i == 1:
                        coord.request_stop()
                    if len(runs) >= 900:  # no turn for the other thread: stop anyway
                        coord.request_stop()
            threads = [threading.Thread(target=add, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            coord.join(threads, stop_grace_period_secs=30)
            assert 1 in runs
            assert sess.run(size) < 900
    finally:
        sys.setswitchinterval(switch)


def test_coordinator_keeps_only_an_error_reported_before_the_stop():
    """TF's request_stop records an exception only while no stop has been requested: a thread
    failing after the stop (its session closed under it) does not make join raise."""
    coord = tf.train.Coordinator()
    coord.request_stop()
    coord.request_stop(RuntimeError("Attempted to use a closed Session."))
    coord.join([])
    coord = tf.train.Coordinator()
    coord.request_stop(ValueError("first"))
    coord.request_stop(RuntimeError("second"))
    with pytest.raises(ValueError, match="first"):
        coord.join([])
