"""Helpers for the hook, monitored-session and Estimator tests: capture tf.logging output and
read the events a run wrote."""
import contextlib
import glob
import logging
import os

import tensorweave as tf


class _ListHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def captured_log(level=logging.INFO):
    """Yields a list that fills with the messages logged to tf.logging at `level` and up."""
    from tensorweave.platform import tf_logging
    logger = tf_logging.get_logger()
    handler = _ListHandler()
    handler.setLevel(level)
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def events(logdir):
    """Every Event in the event files directly inside `logdir`, in file order."""
    from tensorweave.summary.summary_iterator import summary_iterator
    from tensorweave.summary.writer import FileWriterCache
    FileWriterCache.clear()  # flush and close cached writers
    found = []
    for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))):
        found.extend(summary_iterator(path))
    return found


def scalars(logdir):
    """{tag: [(step, value)]} of the simple_value summaries in `logdir`'s event files."""
    out = {}
    for event in events(logdir):
        for value in event.summary.value:
            if value.HasField("simple_value"):
                out.setdefault(value.tag, []).append((event.step, value.simple_value))
    return out


def counter_model(rate=0.1):
    """(global_step, x, loss, train_op): gradient descent on (x - 1)^2 from x = 3."""
    step = tf.train.get_or_create_global_step()
    x = tf.Variable(3.0, name="x")
    loss = tf.square(x - 1.0, name="loss")
    train_op = tf.train.GradientDescentOptimizer(rate).minimize(loss, global_step=step)
    return step, x, loss, train_op
