"""tf.losses: weighted, reduced losses that also land in the LOSSES collection."""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.ops import array, math_ops, nn_ops, special_math


class Reduction:
    """How compute_weighted_loss turns per-element losses into the returned loss."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}.")


def _safe_div(numerator, denominator):
    """numerator / denominator, or 0 where the denominator is 0 (TF's div_no_nan)."""
    return special_math.div_no_nan(numerator, denominator, name="value")


def _check_broadcastable(weights, values):
    """TF's rule for loss weights: rank 0, or the rank of `values` with each dimension 1 or
    equal to that of `values` (checked where the shapes are known)."""
    w, v = weights.shape, values.shape
    if w.ndims is None or v.ndims is None or w.ndims == 0:
        return
    if w.ndims != v.ndims or any(a.value not in (None, 1) and b.value is not None
                                 and a.value != b.value for a, b in zip(w.dims, v.dims)):
        raise ValueError(f"weights can not be broadcast to values. values.rank={v.ndims}. "
                         f"weights.rank={w.ndims}. values.shape={v}. weights.shape={w}.")


def _spatial_sum(x):
    """The sum over every dimension but the first, keeping them (size 1)."""
    if x.shape.ndims is not None:
        axes = list(range(1, x.shape.ndims))
    else:
        axes = array.range_(1, array.rank(x))
    return math_ops.reduce_sum(x, axis=axes, keepdims=True)


def _num_present(losses, weights, per_batch=False):
    """How many loss elements have a nonzero (broadcast) weight (per batch element: summed
    over the other dimensions, kept as size 1)."""
    with name_scope(None, "num_present", [losses, weights]) as scope:
        present = array.where(math_ops.equal(weights, 0.0), array.zeros_like(weights),
                              array.ones_like(weights))
        present = present * array.ones_like(losses)
        if per_batch:
            return _spatial_sum(present)
        return math_ops.reduce_sum(present, name=scope)


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """losses * weights, reduced as `reduction` says, added to `loss_collection`."""
    Reduction.validate(reduction)
    losses = convert_to_tensor(losses)
    with name_scope(scope, "weighted_loss", [losses]):
        input_dtype = losses.dtype
        losses = array.cast(losses, dtypes.float32)
        weights = array.cast(convert_to_tensor(weights), dtypes.float32)
        _check_broadcastable(weights, losses)
        weighted = math_ops.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = math_ops.reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                loss = _safe_div(loss, math_ops.reduce_sum(array.ones_like(losses) *
                                                           weights))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_div(loss, _num_present(losses, weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_div(loss, array.cast(array.size(losses), dtypes.float32))
        loss = array.cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    """Adds `loss` to `loss_collection` (nothing when the collection is None)."""
    if loss_collection:
        get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    return get_default_graph().get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    return get_default_graph().get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """The sum of the regularization losses (0.0 when there are none)."""
    losses = get_regularization_losses(scope)
    if losses:
        return math_ops.add_n(losses, name=name)
    return convert_to_tensor(0.0, name=name)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of the collected losses (and the regularization losses)."""
    losses = get_losses(scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope)
    if not losses:
        raise ValueError("No losses found in the LOSSES collection.")
    return math_ops.add_n(losses, name=name)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Cross-entropy of softmax(logits) against integer class `labels`, weighted and reduced."""
    if labels is None or logits is None:
        raise ValueError("labels and logits must not be None.")
    with name_scope(scope, "sparse_softmax_cross_entropy_loss", []) as scope_name:
        losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                                 name="xentropy")
        return compute_weighted_loss(losses, weights, scope_name, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Cross-entropy of softmax(logits) against one-hot (optionally smoothed) labels."""
    if onehot_labels is None or logits is None:
        raise ValueError("onehot_labels and logits must not be None.")
    logits = convert_to_tensor(logits)
    with name_scope(scope, "softmax_cross_entropy_loss", [logits]) as scope_name:
        labels = array.cast(convert_to_tensor(onehot_labels), logits.dtype)
        if not logits.shape.is_compatible_with(labels.shape):
            raise ValueError(f"Shapes {logits.shape} and {labels.shape} are incompatible")
        if label_smoothing > 0:
            classes = array.cast(array.shape(labels)[-1], logits.dtype)
            labels = labels * (1 - label_smoothing) + label_smoothing / classes
        losses = nn_ops.softmax_cross_entropy_with_logits_v2(
            labels=array.stop_gradient(labels), logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope_name, loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
                          scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Logistic loss of `logits` against 0/1 labels, weighted and reduced."""
    logits = convert_to_tensor(logits)
    with name_scope(scope, "sigmoid_cross_entropy_loss", [logits]) as scope_name:
        labels = array.cast(convert_to_tensor(multi_class_labels), logits.dtype)
        if label_smoothing > 0:
            labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = nn_ops.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                          name="xentropy")
        return compute_weighted_loss(losses, weights, scope_name, loss_collection, reduction)


def _pairwise(default_scope, elementwise):
    def loss_fn(labels, predictions, weights=1.0, scope=None,
                loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
        if labels is None or predictions is None:
            raise ValueError("labels and predictions must not be None.")
        with name_scope(scope, default_scope, []) as scope_name:
            predictions = array.cast(convert_to_tensor(predictions), dtypes.float32)
            labels = array.cast(convert_to_tensor(labels), dtypes.float32)
            if not predictions.shape.is_compatible_with(labels.shape):
                raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are "
                                 "incompatible")
            return compute_weighted_loss(elementwise(labels, predictions), weights,
                                         scope_name, loss_collection, reduction)
    loss_fn.__name__ = default_scope
    loss_fn.__doc__ = f"The {default_scope.replace('_', ' ')} of predictions vs labels."
    return loss_fn


mean_squared_error = _pairwise("mean_squared_error", math_ops.squared_difference)
absolute_difference = _pairwise("absolute_difference",
                                lambda y, p: math_ops.abs(math_ops.subtract(p, y)))


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None,
             loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """-labels * log(p + eps) - (1 - labels) * log(1 - p + eps), weighted and reduced."""
    with name_scope(scope, "log_loss", []) as scope_name:
        p = array.cast(convert_to_tensor(predictions), dtypes.float32)
        y = array.cast(convert_to_tensor(labels), dtypes.float32)
        losses = -y * math_ops.log(p + epsilon) - (1 - y) * math_ops.log(1 - p + epsilon)
        return compute_weighted_loss(losses, weights, scope_name, loss_collection, reduction)


def _as_float_pair(labels, predictions, names=("labels", "predictions")):
    """labels and predictions as float32 of compatible shapes (ValueError otherwise)."""
    if labels is None:
        raise ValueError(f"Argument `{names[0]}` must not be None.")
    if predictions is None:
        raise ValueError(f"Argument `{names[1]}` must not be None.")
    predictions = array.cast(convert_to_tensor(predictions), dtypes.float32)
    labels = array.cast(convert_to_tensor(labels), dtypes.float32)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are incompatible")
    return labels, predictions


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None,
                    loss_collection=GraphKeys.LOSSES,
                    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None):
    """1 - sum(labels * predictions) along `axis` (both assumed unit-normalized), weighted
    and reduced; `dim` is the deprecated name of `axis`."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("You must specify argument `axis`.")
    with name_scope(scope, "cosine_distance_loss", []) as scope_name:
        labels, predictions = _as_float_pair(labels, predictions)
        products = math_ops.multiply(predictions, labels)
        losses = 1 - math_ops.reduce_sum(products, axis=[axis], keepdims=True)
        return compute_weighted_loss(losses, weights, scope_name, loss_collection, reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """max(0, 1 - (2 * labels - 1) * logits) for 0/1 labels, weighted and reduced."""
    with name_scope(scope, "hinge_loss", []) as scope_name:
        labels, logits = _as_float_pair(labels, logits, ("labels", "logits"))
        all_ones = array.ones_like(labels)
        signs = math_ops.subtract(2 * labels, all_ones)
        losses = nn_ops.relu(math_ops.subtract(all_ones, math_ops.multiply(signs, logits)))
        return compute_weighted_loss(losses, weights, scope_name, loss_collection, reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """0.5 * x**2 where |x| <= delta, else 0.5 * delta**2 + delta * (|x| - delta), for
    x = predictions - labels; weighted and reduced."""
    with name_scope(scope, "huber_loss", []) as scope_name:
        labels, predictions = _as_float_pair(labels, predictions)
        abs_error = math_ops.abs(math_ops.subtract(predictions, labels))
        quadratic = math_ops.minimum(abs_error, delta)
        linear = math_ops.subtract(abs_error, quadratic)
        losses = math_ops.add(math_ops.multiply(0.5, math_ops.multiply(quadratic, quadratic)),
                              math_ops.multiply(delta, linear))
        return compute_weighted_loss(losses, weights, scope_name, loss_collection, reduction)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None,
                                loss_collection=GraphKeys.LOSSES):
    """The mean over pairs (i, j) within each batch element of
    ((labels_i - labels_j) - (predictions_i - predictions_j)) ** 2, weighted per batch
    element and summed over the batch."""
    with name_scope(scope, "mean_pairwise_squared_error", []):
        labels, predictions = _as_float_pair(labels, predictions)
        weights = array.cast(convert_to_tensor(weights), dtypes.float32)
        _check_broadcastable(weights, labels)
        diffs = math_ops.subtract(predictions, labels)
        present = _num_present(diffs, weights, per_batch=True)
        term1 = 2.0 * special_math.div_no_nan(_spatial_sum(math_ops.square(diffs)),
                                              math_ops.maximum(present - 1, 0), name="value")
        term2 = 2.0 * special_math.div_no_nan(math_ops.square(_spatial_sum(diffs)),
                                              math_ops.maximum(present * (present - 1), 0),
                                              name="value")
        loss = math_ops.reduce_sum(math_ops.multiply(term1 - term2, weights))
        mean_loss = array.where(math_ops.reduce_sum(present) > 0, loss,
                                array.zeros_like(loss), name="value")
        add_loss(mean_loss, loss_collection)
        return mean_loss
