"""Neural-network ops (tf.nn): activations, softmax, cross-entropies, bias_add, top-k, dropout."""
import numpy as np

from tensorweave.core import dtypes, tf_form
from tensorweave.core.constants import constant, constant_value, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array, math_ops, random_ops
from tensorweave.ops.math_ops import sigmoid, tanh  # noqa: F401 - tf.nn names them too
from tensorweave.ops._common import elementwise_rows, one, same_dtype_and_shape


def _float_same_shape(op_type):
    def shape(x, **_):
        if not x.dtype.is_floating:
            raise TypeError(f"{op_type} requires a floating point input, got {x.dtype.name}")
        return [(x.dtype, x.shape)]
    return shape


def _real_same_shape(op_type):
    """Shape rule of an op taking any real number type (TF's realnumbertypes): floats and
    plain integers, not bool, complex or quantized."""
    def shape(x, **_):
        real = x.dtype.is_floating or (x.dtype.is_integer and not x.dtype.is_quantized)
        if not real:
            raise TypeError(f"{op_type} requires a real number input, got {x.dtype.name}")
        return [(x.dtype, x.shape)]
    return shape


# --- activations -----------------------------------------------------------------------------
def _relu_kernel(x, out=None):
    return np.maximum(x, 0, out=out)  # runtime/accel/zero_page.py has a faster variant


def _relu_grad_kernel(dy, y, out=None):
    return np.multiply(dy, y > 0, dtype=dy.dtype, out=out)


def _relu_grad(op, dy):
    return [one(create_op("ReluGrad", [dy, op.outputs[0]]))]


def _relu_grad_grad(op, ddx):
    return [one(create_op("ReluGrad", [ddx, op.inputs[1]])), None]


register_op("Relu", shape=_real_same_shape("Relu"), kernel=_relu_kernel, grad=_relu_grad,
            row_wise=elementwise_rows, writes_into=_relu_kernel)


def _relu_grad_shape(dy, y):
    """TF merges both inputs' shapes (a gradient of unknown batch size takes y's width)."""
    return [same_dtype_and_shape("ReluGrad", [dy, y])]


register_op("ReluGrad", shape=_relu_grad_shape, kernel=_relu_grad_kernel,
            grad=_relu_grad_grad, writes_into=_relu_grad_kernel)


def relu(features, name=None):
    """max(features, 0)."""
    return one(create_op("Relu", [convert_to_tensor(features)], name=name or "Relu"))


def _where_grad(condition):
    """A gradient rule dx = dy where condition(op) holds, else 0."""
    def grad(op, dy):
        return [array.where(condition(op), dy, array.zeros_like(dy))]
    return grad


register_op("Relu6", shape=_real_same_shape("Relu6"),
            kernel=lambda x: np.clip(x, 0, 6).astype(x.dtype, copy=False),
            grad=_where_grad(lambda op: math_ops.logical_and(op.inputs[0] > 0,
                                                             op.inputs[0] < 6)),
            row_wise=elementwise_rows)


def _relu6_grad_kernel(dy, x):
    return np.multiply(dy, (x > 0) & (x < 6), dtype=dy.dtype)


# TensorFlow's gradient op of Relu6 (in graphs TF wrote): dy where 0 < features < 6
register_op("Relu6Grad", shape=lambda dy, x: [(dy.dtype, dy.shape)], kernel=_relu6_grad_kernel,
            grad=lambda op, ddx: [one(create_op("Relu6Grad", [ddx, op.inputs[1]])), None])


def relu6(features, name=None):
    """min(max(features, 0), 6)."""
    return one(create_op("Relu6", [convert_to_tensor(features)], name=name or "Relu6"))


def _elu_kernel(x):
    return np.where(x < 0, np.expm1(np.minimum(x, 0)), x).astype(x.dtype, copy=False)


def _elu_grad(op, dy):
    y = op.outputs[0]
    return [dy * array.where(y < 0, y + 1, array.ones_like(y))]


register_op("Elu", shape=_float_same_shape("Elu"), kernel=_elu_kernel, grad=_elu_grad,
            row_wise=elementwise_rows)


def elu(features, name=None):
    """exp(features) - 1 where negative, else features."""
    return one(create_op("Elu", [convert_to_tensor(features)], name=name or "Elu"))


