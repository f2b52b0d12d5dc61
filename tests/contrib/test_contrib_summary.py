"""tf.contrib.summary in graph mode: the event file of a graph with every kind of summary,
record condition, name scope and family equals what TF 2.15's legacy contrib functions write
for the same graph (tests/fixtures/make_contrib_summary_reference.py), and the writer's life
(initialize, flush, close, re-create, session close) is TF's."""
import glob
import json
import os
import sys

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import tensorweave as tf  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
sys.path.insert(0, FIXTURES)
import contrib_summary_cases as cases  # noqa: E402

REFERENCE = json.load(open(os.path.join(FIXTURES, "contrib_summary_reference.json")))


def _sorted(records):
    return sorted(records, key=lambda r: (r["step"], r.get("tag", ""), r["kind"],
                                          json.dumps(r.get("value"))))


def _flat(value):
    return np.hstack([np.ravel(part) for part in np.atleast_1d(np.array(value, dtype=object))])


def _event_files(logdir):
    return sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*")))


def test_event_file_equals_tensorflows(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        x, increment, writer, unrecorded = cases.build(tf, tf.contrib.summary, str(tmp_path))
        assert len(tf.contrib.summary.all_summary_ops()) == REFERENCE["summary_op_count"]
        assert unrecorded.type == REFERENCE["unrecorded_type"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            cases.run(tf, tf.contrib.summary, sess, x, increment, writer, graph)
    [path] = _event_files(tmp_path)
    assert path.endswith("." + REFERENCE["file_name_suffix"])
    ours = json.loads(json.dumps(cases.records(tf.train.summary_iterator(path))))
    theirs = REFERENCE["records"]
    assert [(r["step"], r["kind"], r.get("tag")) for r in _sorted(ours)] == \
        [(r["step"], r["kind"], r.get("tag")) for r in _sorted(theirs)]
    for mine, tf_record in zip(_sorted(ours), _sorted(theirs)):
        if mine["kind"] in ("simple_value", "histo"):
            np.testing.assert_allclose(_flat(mine["value"]), _flat(tf_record["value"]),
                                       rtol=1e-6, err_msg=mine["tag"])
        else:
            assert mine == tf_record, mine.get("tag")


def test_graph_is_written_by_initialize_and_readable(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        tf.train.get_or_create_global_step()
        tf.constant(1.0, name="marker")
        writer = tf.contrib.summary.create_file_writer(str(tmp_path), filename_suffix=".x")
        with tf.Session() as sess, writer.as_default():
            tf.contrib.summary.initialize(graph=graph, session=sess)
    [path] = _event_files(tmp_path)
    assert path.endswith(".x")
    events = list(tf.train.summary_iterator(path))
    assert events[0].file_version == "brain.Event:2"
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(events[1].graph_def)
    assert "marker" in [node.name for node in graph_def.node] and events[1].step == 0


def test_writer_life(tmp_path):
    """Writing before the initializer ran fails as TF's (no resource); initializing twice
    keeps one file; close then init opens a new one; a new session writes a new file."""
    graph = tf.Graph()
    with graph.as_default():
        step = tf.train.get_or_create_global_step()
        writer = tf.contrib.summary.create_file_writer(str(tmp_path))
        with writer.as_default(), tf.contrib.summary.always_record_summaries():
            write = tf.contrib.summary.scalar("v", tf.constant(2.0))
            imported = tf.contrib.summary.import_event(tf.constant(
                [tf.Event(step=5, file_version="imported").SerializeToString()]))
        assert write.op.type in ("Const", "Identity") or write.dtype == tf.bool
        close = writer.close()
        init = tf.contrib.summary.summary_writer_initializer_op()
        with tf.Session() as sess:
            sess.run(step.initializer)
            with pytest.raises(tf.errors.NotFoundError, match="does not exist"):
                sess.run(write)
            sess.run(init)
            sess.run(init)
            sess.run([write, imported])
            assert len(_event_files(tmp_path)) == 1
            sess.run(close)
            with pytest.raises(tf.errors.NotFoundError):
                sess.run(write)
            sess.run(init)
            sess.run(write)
        with tf.Session() as sess:
            sess.run(step.initializer)
            sess.run(init)
            sess.run(write)
    files = _event_files(tmp_path)
    assert len(files) == 3
    events = [list(tf.train.summary_iterator(path)) for path in files]
    assert [[v.tag for e in file_events for v in e.summary.value] for file_events in events] \
        == [["v"]] * 3
    assert sorted((e.step, e.file_version) for file_events in events for e in file_events
                  if e.file_version) == [(0, "brain.Event:2")] * 3 + [(5, "imported")]


def test_conditions_and_defaults():
    with tf.Graph().as_default():
        step = tf.train.get_or_create_global_step()
        summary = tf.contrib.summary
        assert summary.scalar("nothing", tf.constant(1.0)).type == "NoOp"  # no writer
        writer = summary.create_file_writer("unused_dir_never_initialized")
        with writer.as_default():
            should = summary.should_record_summaries()
            with summary.always_record_summaries():
                always = summary.should_record_summaries()
            with summary.record_summaries_every_n_global_steps(3, step):
                every = summary.should_record_summaries()
        assert summary.flush().type == "NoOp"
        with tf.Session() as sess:
            sess.run(step.initializer)
            assert sess.run([should, always, every]) == [False, True, True]
            sess.run(step.assign(4))
            assert not sess.run(every)
        assert summary.eval_dir("/m") == "/m/eval" and summary.eval_dir("/m", "x") == "/m/eval_x"
        assert summary.create_file_writer(None).as_default() is not None
        with pytest.raises(NotImplementedError, match="create_db_writer"):
            summary.create_db_writer("db")
        with pytest.raises(TypeError, match="graph"):
            summary.graph(tf.get_default_graph())


def test_tensorboard_reads_the_event_file(tmp_path):
    """TensorBoard's own reader (EventAccumulator) finds the scalars, histograms and images."""
    accumulator_module = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator")
    graph = tf.Graph()
    with graph.as_default():
        x, increment, writer, _ = cases.build(tf, tf.contrib.summary, str(tmp_path))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            cases.run(tf, tf.contrib.summary, sess, x, increment, writer, graph)
    accumulator = accumulator_module.EventAccumulator(str(tmp_path))
    accumulator.Reload()
    tags = accumulator.Tags()
    assert {"loss", "loss_1", "stats/train/stats/max", "sparse/every_two"} <= set(
        tags["scalars"])
    assert [e.step for e in accumulator.Scalars("sparse/every_two")] == [0, 2]
    np.testing.assert_allclose([e.value for e in accumulator.Scalars("loss")],
                               [v.mean() for v in cases.FEEDS], rtol=1e-6)
    assert "train/values" in tags["histograms"] and "pictures/image/1" in tags["images"]
    assert tags["graph"]


def test_tf_summary_initialize_is_contribs(tmp_path):
    with tf.Graph().as_default() as graph:
        tf.train.get_or_create_global_step()
        writer = tf.contrib.summary.create_file_writer(str(tmp_path))
        with tf.Session() as sess, writer.as_default():
            tf.summary.initialize(graph=graph, session=sess)
        with pytest.raises(RuntimeError, match="No default"):
            tf.summary.initialize(session=sess)
    [path] = _event_files(tmp_path)
    assert any(e.graph_def for e in tf.train.summary_iterator(path))
