"""Summary op types: each computes a serialized `Summary` protocol buffer as a scalar string
tensor. tf.summary (summary/summary_ops.py) builds them with the builders at the end; the
kernels load tensorboard's protocol buffers on first run, so `import tensorweave` does not.
The summary writer op types (SummaryWriter, CreateSummaryFileWriter, Write*Summary, ...), which
tf.contrib.summary builds, append the same Summaries as Events to an event file.
"""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.lib import summary_encoding

_SCALAR = TensorShape([])


# --- shared facets ---------------------------------------------------------------------------
def _string_scalar(data):
    """A 0-d string tensor value (object array) holding `data` bytes."""
    out = np.empty((), dtype=object)
    out[()] = data
    return out


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _protos():
    """tensorboard's summary protocol buffers, loaded when a summary kernel first runs."""
    from tensorboard.compat.proto import summary_pb2
    return summary_pb2


def _serialized(summary):
    return _string_scalar(summary.SerializeToString())


def _require_string(op_type, what, t):
    if t.dtype is not dtypes.string:
        raise TypeError(f"{op_type} requires a string {what}, got {t.dtype.name}")


def _require_scalar_tag(op_type, tag):
    _require_string(op_type, "tag", tag)
    if tag.shape.ndims not in (None, 0):
        raise ValueError(f"{op_type} requires a scalar tag, got shape {tag.shape}")


def _require_real(op_type, what, t, allowed=None):
    ok = (t.dtype in allowed) if allowed is not None else (
        (t.dtype.is_floating or t.dtype.is_integer) and t.dtype is not dtypes.string)
    if not ok:
        raise TypeError(f"{op_type} requires real numbers as {what}, got {t.dtype.name}")


def _scalar_tag(op_type, tag):
    if np.ndim(tag) != 0:
        raise ValueError(f"{op_type} requires a scalar tag, got shape {list(np.shape(tag))}")
    return _text(np.asarray(tag, dtype=object)[()])


# --- ScalarSummary ---------------------------------------------------------------------------
def _scalar_summary_shape(tags, values):
    _require_string("ScalarSummary", "tags", tags)
    _require_real("ScalarSummary", "values", values)
    if not tags.shape.is_compatible_with(values.shape):
        raise ValueError(f"ScalarSummary requires tags and values of the same shape, got "
                         f"{tags.shape} and {values.shape}")
    return [(dtypes.string, _SCALAR)]


def _scalar_summary_kernel(tags, values):
    summary_pb2 = _protos()
    if np.ndim(tags) == 0 and np.ndim(values) == 0:  # the usual case, kept short
        summary = summary_pb2.Summary()
        summary.value.add(tag=_text(tags.item()), simple_value=float(values))
        return _serialized(summary)
    if np.shape(tags) != np.shape(values):
        raise ValueError(f"tags and values not the same shape: {list(np.shape(tags))} != "
                         f"{list(np.shape(values))}")
    summary = summary_pb2.Summary()
    add = summary.value.add
    for tag, value in zip(np.asarray(tags, dtype=object).flat, np.asarray(values).flat):
        add(tag=_text(tag), simple_value=float(value))
    return _serialized(summary)