def _leaky_relu_kernel(x, *, alpha):
    return np.where(x > 0, x, x * np.asarray(alpha, x.dtype))


def _leaky_relu_grad(op, dy):
    alpha = op.attrs["alpha"]
    return [array.where(op.inputs[0] > 0, dy, dy * alpha)]


register_op("LeakyRelu", shape=_float_same_shape("LeakyRelu"), kernel=_leaky_relu_kernel,
            grad=_leaky_relu_grad, row_wise=elementwise_rows)


def leaky_relu(features, alpha=0.2, name=None):
    """features where positive, else alpha * features (integers are cast to float32 first)."""
    features = convert_to_tensor(features)
    if features.dtype.is_integer:
        features = array.cast(features, dtypes.float32)
    return one(create_op("LeakyRelu", [features], name=name or "LeakyRelu",
                          alpha=float(alpha)))


# SELU: scale * (x if x > 0 else alpha * (exp(x) - 1)), TF's constants.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _selu_kernel(x):
    neg = np.expm1(np.minimum(x, 0)) * SELU_ALPHA
    return (np.where(x > 0, x, neg) * SELU_SCALE).astype(x.dtype, copy=False)


def _selu_grad_kernel(dy, y):
    """dx from dy and the Selu output y (TF's SeluGrad)."""
    slope = np.where(y < 0, y + SELU_SCALE * SELU_ALPHA, SELU_SCALE)
    return (dy * slope).astype(dy.dtype, copy=False)


def _selu_grad(op, dy):
    return [one(create_op("SeluGrad", [dy, op.outputs[0]]))]


def _selu_grad_grad(op, ddx):
    dy, y = op.inputs
    return [one(create_op("SeluGrad", [ddx, y])),
            array.where(y < 0, ddx * dy, array.zeros_like(y))]


def _selu_grad_shape(dy, y):
    if dy.dtype is not y.dtype:
        raise TypeError(f"SeluGrad requires inputs of one dtype, got {dy.dtype.name} and "
                        f"{y.dtype.name}")
    if not dy.shape.is_compatible_with(y.shape):
        raise ValueError(f"SeluGrad requires inputs of one shape, got {dy.shape} and {y.shape}")
    return [(dy.dtype, dy.shape.merge_with(y.shape))]


register_op("Selu", shape=_float_same_shape("Selu"), kernel=_selu_kernel, grad=_selu_grad,
            row_wise=elementwise_rows)
register_op("SeluGrad", shape=_selu_grad_shape, kernel=_selu_grad_kernel,
            grad=_selu_grad_grad)


def selu(features, name=None):
    """scale * (features if > 0 else alpha * (exp(features) - 1)), alpha and scale from
    Klambauer et al. (self-normalizing networks)."""
    return one(create_op("Selu", [convert_to_tensor(features)], name=name or "Selu"))


register_op("Softplus", shape=_float_same_shape("Softplus"),
            kernel=lambda x: np.logaddexp(0, x).astype(x.dtype, copy=False),
            grad=lambda op, dy: [dy * sigmoid(op.inputs[0])], row_wise=elementwise_rows)
register_op("Softsign", shape=_float_same_shape("Softsign"),
            kernel=lambda x: x / (1 + np.abs(x)),
            grad=lambda op, dy: [dy / math_ops.square(1 + math_ops.abs(op.inputs[0]))],
            row_wise=elementwise_rows)


def softplus(features, name=None):
    """log(exp(features) + 1)."""
    return one(create_op("Softplus", [convert_to_tensor(features)], name=name or "Softplus"))


def softsign(features, name=None):
    """features / (abs(features) + 1)."""
    return one(create_op("Softsign", [convert_to_tensor(features)], name=name or "Softsign"))


