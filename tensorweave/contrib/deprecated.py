"""tf.contrib.deprecated: the summary functions of TF 0.12, as TF 1.15 still has them. Unlike
tf.summary's, their tags are used as given (a name scope does not prefix them), and
scalar_summary takes a tensor of tags with the shape of its values.

    tf.contrib.deprecated.scalar_summary("loss", loss)
    merged = tf.contrib.deprecated.merge_all_summaries()
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.ops import summary as op_types
from tensorweave.summary import summary_ops

__all__ = ["audio_summary", "histogram_summary", "image_summary", "merge_all_summaries",
           "merge_summary", "scalar_summary"]

def _collected(value, collections):
    for key in ([GraphKeys.SUMMARIES] if collections is None else collections):
        value.graph.add_to_collection(key, value)
    return value


def scalar_summary(tags, values, collections=None, name=None):
    """A summary of real `values` under the string `tags` of the same shape."""
    with name_scope(name, "ScalarSummary", [tags, values]) as scope:
        value = op_types.scalar_summary(convert_to_tensor(tags, dtype=dtypes.string),
                                        convert_to_tensor(values), name=scope)
    return _collected(value, collections)


def histogram_summary(tag, values, collections=None, name=None):
    """A histogram summary of `values` under the scalar string `tag`."""
    with name_scope(name, "HistogramSummary", [tag, values]) as scope:
        value = op_types.histogram_summary(convert_to_tensor(tag, dtype=dtypes.string),
                                           convert_to_tensor(values), name=scope)
    return _collected(value, collections)


def image_summary(tag, tensor, max_images=3, collections=None, name=None):
    """PNG summaries of up to `max_images` images, tagged `tag/image` (one) or
    `tag/image/<i>`."""
    with name_scope(name, "ImageSummary", [tag, tensor]) as scope:
        value = op_types.image_summary(convert_to_tensor(tag, dtype=dtypes.string),
                                       convert_to_tensor(tensor), max_images=int(max_images),
                                       bad_color=summary_ops.BAD_COLOR, name=scope)
    return _collected(value, collections)


def audio_summary(tag, tensor, sample_rate, max_outputs=3, collections=None, name=None):
    """WAV summaries of up to `max_outputs` clips of float32 audio in [-1, 1]."""
    with name_scope(name, "AudioSummary", [tag, tensor]) as scope:
        value = op_types.audio_summary_v2(
            convert_to_tensor(tag, dtype=dtypes.string), convert_to_tensor(tensor),
            convert_to_tensor(sample_rate, dtype=dtypes.float32, name="sample_rate"),
            max_outputs=int(max_outputs), name=scope)
    return _collected(value, collections)


def merge_summary(inputs, collections=None, name=None):
    """One summary holding every value of the `inputs` summaries."""
    inputs = [convert_to_tensor(t) for t in inputs]
    with name_scope(name, "MergeSummary", inputs) as scope:
        value = op_types.merge_summary(inputs, name=scope)
    for key in collections or []:
        value.graph.add_to_collection(key, value)
    return value


def merge_all_summaries(key=GraphKeys.SUMMARIES):
    """The merge of every summary in collection `key`, or None when it is empty."""
    summaries = get_default_graph().get_collection(key)
    return merge_summary(summaries) if summaries else None
