"""Summary ops and FileWriter, checked by reading the event files back with TensorBoard's own
loader (EventAccumulator) and against summaries computed by real TensorFlow (tf_reference.npz,
made by make_tf_reference.py)."""
import glob
import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed")

import tensorweave as tf  # noqa: E402
from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from tensorboard.compat.proto import event_pb2, summary_pb2  # noqa: E402
from tensorboard.compat.tensorflow_stub import pywrap_tensorflow as tb_records  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402
from tensorweave.lib import summary_encoding as encoding  # noqa: E402
from tensorweave.summary.summary_iterator import summary_iterator  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
REFERENCE = np.load(Path(__file__).with_name("tf_reference.npz"))
_ALL = {kind: 0 for kind in (ea.SCALARS, ea.HISTOGRAMS, ea.COMPRESSED_HISTOGRAMS, ea.IMAGES,
                             ea.AUDIO, ea.TENSORS)}


# --- helpers -------------------------------------------------------------------------------
def accumulate(logdir):
    """TensorBoard's EventAccumulator over `logdir`, fully loaded."""
    acc = ea.EventAccumulator(str(logdir), size_guidance=_ALL)
    acc.Reload()
    return acc


def event_files(logdir):
    return sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*")))


def read_events(path):
    """Every Event in `path`, checking each record's two CRCs with TensorBoard's own CRC32C
    (an implementation independent of ours)."""
    data = Path(path).read_bytes()
    events, offset = [], 0
    while offset < len(data):
        header = data[offset:offset + 8]
        (length,) = np.frombuffer(header, "<u8")
        assert tb_records.masked_crc32c(header) == int(np.frombuffer(
            data[offset + 8:offset + 12], "<u4")[0]), "length CRC"
        body = data[offset + 12:offset + 12 + int(length)]
        assert len(body) == length, "truncated record"
        footer = data[offset + 12 + int(length):offset + 16 + int(length)]
        assert tb_records.masked_crc32c(body) == int(np.frombuffer(footer, "<u4")[0]), \
            "data CRC"
        events.append(event_pb2.Event.FromString(body))
        offset += 16 + int(length)
    return events


def reference(key):
    """(input array, TF's serialized Summary) of a case in tf_reference.npz."""
    value = REFERENCE[f"in/{key}"] if f"in/{key}" in REFERENCE else None
    if value is not None and value.dtype.kind == "S":
        value = value.astype(object)
    return value, REFERENCE[f"out/{key}"].tobytes()


def decode_png(data):
    from PIL import Image  # Pillow comes with tensorboard
    return np.array(Image.open(io.BytesIO(data)))


# --- scalars, tags, merge ------------------------------------------------------------------
def test_scalar_values_round_trip_through_tensorboard(tmp_path):
    x = tf.placeholder(tf.float32, [None])
    loss = tf.reduce_mean(tf.square(x))
    tf.summary.scalar("loss", loss)
    merged = tf.summary.merge_all()
    expected = []
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(str(tmp_path), sess.graph)
        for step in range(0, 50, 5):
            batch = np.linspace(-1, 1, 7).astype(np.float32) * (step + 1) / 7
            summary_bytes, value = sess.run([merged, loss], {x: batch})
            assert isinstance(summary_bytes, bytes)
            writer.add_summary(summary_bytes, step)
            expected.append((step, float(np.float32(value))))
        writer.close()
    scalars = accumulate(tmp_path).Scalars("loss")
    assert [(e.step, e.value) for e in scalars] == expected
    times = [e.wall_time for e in scalars]
    assert times == sorted(times) and abs(times[-1] - time.time()) < 60


def test_scalar_summary_of_ints_and_doubles_is_float32():
    a = tf.summary.scalar("i", tf.constant(7))
    b = tf.summary.scalar("scalar_float64", tf.constant(1.2345678901234, tf.float64))
    values = tf.Session().run([a, b])
    (va,), (vb,) = [summary_pb2.Summary.FromString(v).value for v in values]
    assert (va.tag, va.simple_value) == ("i", 7.0)
    assert vb.simple_value == float(np.float32(1.2345678901234))
    assert values[1] == reference("scalar/float64")[1]  # TF's bytes exactly