# --- softmax ---------------------------------------------------------------------------------
def _softmax_kernel(x, *, axis, out=None):
    e = np.subtract(x, x.max(axis=axis, keepdims=True), out=out)
    np.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def _log_softmax_kernel(x, *, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax_grad(op, dy):
    y, axis = op.outputs[0], op.attrs["axis"]
    return [(dy - math_ops.reduce_sum(dy * y, axis, keepdims=True)) * y]


def _log_softmax_grad(op, dy):
    y, axis = op.outputs[0], op.attrs["axis"]
    return [dy - math_ops.reduce_sum(dy, axis, keepdims=True) * math_ops.exp(y)]


register_op("Softmax", shape=_float_same_shape("Softmax"), kernel=_softmax_kernel,
            grad=_softmax_grad, writes_into=_softmax_kernel)
register_op("LogSoftmax", shape=_float_same_shape("LogSoftmax"), kernel=_log_softmax_kernel,
            grad=_log_softmax_grad)


def softmax(logits, axis=None, name=None, dim=None):
    """exp(logits) / sum(exp(logits)) along `axis` (default: last)."""
    axis = -1 if axis is None and dim is None else (dim if axis is None else axis)
    return one(create_op("Softmax", [convert_to_tensor(logits)], name=name or "Softmax",
                          axis=int(axis)))


def softmax_input(tensor):
    """The logits a Softmax op over the last axis turned into `tensor`, or None otherwise.

    Keras's cross-entropies use them, as TF 1.x's backend does, to compute a loss on a
    softmax output straight from its logits. (TF's own Softmax op is always over the last
    axis; a softmax over another axis is no Softmax op there, so it gives None here too.)"""
    op = getattr(tensor, "op", None)
    if op is None or op.type != "Softmax" or len(op.inputs) != 1:
        return None
    axis, ndims = op.attrs.get("axis", -1), op.inputs[0].shape.ndims
    if axis == -1 or (ndims is not None and axis == ndims - 1):
        return op.inputs[0]
    return None


def log_softmax(logits, axis=None, name=None, dim=None):
    """logits - log(sum(exp(logits))) along `axis` (default: last)."""
    axis = -1 if axis is None and dim is None else (dim if axis is None else axis)
    return one(create_op("LogSoftmax", [convert_to_tensor(logits)], name=name or "LogSoftmax",
                          axis=int(axis)))


# --- bias_add --------------------------------------------------------------------------------
def _channel_axis(data_format, ndims):
    return 1 if data_format and data_format.startswith("NC") and ndims > 2 else -1


def _bias_add_shape(value, bias, *, data_format):
    if value.dtype is not bias.dtype:
        raise TypeError(f"BiasAdd requires value and bias of one dtype, got "
                        f"{value.dtype.name} and {bias.dtype.name}")
    if bias.shape.ndims not in (None, 1):
        raise ValueError(f"BiasAdd requires a 1-D bias, got shape {bias.shape}")
    if value.shape.ndims is not None:
        if value.shape.ndims < 2:
            raise ValueError(f"BiasAdd requires value of rank >= 2, got shape {value.shape}")
        channels = value.shape[_channel_axis(data_format, value.shape.ndims)].value
        size = bias.shape[0].value if bias.shape.ndims == 1 else None
        if channels is not None and size is not None and channels != size:
            raise ValueError(f"Dimensions must be equal, but are {channels} and {size}")
    return [(value.dtype, value.shape)]


def _bias_add_kernel(value, bias, *, data_format, out=None):
    if _channel_axis(data_format, value.ndim) == 1:
        bias = bias.reshape((-1,) + (1,) * (value.ndim - 2))
    return np.add(value, bias, out=out)


def _bias_add_grad(op, dy):
    return [dy, one(create_op("BiasAddGrad", [dy], data_format=op.attrs["data_format"]))]


register_op("BiasAdd", shape=_bias_add_shape, kernel=_bias_add_kernel, grad=_bias_add_grad,
            writes_into=_bias_add_kernel)


def _bias_add_grad_shape(dy, *, data_format):
    if dy.shape.ndims is None:
        return [(dy.dtype, TensorShape([None]))]
    return [(dy.dtype, TensorShape([dy.shape[_channel_axis(data_format, dy.shape.ndims)]]))]


def _bias_add_grad_kernel(dy, *, data_format):
    """`dy` summed over every dimension but the channel one (found at run time)."""
    channel = _channel_axis(data_format, dy.ndim) % dy.ndim
    return dy.sum(axis=tuple(a for a in range(dy.ndim) if a != channel))


def _bias_add_grad_grad(op, ddb):
    dy = op.inputs[0]
    return [bias_add(array.zeros_like(dy), ddb, data_format=op.attrs["data_format"])]


register_op("BiasAddGrad", shape=_bias_add_grad_shape, kernel=_bias_add_grad_kernel,
            grad=_bias_add_grad_grad)


def bias_add(value, bias, data_format=None, name=None):
    """value + bias, with the 1-D bias added along the channel dimension."""
    value = convert_to_tensor(value)
    bias = convert_to_tensor(bias, dtype=value.dtype)
    return one(create_op("BiasAdd", [value, bias], name=name or "BiasAdd",
                          data_format=data_format or "NHWC"))


# --- cross-entropies -------------------------------------------------------------------------
def _xent_shapes(op_type, logits, labels_shape, dtype):
    if not logits.dtype.is_floating:
        raise TypeError(f"{op_type} requires floating point logits, got {logits.dtype.name}")
    if logits.shape.ndims not in (None, 2):
        raise ValueError(f"{op_type} requires logits of rank 2, got shape {logits.shape}")
    batch = logits.shape[0].value if logits.shape.ndims else None
    return [(dtype, TensorShape([batch])), (dtype, logits.shape)]


def _sparse_xent_shape(logits, labels):
    if labels.shape.ndims not in (None, 1):
        raise ValueError(f"SparseSoftmaxCrossEntropyWithLogits requires labels of rank 1, got "
                         f"shape {labels.shape}")
    if not labels.dtype.is_integer:
        raise TypeError(f"SparseSoftmaxCrossEntropyWithLogits requires integer labels, got "
                        f"{labels.dtype.name}")
    if logits.shape.ndims == 2 and labels.shape.ndims == 1:
        a, b = logits.shape[0].value, labels.shape[0].value
        if a is not None and b is not None and a != b:
            raise ValueError(f"logits and labels must have the same first dimension, got logits "
                             f"shape {logits.shape} and labels shape {labels.shape}")
    return _xent_shapes("SparseSoftmaxCrossEntropyWithLogits", logits, labels.shape,
                        logits.dtype)


def _log_sum_exp_parts(logits):
    """(shifted, exps, sums) of the rows of 2-D `logits`, laid out class-major ([classes,
    batch]): NumPy reduces a short last axis slowly and a leading one in vectorized loops."""
    shifted = logits.T.copy(order="C")
    shifted -= np.maximum.reduce(shifted, axis=0)
    exps = np.exp(shifted)
    return shifted, exps, np.add.reduce(exps, axis=0)


def _first_outside(ids, limit):
    """Index of the first of the 1-D integer `ids` outside [0, limit), or None. Negative ids
    wrap to huge unsigned values, so one maximum finds both kinds."""
    if not ids.size or np.maximum.reduce(ids.view(f"u{ids.itemsize}")) < limit:
        return None
    return int(np.flatnonzero((ids < 0) | (ids >= limit))[0])


def _sparse_xent_kernel(logits, labels):
    batch, classes = logits.shape
    bad = _first_outside(labels, classes)
    if bad is not None:
        raise ValueError(f"Received a label value of {labels[bad]} which is outside the valid "
                         f"range of [0, {classes}).  Label values: "
                         f"{' '.join(map(str, labels))}")
    shifted, exps, sums = _log_sum_exp_parts(logits)
    # flat indices of the labels' entries, class-major
    picked = np.multiply(labels, batch, dtype=np.intp)
    picked += np.arange(batch)
    loss = np.log(sums)
    loss -= shifted.reshape(-1).take(picked)
    exps /= sums
    flat = exps.reshape(-1)
    flat.put(picked, flat.take(picked) - 1)
    return loss, exps.T


def _xent_logits_grad(op, dloss, dbackprop):
    """d(logits) for both fused cross-entropy ops (second order through the backprop output)."""
    logits, backprop = op.inputs[0], op.outputs[1]
    grad = None if dloss is None else array.expand_dims(dloss, -1) * backprop
    if dbackprop is not None:
        p = softmax(logits)
        second = (dbackprop - math_ops.reduce_sum(dbackprop * p, -1, keepdims=True)) * p
        grad = second if grad is None else grad + second
    return grad


def _sparse_xent_grad(op, dloss, dbackprop):
    return [_xent_logits_grad(op, dloss, dbackprop), None]


register_op("SparseSoftmaxCrossEntropyWithLogits", shape=_sparse_xent_shape,
            kernel=_sparse_xent_kernel, grad=_sparse_xent_grad)


def _dense_xent_shape(logits, labels):
    if logits.dtype is not labels.dtype:
        raise TypeError(f"SoftmaxCrossEntropyWithLogits requires logits and labels of one "
                        f"dtype, got {logits.dtype.name} and {labels.dtype.name}")
    if not logits.shape.is_compatible_with(labels.shape):
        raise ValueError(f"logits and labels must be broadcastable: logits_size="
                         f"{logits.shape} labels_size={labels.shape}")
    return _xent_shapes("SoftmaxCrossEntropyWithLogits", logits, labels.shape, logits.dtype)


def _dense_xent_kernel(logits, labels):
    shifted, exps, sums = _log_sum_exp_parts(logits)
    loss = np.add.reduce(labels.T * (np.log(sums) - shifted), axis=0)
    exps /= sums
    return loss, exps.T - labels


def _dense_xent_grad(op, dloss, dbackprop):
    labels_grad = None
    if dloss is not None:
        labels_grad = array.expand_dims(dloss, -1) * -log_softmax(op.inputs[0])
    if dbackprop is not None:  # backprop = softmax(logits) - labels
        labels_grad = -dbackprop if labels_grad is None else labels_grad - dbackprop
    return [_xent_logits_grad(op, dloss, dbackprop), labels_grad]


register_op("SoftmaxCrossEntropyWithLogits", shape=_dense_xent_shape, kernel=_dense_xent_kernel,
            grad=_dense_xent_grad)


def _flatten_classes(t):
    """`t` as a matrix [-1, classes] (identity for rank 2)."""
    if t.shape.ndims == 2:
        return t
    classes = t.shape[-1].value if t.shape.ndims else None
    return array.reshape(t, [-1, classes if classes is not None else
                                 array.shape(t)[-1]])


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    """Per-example cross-entropy between softmax(logits) and integer class `labels`."""
    if _sentinel is not None:
        raise ValueError("Only call `sparse_softmax_cross_entropy_with_logits` with named "
                         "arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    logits = convert_to_tensor(logits)
    labels = convert_to_tensor(labels)
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [logits, labels]):
        if logits.shape.ndims is not None and labels.shape.ndims is not None and \
                labels.shape.ndims != logits.shape.ndims - 1:
            raise ValueError(f"Rank mismatch: Rank of labels (received {labels.shape.ndims}) "
                             f"should equal rank of logits minus 1 (received "
                             f"{logits.shape.ndims}).")
        if logits.shape.ndims == 2:
            return create_op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels],
                             name="SparseSoftmaxCrossEntropyWithLogits").outputs[0]
        flat = create_op("SparseSoftmaxCrossEntropyWithLogits",
                         [_flatten_classes(logits), array.reshape(labels, [-1])]).outputs[0]
        return array.reshape(flat, array.shape(labels))


