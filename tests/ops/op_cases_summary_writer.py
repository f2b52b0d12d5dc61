"""Op table rows for the summary writer op types (ops/summary.py, tf.contrib.summary).

Writers keep state in the Session and write files, so each op type has a session check: the
events it appends, read back. Behaviour against TensorFlow: tests/contrib/test_contrib_summary.py.
"""
import glob
import os
import tempfile

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import summary as summary_ops


def _check_writer_ops():
    """Every Write* op appends one event (ImportEvent: its events) at its step; flush and close
    work on an open writer; the handle op alone makes no file."""
    pytest.importorskip("tensorboard")
    with tempfile.TemporaryDirectory() as logdir:
        graph = tf.Graph()
        with graph.as_default():
            handle = summary_ops.summary_writer(shared_name="w")
            create = summary_ops.create_summary_file_writer(handle, logdir, 10, 1000, ".t")
            step = tf.constant(3, tf.int64)
            writes = [
                summary_ops.write_scalar_summary(handle, step, "s", tf.constant(1.5)),
                summary_ops.write_histogram_summary(handle, step, "h", tf.constant([1.0, 2.0])),
                summary_ops.write_image_summary(handle, step, "i", tf.zeros([1, 2, 2, 1]),
                                                [255, 0, 0, 255], max_images=1),
                summary_ops.write_audio_summary(handle, step, "a", tf.zeros([1, 4]), 100.0, 1),
                summary_ops.write_summary(handle, step, tf.constant([1, 2]), "t", b""),
                summary_ops.write_graph_summary(
                    handle, step, tf.constant(tf.GraphDef().SerializeToString())),
                summary_ops.import_event(handle, tf.constant(
                    [tf.Event(step=9).SerializeToString()])),
            ]
            flush = summary_ops.flush_summary_writer(handle)
            close = summary_ops.close_summary_writer(handle)
        assert [w.type for w in writes] == [
            "WriteScalarSummary", "WriteHistogramSummary", "WriteImageSummary",
            "WriteAudioSummary", "WriteSummary", "WriteGraphSummary", "ImportEvent"]
        assert handle.dtype is tf.resource and handle.op.type == "SummaryWriter"
        with tf.Session(graph=graph) as sess:
            sess.run(handle)
            assert glob.glob(os.path.join(logdir, "*")) == []
            sess.run(create)
            for write in writes:
                assert sess.run(write) is None
            sess.run(flush)
            sess.run(close)
            with pytest.raises(tf.errors.NotFoundError):
                sess.run(flush)
        [path] = glob.glob(os.path.join(logdir, "*.t"))
        events = list(tf.train.summary_iterator(path))
    assert [e.step for e in events] == [0, 3, 3, 3, 3, 3, 3, 9]
    kinds = [e.summary.value[0].WhichOneof("value") for e in events[1:6]]
    assert kinds == ["simple_value", "histo", "image", "audio", "tensor"]
    assert [e.summary.value[0].tag for e in events[1:6]] == ["s", "h", "i/image", "a/audio", "t"]
    assert events[1].summary.value[0].simple_value == 1.5 and events[6].HasField("graph_def")
    assert np.frombuffer(events[5].summary.value[0].tensor.tensor_content, np.int32).tolist() \
        in ([1, 2], []) or list(events[5].summary.value[0].tensor.int_val) == [1, 2]


SESSION_CASES = {op_type: _check_writer_ops for op_type in (
    "SummaryWriter", "CreateSummaryFileWriter", "FlushSummaryWriter", "CloseSummaryWriter",
    "WriteScalarSummary", "WriteHistogramSummary", "WriteImageSummary", "WriteAudioSummary",
    "WriteSummary", "WriteGraphSummary", "ImportEvent")}
