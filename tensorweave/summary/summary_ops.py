"""Summaries: each is a scalar string tensor holding a serialized `Summary` protocol buffer
(TF's tf.summary.scalar, histogram, image, audio, text, tensor_summary, merge, merge_all).

    loss_summary = tf.summary.scalar("loss", loss)      # tag "loss" (name scopes prefix it)
    merged = tf.summary.merge_all()                      # every summary in GraphKeys.SUMMARIES
    writer.add_summary(sess.run(merged, feed), step)     # bytes -> event file

Tags follow TF: the summary opens a name scope called `name` (uniquified like any scope, so a
name already taken by an op gets `_1`), and the scope's name is the tag; `family` prefixes it.
The op types and their kernels are in ops/summary.py.
"""
import contextlib
import re

import numpy as np
from tensorboard.compat.proto import summary_pb2

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.ops import summary as op_types

BAD_COLOR = np.array([255, 0, 0, 255], dtype=np.uint8)  # opaque red for non-finite pixels
_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w.]")


# --- the public functions --------------------------------------------------------------------
def clean_tag(name):
    """`name` with characters TensorBoard does not allow in tags replaced by '_' and leading
    slashes removed (TF logs the change)."""
    if name is None:
        return None
    cleaned = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    if cleaned != name:
        from tensorweave.platform import tf_logging
        tf_logging.info("Summary name %s is illegal; using %s instead.", name, cleaned)
    return cleaned


@contextlib.contextmanager
def summary_scope(name, family=None, default_name=None, values=None):
    """Opens the summary's name scope; yields (tag, scope)."""
    name, family = clean_tag(name), clean_tag(family)
    base = name if family is None else f"{family}/{name}"
    with name_scope(base, default_name, values=values) as scope:
        tag = scope.rstrip("/")
        yield (tag if family is None else f"{family}/{tag}"), scope


def _collect(value, collections, default):
    for key in (default if collections is None else collections):
        value.graph.add_to_collection(key, value)


def _summary_op(name, tensor, family, collections, build):
    """`build(tag, scope)` makes the summary inside its scope; it joins `collections`."""
    values = [tensor] if tensor is not None else []
    with summary_scope(name, family, values=values) as (tag, scope):
        value = build(tag, scope)
    _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def scalar(name, tensor, collections=None, family=None):
    """A summary of one real number: a scalar string tensor with a serialized `Summary`."""
    return _summary_op(name, tensor, family, collections,
                       lambda tag, scope: op_types.scalar_summary(
                           constant(tag, name="tags"), convert_to_tensor(tensor), name=scope))


def histogram(name, values, collections=None, family=None):
    """A histogram summary of `values` (any shape), with TF's default bucket layout."""
    return _summary_op(name, values, family, collections,
                       lambda tag, scope: op_types.histogram_summary(
                           constant(tag, name="tag"), convert_to_tensor(values), name=scope))


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """PNG image summaries of up to `max_outputs` images of a [batch, height, width, channels]
    tensor (uint8 as is; float images rescaled to 0-255 as TF does)."""
    return _summary_op(name, tensor, family, collections,
                       lambda tag, scope: op_types.image_summary(
                           constant(tag, name="tag"), convert_to_tensor(tensor),
                           max_images=int(max_outputs), bad_color=BAD_COLOR, name=scope))


def audio(name, tensor, sample_rate, max_outputs=3, collections=None, family=None):
    """WAV audio summaries of up to `max_outputs` clips of a [batch, frames(, channels)]
    float32 tensor with values in [-1, 1]."""
    def build(tag, scope):
        return op_types.audio_summary_v2(
            constant(tag, name="tag"), convert_to_tensor(tensor),
            convert_to_tensor(sample_rate, dtype=dtypes.float32, name="sample_rate"),
            max_outputs=int(max_outputs), name=scope)
    return _summary_op(name, tensor, family, collections, build)


def tensor_summary(name, tensor, summary_description=None, collections=None,
                   summary_metadata=None, family=None, display_name=None):
    """A summary holding the whole value of `tensor` as a TensorProto, with optional
    `SummaryMetadata` (plugin data, display name, description)."""
    metadata = summary_pb2.SummaryMetadata()
    if summary_metadata is not None:
        metadata.CopyFrom(summary_metadata)
    if summary_description is not None:
        metadata.summary_description = summary_description
    if display_name is not None:
        metadata.display_name = display_name
    serialized = metadata.SerializeToString()

    def build(tag, scope):
        return op_types.tensor_summary_v2(
            constant(tag, name="tag"), convert_to_tensor(tensor),
            constant(serialized, dtype=dtypes.string, name="serialized_summary_metadata"),
            name=scope)
    return _summary_op(name, tensor, family, collections, build)


def text(name, tensor, collections=None):
    """A text summary (TensorBoard's Text dashboard) of a string tensor; Markdown renders."""
    tensor = convert_to_tensor(tensor)
    if tensor.dtype is not dtypes.string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got "
                         f"{tensor.dtype.name}")
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text"))
    return tensor_summary(name, tensor, summary_metadata=metadata, collections=collections)


def merge(inputs, collections=None, name=None):
    """One summary holding every value of the `inputs` summaries (duplicate tags fail)."""
    name = clean_tag(name)
    inputs = [convert_to_tensor(t) for t in inputs]
    with name_scope(name, "Merge", inputs):
        value = op_types.merge_summary(inputs, name=name or "MergeSummary")
    _collect(value, collections, [])
    return value


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """Merges every summary in collection `key` (optionally matching `scope`); None if there
    are none."""
    summaries = get_default_graph().get_collection(key, scope=scope)
    if not summaries:
        return None
    return merge(summaries, name=name)


def get_summary_description(node_def):
    """The `SummaryDescription` of a TensorSummary node (its JSON `description` attr)."""
    if node_def.op != "TensorSummary":
        raise ValueError(f"Can't get_summary_description on {node_def.op}")
    from google.protobuf import json_format
    description = node_def.attr["description"]
    text_value = getattr(description, "s", description)
    if isinstance(text_value, bytes):
        text_value = text_value.decode("utf-8")
    return json_format.Parse(text_value or "{}", summary_pb2.SummaryDescription())
