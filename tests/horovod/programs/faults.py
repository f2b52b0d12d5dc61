"""Fault scenarios for tests/horovod/test_faults.py (run under mpirun -np 2):
raise | kill | shapes | order | exit_early | stall."""
import os
import signal
import sys
import time

import numpy as np
import tensorflow as tf
import horovod.tensorflow as hvd

mode = sys.argv[1]
hvd.init()
r = hvd.rank()
x = tf.placeholder(tf.float32, [None])
y = hvd.allreduce(x, name="gradient_w")
other = hvd.allreduce(x * 2, name="gradient_b")
with tf.Session() as sess:
    sess.run(y, {x: np.ones(3)})  # everybody is up
    if mode == "raise" and r == 1:
        raise ValueError("boom on purpose")
    if mode == "kill" and r == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "stall" and r == 1:
        time.sleep(60)
    if mode == "exit_early" and r == 1:
        sys.exit(0)
    if mode == "shapes":
        sess.run(y, {x: np.ones(3 + r)})
    elif mode == "order":
        sess.run(y if r == 0 else other, {x: np.ones(3)})
    else:
        for _ in range(1000):
            sess.run(y, {x: np.ones(3)})
print(f"finished rank {r}", flush=True)
