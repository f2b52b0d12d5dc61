"""tf.keras.backend's neural-network functions: activations, cross-entropies, convolutions,
pooling, normalization, dropout, the RNN loop and CTC (re-exported by keras/backend.py)."""
import numpy as np

from tensorweave import nn
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.keras.backend_config import epsilon, normalize_data_format
from tensorweave.keras.backend_math import int_shape, ndim, temporal_padding
from tensorweave.ops import array, control, math_ops, nn_ops
from tensorweave.ops.tensor_array_ops import TensorArray
from tensorweave.util import nest

__all__ = [
    "relu", "elu", "softmax", "softplus", "softsign", "sigmoid", "hard_sigmoid", "tanh",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
    "binary_focal_crossentropy", "categorical_focal_crossentropy", "dropout", "l2_normalize",
    "in_top_k", "conv1d", "conv2d", "conv2d_transpose", "separable_conv1d", "separable_conv2d",
    "depthwise_conv2d", "conv3d", "conv3d_transpose", "pool2d", "pool3d", "local_conv1d",
    "local_conv2d", "bias_add", "normalize_batch_in_training", "batch_normalization",
    "resize_images", "resize_volumes", "rnn", "ctc_label_dense_to_sparse", "ctc_batch_cost",
    "ctc_decode",
]


def _like(value, x):
    return convert_to_tensor(value, dtype=x.dtype.base_dtype)


# --- activations ---------------------------------------------------------------------------
def relu(x, alpha=0.0, max_value=None, threshold=0):
    """max(x, threshold) style rectifier: alpha * (x - threshold) below the threshold, clipped
    at max_value."""
    x = convert_to_tensor(x)
    negative_part = None
    if alpha != 0.0:
        if max_value is None and threshold == 0:
            return nn_ops.leaky_relu(x, alpha=alpha)
        negative_part = nn_ops.relu(-x + threshold) if threshold != 0 else nn_ops.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = x * array.cast(math_ops.greater(x, threshold), x.dtype.base_dtype)
    elif max_value == 6:
        x = nn_ops.relu6(x)
        clip_max = False
    else:
        x = nn_ops.relu(x)
    if clip_max:
        x = math_ops.clip_by_value(x, _like(0.0, x), _like(max_value, x))
    if negative_part is not None:
        x = x - _like(alpha, x) * negative_part
    return x


def elu(x, alpha=1.0):
    """Exponential linear unit with slope alpha for negative inputs."""
    res = nn_ops.elu(x)
    if alpha == 1:
        return res
    return array.where(math_ops.greater(x, 0), res, alpha * res)


def softmax(x, axis=-1):
    return nn_ops.softmax(x, axis=axis)


def softplus(x):
    return nn_ops.softplus(x)


def softsign(x):
    return nn_ops.softsign(x)


def sigmoid(x):
    return math_ops.sigmoid(x)