def softmax_cross_entropy_with_logits_v2(_sentinel=None, labels=None, logits=None, axis=-1,
                                         name=None, dim=None):
    """Per-example cross-entropy between softmax(logits) and a distribution `labels`."""
    if _sentinel is not None:
        raise ValueError("Only call `softmax_cross_entropy_with_logits` with named arguments "
                         "(labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    axis = dim if dim is not None else axis
    logits = convert_to_tensor(logits)
    labels = convert_to_tensor(labels)
    if labels.dtype != logits.dtype:  # TF casts the labels to the logits' type
        labels = array.cast(labels, logits.dtype)
    with name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]):
        ndims = logits.shape.ndims
        if ndims is not None and axis % ndims != ndims - 1:
            perm = [i for i in range(ndims) if i != axis % ndims] + [axis % ndims]
            logits, labels = array.transpose(logits, perm), array.transpose(labels, perm)
        loss = create_op("SoftmaxCrossEntropyWithLogits",
                         [_flatten_classes(logits), _flatten_classes(labels)]).outputs[0]
        if logits.shape.ndims == 2:
            return loss
        return array.reshape(loss, array.shape(logits)[:-1])


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """TF1's version: like _v2, but no gradient flows into `labels`."""
    if labels is not None:
        labels = array.stop_gradient(labels)
    return softmax_cross_entropy_with_logits_v2(_sentinel, labels=labels, logits=logits,
                                                axis=dim if axis is None else axis, name=name)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """Elementwise logistic loss, computed stably as max(x, 0) - x*z + log(1 + exp(-|x|))."""
    if _sentinel is not None:
        raise ValueError("Only call `sigmoid_cross_entropy_with_logits` with named arguments "
                         "(labels=..., logits=..., ...)")
    logits = convert_to_tensor(logits)
    labels = convert_to_tensor(labels, dtype=logits.dtype)
    if not logits.shape.is_compatible_with(labels.shape):
        raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs "
                         f"{labels.shape})")
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        zeros = array.zeros_like(logits)
        relu_logits = array.where(logits >= zeros, logits, zeros)
        neg_abs = array.where(logits >= zeros, -logits, logits)
        return math_ops.add(relu_logits - logits * labels, math_ops.log1p(math_ops.exp(neg_abs)),
                            name=scope[:-1] + "/")