register_op("ScalarSummary", shape=_scalar_summary_shape, kernel=_scalar_summary_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- HistogramSummary ------------------------------------------------------------------------
def _histogram_summary_shape(tag, values):
    _require_scalar_tag("HistogramSummary", tag)
    _require_real("HistogramSummary", "values", values)
    return [(dtypes.string, _SCALAR)]


def _histogram_proto(h):
    summary_pb2 = _protos()
    return summary_pb2.HistogramProto(min=h.min, max=h.max, num=h.num, sum=h.sum,
                                      sum_squares=h.sum_squares, bucket_limit=h.limits.tolist(),
                                      bucket=h.counts.tolist())


def histogram_proto(values):
    """A `HistogramProto` of `values` with TF's default buckets (empty runs collapsed)."""
    return _histogram_proto(summary_encoding.Histogram(values))


def _histogram_summary_kernel(tag, values):
    summary_pb2 = _protos()
    tag = _scalar_tag("HistogramSummary", tag)
    h = summary_encoding.Histogram(values)
    if not (np.isfinite(h.min) and np.isfinite(h.max)) and h.num:
        kind = "Nan" if np.isnan(h.max) else "Infinity"
        raise ValueError(f"{kind} in summary histogram for: {tag}")
    summary = summary_pb2.Summary()
    summary.value.add(tag=tag, histo=_histogram_proto(h))
    return _serialized(summary)


register_op("HistogramSummary", shape=_histogram_summary_shape,
            kernel=_histogram_summary_kernel, grad=NOT_DIFFERENTIABLE)


# --- ImageSummary ----------------------------------------------------------------------------
_IMAGE_DTYPES = (dtypes.uint8, dtypes.float16, dtypes.float32, dtypes.float64)


def _image_summary_shape(tag, tensor, *, max_images, bad_color):
    _require_scalar_tag("ImageSummary", tag)
    _require_real("ImageSummary", "images", tensor, _IMAGE_DTYPES)
    shape = tensor.shape.as_tuple()
    if shape is not None and (len(shape) != 4 or shape[3] not in (None, 1, 3, 4)):
        raise ValueError(f"ImageSummary requires a 4-D tensor with last dimension 1, 3, or 4, "
                         f"got {tensor.shape}")
    if max_images < 1:
        raise ValueError(f"ImageSummary requires max_images >= 1, got {max_images}")
    return [(dtypes.string, _SCALAR)]


def _image_summary_kernel(tag, tensor, *, max_images, bad_color):
    summary_pb2 = _protos()
    tag = _scalar_tag("ImageSummary", tag)
    if tensor.ndim != 4 or tensor.shape[3] not in (1, 3, 4):
        raise ValueError(f"Tensor must be 4-D with last dim 1, 3, or 4, not "
                         f"{list(tensor.shape)}")
    _, height, width, depth = tensor.shape
    summary = summary_pb2.Summary()
    for i in range(min(max_images, tensor.shape[0])):
        image = tensor[i]
        if image.dtype != np.uint8:
            image = summary_encoding.float_image_to_uint8(image, bad_color)
        summary.value.add(
            tag=f"{tag}/image/{i}" if max_images > 1 else f"{tag}/image",
            image=summary_pb2.Summary.Image(
                height=height, width=width, colorspace=depth,
                encoded_image_string=summary_encoding.encode_png(image)))
    return _serialized(summary)


register_op("ImageSummary", shape=_image_summary_shape, kernel=_image_summary_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- AudioSummaryV2 --------------------------------------------------------------------------
def _audio_summary_shape(tag, tensor, sample_rate, *, max_outputs):
    _require_scalar_tag("AudioSummaryV2", tag)
    _require_real("AudioSummaryV2", "audio", tensor, (dtypes.float32,))
    _require_real("AudioSummaryV2", "sample_rate", sample_rate, (dtypes.float32,))
    if tensor.shape.ndims not in (None, 2, 3):
        raise ValueError(f"AudioSummaryV2 requires a 2-D [batch, frames] or 3-D [batch, "
                         f"frames, channels] tensor, got {tensor.shape}")
    if sample_rate.shape.ndims not in (None, 0):
        raise ValueError(f"AudioSummaryV2 requires a scalar sample_rate, got "
                         f"{sample_rate.shape}")
    if max_outputs < 1:
        raise ValueError(f"AudioSummaryV2 requires max_outputs >= 1, got {max_outputs}")
    return [(dtypes.string, _SCALAR)]


def _audio_summary_kernel(tag, tensor, sample_rate, *, max_outputs):
    summary_pb2 = _protos()
    tag = _scalar_tag("AudioSummaryV2", tag)
    if tensor.ndim not in (2, 3):
        raise ValueError(f"Tensor must be 3-D or 2-D, got: {list(tensor.shape)}")
    rate = float(sample_rate)
    if not rate > 0:
        raise ValueError("sample_rate must be > 0")
    clips = tensor if tensor.ndim == 3 else tensor[:, :, None]
    summary = summary_pb2.Summary()
    for i in range(min(max_outputs, clips.shape[0])):
        wav = summary_encoding.encode_wav(clips[i], max(int(np.rint(np.float32(rate))), 1))
        summary.value.add(
            tag=f"{tag}/audio/{i}" if max_outputs > 1 else f"{tag}/audio",
            audio=summary_pb2.Summary.Audio(
                sample_rate=rate, num_channels=clips.shape[2], length_frames=clips.shape[1],
                content_type="audio/wav", encoded_audio_string=wav))
    return _serialized(summary)


register_op("AudioSummaryV2", shape=_audio_summary_shape, kernel=_audio_summary_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- TensorSummaryV2 -------------------------------------------------------------------------
def _tensor_summary_shape(tag, tensor, serialized_summary_metadata):
    _require_scalar_tag("TensorSummaryV2", tag)
    _require_string("TensorSummaryV2", "serialized_summary_metadata",
                    serialized_summary_metadata)
    return [(dtypes.string, _SCALAR)]


def _tensor_summary_kernel(tag, tensor, serialized_summary_metadata):
    from tensorweave.core.graph_def import tensor_proto
    summary_pb2 = _protos()
    summary = summary_pb2.Summary()
    value = summary.value.add(tag=_scalar_tag("TensorSummaryV2", tag))
    value.metadata.ParseFromString(np.asarray(serialized_summary_metadata, dtype=object)[()])
    value.tensor.CopyFrom(tensor_proto(tensor))
    return _serialized(summary)


register_op("TensorSummaryV2", shape=_tensor_summary_shape, kernel=_tensor_summary_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- MergeSummary ----------------------------------------------------------------------------
def _merge_summary_shape(*inputs, N):
    if not inputs:
        raise ValueError("MergeSummary requires at least one summary to merge")
    for t in inputs:
        _require_string("MergeSummary", "input", t)
    return [(dtypes.string, _SCALAR)]


def _merge_summary_kernel(*inputs, N):
    summary_pb2 = _protos()
    merged = summary_pb2.Summary()
    for serialized in inputs:
        for data in np.asarray(serialized, dtype=object).flat:
            try:
                merged.MergeFromString(data)  # appends the values of `data`
            except Exception:  # noqa: BLE001 - protobuf's DecodeError and friends
                raise ValueError("Could not parse one of the summary inputs") from None
    if len(merged.value) < 2:
        return _serialized(merged)
    tags = set()
    for value in merged.value:
        if value.tag:
            if value.tag in tags:
                raise ValueError(f"Duplicate tag {value.tag} found in summary inputs")
            tags.add(value.tag)
    return _serialized(merged)


register_op("MergeSummary", shape=_merge_summary_shape, kernel=_merge_summary_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- builders (tf.summary names the scope and makes the tag constants) --------------------
def _string(op_type, inputs, name, **attrs):
    return create_op(op_type, inputs, name=name, **attrs).outputs[0]


def scalar_summary(tags, values, name):
    return _string("ScalarSummary", [tags, values], name)


def histogram_summary(tag, values, name):
    return _string("HistogramSummary", [tag, values], name)


def image_summary(tag, tensor, *, max_images, bad_color, name):
    return _string("ImageSummary", [tag, tensor], name, max_images=max_images,
                   bad_color=bad_color)


def audio_summary_v2(tag, tensor, sample_rate, *, max_outputs, name):
    return _string("AudioSummaryV2", [tag, tensor, sample_rate], name, max_outputs=max_outputs)


def tensor_summary_v2(tag, tensor, serialized_summary_metadata, name):
    return _string("TensorSummaryV2", [tag, tensor, serialized_summary_metadata], name)


def merge_summary(inputs, name):
    return _string("MergeSummary", list(inputs), name, N=len(inputs))


# --- summary writers (tf.contrib.summary) ----------------------------------------------------
# SummaryWriter makes a handle naming a writer in the Session's state; CreateSummaryFileWriter
# opens its event file (once: later runs leave it as it is), the Write* ops append one Event
# each, CloseSummaryWriter closes it (a later CreateSummaryFileWriter opens a new file).
# Events are appended to the file as they are written, so FlushSummaryWriter has nothing left
# to do: readers see them at once, where TensorFlow may hold up to max_queue of them.
class SummaryFileSink:
    """An open event file that Event protos are appended to."""

    def __init__(self, logdir, filename_suffix):
        from tensorweave.lib import event_files
        self.path, self._fd = event_files.create_event_file(logdir, filename_suffix)
        self.write(_event(file_version="brain.Event:2"))

    def write(self, event):
        import os
        from tensorweave.lib import event_files
        os.write(self._fd, event_files.frame_record(event.SerializeToString()))

    def close(self):
        import os
        os.close(self._fd)


class WriterSlot:
    """What a writer handle names: the open sink, or None before creation / after closing."""

    def __init__(self, name):
        self.name = name
        self.sink = None

    def wake(self):
        """The Session is closing: as TF destroys its writers, the file is closed."""
        if self.sink is not None:
            self.sink.close()
            self.sink = None

    def open_sink(self):
        if self.sink is None:
            raise errors.NotFoundError(None, None, f"Resource {self.name} of type "
                                       f"SummaryWriterInterface does not exist.")
        return self.sink


def _event(step=None, **fields):
    import time
    from tensorboard.compat.proto import event_pb2
    event = event_pb2.Event(wall_time=time.time(), **fields)
    if step is not None:
        event.step = int(step)
    return event


def _writer_slot(state, handle):
    return state.blocking.get(handle.item() if isinstance(handle, np.ndarray) else handle)


def _require_writer(op_type, writer):
    if writer.dtype not in (dtypes.resource, dtypes.string):
        raise TypeError(f"{op_type} requires a summary writer handle (resource), got "
                        f"{writer.dtype.name}")


def _require_step(op_type, step):
    if not step.dtype.is_integer:
        raise TypeError(f"{op_type} requires an integer step, got {step.dtype.name}")
    if step.shape.ndims not in (None, 0):
        raise ValueError(f"{op_type} requires a scalar step, got shape {step.shape}")


def _summary_writer_shape(*, shared_name="", container=""):
    return [(dtypes.resource, _SCALAR)]


def _summary_writer_kernel(state, op_name, *, shared_name="", container=""):
    name = state.blocking.handle_for(op_name, container, shared_name, WriterSlot)
    return np.array(name.encode("utf-8"), dtype=object)


def _create_file_writer_shape(writer, logdir, max_queue, flush_millis, filename_suffix):
    _require_writer("CreateSummaryFileWriter", writer)
    _require_scalar_tag("CreateSummaryFileWriter", logdir)
    _require_scalar_tag("CreateSummaryFileWriter", filename_suffix)
    return []


def _create_file_writer_kernel(state, op_name, writer, logdir, max_queue, flush_millis,
                               filename_suffix):
    slot = _writer_slot(state, writer)
    if slot.sink is None:
        slot.sink = SummaryFileSink(_text(np.asarray(logdir, dtype=object)[()]),
                                    _text(np.asarray(filename_suffix, dtype=object)[()]))
    return ()


def _writer_only_shape(op_type):
    def rule(writer):
        _require_writer(op_type, writer)
        return []
    return rule


def _flush_writer_kernel(state, op_name, writer):
    _writer_slot(state, writer).open_sink()
    return ()


def _close_writer_kernel(state, op_name, writer):
    slot = _writer_slot(state, writer)
    slot.open_sink().close()
    slot.sink = None
    return ()


def _write_shape(op_type, *value_names):
    """Shape rule of a Write* op: (writer, step, tag, values...) in, nothing out."""
    def rule(writer, step, *rest, **attrs):
        _require_writer(op_type, writer)
        _require_step(op_type, step)
        tag = rest[value_names.index("tag")] if "tag" in value_names else None
        if tag is not None:
            _require_scalar_tag(op_type, tag)
        return []
    return rule


def _append_summary(state, writer, step, serialized):
    event = _event(step)
    event.summary.ParseFromString(serialized[()] if isinstance(serialized, np.ndarray)
                                  else serialized)
    _writer_slot(state, writer).open_sink().write(event)
    return ()


def _write_scalar_kernel(state, op_name, writer, step, tag, value, *, T=None):
    if np.asarray(value).dtype == object:
        raise errors.InvalidArgumentError(None, None, "Scalar summary cannot be string")
    if np.ndim(value) != 0:
        raise errors.InvalidArgumentError(
            None, None, f"Scalar summary value must be a scalar, got shape "
            f"{list(np.shape(value))}")
    return _append_summary(state, writer, step, _scalar_summary_kernel(tag, value))


def _write_histogram_kernel(state, op_name, writer, step, tag, values, *, T=None):
    try:
        serialized = _histogram_summary_kernel(tag, values)
    except ValueError as e:
        raise errors.InvalidArgumentError(None, None, str(e)) from None
    return _append_summary(state, writer, step, serialized)


def _write_image_kernel(state, op_name, writer, step, tag, tensor, bad_color, *, max_images=3,
                        T=None):
    try:
        serialized = _image_summary_kernel(tag, tensor, max_images=max_images,
                                           bad_color=np.asarray(bad_color, np.uint8))
    except ValueError as e:
        raise errors.InvalidArgumentError(None, None, str(e)) from None
    return _append_summary(state, writer, step, serialized)


def _write_audio_kernel(state, op_name, writer, step, tag, tensor, sample_rate, *,
                        max_outputs=3):
    try:
        serialized = _audio_summary_kernel(tag, tensor, sample_rate, max_outputs=max_outputs)
    except ValueError as e:
        raise errors.InvalidArgumentError(None, None, str(e)) from None
    return _append_summary(state, writer, step, serialized)


def _write_tensor_kernel(state, op_name, writer, step, tensor, tag, summary_metadata, *,
                         T=None):
    return _append_summary(state, writer, step,
                           _tensor_summary_kernel(tag, tensor, summary_metadata))


def _write_graph_kernel(state, op_name, writer, step, tensor):
    from tensorboard.compat.proto import graph_pb2
    graph_def = graph_pb2.GraphDef()
    try:
        graph_def.ParseFromString(np.asarray(tensor, dtype=object)[()])
    except Exception:  # noqa: BLE001 - protobuf's DecodeError and friends
        raise errors.InvalidArgumentError(None, None, "Bad tf.GraphDef binary proto.") from None
    _writer_slot(state, writer).open_sink().write(
        _event(step, graph_def=graph_def.SerializeToString()))
    return ()


def _import_event_shape(writer, event):
    _require_writer("ImportEvent", writer)
    _require_string("ImportEvent", "event", event)
    return []


def _import_event_kernel(state, op_name, writer, event):
    from tensorboard.compat.proto import event_pb2
    sink = _writer_slot(state, writer).open_sink()
    for data in np.asarray(event, dtype=object).reshape(-1):
        parsed = event_pb2.Event()
        try:
            parsed.ParseFromString(data)
        except Exception:  # noqa: BLE001 - protobuf's DecodeError and friends
            raise errors.InvalidArgumentError(
                None, None, "Bad tf.compat.v1.Event binary proto.") from None
        sink.write(parsed)
    return ()


register_op("SummaryWriter", shape=_summary_writer_shape, kernel=_summary_writer_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("CreateSummaryFileWriter", shape=_create_file_writer_shape,
            kernel=_create_file_writer_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("FlushSummaryWriter", shape=_writer_only_shape("FlushSummaryWriter"),
            kernel=_flush_writer_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("CloseSummaryWriter", shape=_writer_only_shape("CloseSummaryWriter"),
            kernel=_close_writer_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("WriteScalarSummary", shape=_write_shape("WriteScalarSummary", "tag", "value"),
            kernel=_write_scalar_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("WriteHistogramSummary",
            shape=_write_shape("WriteHistogramSummary", "tag", "values"),
            kernel=_write_histogram_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("WriteImageSummary",
            shape=_write_shape("WriteImageSummary", "tag", "tensor", "bad_color"),
            kernel=_write_image_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("WriteAudioSummary",
            shape=_write_shape("WriteAudioSummary", "tag", "tensor", "sample_rate"),
            kernel=_write_audio_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("WriteSummary", shape=_write_shape("WriteSummary", "tensor", "tag", "metadata"),
            kernel=_write_tensor_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("WriteGraphSummary", shape=_write_shape("WriteGraphSummary", "tensor"),
            kernel=_write_graph_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("ImportEvent", shape=_import_event_shape, kernel=_import_event_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


def summary_writer(shared_name="", container="", name=None):
    """A SummaryWriter handle op's output (the resource is made by CreateSummaryFileWriter)."""
    return create_op("SummaryWriter", [], name=name, shared_name=shared_name,
                     container=container).outputs[0]


def create_summary_file_writer(writer, logdir, max_queue, flush_millis, filename_suffix,
                               name=None):
    return create_op("CreateSummaryFileWriter",
                     [writer, _string_tensor(logdir), _int32_tensor(max_queue),
                      _int32_tensor(flush_millis), _string_tensor(filename_suffix)], name=name)


def flush_summary_writer(writer, name=None):
    return create_op("FlushSummaryWriter", [writer], name=name)


def close_summary_writer(writer, name=None):
    return create_op("CloseSummaryWriter", [writer], name=name)


def write_scalar_summary(writer, step, tag, value, name=None):
    value = convert_to_tensor(value)
    return create_op("WriteScalarSummary",
                     [writer, _int64_tensor(step), _string_tensor(tag), value],
                     name=name, T=value.dtype)


def write_histogram_summary(writer, step, tag, values, name=None):
    values = convert_to_tensor(values)
    return create_op("WriteHistogramSummary",
                     [writer, _int64_tensor(step), _string_tensor(tag), values],
                     name=name, T=values.dtype)


def write_image_summary(writer, step, tag, tensor, bad_color, max_images=3, name=None):
    tensor = convert_to_tensor(tensor)
    return create_op("WriteImageSummary",
                     [writer, _int64_tensor(step), _string_tensor(tag), tensor,
                      convert_to_tensor(bad_color, dtype=dtypes.uint8)],
                     name=name, max_images=int(max_images), T=tensor.dtype)


def write_audio_summary(writer, step, tag, tensor, sample_rate, max_outputs=3, name=None):
    return create_op("WriteAudioSummary",
                     [writer, _int64_tensor(step), _string_tensor(tag),
                      convert_to_tensor(tensor, dtype=dtypes.float32),
                      convert_to_tensor(sample_rate, dtype=dtypes.float32)],
                     name=name, max_outputs=int(max_outputs))


def write_summary(writer, step, tensor, tag, summary_metadata, name=None):
    tensor = convert_to_tensor(tensor)
    return create_op("WriteSummary", [writer, _int64_tensor(step), tensor, _string_tensor(tag),
                                      _string_tensor(summary_metadata)],
                     name=name, T=tensor.dtype)


def write_graph_summary(writer, step, tensor, name=None):
    return create_op("WriteGraphSummary",
                     [writer, _int64_tensor(step), _string_tensor(tensor)], name=name)


def import_event(writer, event, name=None):
    return create_op("ImportEvent", [writer, _string_tensor(event)], name=name)


def _string_tensor(value):
    return convert_to_tensor(value, dtype=dtypes.string)


def _int32_tensor(value):
    return convert_to_tensor(value, dtype=dtypes.int32)


def _int64_tensor(value):
    from tensorweave.ops.array import convert
    value = convert_to_tensor(value)
    return value if value.dtype is dtypes.int64 else convert.cast(value, dtypes.int64)