def test_tags_follow_name_scopes_families_and_uniquified_names():
    tf.identity(tf.constant(1.0), name="loss")  # takes the name "loss"
    with tf.name_scope("train"):
        inner = tf.summary.scalar("loss", tf.constant(1.0))
    taken = tf.summary.scalar("loss", tf.constant(2.0))
    family = tf.summary.scalar("acc", tf.constant(3.0), family="eval")
    cleaned = tf.summary.scalar("bad name:(x)", tf.constant(4.0))
    assert (inner.op.name, taken.op.name, family.op.name) == ("train/loss", "loss_1",
                                                              "eval/acc")
    values = tf.Session().run([inner, taken, family, cleaned])
    tags = [summary_pb2.Summary.FromString(v).value[0].tag for v in values]
    assert tags == ["train/loss", "loss_1", "eval/eval/acc", "bad_name__x_"]
    assert inner.op.type == "ScalarSummary" and inner.dtype == tf.string and inner.shape == ()


def test_merge_all_uses_the_summaries_collection():
    assert tf.summary.merge_all() is None
    a = tf.summary.scalar("a", tf.constant(1.0))
    b = tf.summary.histogram("b", tf.constant([1.0, 2.0]))
    c = tf.summary.scalar("c", tf.constant(2.0), collections=["other"])
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [a, b]
    assert tf.get_collection("other") == [c]
    merged = tf.summary.merge_all()
    assert merged.op.name == "Merge/MergeSummary" and merged.op.type == "MergeSummary"
    only_other = tf.summary.merge_all(key="other", name="others")
    assert only_other.op.name == "others/others"
    value = summary_pb2.Summary.FromString(tf.Session().run(merged)).value
    assert [v.tag for v in value] == ["a", "b"]
    assert value[0].simple_value == 1.0 and value[1].histo.num == 2
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [a, b]  # merge adds nothing


def test_merge_all_with_scope_and_merge_matches_tensorflow():
    with tf.name_scope("x"):
        tf.summary.scalar("a", tf.constant(1.0))
    tf.summary.scalar("b", tf.constant(2.0))
    merged = tf.summary.merge_all(scope="x")
    tags = [v.tag for v in summary_pb2.Summary.FromString(tf.Session().run(merged)).value]
    assert tags == ["x/a"]
    scalar_value, _ = reference("scalar/float64")
    zeros, _ = reference("histogram/zeros")
    both = tf.summary.merge([tf.summary.scalar("scalar_float64", tf.constant(scalar_value)),
                             tf.summary.histogram("histogram_zeros", tf.constant(zeros))])
    assert tf.Session().run(both) == reference("merge/two")[1]


def test_merge_refuses_duplicate_tags():
    a = tf.summary.scalar("a", tf.constant(1.0))
    merged = tf.summary.merge([a, a])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Duplicate tag a found"):
        tf.Session().run(merged)


def test_summary_ops_check_their_inputs_while_building():
    with pytest.raises(ValueError, match="ScalarSummary requires tags and values of the same"):
        tf.summary.scalar("v", tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="ScalarSummary requires real numbers"):
        tf.summary.scalar("s", tf.constant("text"))
    with pytest.raises(ValueError, match="ImageSummary requires a 4-D tensor"):
        tf.summary.image("img", tf.zeros([2, 3, 3]))
    with pytest.raises(ValueError, match="last dimension 1, 3, or 4"):
        tf.summary.image("img", tf.zeros([2, 3, 3, 2]))
    with pytest.raises(TypeError, match="AudioSummaryV2 requires real numbers"):
        tf.summary.audio("snd", tf.zeros([1, 10], tf.float64), 8000)
    with pytest.raises(ValueError, match="Expected tensor .* to have dtype string"):
        tf.summary.text("t", tf.constant(1.0))
    with pytest.raises(ValueError, match="MergeSummary requires at least one"):
        tf.summary.merge([])


