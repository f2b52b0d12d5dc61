"""tf.keras.losses: Keras' loss functions (per-sample, mean over the last axis) and the Loss
classes that weight and reduce them.

    model.compile(loss="categorical_crossentropy", ...)
    tf.keras.losses.MeanSquaredError()(y_true, y_pred)     # a scalar
"""
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.keras import backend_config, backend_math as KM, backend_nn as KN
from tensorweave.keras.utils import generic_utils
from tensorweave.ops import array, math_ops, nn_ops

SUM = "sum"
NONE = "none"
SUM_OVER_BATCH_SIZE = "sum_over_batch_size"
AUTO = "auto"


def _pair(y_true, y_pred):
    y_pred = convert_to_tensor(y_pred)
    y_true = array.cast(convert_to_tensor(y_true), y_pred.dtype.base_dtype)
    return y_true, y_pred


# --- functions -----------------------------------------------------------------------------
def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return KM.mean(math_ops.squared_difference(y_pred, y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return KM.mean(math_ops.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    diff = math_ops.abs((y_true - y_pred) / math_ops.maximum(math_ops.abs(y_true),
                                                             backend_config.epsilon()))
    return 100.0 * KM.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    eps = backend_config.epsilon()
    first_log = math_ops.log(math_ops.maximum(y_pred, eps) + 1.0)
    second_log = math_ops.log(math_ops.maximum(y_true, eps) + 1.0)
    return KM.mean(math_ops.squared_difference(first_log, second_log), axis=-1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return KM.mean(math_ops.square(math_ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return KM.mean(math_ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def categorical_hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    pos = math_ops.reduce_sum(y_true * y_pred, axis=-1)
    neg = math_ops.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return math_ops.maximum(0.0, neg - pos + 1.0)


def huber(y_true, y_pred, delta=1.0):
    """0.5 * e ** 2 where |e| <= delta, else delta * |e| - 0.5 * delta ** 2 (mean over the
    last axis)."""
    y_true, y_pred = _pair(y_true, y_pred)
    abs_error = math_ops.abs(y_pred - y_true)
    quadratic = math_ops.minimum(abs_error, delta)
    linear = abs_error - quadratic
    return KM.mean(0.5 * math_ops.square(quadratic) + delta * linear, axis=-1)


def logcosh(y_true, y_pred):
    """log(cosh(y_pred - y_true)), computed without overflow."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return KM.mean(x + nn_ops.softplus(-2.0 * x) - math_ops.log(
        convert_to_tensor(2.0, dtype=x.dtype.base_dtype)), axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0):
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        num_classes = array.cast(array.shape(y_true)[-1], y_pred.dtype.base_dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return KN.categorical_crossentropy(y_true, y_pred, from_logits=from_logits)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    return KN.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                              axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0):
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return KM.mean(KN.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=-1)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return KM.mean(KN.binary_focal_crossentropy(
        y_true, y_pred, apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
        from_logits=from_logits), axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        num_classes = array.cast(array.shape(y_true)[-1], y_pred.dtype.base_dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return KN.categorical_focal_crossentropy(y_true, y_pred, alpha=alpha, gamma=gamma,
                                             from_logits=from_logits, axis=axis)


def kullback_leibler_divergence(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    eps = backend_config.epsilon()
    y_true = KM.clip(y_true, eps, 1)
    y_pred = KM.clip(y_pred, eps, 1)
    return math_ops.reduce_sum(y_true * math_ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return KM.mean(y_pred - y_true * math_ops.log(y_pred + backend_config.epsilon()), axis=-1)


def cosine_proximity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred)) along axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = nn_ops.l2_normalize(y_true, axis=axis)
    y_pred = nn_ops.l2_normalize(y_pred, axis=axis)
    return -math_ops.reduce_sum(y_true * y_pred, axis=axis)


cosine_similarity = cosine_proximity
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence = kullback_leibler_divergence
cosine = cosine_proximity
log_cosh = logcosh


# --- classes -------------------------------------------------------------------------------
def compute_weighted_loss(losses, sample_weight=None, reduction=SUM_OVER_BATCH_SIZE):
    """losses * sample_weight, reduced: 'none', 'sum', or 'sum_over_batch_size' (the sum
    over the number of elements)."""
    losses = convert_to_tensor(losses)
    dtype = losses.dtype.base_dtype
    if sample_weight is not None:
        sample_weight = array.cast(convert_to_tensor(sample_weight), dtype)
        weight_rank, loss_rank = KM.ndim(sample_weight), KM.ndim(losses)
        if weight_rank is not None and loss_rank is not None:
            if weight_rank == loss_rank + 1 and KM.int_shape(sample_weight)[-1] == 1:
                sample_weight = array.squeeze(sample_weight, [-1])
            elif loss_rank == weight_rank + 1 and KM.int_shape(losses)[-1] == 1:
                losses = array.squeeze(losses, [-1])
        losses = losses * sample_weight
    if reduction == NONE:
        return losses
    total = math_ops.reduce_sum(losses)
    if reduction == SUM:
        return total
    return total / math_ops.maximum(array.cast(array.size(losses), dtype), 1.0)


class Loss:
    """A loss with a reduction: `loss(y_true, y_pred, sample_weight=None)`."""

    def __init__(self, reduction=AUTO, name=None):
        if reduction not in (AUTO, NONE, SUM, SUM_OVER_BATCH_SIZE):
            raise ValueError(f"Invalid Reduction Key {reduction}.")
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true, y_pred, sample_weight=None):
        with name_scope(self.name or type(self).__name__):
            losses = self.call(y_true, y_pred)
            reduction = SUM_OVER_BATCH_SIZE if self.reduction == AUTO else self.reduction
            return compute_weighted_loss(losses, sample_weight, reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError("Must be implemented in subclasses.")

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A Loss computing `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, reduction=AUTO, name=None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = dict(self._fn_kwargs)
        config.update(super().get_config())
        return config


def _wrapper_class(class_name, fn, default_name, **defaults):
    def __init__(self, reduction=AUTO, name=default_name, **kwargs):
        options = generic_utils.wrapper_options(class_name, defaults, kwargs)
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, **options)
    return type(class_name, (LossFunctionWrapper,), {
        "__init__": __init__, "__doc__": f"The Loss form of `{fn.__name__}`."})


MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error,
                                   "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper_class("MeanAbsolutePercentageError",
                                             mean_absolute_percentage_error,
                                             "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper_class("MeanSquaredLogarithmicError",
                                             mean_squared_logarithmic_error,
                                             "mean_squared_logarithmic_error")
BinaryCrossentropy = _wrapper_class("BinaryCrossentropy", binary_crossentropy,
                                    "binary_crossentropy", from_logits=False,
                                    label_smoothing=0)
CategoricalCrossentropy = _wrapper_class("CategoricalCrossentropy", categorical_crossentropy,
                                         "categorical_crossentropy", from_logits=False,
                                         label_smoothing=0)
SparseCategoricalCrossentropy = _wrapper_class("SparseCategoricalCrossentropy",
                                               sparse_categorical_crossentropy,
                                               "sparse_categorical_crossentropy",
                                               from_logits=False)
BinaryFocalCrossentropy = _wrapper_class(
    "BinaryFocalCrossentropy", binary_focal_crossentropy, "binary_focal_crossentropy",
    apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
    label_smoothing=0.0, axis=-1)
CategoricalFocalCrossentropy = _wrapper_class(
    "CategoricalFocalCrossentropy", categorical_focal_crossentropy,
    "categorical_focal_crossentropy", alpha=0.25, gamma=2.0, from_logits=False,
    label_smoothing=0.0, axis=-1)
Hinge = _wrapper_class("Hinge", hinge, "hinge")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
Poisson = _wrapper_class("Poisson", poisson, "poisson")
LogCosh = _wrapper_class("LogCosh", logcosh, "logcosh")
KLDivergence = _wrapper_class("KLDivergence", kullback_leibler_divergence,
                              "kullback_leibler_divergence")
Huber = _wrapper_class("Huber", huber, "huber_loss", delta=1.0)
CosineSimilarity = _wrapper_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                                  axis=-1)

_OBJECTS = {name: value for name, value in dict(globals()).items()
            if not name.startswith("_") and callable(value)
            and name not in ("convert_to_tensor", "name_scope", "compute_weighted_loss")}


def serialize(loss):
    return generic_utils.serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    return generic_utils.deserialize_keras_object(
        name, module_objects=_OBJECTS, custom_objects=custom_objects,
        printable_module_name="loss function")


def get(identifier):
    """None -> None; a name or config -> that loss; a callable -> itself."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier}")
