"""What kind of activation an op computes, for libraries that summarize activations
(tf.contrib.layers.summarize_activation) without naming op types themselves."""

_FLOORED_AT_ZERO = ("Relu", "Relu6", "Softplus")


def floored_at_zero(op):
    """True for activations that are zero (or near it) for negative inputs: Relu, Relu6,
    Softplus."""
    return op.type in _FLOORED_AT_ZERO


def capped_at_six(op):
    """True for Relu6."""
    return op.type == "Relu6"