def test_summary_ops_are_not_differentiable():
    x = tf.constant(2.0)
    s = tf.summary.scalar("x", x)
    y = x * 3.0
    with tf.control_dependencies([s]):
        z = tf.identity(y)
    assert tf.gradients(z, x)[0] is not None
    from tensorweave.core.registry import NOT_DIFFERENTIABLE, lookup
    for op_type in ("ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummaryV2",
                    "TensorSummaryV2", "MergeSummary"):
        assert lookup(op_type).grad is NOT_DIFFERENTIABLE


# --- histograms ----------------------------------------------------------------------------
def _expected_histogram(values):
    """TF's histogram, written out plainly: limits 0, +-1e-12 * 1.1^k (< 1e20), +-DBL_MAX;
    bucket i counts values in [limit[i-1], limit[i]); runs of empty buckets collapse."""
    import bisect
    positive, v = [], 1e-12
    while v < 1e20:
        positive.append(v)
        v *= 1.1
    positive.append(sys.float_info.max)
    limits = [-p for p in reversed(positive)] + [0.0] + positive
    counts = [0.0] * len(limits)
    for value in values:
        counts[bisect.bisect_right(limits, value)] += 1
    out_limits, out_counts, i = [], [], 0
    while i < len(limits):
        end, count = limits[i], counts[i]
        i += 1
        if count == 0:
            while i < len(limits) and counts[i] == 0:
                end = limits[i]
                i += 1
        out_limits.append(end)
        out_counts.append(count)
    return out_limits, out_counts


def test_histogram_default_buckets():
    limits = encoding.DEFAULT_BUCKET_LIMITS
    assert limits.size == 1551 and limits[775] == 0.0
    assert limits[776] == 1e-12 and limits[-1] == sys.float_info.max
    assert np.all(np.diff(limits) > 0) and np.array_equal(limits, -limits[::-1])


def test_histogram_buckets_at_every_limit_and_its_neighbours():
    """Each value's bucket comes from a table of its leading bits and one comparison: the
    limits themselves, the numbers either side of each, signed zeros, subnormals, -inf and
    float16 (whose NumPy sort misplaces -inf) land where TF's upper_bound puts them (values
    from the last limit, DBL_MAX, on have no bucket in TF; the summary op refuses +inf)."""
    limits = encoding.DEFAULT_BUCKET_LIMITS
    rng = np.random.default_rng(5)
    with np.errstate(over="ignore"):
        values = np.concatenate([limits, np.nextafter(limits, np.inf),
                                 np.nextafter(limits, -np.inf),
                                 [0.0, -0.0, 5e-324, -5e-324, -np.inf, 1e-300, -1e300]])
        halves = (rng.standard_normal(5000) * 3e4).astype(np.float16)  # some overflow
    spread = rng.standard_normal(3000) * 10.0 ** rng.integers(-14, 21, 3000)
    for case in (values, rng.permutation(values), halves, spread):
        case = case[case < limits[-1]]
        h = encoding.Histogram(case)
        want_limits, want_counts = _expected_histogram(np.asarray(case, np.float64).tolist())
        assert h.limits.tolist() == want_limits and h.counts.tolist() == want_counts


@pytest.mark.parametrize("key", ["normal", "wide", "zeros", "empty", "ints", "limits"])
def test_histogram_matches_tensorflow_bytes(key):
    values, expected = reference(f"histogram/{key}")
    summary = tf.summary.histogram(f"histogram_{key}", tf.constant(values))
    assert tf.Session().run(summary) == expected