def weighted_cross_entropy_with_logits(targets=None, logits=None, pos_weight=None, name=None,
                                       labels=None):
    """Sigmoid cross-entropy with positive examples weighted by `pos_weight`."""
    labels = targets if labels is None else labels
    logits = convert_to_tensor(logits)
    labels = convert_to_tensor(labels, dtype=logits.dtype)
    with name_scope(name, "logistic_loss", [logits, labels]):
        log_weight = 1 + (pos_weight - 1) * labels
        return (1 - labels) * logits + log_weight * (
            math_ops.log1p(math_ops.exp(-math_ops.abs(logits))) + relu(-logits))


# --- losses and normalization helpers ----------------------------------------------------------
def _l2_loss_shape(t):
    if not t.dtype.is_floating:
        raise TypeError(f"L2Loss requires a floating point input, got {t.dtype.name}")
    return [(t.dtype, TensorShape([]))]


def _l2_loss_kernel(t):
    return np.asarray(np.sum(np.square(t)) / 2, dtype=t.dtype)


# TensorFlow's op (graphs TF wrote use it; tf.nn.l2_loss below composes the same value)
register_op("L2Loss", shape=_l2_loss_shape, kernel=_l2_loss_kernel,
            grad=lambda op, dz: [math_ops.multiply(op.inputs[0], dz)])


