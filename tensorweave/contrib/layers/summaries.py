"""tf.contrib.layers' summary helpers: a scalar summary for scalars, a histogram otherwise;
activations also get the fraction of zeros (and of sixes for relu6)."""
import functools
import re

from tensorweave.core import dtypes
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.ops import activation_kinds, array, math_ops
from tensorweave.summary import summary_ops

__all__ = ["summarize_activation", "summarize_activations", "summarize_biases",
           "summarize_collection", "summarize_tensor", "summarize_tensors",
           "summarize_variables", "summarize_weights"]


def _scalar(tensor, tag=None):
    tensor.shape.assert_has_rank(0)
    return summary_ops.scalar(tag or f"{tensor.op.name}_summary", tensor)


def _histogram(tensor, tag=None):
    return summary_ops.histogram(tag or f"{tensor.op.name}_summary", tensor)


def _fraction(condition):
    return math_ops.reduce_mean(array.cast(condition, dtypes.float32))


def summarize_activation(op):
    """A histogram '<op>/activation' of an activation tensor, and for relu-like activations
    the fraction of inputs below zero ('<op>/zeros'), for relu6 also above six."""
    inputs = op.op.inputs[0] if op.op.inputs else None
    if inputs is not None and activation_kinds.floored_at_zero(op.op):
        _scalar(_fraction(math_ops.less(inputs, array.cast(0.0, inputs.dtype))),
                f"{op.op.name}/zeros")
    if inputs is not None and activation_kinds.capped_at_six(op.op):
        _scalar(_fraction(math_ops.greater(inputs, array.cast(6.0, inputs.dtype))),
                f"{op.op.name}/sixes")
    return _histogram(op, f"{op.op.name}/activation")


def summarize_tensor(tensor, tag=None):
    """A scalar summary for a scalar, else a histogram (tag '<op name>_summary')."""
    if tensor.shape.ndims == 0:
        return _scalar(tensor, tag)
    return _histogram(tensor, tag)


def summarize_tensors(tensors, summarizer=summarize_tensor):
    """summarizer(t) for each tensor."""
    return [summarizer(tensor) for tensor in tensors]


def summarize_collection(collection, name_filter=None, summarizer=summarize_tensor):
    """Summaries of the tensors of `collection` whose op names match `name_filter`."""
    chosen = [t for t in get_default_graph().get_collection(collection)
              if name_filter is None or re.match(name_filter, t.op.name)]
    return summarize_tensors(chosen, summarizer)


summarize_variables = functools.partial(summarize_collection,
                                        collection=GraphKeys.GLOBAL_VARIABLES)
summarize_weights = functools.partial(summarize_collection, collection=GraphKeys.WEIGHTS)
summarize_biases = functools.partial(summarize_collection, collection=GraphKeys.BIASES)


summarize_activations = functools.partial(summarize_collection,
                                          collection=GraphKeys.ACTIVATIONS,
                                          summarizer=summarize_activation)