def test_histograms_round_trip_through_tensorboard(tmp_path):
    x = tf.placeholder(tf.float32, [None, 3])
    tf.summary.histogram("weights", x)
    merged = tf.summary.merge_all()
    rng = np.random.RandomState(5)
    batches = [rng.standard_normal((20, 3)).astype(np.float32) * s for s in (0.1, 1.0, 50.0)]
    with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path)) as writer:
        for step, batch in enumerate(batches):
            writer.add_summary(sess.run(merged, {x: batch}), global_step=step * 10)
    events = accumulate(tmp_path).Histograms("weights")
    assert [e.step for e in events] == [0, 10, 20]
    for event, batch in zip(events, batches):
        h = event.histogram_value
        values = batch.astype(np.float64).ravel()
        limits, counts = _expected_histogram(values)
        assert list(h.bucket_limit) == limits and list(h.bucket) == counts
        assert (h.min, h.max, h.num) == (values.min(), values.max(), 60)
        assert h.sum == pytest.approx(values.sum(), rel=1e-12)
        assert h.sum_squares == pytest.approx((values ** 2).sum(), rel=1e-12)


def test_histogram_of_nan_fails_at_run_time():
    x = tf.placeholder(tf.float32)
    summary = tf.summary.histogram("h", x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Nan in summary histogram for: h"):
        tf.Session().run(summary, {x: [1.0, np.nan]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Infinity in summary histogram"):
        tf.Session().run(summary, {x: [np.inf]})


# --- images, audio, text, tensors ----------------------------------------------------------
@pytest.mark.parametrize("key", ["float32", "positive", "uint8", "float16", "float64",
                                 "nonfinite", "one"])
def test_images_match_tensorflow_pixels(key):
    pytest.importorskip("PIL")
    images, expected = reference(f"image/{key}")
    if images is None:
        images = reference("image/uint8")[0]
    summary = tf.summary.image(f"image_{key}", tf.constant(images),
                               max_outputs=1 if key == "one" else 2)
    ours = summary_pb2.Summary.FromString(tf.Session().run(summary)).value
    theirs = summary_pb2.Summary.FromString(expected).value
    assert [v.tag for v in ours] == [v.tag for v in theirs]
    for a, b in zip(ours, theirs):
        assert (a.image.height, a.image.width, a.image.colorspace) == \
            (b.image.height, b.image.width, b.image.colorspace)
        assert np.array_equal(decode_png(a.image.encoded_image_string),
                              decode_png(b.image.encoded_image_string))


def test_images_round_trip_through_tensorboard(tmp_path):
    pytest.importorskip("PIL")
    rng = np.random.RandomState(1)
    pixels = rng.randint(0, 256, (4, 6, 5, 3)).astype(np.uint8)
    gray = rng.uniform(0, 2, (1, 4, 4, 1)).astype(np.float32)
    merged = tf.summary.merge([tf.summary.image("rgb", tf.constant(pixels)),
                               tf.summary.image("gray", tf.constant(gray), max_outputs=1)])
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_summary(tf.Session().run(merged), 3)
    acc = accumulate(tmp_path)
    assert sorted(acc.Tags()["images"]) == ["gray/image", "rgb/image/0", "rgb/image/1",
                                            "rgb/image/2"]
    for i in range(3):
        (event,) = acc.Images(f"rgb/image/{i}")
        assert (event.step, event.width, event.height) == (3, 5, 6)
        assert np.array_equal(decode_png(event.encoded_image_string), pixels[i])
    (event,) = acc.Images("gray/image")
    expected = (gray[0] * np.float32(255 / gray.max())).astype(np.uint8)[..., 0]
    assert np.array_equal(decode_png(event.encoded_image_string), expected)


def test_png_encoder_without_pillow_roundtrip():
    import zlib
    image = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    data = encoding.encode_png(image)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    idat_length = int.from_bytes(data[33:37], "big")
    raw = zlib.decompress(data[41:41 + idat_length])
    rows = np.frombuffer(raw, np.uint8).reshape(2, 1 + 3 * 4)
    assert np.all(rows[:, 0] == 0) and np.array_equal(rows[:, 1:].reshape(2, 3, 4), image)


@pytest.mark.parametrize("key", ["mono", "stereo", "halves"])
def test_audio_matches_tensorflow_bytes(key):
    clips, expected = reference(f"audio/{key}")
    summary = tf.summary.audio(f"audio_{key}", tf.constant(clips), 16000.6, max_outputs=3)
    assert tf.Session().run(summary) == expected


def test_audio_round_trips_through_tensorboard(tmp_path):
    import wave
    clip = np.sin(np.linspace(0, 20, 400, dtype=np.float32))[None, :, None] * 0.5
    summary = tf.summary.audio("tone", tf.constant(clip), 8000, max_outputs=1)
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_summary(tf.Session().run(summary), 1)
    (event,) = accumulate(tmp_path).Audio("tone/audio")
    assert (event.sample_rate, event.length_frames, event.content_type) == (8000, 400,
                                                                           "audio/wav")
    with wave.open(io.BytesIO(event.encoded_audio_string)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getnframes()) == (1, 8000, 400)
        samples = np.frombuffer(w.readframes(400), "<i2")
    np.testing.assert_allclose(samples / 32768, clip[0, :, 0], atol=1 / 32768)


def test_text_and_tensor_summaries_match_tensorflow_and_tensorboard(tmp_path):
    words, expected_text = reference("text/vector")
    numbers, expected_tensor = reference("tensor/int64")
    text = tf.summary.text("text_vector", tf.constant(words))
    tensor = tf.summary.tensor_summary("tensor_int64", tf.constant(numbers),
                                       summary_description="desc", display_name="shown")
    with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path)) as writer:
        text_bytes, tensor_bytes = sess.run([text, tensor])
        assert (text_bytes, tensor_bytes) == (expected_text, expected_tensor)
        writer.add_summary(text_bytes, 0)
        writer.add_summary(text_bytes, 1)
        writer.add_summary(tensor_bytes, 0)
    acc = accumulate(tmp_path)
    assert acc.PluginTagToContent("text") == {"text_vector": b""}
    events = acc.Tensors("text_vector")
    assert [e.step for e in events] == [0, 1]
    assert list(tensor_util.make_ndarray(events[1].tensor_proto)) == [b"a", b"bb"]
    (event,) = acc.Tensors("tensor_int64")
    assert np.array_equal(tensor_util.make_ndarray(event.tensor_proto), numbers)
    assert acc.SummaryMetadata("tensor_int64").display_name == "shown"
    # SummaryMetadata is written only with a tag's first value, as TF does
    text_events = [e for e in read_events(event_files(tmp_path)[0])
                   if e.HasField("summary") and e.summary.value[0].tag == "text_vector"]
    assert [v.HasField("metadata") for e in text_events for v in e.summary.value] == [True,
                                                                                      False]


def test_get_summary_description():
    from tensorboard.compat.proto import node_def_pb2
    node = node_def_pb2.NodeDef(name="t", op="TensorSummary")
    node.attr["description"].s = b'{"typeHint": "image"}'
    assert tf.summary.get_summary_description(node).type_hint == "image"
    with pytest.raises(ValueError, match="Can't get_summary_description on ScalarSummary"):
        tf.summary.get_summary_description(tf.summary.scalar("s", 1.0).op.node_def)


# --- FileWriter ----------------------------------------------------------------------------
def test_event_file_name_version_record_and_crcs(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path / "run"), filename_suffix=".train")
    assert writer.get_logdir() == str(tmp_path / "run")
    writer.add_summary(tf.summary.Summary(value=[tf.summary.Summary.Value(
        tag="proto", simple_value=2.5)]), global_step=np.int64(7))
    writer.close()
    (path,) = event_files(tmp_path / "run")
    host = re.escape(socket.gethostname())
    assert re.fullmatch(rf"events\.out\.tfevents\.\d{{10}}\.{host}\.train",
                        os.path.basename(path))
    first, second = read_events(path)
    assert first.file_version == "brain.Event:2" and first.wall_time > 0
    assert (second.step, second.summary.value[0].simple_value) == (7, 2.5)
    assert [e.SerializeToString() for e in summary_iterator(path)] == [
        first.SerializeToString(), second.SerializeToString()]