def l2_loss(t, name=None):
    """sum(t ** 2) / 2."""
    t = convert_to_tensor(t)
    with name_scope(name, "L2Loss", [t]) as scope:
        return math_ops.multiply(math_ops.reduce_sum(math_ops.square(t)), 0.5,
                                 name=scope[:-1] + "/")


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x ** 2, axis), epsilon))."""
    axis = dim if axis is None else axis
    x = convert_to_tensor(x)
    with name_scope(name, "l2_normalize", [x]) as scope:
        sum_sq = math_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
        inv = math_ops.rsqrt(math_ops.maximum(sum_sq, epsilon))
        return math_ops.multiply(x, inv, name=scope[:-1] + "/")


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """(mean, variance) of `x` over `axes`."""
    keep = bool(keepdims if keepdims is not None else keep_dims)
    x = convert_to_tensor(x)
    with name_scope(name, "moments", [x]):
        mean = math_ops.reduce_mean(x, axes, keepdims=True, name="mean")
        variance = math_ops.reduce_mean(
            math_ops.squared_difference(x, array.stop_gradient(mean)), axes, keepdims=True,
            name="variance")
        if not keep:
            mean = array.squeeze(mean, axes)
            variance = array.squeeze(variance, axes)
        return mean, variance


# --- top-k -----------------------------------------------------------------------------------
def _in_top_k_shape(predictions, targets, *, k):
    batch = predictions.shape[0].value if predictions.shape.ndims else None
    return [(dtypes.bool, TensorShape([batch]))]


def _in_top_k_kernel(predictions, targets, *, k):
    """As TF: a row with any non-finite prediction is never in the top k; ties count in."""
    batch, classes = predictions.shape
    bad = _first_outside(targets, classes)
    if bad is not None:
        raise ValueError(f"targets[{bad}] is out of range [0, {classes})")
    target_scores = predictions.reshape(-1).take(targets + np.arange(batch) * classes)
    if k == 1:  # the usual question: does any class score higher than the target?
        in_top = target_scores >= np.maximum.reduce(predictions, axis=1)
    else:
        in_top = np.add.reduce(predictions > target_scores[:, None], axis=1) < k
    if not np.isfinite(np.add.reduce(predictions, axis=None)):  # an inf or nan (or overflow)
        in_top &= np.isfinite(predictions).all(axis=1)
    return in_top


register_op("InTopKV2", shape=_in_top_k_shape, kernel=_in_top_k_kernel, grad=NOT_DIFFERENTIABLE)


def in_top_k(predictions, targets, k, name=None):
    """Whether each target class is among the k highest predictions of its row."""
    predictions = convert_to_tensor(predictions)
    targets = convert_to_tensor(targets)
    return one(create_op("InTopKV2", [predictions, targets], name=name or "in_top_k", k=int(k)))


def _top_k_shape(x, *, k, sorted):  # noqa: A002 - TF's attr name
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape()), (dtypes.int32, unknown_shape())]
    last = x.shape[-1].value
    if last is not None and last < k:
        raise ValueError(f"input must have at least k={k} columns, got {last}")
    dims = x.shape.as_list()[:-1] + [k]
    return [(x.dtype, TensorShape(dims)), (dtypes.int32, TensorShape(dims))]


def _top_k_kernel(x, *, k, sorted):  # noqa: A002
    indices = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, indices, axis=-1), indices.astype(np.int32)


def _top_k_grad(op, dvalues, dindices):
    x, indices = op.inputs[0], op.outputs[1]
    if dvalues is None:
        return [None]
    depth = x.shape[-1].value
    if depth is None:
        raise ValueError("The gradient of TopKV2 needs a statically known last dimension.")
    spread = array.one_hot(indices, depth, dtype=dvalues.dtype)
    return [math_ops.reduce_sum(array.expand_dims(dvalues, -1) * spread, -2)]


register_op("TopKV2", shape=_top_k_shape, kernel=_top_k_kernel, grad=_top_k_grad)


def _dynamic_top_k_shape(x, k, *, sorted):  # noqa: A002
    if not k.dtype.is_integer or k.shape.ndims not in (None, 0):
        raise ValueError(f"DynamicTopKV2 requires an int scalar k, got {k.dtype.name} of shape "
                         f"{k.shape}")
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape()), (dtypes.int32, unknown_shape())]
    if x.shape.ndims == 0:
        raise ValueError("DynamicTopKV2 requires an input of rank at least 1, got a scalar")
    dims = TensorShape(x.shape.as_list()[:-1] + [None])
    return [(x.dtype, dims), (dtypes.int32, dims)]


def _dynamic_top_k_kernel(x, k, *, sorted):  # noqa: A002
    if not 0 <= int(k) <= x.shape[-1]:
        raise ValueError(f"input must have at least k={int(k)} columns, got {x.shape[-1]}")
    return _top_k_kernel(x, k=int(k), sorted=sorted)


def _dynamic_top_k_grad(op, dvalues, dindices):
    """As TF's: dvalues summed into x's flattened rows at the indices."""
    if dvalues is None:
        return [None, None]
    x, indices = op.inputs[0], op.outputs[1]
    in_shape = array.shape(x)
    last = array.getitem(in_shape, -1)
    rows = array.reshape(indices, array.stack([-1, array.getitem(
        array.shape(indices), -1)]))
    offsets = array.expand_dims(array.range_(0, array.getitem(
        array.shape(rows), 0) * last, last), -1)
    flat = array.unsorted_segment_sum(
        array.reshape(dvalues, [-1]), array.reshape(rows + offsets, [-1]),
        math_ops.reduce_prod(in_shape))
    return [array.reshape(flat, in_shape), None]


# TF's TopKV2 form: k an input computed at run time
register_op("DynamicTopKV2", shape=_dynamic_top_k_shape, kernel=_dynamic_top_k_kernel,
            grad=_dynamic_top_k_grad)


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002
    """(values, indices) of the k largest entries of each last-axis row."""
    x = convert_to_tensor(input)
    k = array.shape_argument(k)
    if isinstance(k, Tensor):
        k = array.cast(array.reshape(k, []), dtypes.int32)  # TF's k is int32
        op = create_op("DynamicTopKV2", [x, k], name=name or "TopKV2", sorted=bool(sorted))
    else:
        op = create_op("TopKV2", [x], name=name or "TopKV2", k=int(k), sorted=bool(sorted))
    return op.outputs[0], op.outputs[1]


# --- dropout ---------------------------------------------------------------------------------
def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """Zeroes elements with probability `rate` (1 - keep_prob) and scales the rest by
    1 / (1 - rate), as TF 1.14 on does: kept where a uniform draw is >= rate."""
    if rate is not None and keep_prob is not None:
        raise ValueError("Cannot specify both keep_prob and rate")
    if rate is None:
        if keep_prob is None:
            raise ValueError("You must provide a rate to dropout.")
        rate = 1 - keep_prob  # a float, or a tensor for a tensor keep_prob
    x = convert_to_tensor(x)
    with name_scope(name, "dropout", [x]) as scope:
        if not isinstance(rate, Tensor):
            if not 0 <= rate < 1:
                raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), "
                                 f"got {rate}")
            if rate == 0:
                return x
            scaled = math_ops.multiply(x, constant(1 / (1 - rate), dtype=x.dtype))
        else:
            rate = math_ops.cast(rate, x.dtype) if rate.dtype is not x.dtype else rate
            scaled = math_ops.real_div(x, math_ops.subtract(constant(1, dtype=x.dtype), rate))
        rate = convert_to_tensor(rate, dtype=x.dtype, name="rate")
        shape = array.shape(x) if noise_shape is None else noise_shape
        if noise_shape is None and x.shape.is_fully_defined():
            shape = x.shape.as_list()
        noise = random_ops.random_uniform(shape, seed=seed, dtype=x.dtype)
        keep = array.cast(math_ops.greater_equal(noise, rate), x.dtype)
        out = math_ops.multiply(scaled, keep, name=scope[:-1] + "/")
        out.set_shape(x.shape)   # as TF: the output has x's (static) shape
        return out


def zero_fraction(value, name=None):
    """The fraction of zeros in `value`."""
    value = convert_to_tensor(value)
    with name_scope(name, "zero_fraction", [value]):
        zero = constant(0, dtype=value.dtype)
        return math_ops.reduce_mean(array.cast(math_ops.equal(value, zero), dtypes.float32))


# --- TensorFlow's forms (core/tf_form.py) -----------------------------------------------------
def _to_softmax(t):
    """TensorFlow's (Log)Softmax takes the last axis: others are transposed there and back."""
    rank, axis = t.rank(), t.pop("axis")
    if axis in (-1, rank - 1):
        return
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    dtype, int32 = t.dtypes[0], dtypes.int32
    moved = t.add("Transpose", "transpose", [t.node.input[0], t.const("perm", perm, int32)],
                  T=dtype, Tperm=int32)
    inner = t.add(t.node.op, t.node.op, [moved], T=dtype)
    t.node.op = "Transpose"
    t.node.input[0] = inner
    t.insert_const(1, "perm_1", perm)


register_tf_form("InTopKV2", marker="k",
                 from_tf=tf_form.attr_from_input("k", 2, tf_form.scalar, inputs=3),
                 to_tf=tf_form.attr_to_input("k", 2, "k", dtype_of=1))
register_tf_form("TopKV2", marker="k",
                 from_tf=tf_form.attr_from_input("k", 1, tf_form.scalar, run_time_form=True),
                 to_tf=tf_form.attr_to_input("k", 1, "k"))
register_tf_form("DynamicTopKV2", to_tf=tf_form.tensor_input_form("TopKV2"))
for _op_type in ("Softmax", "LogSoftmax"):
    register_tf_form(_op_type, marker="axis", from_tf=tf_form.default_attr("axis", -1),
                     to_tf=_to_softmax)