def hard_sigmoid(x):
    """Segment-wise linear approximation of sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    x = convert_to_tensor(x)
    x = _like(0.2, x) * x + _like(0.5, x)
    return math_ops.clip_by_value(x, _like(0.0, x), _like(1.0, x))


def tanh(x):
    return math_ops.tanh(x)


# --- cross-entropies -----------------------------------------------------------------------
def _clipped(output):
    eps = _like(epsilon(), output)
    return math_ops.clip_by_value(output, eps, 1.0 - eps)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of one-hot (or soft) targets against probabilities or logits."""
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    rank = ndim(output)
    if rank is not None:
        axis = axis % rank
    if not from_logits and nn_ops.softmax_input(output) is not None:
        # as TF 1.x: a softmax output's loss comes from the softmax's logits
        output, from_logits = nn_ops.softmax_input(output), True
    if from_logits:
        return nn_ops.softmax_cross_entropy_with_logits_v2(labels=target, logits=output,
                                                           axis=axis)
    output = output / math_ops.reduce_sum(output, axis, True)
    return -math_ops.reduce_sum(target * math_ops.log(_clipped(output)), axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of integer targets against probabilities or logits."""
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if not from_logits and nn_ops.softmax_input(output) is not None:
        output, from_logits = nn_ops.softmax_input(output), True  # as TF 1.x
    rank = ndim(output)
    if rank is not None:
        axis %= rank
        if axis != rank - 1:
            permutation = list(range(axis)) + list(range(axis + 1, rank)) + [axis]
            output = array.transpose(output, perm=permutation)
        elif axis != rank - 1:
            raise ValueError(f"Cannot compute sparse categorical crossentropy with "
                             f"`axis={axis}` on an output tensor with unknown rank.")
    if not from_logits:
        output = math_ops.log(_clipped(output))
    output_shape = array.shape(output)
    target_rank = ndim(target)
    flatten = (target_rank is not None and rank is not None and target_rank != rank - 1)
    if flatten or target_rank is None or rank is None or rank > 2 or target_rank != 1:
        target = array.reshape(array.cast(target, "int64"), [-1])
        logits = array.reshape(output, array.stack([-1, output_shape[-1]]))
        res = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=target, logits=logits)
        if rank is not None and rank >= 3:
            return array.reshape(res, output_shape[:-1])
        return res
    return nn_ops.sparse_softmax_cross_entropy_with_logits(
        labels=array.cast(target, "int64"), logits=output)


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise cross-entropy of 0/1 targets against probabilities or logits."""
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if not from_logits and math_ops.sigmoid_input(output) is not None:
        output, from_logits = math_ops.sigmoid_input(output), True  # as TF 1.x
    if not from_logits:  # TF 1.x's form: epsilon inside the logs of the clipped output
        output = _clipped(output)
        eps = _like(epsilon(), output)
        bce = target * math_ops.log(output + eps)
        bce += (1 - target) * math_ops.log(1 - output + eps)
        return -bce
    return nn_ops.sigmoid_cross_entropy_with_logits(labels=target, logits=output)


def binary_focal_crossentropy(target, output, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False):
    """Binary cross-entropy down-weighted by (1 - p_t) ** gamma for easy examples."""
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    sigmoid_output = math_ops.sigmoid(output) if from_logits else output
    p_t = target * sigmoid_output + (1 - target) * (1 - sigmoid_output)
    focal_factor = math_ops.pow(1.0 - p_t, gamma)
    bce = binary_crossentropy(target, output, from_logits)
    focal_bce = focal_factor * bce
    if apply_class_balancing:
        focal_bce = (target * alpha + (1 - target) * (1 - alpha)) * focal_bce
    return focal_bce


def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0, from_logits=False,
                                   axis=-1):
    """Categorical cross-entropy down-weighted by alpha * (1 - p) ** gamma per class."""
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if from_logits:
        output = nn_ops.softmax(output, axis=axis)
    output = output / math_ops.reduce_sum(output, axis, True)
    output = _clipped(output)
    cce = -target * math_ops.log(output)
    modulating = math_ops.pow(1.0 - output, gamma)
    return math_ops.reduce_sum(alpha * modulating * cce, axis)


# --- regularization and ranking ------------------------------------------------------------
def dropout(x, level, noise_shape=None, seed=None):
    """Inverted dropout: zero entries with probability `level`, scale the rest."""
    if seed is None:
        seed = np.random.randint(10e6)
    return nn_ops.dropout(x, rate=level, noise_shape=noise_shape, seed=seed)


def l2_normalize(x, axis=None):
    return nn_ops.l2_normalize(x, axis=axis)


def in_top_k(predictions, targets, k):
    return nn_ops.in_top_k(predictions, targets, k)


# --- convolution and pooling ---------------------------------------------------------------
def _padding(padding):
    if padding == "same":
        return "SAME"
    if padding == "valid":
        return "VALID"
    raise ValueError("Invalid padding: " + str(padding))


def _to_channels_last(x, data_format):
    if data_format == "channels_first":
        rank = ndim(x)
        return array.transpose(x, [0] + list(range(2, rank)) + [1])
    return x


def _from_channels_last(x, data_format):
    if data_format == "channels_first":
        rank = ndim(x)
        return array.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))
    return x