def test_summary_iterator_reads_events_and_detects_damage(tmp_path):
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        for step in range(3):
            writer.add_summary(tf.summary.Summary(value=[
                tf.summary.Summary.Value(tag="x", simple_value=step / 2)]), step)
    (path,) = event_files(tmp_path)
    events = list(summary_iterator(path))
    assert events[0].file_version == "brain.Event:2"
    assert [(e.step, e.summary.value[0].simple_value) for e in events[1:]] == [
        (0, 0.0), (1, 0.5), (2, 1.0)]
    data = bytearray(Path(path).read_bytes())
    data[-6] ^= 1  # inside the last record's data
    Path(path).write_bytes(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="corrupted record"):
        list(summary_iterator(path))


def test_session_log_events_and_raw_events(tmp_path):
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_session_log(tf.summary.SessionLog(status=tf.summary.SessionLog.START), 0)
        writer.add_event(tf.summary.Event(wall_time=123.0, step=9, summary=tf.summary.Summary(
            value=[tf.summary.Summary.Value(tag="raw", simple_value=1.0)])))
    events = read_events(event_files(tmp_path)[0])
    assert events[1].session_log.status == event_pb2.SessionLog.START
    assert (events[2].wall_time, events[2].step) == (123.0, 9)
    assert [(e.step, e.value) for e in accumulate(tmp_path).Scalars("raw")] == [(9, 1.0)]


