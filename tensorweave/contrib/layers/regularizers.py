"""tf.contrib.layers' weight regularizers: functions weights -> scalar penalty (or None)."""
import numbers

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.ops import math_ops, nn_ops
from tensorweave.platform import tf_logging as logging

__all__ = ["l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer",
           "apply_regularization"]


def _checked_scale(scale, what="scale"):
    """None when the scale turns the regularizer off (0.), else the scale; rejects ints and
    negatives as TF does."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"{what} cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale:g}")
        if scale == 0.0:
            logging.info("Scale of 0 disables regularizer.")
            return None
    return scale


def _scaled(scale, scope, default_name, penalty):
    if _checked_scale(scale) is None:
        return lambda _: None

    def regularizer(weights, name=None):
        with name_scope(scope, default_name, [weights]) as op_name:
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return math_ops.multiply(my_scale, penalty(weights), name=op_name)
    return regularizer


def l1_regularizer(scale, scope=None):
    """scale * sum(|w|)."""
    return _scaled(scale, scope, "l1_regularizer",
                   lambda w: math_ops.reduce_sum(math_ops.abs(w)))


def l2_regularizer(scale, scope=None):
    """scale * sum(w ** 2) / 2 (tf.nn.l2_loss)."""
    return _scaled(scale, scope, "l2_regularizer", nn_ops.l2_loss)


def sum_regularizer(regularizer_list, scope=None):
    """The sum of the penalties of several regularizers (None when the list is empty)."""
    regularizer_list = [r for r in regularizer_list if r is not None]
    if not regularizer_list:
        return None

    def sum_reg(weights):
        with name_scope(scope, "sum_regularizer", [weights]) as op_name:
            penalties = [p for p in (r(weights) for r in regularizer_list) if p is not None]
            return math_ops.add_n(penalties, name=op_name) if penalties else None
    return sum_reg


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    """scale_l1 * sum(|w|) + scale_l2 * sum(w ** 2) / 2."""
    if isinstance(scale_l1, numbers.Integral):
        raise ValueError(f"scale_l1 cannot be an integer: {scale_l1}")
    if isinstance(scale_l2, numbers.Integral):
        raise ValueError(f"scale_l2 cannot be an integer: {scale_l2}")
    scope = scope or "l1_l2_regularizer"
    if scale_l1 == 0.0:
        return l2_regularizer(scale_l2, scope)
    if scale_l2 == 0.0:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer, weights_list=None):
    """The summed penalty of `regularizer` over `weights_list` (default: the WEIGHTS
    collection), also added to REGULARIZATION_LOSSES."""
    graph = get_default_graph()
    if not weights_list:
        weights_list = graph.get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with name_scope("get_regularization_penalty", values=weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else convert_to_tensor(0.0) for p in penalties]
        for p in penalties:
            if p.shape.ndims != 0:
                raise ValueError(f"regularizer must return a scalar Tensor instead of a Tensor "
                                 f"with rank {p.shape.ndims}.")
        summed = math_ops.add_n(penalties, name=scope)
    graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed)
    return summed