def _tuple(value, n):
    return (value,) * n if isinstance(value, int) else tuple(value)


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1D convolution; padding 'causal' pads on the left only."""
    data_format = normalize_data_format(data_format)
    kernel_shape = kernel.shape.as_list()
    dilation = _tuple(dilation_rate, 1)
    if padding == "causal":
        if data_format != "channels_last":
            raise ValueError("When using causal padding in `conv1d`, `data_format` must be "
                             "\"channels_last\" (temporal data).")
        x = temporal_padding(x, (dilation[0] * (kernel_shape[0] - 1), 0))
        padding = "valid"
    x = _to_channels_last(x, data_format)
    x = nn.convolution(x, kernel, padding=_padding(padding), strides=_tuple(strides, 1),
                       dilation_rate=dilation, data_format="NWC")
    return _from_channels_last(x, data_format)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1)):
    """2D convolution."""
    data_format = normalize_data_format(data_format)
    x = _to_channels_last(x, data_format)
    x = nn.convolution(x, kernel, padding=_padding(padding), strides=_tuple(strides, 2),
                       dilation_rate=_tuple(dilation_rate, 2), data_format="NHWC")
    return _from_channels_last(x, data_format)


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """2D transposed convolution (the gradient of conv2d with respect to its input)."""
    data_format = normalize_data_format(data_format)
    if isinstance(output_shape, (tuple, list)):
        output_shape = array.stack(list(output_shape))
    x = _to_channels_last(x, data_format)
    if data_format == "channels_first":
        output_shape = array.stack([output_shape[0], output_shape[2], output_shape[3],
                                    output_shape[1]])
    strides = (1,) + _tuple(strides, 2) + (1,)
    if tuple(_tuple(dilation_rate, 2)) == (1, 1):
        x = nn.conv2d_transpose(x, kernel, output_shape, strides, padding=_padding(padding))
    else:
        if dilation_rate[0] != dilation_rate[1]:
            raise ValueError("Expected the 2 dimensions of the `dilation_rate` argument to be "
                             "equal to each other.")
        x = nn.atrous_conv2d_transpose(x, kernel, output_shape, rate=dilation_rate[0],
                                       padding=_padding(padding))
    return _from_channels_last(x, data_format)


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                     data_format=None, dilation_rate=1):
    """1D separable convolution, as a 2D one over a unit height."""
    data_format = normalize_data_format(data_format)
    x = _to_channels_last(x, data_format)
    x = array.expand_dims(x, 1)
    out = separable_conv2d(x, array.expand_dims(depthwise_kernel, 0),
                           array.expand_dims(pointwise_kernel, 0),
                           strides=(1,) + _tuple(strides, 1), padding=padding,
                           data_format="channels_last",
                           dilation_rate=(1,) + _tuple(dilation_rate, 1))
    return _from_channels_last(array.squeeze(out, [1]), data_format)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """2D separable convolution: depthwise, then 1x1 pointwise."""
    data_format = normalize_data_format(data_format)
    if len(_tuple(strides, 2)) != 2:
        raise ValueError("`strides` must be a tuple of 2 integers.")
    x = _to_channels_last(x, data_format)
    x = nn.separable_conv2d(x, depthwise_kernel, pointwise_kernel,
                            strides=(1,) + _tuple(strides, 2) + (1,), padding=_padding(padding),
                            rate=_tuple(dilation_rate, 2), data_format="NHWC")
    return _from_channels_last(x, data_format)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """2D depthwise convolution."""
    data_format = normalize_data_format(data_format)
    x = _to_channels_last(x, data_format)
    x = nn.depthwise_conv2d(x, depthwise_kernel, strides=(1,) + _tuple(strides, 2) + (1,),
                            padding=_padding(padding), rate=_tuple(dilation_rate, 2),
                            data_format="NHWC")
    return _from_channels_last(x, data_format)


def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1, 1)):
    """3D convolution."""
    data_format = normalize_data_format(data_format)
    x = _to_channels_last(x, data_format)
    x = nn.convolution(x, kernel, padding=_padding(padding), strides=_tuple(strides, 3),
                       dilation_rate=_tuple(dilation_rate, 3), data_format="NDHWC")
    return _from_channels_last(x, data_format)


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding="valid",
                     data_format=None):
    """3D transposed convolution."""
    data_format = normalize_data_format(data_format)
    if isinstance(output_shape, (tuple, list)):
        output_shape = array.stack(list(output_shape))
    x = _to_channels_last(x, data_format)
    if data_format == "channels_first":
        output_shape = array.stack([output_shape[0], output_shape[2], output_shape[3],
                                    output_shape[4], output_shape[1]])
    x = nn.conv3d_transpose(x, kernel, output_shape, (1,) + _tuple(strides, 3) + (1,),
                            padding=_padding(padding))
    return _from_channels_last(x, data_format)


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """2D max or average pooling."""
    data_format = normalize_data_format(data_format)
    if len(_tuple(pool_size, 2)) != 2:
        raise ValueError("`pool_size` must be a tuple of 2 integers.")
    if len(_tuple(strides, 2)) != 2:
        raise ValueError("`strides` must be a tuple of 2 integers.")
    ksize = (1,) + _tuple(pool_size, 2) + (1,)
    stride = (1,) + _tuple(strides, 2) + (1,)
    x = _to_channels_last(x, data_format)
    if pool_mode == "max":
        x = nn_ops_pool("max", x, ksize, stride, _padding(padding))
    elif pool_mode == "avg":
        x = nn_ops_pool("avg", x, ksize, stride, _padding(padding))
    else:
        raise ValueError("Invalid pooling mode: " + str(pool_mode))
    return _from_channels_last(x, data_format)


def nn_ops_pool(mode, x, ksize, strides, padding):
    """max_pool/avg_pool (2D) or max_pool3d/avg_pool3d (3D) in channels-last layout."""
    if len(ksize) == 4:
        return (nn.max_pool if mode == "max" else nn.avg_pool)(x, ksize, strides, padding)
    return (nn.max_pool3d if mode == "max" else nn.avg_pool3d)(x, ksize, strides, padding)


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None,
           pool_mode="max"):
    """3D max or average pooling."""
    data_format = normalize_data_format(data_format)
    if pool_mode not in ("max", "avg"):
        raise ValueError("Invalid pooling mode: " + str(pool_mode))
    x = _to_channels_last(x, data_format)
    x = nn_ops_pool(pool_mode, x, (1,) + _tuple(pool_size, 3) + (1,),
                    (1,) + _tuple(strides, 3) + (1,), _padding(padding))
    return _from_channels_last(x, data_format)


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """1D convolution with unshared weights: kernel (output_length, kernel_size * channels,
    filters)."""
    output_shape = (kernel.shape[0],)
    return local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format)


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """2D convolution with unshared weights."""
    return local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format)


def local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """N-D convolution with unshared weights (each output position has its own kernel)."""
    data_format = normalize_data_format(data_format)
    kernel_shape = int_shape(kernel)
    feature_dim = kernel_shape[1]
    channels_out = kernel_shape[-1]
    ndims = len(output_shape)
    import itertools
    xs = []
    for position in itertools.product(*[range(int(d)) for d in output_shape]):
        slices = tuple(slice(position[d] * strides[d],
                             position[d] * strides[d] + kernel_size[d]) for d in range(ndims))
        if data_format == "channels_first":
            piece = inputs[(slice(None), slice(None)) + slices]
        else:
            piece = inputs[(slice(None),) + slices]
        xs.append(array.reshape(piece, [1, -1, feature_dim]))
    x_aggregate = array.concat(xs, axis=0)
    output = math_ops.matmul(x_aggregate, kernel)
    output = array.reshape(output, [int(d) for d in output_shape] + [-1, channels_out])
    if data_format == "channels_first":
        permutation = [ndims, ndims + 1] + list(range(ndims))
    else:
        permutation = [ndims] + list(range(ndims)) + [ndims + 1]
    return array.transpose(output, permutation)


def bias_add(x, bias, data_format=None):
    """x + bias over the channel axis."""
    data_format = normalize_data_format(data_format)
    bias_shape = int_shape(bias)
    if len(bias_shape) != 1 and len(bias_shape) != ndim(x) - 1:
        raise ValueError("Unexpected bias dimensions %d, expect to be 1 or %d dimensions"
                         % (len(bias_shape), ndim(x)))
    if len(bias_shape) == 1:
        if data_format == "channels_first":
            rank = ndim(x)
            if rank == 4:
                return nn_ops.bias_add(x, bias, data_format="NCHW")
            return x + array.reshape(bias, (1, bias_shape[0]) + (1,) * (rank - 2))
        return nn_ops.bias_add(x, bias)
    if data_format == "channels_first":
        return x + array.reshape(bias, (1, bias_shape[-1]) + tuple(bias_shape[:-1]))
    return x + array.reshape(bias, (1,) + tuple(bias_shape))


# --- normalization and resizing ------------------------------------------------------------
def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """(normalized x, batch mean, batch variance) over reduction_axes."""
    mean, variance = nn_ops.moments(x, list(reduction_axes))
    target_shape = []
    for axis in range(ndim(x)):
        target_shape.append(1 if axis in reduction_axes else array.shape(x)[axis])
    if sorted(reduction_axes) == list(range(ndim(x)))[:-1]:
        normed = nn.batch_normalization(x, mean, variance, beta, gamma, epsilon)
    else:
        target_shape = array.stack(target_shape)
        broadcast = [array.reshape(t, target_shape) if t is not None else None
                     for t in (mean, variance, beta, gamma)]
        normed = nn.batch_normalization(x, broadcast[0], broadcast[1], broadcast[2],
                                        broadcast[3], epsilon)
    return normed, mean, variance


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta."""
    return nn.batch_normalization(x, mean, var, beta, gamma, epsilon)


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Scale the spatial axes of a 4D tensor by integer factors."""
    from tensorweave import image
    data_format = normalize_data_format(data_format)
    rows, cols = (2, 3) if data_format == "channels_first" else (1, 2)
    original = int_shape(x)
    new_shape = array.shape(x)[rows:cols + 1]
    new_shape = new_shape * np.array([height_factor, width_factor], dtype="int32")
    x = _to_channels_last(x, data_format)
    if interpolation == "nearest":
        x = image.resize_nearest_neighbor(x, new_shape)
    elif interpolation == "bilinear":
        x = image.resize_bilinear(x, new_shape)
    else:
        raise ValueError("interpolation should be one of \"nearest\" or \"bilinear\".")
    x = _from_channels_last(x, data_format)
    shape = list(original)
    for axis, factor in ((rows, height_factor), (cols, width_factor)):
        shape[axis] = None if shape[axis] is None else shape[axis] * factor
    x.set_shape(shape)
    return x


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Scale the 3 spatial axes of a 5D tensor by repeating entries."""
    from tensorweave.keras.backend_math import repeat_elements
    data_format = normalize_data_format(data_format)
    first = 2 if data_format == "channels_first" else 1
    for offset, factor in enumerate((depth_factor, height_factor, width_factor)):
        x = repeat_elements(x, factor, axis=first + offset)
    return x