def test_flush_makes_events_readable_while_the_writer_stays_open(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path), flush_secs=1000)
    for step in range(25):  # more than max_queue: the queue blocks, never drops
        writer.add_summary(tf.summary.Summary(value=[
            tf.summary.Summary.Value(tag="x", simple_value=step)]), step)
    writer.flush()
    assert [e.step for e in accumulate(tmp_path).Scalars("x")] == list(range(25))
    writer.close()


def test_flush_secs_writes_in_the_background(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path), flush_secs=0.05)
    writer.add_summary(tf.summary.Summary(value=[
        tf.summary.Summary.Value(tag="x", simple_value=1.0)]), 1)
    deadline = time.monotonic() + 10
    while len(read_events(event_files(tmp_path)[0])) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(read_events(event_files(tmp_path)[0])) == 2  # without flush() or close()
    writer.close()


def test_close_reopen_and_closed_writer(tmp_path, caplog):
    writer = tf.summary.FileWriter(str(tmp_path))
    writer.add_summary(tf.summary.Summary(value=[
        tf.summary.Summary.Value(tag="x", simple_value=1.0)]), 1)
    writer.close()
    writer.close()  # closing twice is fine
    writer.add_summary(tf.summary.Summary(value=[
        tf.summary.Summary.Value(tag="x", simple_value=2.0)]), 2)  # dropped, with a warning
    writer.reopen()
    writer.add_summary(tf.summary.Summary(value=[
        tf.summary.Summary.Value(tag="x", simple_value=3.0)]), 3)
    writer.close()
    files = event_files(tmp_path)
    assert len(files) == 2  # reopen starts a new file
    assert [e.step for f in files for e in read_events(f)[1:]] == [1, 3]
    assert [(e.step, e.value) for e in accumulate(tmp_path).Scalars("x")] == [(1, 1.0),
                                                                            (3, 3.0)]


def test_two_writers_in_one_logdir_get_their_own_files(tmp_path):
    a, b = tf.summary.FileWriter(str(tmp_path)), tf.summary.FileWriter(str(tmp_path))
    a.close()
    b.close()
    assert len(event_files(tmp_path)) == 2


