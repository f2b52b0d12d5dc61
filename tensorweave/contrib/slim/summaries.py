"""slim.summaries: summaries named after their tensors (optionally prefixed), and optionally
printed when evaluated.

    slim.summaries.add_scalar_summary(total_loss, prefix="losses")   # tag 'losses/<op name>'
"""
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.ops import check_ops, nn_ops
from tensorweave.summary import summary_ops

__all__ = ["add_histogram_summaries", "add_histogram_summary", "add_image_summaries",
           "add_image_summary", "add_scalar_summaries", "add_scalar_summary",
           "add_zero_fraction_summaries", "add_zero_fraction_summary"]


def _summary_name(tensor, name=None, prefix=None, postfix=None):
    name = name or tensor.op.name
    if prefix:
        name = prefix + "/" + name
    if postfix:
        name = name + "/" + postfix
    return name


def _printed(build, tensor, summary_name, print_summary):
    """The summary op; when print_summary, wrapped in a Print of `tensor` and only that
    wrapper is in SUMMARIES."""
    op = build([] if print_summary else None)
    if print_summary:
        op = check_ops.Print(op, [tensor], summary_name)
        get_default_graph().add_to_collection(GraphKeys.SUMMARIES, op)
    return op


def add_histogram_summary(tensor, name=None, prefix=None):
    """A histogram of `tensor` tagged '<prefix>/<name or op name>'."""
    return summary_ops.histogram(_summary_name(tensor, name, prefix), tensor)


def add_image_summary(tensor, name=None, prefix=None, print_summary=False):
    """An image summary of `tensor`."""
    summary_name = _summary_name(tensor, name, prefix)
    return _printed(lambda c: summary_ops.image(summary_name, tensor, collections=c), tensor,
                    summary_name, print_summary)


def add_scalar_summary(tensor, name=None, prefix=None, print_summary=False):
    """A scalar summary of `tensor`."""
    summary_name = _summary_name(tensor, name, prefix)
    return _printed(lambda c: summary_ops.scalar(summary_name, tensor, collections=c),
                    tensor, summary_name, print_summary)


def add_zero_fraction_summary(tensor, name=None, prefix=None, print_summary=False):
    """A scalar summary of the fraction of zeros in `tensor`
    ('<name>/Fraction_of_Zero_Values')."""
    name = _summary_name(tensor, name, prefix, "Fraction_of_Zero_Values")
    return add_scalar_summary(nn_ops.zero_fraction(tensor), name,
                              print_summary=print_summary)


def add_histogram_summaries(tensors, prefix=None):
    return [add_histogram_summary(t, prefix=prefix) for t in tensors]


def add_image_summaries(tensors, prefix=None):
    return [add_image_summary(t, prefix=prefix) for t in tensors]


def add_scalar_summaries(tensors, prefix=None, print_summary=False):
    return [add_scalar_summary(t, prefix=prefix, print_summary=print_summary) for t in tensors]


def add_zero_fraction_summaries(tensors, prefix=None):
    return [add_zero_fraction_summary(t, prefix=prefix) for t in tensors]