# --- the RNN loop --------------------------------------------------------------------------
def _expand_mask(mask_t, value, fixed_dim=1):
    rank_diff = ndim(value) - ndim(mask_t)
    for _ in range(rank_diff):
        mask_t = array.expand_dims(mask_t, -1)
    multiples = [1] * fixed_dim + array.unstack(array.shape(value))[fixed_dim:]
    return array.tile(mask_t, array.stack(multiples))


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False):
    """Iterate `step_function(input_t, states) -> (output_t, new_states)` over the time axis.

    Returns (last_output, outputs, new_states); outputs are (batch, time, ...) unless
    time_major. A mask (batch, time) keeps the previous output and states where it is False.
    """
    def swap_batch_timestep(x):
        axes = list(range(ndim(x)))
        axes[0], axes[1] = 1, 0
        return array.transpose(x, axes)

    if not time_major:
        inputs = nest.map_structure(swap_batch_timestep, inputs)
    flat_inputs = nest.flatten(inputs)
    time_steps = flat_inputs[0].shape[0]
    time_steps = time_steps if isinstance(time_steps, int) or time_steps is None \
        else getattr(time_steps, "value", time_steps)
    batch = flat_inputs[0].shape[1]
    for input_ in flat_inputs:
        input_.shape.with_rank_at_least(3)
    if mask is not None:
        if mask.dtype != dtypes.bool:
            mask = array.cast(mask, "bool")
        if ndim(mask) == 2:
            mask = array.expand_dims(mask, -1)
        if not time_major:
            mask = swap_batch_timestep(mask)
    constants = list(constants or [])
    initial_states = list(initial_states)

    if unroll:
        if not time_steps:
            raise ValueError("Unrolling requires a fixed number of timesteps.")
        states = tuple(initial_states)
        successive_states, successive_outputs = [], []

        def unstack_time(x):
            steps = array.unstack(x)
            return steps[::-1] if go_backwards else steps

        processed = [unstack_time(x) for x in flat_inputs]
        input_list = [nest.pack_sequence_as(inputs, list(step)) for step in zip(*processed)]
        if mask is not None:
            mask_list = unstack_time(mask)
        for i, inp in enumerate(input_list):
            output, new_states = step_function(inp, tuple(states) + tuple(constants))
            new_states = list(nest.flatten(new_states))
            if mask is not None:
                mask_t = mask_list[i]
                if not successive_outputs or zero_output_for_mask:
                    prev_output = array.zeros_like(output)
                else:
                    prev_output = successive_outputs[-1]
                output = array.where(_expand_mask(mask_t, output), output, prev_output)
                flat_states = nest.flatten(states)
                new_states = [array.where(_expand_mask(mask_t, new), new, old)
                              for old, new in zip(flat_states, new_states)]
                new_states = nest.pack_sequence_as(states, new_states)
            states = tuple(nest.flatten(new_states)) if not isinstance(new_states, tuple) \
                else new_states
            successive_outputs.append(output)
            successive_states.append(states)
        last_output = successive_outputs[-1]
        new_states = successive_states[-1]
        outputs = array.stack(successive_outputs)
        if zero_output_for_mask and mask is not None:
            last_output = array.where(_expand_mask(mask_list[-1], last_output), last_output,
                                      array.zeros_like(last_output))
    else:
        states = tuple(initial_states)
        input_tas = [TensorArray(dtype=inp.dtype, size=array.shape(inp)[0],
                                 tensor_array_name=f"input_ta_{i}")
                     for i, inp in enumerate(flat_inputs)]
        input_tas = [ta.unstack(_reverse_time(inp) if go_backwards else inp)
                     for ta, inp in zip(input_tas, flat_inputs)]
        input_time_zero = nest.pack_sequence_as(inputs, [inp[0] for inp in flat_inputs])
        output_time_zero, _ = step_function(input_time_zero,
                                            tuple(initial_states) + tuple(constants))
        n_steps = array.shape(flat_inputs[0])[0]
        output_ta = TensorArray(dtype=output_time_zero.dtype, size=n_steps,
                                element_shape=output_time_zero.shape,
                                tensor_array_name="output_ta")
        time = convert_to_tensor(0, dtype=dtypes.int32, name="time")
        if mask is not None:
            mask_in = _reverse_time(mask) if go_backwards else mask
            mask_ta = TensorArray(dtype=dtypes.bool, size=n_steps,
                                  tensor_array_name="mask_ta").unstack(mask_in)
            zero_output = array.zeros_like(output_time_zero)

            def _step(time, output_ta_t, prev_output, *states):
                current_input = nest.pack_sequence_as(inputs,
                                                      [ta.read(time) for ta in input_tas])
                mask_t = mask_ta.read(time)
                output, new_states = step_function(current_input,
                                                   tuple(states) + tuple(constants))
                new_states = nest.flatten(new_states)
                keep = zero_output if zero_output_for_mask else prev_output
                output = array.where(_expand_mask(mask_t, output), output, keep)
                new_states = [array.where(_expand_mask(mask_t, new), new, old)
                              for old, new in zip(states, new_states)]
                for state, new_state in zip(states, new_states):
                    new_state.set_shape(state.shape)
                output_ta_t = output_ta_t.write(time, output)
                return (time + 1, output_ta_t, output) + tuple(new_states)

            final = control.while_loop(
                lambda time, *_: math_ops.less(time, n_steps), _step,
                (time, output_ta, zero_output) + states)
            new_states = final[3:]
        else:
            def _step(time, output_ta_t, *states):
                current_input = nest.pack_sequence_as(inputs,
                                                      [ta.read(time) for ta in input_tas])
                output, new_states = step_function(current_input,
                                                   tuple(states) + tuple(constants))
                new_states = nest.flatten(new_states)
                for state, new_state in zip(states, new_states):
                    new_state.set_shape(state.shape)
                output_ta_t = output_ta_t.write(time, output)
                return (time + 1, output_ta_t) + tuple(new_states)

            final = control.while_loop(
                lambda time, *_: math_ops.less(time, n_steps), _step,
                (time, output_ta) + states)
            new_states = final[2:]
        outputs = final[1].stack()
        last_output = outputs[-1]
    outputs.set_shape([time_steps, batch] + outputs.shape.as_list()[2:])
    if not time_major:
        outputs = swap_batch_timestep(outputs)
    return last_output, outputs, list(new_states)