def test_add_summary_rejects_other_types(tmp_path):
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        with pytest.raises(TypeError, match="Summary proto or its serialized bytes"):
            writer.add_summary(1.5)
        with pytest.raises(TypeError, match="MetaGraphDef"):
            writer.add_meta_graph("graph")
        with pytest.raises(TypeError, match="instance of `Graph`"):
            writer.add_graph("graph")


def test_run_metadata_events(tmp_path):
    from tensorboard.compat.proto import config_pb2
    metadata = config_pb2.RunMetadata()
    node = metadata.step_stats.dev_stats.add(device="/cpu:0").node_stats.add(node_name="add")
    node.all_start_micros = 5
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_run_metadata(metadata, "step1", global_step=1)
        writer.add_run_metadata(tf.RunMetadata(), "step2")
        with pytest.raises(ValueError, match="already used"):
            writer.add_run_metadata(metadata, "step1")
    acc = accumulate(tmp_path)
    assert sorted(acc.Tags()["run_metadata"]) == ["step1", "step2"]
    assert acc.RunMetadata("step1").step_stats.dev_stats[0].node_stats[0].node_name == "add"


def test_file_writer_cache(tmp_path):
    tf.constant(1.0, name="in_the_graph")
    writer = tf.summary.FileWriterCache.get(str(tmp_path))
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is writer
    tf.summary.FileWriterCache.clear()
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is not writer
    tf.summary.FileWriterCache.clear()
    assert [n.name for n in accumulate(tmp_path).Graph().node] == ["in_the_graph"]


def test_background_writes_do_not_block_other_threads(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path), max_queue=1000)
    summary = tf.summary.Summary(value=[tf.summary.Summary.Value(tag="x", simple_value=1.0)])
    threads = [threading.Thread(target=lambda k=k: [writer.add_summary(summary, k * 100 + i)
                                                    for i in range(100)]) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    assert sorted(e.step for e in read_events(event_files(tmp_path)[0])[1:]) == list(range(400))


_CHILD = """
import os, sys
import numpy as np
import tensorweave as tf
x = tf.placeholder(tf.float32)
summary = tf.summary.scalar("x", x)
sess = tf.Session()
writer = tf.summary.FileWriter(sys.argv[1], flush_secs=1000)
for step in range(5):
    writer.add_summary(sess.run(summary, {x: step * 1.5}), step)
if sys.argv[2] == "crash":
    writer.flush()
    for step in range(5, 300):
        writer.add_summary(sess.run(summary, {x: step * 1.5}), step)
    os._exit(3)  # dies with records queued, as a crash would
"""


def _run_child(logdir, mode):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-c", _CHILD, str(logdir), mode], env=env,
                          capture_output=True, text=True, timeout=120)


def test_events_are_flushed_at_interpreter_exit(tmp_path):
    done = _run_child(tmp_path, "exit")
    assert done.returncode == 0, done.stderr
    assert [(e.step, e.value) for e in accumulate(tmp_path).Scalars("x")] == [
        (s, s * 1.5) for s in range(5)]


def test_a_crash_leaves_only_whole_records(tmp_path):
    done = _run_child(tmp_path, "crash")
    assert done.returncode == 3, done.stderr
    (path,) = event_files(tmp_path)
    events = read_events(path)  # every record is whole and its CRCs verify
    steps = [e.step for e in events[1:]]
    assert steps == list(range(len(steps))) and len(steps) >= 5
    assert [e.step for e in accumulate(tmp_path).Scalars("x")] == steps


def test_import_tensorweave_does_not_load_summaries_or_protobuf():
    code = ("import sys, tensorweave as tf\n"
            "loaded = [m for m in ('tensorweave.summary', 'tensorweave.core.graph_def',"
            " 'tensorboard') if m in sys.modules]\n"
            "assert not loaded, loaded\n"
            "assert tf.summary.scalar and 'tensorweave.summary' in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(REPO)),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
