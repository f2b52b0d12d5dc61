"""Op table rows for Timestamp (tensorweave/ops/time_ops.py)."""
import time

import tensorweave as tf


def _check_timestamp():
    with tf.Graph().as_default():
        stamp = tf.timestamp()
        assert stamp.dtype == tf.float64 and stamp.shape.as_list() == []
        with tf.Session() as sess:
            before = time.time()
            first = sess.run(stamp)
            second = sess.run(stamp)
            after = time.time()
    assert before <= first <= second <= after


SESSION_CASES = {"Timestamp": _check_timestamp}