def _reverse_time(x):
    from tensorweave import manip
    return manip.reverse(x, [0])


# --- CTC -----------------------------------------------------------------------------------
def ctc_label_dense_to_sparse(labels, label_lengths):
    """Dense (batch, max_len) labels and their lengths -> a SparseTensor of the labels."""
    from tensorweave.core.sparse_tensor import SparseTensor
    labels = convert_to_tensor(labels)
    label_lengths = array.cast(convert_to_tensor(label_lengths), "int32")
    max_len = array.shape(labels)[1]
    mask = nn_sequence_mask(label_lengths, max_len)
    indices = array.where(mask)
    values = _gather_nd(labels, indices)
    return SparseTensor(indices, array.cast(values, "int32"),
                        array.cast(array.shape(labels), "int64"))


def nn_sequence_mask(lengths, maxlen):
    from tensorweave.nn import rnn as rnn_module
    return rnn_module.sequence_mask(lengths, maxlen)


def _gather_nd(params, indices):
    from tensorweave.ops import scatter_ops
    return scatter_ops.gather_nd(params, indices)


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """CTC loss per batch element: y_pred (batch, time, classes) softmax outputs."""
    from tensorweave.nn import ctc
    label_length = array.cast(array.squeeze(label_length, axis=[-1]), "int32")
    input_length = array.cast(array.squeeze(input_length, axis=[-1]), "int32")
    sparse_labels = ctc_label_dense_to_sparse(y_true, label_length)
    y_pred = math_ops.log(array.transpose(y_pred, perm=[1, 0, 2]) + epsilon())
    return array.expand_dims(
        ctc.ctc_loss(inputs=y_pred, labels=sparse_labels, sequence_length=input_length), 1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Decode softmax outputs: ([dense decoded paths], log probabilities)."""
    from tensorweave.nn import ctc
    from tensorweave.ops import sparse_ops
    input_shape = array.shape(y_pred)
    num_samples, num_steps = input_shape[0], input_shape[1]
    y_pred = math_ops.log(array.transpose(y_pred, perm=[1, 0, 2]) + epsilon())
    input_length = array.cast(input_length, "int32")
    if greedy:
        decoded, log_prob = ctc.ctc_greedy_decoder(inputs=y_pred,
                                                   sequence_length=input_length)
    else:
        decoded, log_prob = ctc.ctc_beam_search_decoder(
            inputs=y_pred, sequence_length=input_length, beam_width=beam_width,
            top_paths=top_paths)
    decoded_dense = []
    for st in decoded:
        st = sparse_ops.SparseTensor(st.indices, st.values,
                                     array.cast(array.stack([num_samples, num_steps]),
                                                "int64"))
        decoded_dense.append(sparse_ops.sparse_tensor_to_dense(st, default_value=-1))
    return decoded_dense, log_prob

