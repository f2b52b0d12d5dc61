"""Run traces in event files (add_run_metadata read back by TensorBoard's loader) and
FileWriter(session=...), the writer shared per session and logdir as in TF 1.15."""
import glob
import os

import numpy as np
import pytest

pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed")

from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402

import tensorweave as tf  # noqa: E402


def _scalar(tag, value):
    return tf.summary.Summary(value=[tf.summary.Summary.Value(tag=tag, simple_value=value)])


def test_traced_run_metadata_reads_back_through_the_event_accumulator(tmp_path):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable(tf.ones([2, 2]), name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w, name="mm")), name="loss")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    traced = {}
    with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path), sess.graph) as writer:
        sess.run(w.initializer)
        for step in (0, 100):
            metadata = tf.RunMetadata()
            sess.run(train, {x: np.ones((3, 2))},
                     options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                     run_metadata=metadata)
            writer.add_run_metadata(metadata, "step%03d" % step, step)
            traced[step] = metadata
    acc = ea.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert sorted(acc.Tags()["run_metadata"]) == ["step000", "step100"]
    for step, metadata in traced.items():
        loaded = acc.RunMetadata("step%03d" % step)
        assert loaded == metadata
        names = {n.node_name for n in loaded.step_stats.dev_stats[0].node_stats}
        # the train op reads the loss's shape, not its value: tf.shape of a scalar is a
        # constant (as in TF), so the loss op itself does not run
        assert {"x", "mm", "GradientDescent/update_w/ApplyGradientDescent"} <= names
    graph_nodes = {n.name for n in acc.Graph().node}
    assert names - {"x"} <= graph_nodes  # the dashboard matches stats to graph nodes by name


def test_file_writers_of_one_session_share_its_event_file(tmp_path):
    with tf.Session() as sess:
        first = tf.summary.FileWriter(str(tmp_path), session=sess)
        second = tf.summary.FileWriter(str(tmp_path), session=sess)
        first.add_summary(_scalar("loss", 1.0), 1)
        second.add_summary(_scalar("loss", 2.0), 2)
        second.flush()
        (path,) = glob.glob(os.path.join(tmp_path, "events.out.tfevents.*"))
        assert path.endswith(".v2") and second.get_logdir() == str(tmp_path)
        with tf.Session() as other:
            tf.summary.FileWriter(str(tmp_path), session=other).close()
        assert len(glob.glob(os.path.join(tmp_path, "events.out.tfevents.*"))) == 2
        first.close()
    acc = ea.EventAccumulator(path)
    acc.Reload()
    assert [(e.step, e.value) for e in acc.Scalars("loss")] == [(1, 1.0), (2, 2.0)]
    with pytest.raises(RuntimeError, match="closed Session"):
        tf.summary.FileWriter(str(tmp_path), session=sess)
