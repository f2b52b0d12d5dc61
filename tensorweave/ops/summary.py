"""Summary op types: each computes a serialized `Summary` protocol buffer as a scalar string
tensor. tf.summary (summary/summary_ops.py) builds them with the builders at the end; the
kernels load tensorboard's protocol buffers on first run, so `import tensorweave` does not.
"""
import numpy as np

from tensorweave.core import dtypes
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
