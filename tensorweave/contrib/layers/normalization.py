"""TF-slim's normalization layers (tf.contrib.layers): batch_norm with its three paths (the
fused kernel, tf.layers' BatchNormalization, the unfused legacy path), layer_norm,
instance_norm and group_norm, with TF-slim's variable names (beta, gamma, moving_mean,
moving_variance) as model variables.
"""
from tensorweave import init_ops
from tensorweave.contrib.framework.arg_scope import add_arg_scope
from tensorweave.contrib.layers import utils
from tensorweave.contrib.layers.layers import (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC,
                                               add_to_collections, collected_model_variable,
                                               finish_layer, layer_variable_getter)
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.layers import normalization as norm_layers
from tensorweave.nn import impl
from tensorweave.ops import array, math_ops, nn_ops, norm_ops
from tensorweave.train import moving_averages
from tensorweave.variable_scope import get_variable_scope, variable_scope

__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm"]


@add_arg_scope
def layer_norm(inputs, center=True, scale=True, activation_fn=None, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               begin_norm_axis=1, begin_params_axis=-1, scope=None):
    """Normalizes each example over axes begin_norm_axis.. (epsilon 1e-12), then
    `<scope>/gamma` * x + `<scope>/beta` of shape inputs.shape[begin_params_axis:]."""
    with variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        shape = inputs.shape
        rank = shape.ndims
        if rank is None:
            raise ValueError(f"Inputs {inputs.name} has undefined rank.")
        dtype = inputs.dtype.base_dtype
        if begin_norm_axis < 0:
            begin_norm_axis = rank + begin_norm_axis
        if begin_params_axis >= rank or begin_norm_axis >= rank:
            raise ValueError(f"begin_params_axis ({begin_params_axis}) and begin_norm_axis "
                             f"({begin_norm_axis}) must be < rank(inputs) ({rank})")
        params_shape = TensorShape(shape.as_list()[begin_params_axis:])
        if not params_shape.is_fully_defined():
            raise ValueError(f"Inputs {inputs.name}: shape(inputs)[{begin_params_axis}:] is "
                             f"not fully defined: {shape}")
        beta = gamma = None
        if center:
            beta = collected_model_variable("beta", params_shape, dtype, init_ops.zeros_initializer(),
                                   None, trainable, variables_collections, "beta")
        if scale:
            gamma = collected_model_variable("gamma", params_shape, dtype, init_ops.ones_initializer(),
                                    None, trainable, variables_collections, "gamma")
        mean, variance = nn_ops.moments(inputs, list(range(begin_norm_axis, rank)),
                                        keep_dims=True)
        epsilon = 1e-12 if dtype is not dtypes.float16 else 1e-3
        outputs = norm_ops.batch_normalization(inputs, mean, variance, beta, gamma, epsilon)
        outputs.set_shape(shape)
        return finish_layer(outputs, None, None, activation_fn, outputs_collections, sc.name)


def _moving_average(variable, value, decay, zero_debias):
    return moving_averages.assign_moving_average(variable, value, decay,
                                                 zero_debias=zero_debias)


class _BatchNormVariables:
    """beta, gamma, moving_mean, moving_variance as TF-slim makes them outside a core layer
    (beta first, as in TF's fused and legacy paths)."""

    def __init__(self, params_shape, dtype, center, scale, trainable, param_initializers,
                 variables_collections, fused):
        init = param_initializers or {}
        self.beta = self.gamma = None
        if center:
            self.beta = collected_model_variable(
                "beta", params_shape, dtype, init.get("beta", init_ops.zeros_initializer()),
                None, trainable, variables_collections, "beta")
        elif fused:
            self.beta = array.zeros(params_shape.as_list(), dtype)
        if scale:
            self.gamma = collected_model_variable(
                "gamma", params_shape, dtype, init.get("gamma", init_ops.ones_initializer()),
                None, trainable, variables_collections, "gamma")
        elif fused:
            self.gamma = array.ones(params_shape.as_list(), dtype)
        self.moving_mean = collected_model_variable(
            "moving_mean", params_shape, dtype,
            init.get("moving_mean", init_ops.zeros_initializer()), None, False,
            variables_collections, "moving_mean")
        self.moving_variance = collected_model_variable(
            "moving_variance", params_shape, dtype,
            init.get("moving_variance", init_ops.ones_initializer()), None, False,
            variables_collections, "moving_variance")


def _needs_updates(is_training):
    value = utils.constant_value(is_training)
    return value is None or bool(value)


def _fused_batch_norm(inputs, decay, center, scale, epsilon, activation_fn, param_initializers,
                      updates_collections, is_training, reuse, variables_collections,
                      outputs_collections, trainable, data_format, zero_debias_moving_mean,
                      scope):
    """TF-slim's fused path: rank 2 or 4 inputs through one FusedBatchNorm op."""
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        original_inputs, original_rank = inputs, inputs.shape.ndims
        if original_rank is None:
            raise ValueError(f"Inputs {inputs.name} has undefined rank")
        if original_rank not in (2, 4):
            raise ValueError(f"Inputs {inputs.name} has unsupported rank. Expected 2 or 4 but "
                             f"got {original_rank}")
        if original_rank == 2:
            channels = inputs.shape[-1].value
            if channels is None:
                raise ValueError("`C` dimension must be known but is None")
            new_shape = [-1, channels, 1, 1] if data_format == DATA_FORMAT_NCHW else \
                [-1, 1, 1, channels]
            inputs = array.reshape(inputs, new_shape)
        inputs_shape = inputs.shape
        dtype = inputs.dtype.base_dtype
        depth = inputs_shape[-1] if data_format == DATA_FORMAT_NHWC else inputs_shape[1]
        params_shape = TensorShape([depth])
        if not params_shape.is_fully_defined():
            raise ValueError(f"Inputs {inputs.name} has undefined `C` dimension "
                             f"{params_shape}.")
        v = _BatchNormVariables(params_shape, dtype, center, scale, trainable,
                                param_initializers, variables_collections, fused=True)

        def training():
            return norm_ops.fused_batch_norm(inputs, v.gamma, v.beta, epsilon=epsilon,
                                             data_format=data_format)

        def inference():
            return norm_ops.fused_batch_norm(inputs, v.gamma, v.beta, mean=v.moving_mean,
                                             variance=v.moving_variance, epsilon=epsilon,
                                             is_training=False, data_format=data_format)
        outputs, mean, variance = utils.smart_cond(is_training, training, inference)
        if _needs_updates(is_training):
            def updates():
                return (_moving_average(v.moving_mean, mean, decay, zero_debias_moving_mean),
                        _moving_average(v.moving_variance, variance, decay, False))
            if updates_collections is None:
                def forced():
                    with get_default_graph().control_dependencies(list(updates())):
                        return array.identity(outputs)
                outputs = utils.smart_cond(is_training, forced, lambda: outputs)
            else:
                update_mean, update_variance = utils.smart_cond(
                    is_training, updates, lambda: (v.moving_mean.value(),
                                                   v.moving_variance.value()))
                graph = get_default_graph()
                graph.add_to_collections(updates_collections, update_mean)
                graph.add_to_collections(updates_collections, update_variance)
        outputs.set_shape(inputs_shape)
        if original_rank == 2:
            outputs = array.reshape(outputs, array.shape(original_inputs))
            outputs.set_shape(original_inputs.shape)
        return finish_layer(outputs, None, None, activation_fn, outputs_collections, sc.name)


@add_arg_scope
def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001,
               activation_fn=None, param_initializers=None, param_regularizers=None,
               updates_collections=GraphKeys.UPDATE_OPS, is_training=True, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=None, data_format=DATA_FORMAT_NHWC,
               zero_debias_moving_mean=False, scope=None, renorm=False, renorm_clipping=None,
               renorm_decay=0.99, adjustment=None):
    """Batch normalization (Ioffe & Szegedy) with TF-slim's variables under `BatchNorm`:
    beta (center), gamma (scale, off by default), moving_mean, moving_variance.

    Training normalizes with the batch's moments; the moving averages are updated by ops put
    in `updates_collections` (UPDATE_OPS), or in place when it is None. `is_training` may be
    a boolean tensor. Rank 2 and 4 inputs use the fused kernel unless fused=False.
    """
    if renorm or adjustment is not None:
        raise NotImplementedError("batch_norm: renorm and adjustment are not supported by "
                                  "tensorweave (see docs/compatibility.md)")
    if fused is None:
        fused = True
    inputs = convert_to_tensor(inputs)
    rank = inputs.shape.ndims
    possible_to_fuse = batch_weights is None and rank in (2, 4)
    if fused and possible_to_fuse and (zero_debias_moving_mean or rank == 2 or
                                       updates_collections is not GraphKeys.UPDATE_OPS):
        return _fused_batch_norm(inputs, decay, center, scale, epsilon, activation_fn,
                                 param_initializers, updates_collections, is_training, reuse,
                                 variables_collections, outputs_collections, trainable,
                                 data_format, zero_debias_moving_mean, scope)
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    param_regularizers = param_regularizers or {}
    getter = layer_variable_getter(None, {"beta": param_regularizers.get("beta"),
                                  "gamma": param_regularizers.get("gamma")})
    with variable_scope(scope, "BatchNorm", [inputs], reuse=reuse,
                        custom_getter=getter) as sc:
        if (batch_weights is None and updates_collections is GraphKeys.UPDATE_OPS and
                not zero_debias_moving_mean):
            init = param_initializers or {}
            layer = norm_layers.BatchNormalization(
                axis=1 if data_format == DATA_FORMAT_NCHW else -1, momentum=decay,
                epsilon=epsilon, center=center, scale=scale,
                beta_initializer=init.get("beta", init_ops.zeros_initializer()),
                gamma_initializer=init.get("gamma", init_ops.ones_initializer()),
                moving_mean_initializer=init.get("moving_mean", init_ops.zeros_initializer()),
                moving_variance_initializer=init.get("moving_variance",
                                                     init_ops.ones_initializer()),
                trainable=trainable, name=sc.name, _scope=sc, _reuse=reuse,
                fused=bool(fused) and rank == 4)
            outputs = layer.apply(inputs, training=is_training)
            add_to_collections(layer.moving_mean, variables_collections, "moving_mean")
            add_to_collections(layer.moving_variance, variables_collections,
                                "moving_variance")
            if layer.beta is not None:
                add_to_collections(layer.beta, variables_collections, "beta")
            if layer.gamma is not None:
                add_to_collections(layer.gamma, variables_collections, "gamma")
            return finish_layer(outputs, None, None, activation_fn, outputs_collections, sc.name)
        return _legacy_batch_norm(inputs, decay, center, scale, epsilon, activation_fn,
                                  param_initializers, updates_collections, is_training,
                                  variables_collections, outputs_collections, trainable,
                                  batch_weights, data_format, zero_debias_moving_mean, sc)


def _legacy_batch_norm(inputs, decay, center, scale, epsilon, activation_fn,
                       param_initializers, updates_collections, is_training,
                       variables_collections, outputs_collections, trainable, batch_weights,
                       data_format, zero_debias_moving_mean, sc):
    """TF-slim's unfused path (batch_weights, custom updates collections, zero debiasing)."""
    shape = inputs.shape
    rank = shape.ndims
    if rank is None:
        raise ValueError(f"Inputs {inputs.name} has undefined rank.")
    dtype = inputs.dtype.base_dtype
    if batch_weights is not None:
        batch_weights = convert_to_tensor(batch_weights)
        shape[0:1].assert_is_compatible_with(batch_weights.shape)
        batch_weights = array.reshape(batch_weights, [-1] + [1] * (rank - 1))
    nchw = data_format == DATA_FORMAT_NCHW
    if nchw:
        axes = [0] + list(range(2, rank))
        params_shape = TensorShape(shape.as_list()[1:2])
        broadcast = [1, shape[1].value] + [1] * (rank - 2)
    else:
        axes = list(range(rank - 1))
        params_shape = TensorShape(shape.as_list()[-1:])
        broadcast = None
    if not params_shape.is_fully_defined():
        raise ValueError(f"Inputs {inputs.name} has undefined channels dimension "
                         f"{params_shape}.")
    with variable_scope(get_variable_scope()):
        v = _BatchNormVariables(params_shape, dtype, center, scale, trainable,
                                param_initializers, variables_collections, fused=False)
    beta, gamma = v.beta, v.gamma
    if _needs_updates(is_training):
        if batch_weights is None:
            mean, variance = nn_ops.moments(inputs, axes, keep_dims=nchw)
        else:
            mean, variance = impl.weighted_moments(inputs, axes, batch_weights,
                                                   keep_dims=nchw)
        if nchw:
            mean, variance = array.reshape(mean, [-1]), array.reshape(variance, [-1])

        def moving():
            return v.moving_mean.value(), v.moving_variance.value()

        def updates():
            return (_moving_average(v.moving_mean, mean, decay, zero_debias_moving_mean),
                    _moving_average(v.moving_variance, variance, decay, False))
        if updates_collections is None:
            def forced():
                with get_default_graph().control_dependencies(list(updates())):
                    return array.identity(mean), array.identity(variance)
            mean, variance = utils.smart_cond(is_training, forced, moving)
        else:
            update_mean, update_variance = utils.smart_cond(is_training, updates, moving)
            graph = get_default_graph()
            graph.add_to_collections(updates_collections, update_mean)
            graph.add_to_collections(updates_collections, update_variance)
            batch = (mean, variance)
            mean, variance = utils.smart_cond(is_training, lambda: batch, moving)
    else:
        mean, variance = v.moving_mean, v.moving_variance
    if nchw:
        mean, variance = array.reshape(mean, broadcast), array.reshape(variance, broadcast)
        beta = None if beta is None else array.reshape(beta, broadcast)
        gamma = None if gamma is None else array.reshape(gamma, broadcast)
    outputs = norm_ops.batch_normalization(inputs, mean, variance, beta, gamma, epsilon)
    outputs.set_shape(shape)
    return finish_layer(outputs, None, None, activation_fn, outputs_collections, sc.name)


@add_arg_scope
def instance_norm(inputs, center=True, scale=True, epsilon=1e-6, activation_fn=None,
                  param_initializers=None, reuse=None, variables_collections=None,
                  outputs_collections=None, trainable=True, data_format=DATA_FORMAT_NHWC,
                  scope=None):
    """Normalizes each example and channel over its spatial axes (Ulyanov et al.), then
    `<scope>/gamma` and `<scope>/beta` per channel (scope InstanceNorm)."""
    inputs = convert_to_tensor(inputs)
    shape = inputs.shape
    rank = shape.ndims
    if rank is None:
        raise ValueError(f"Inputs {inputs.name} has undefined rank.")
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with variable_scope(scope, "InstanceNorm", [inputs], reuse=reuse) as sc:
        channel_axis = 1 if data_format == DATA_FORMAT_NCHW else rank - 1
        broadcast = None
        if data_format == DATA_FORMAT_NCHW:
            broadcast = [1, shape[1].value] + [1] * (rank - 2)
        axes = [a for a in range(1, rank) if a != channel_axis]
        params_shape = TensorShape([shape[channel_axis]])
        if not params_shape.is_fully_defined():
            raise ValueError(f"Inputs {inputs.name} has undefined channels dimension "
                             f"{params_shape}.")
        init = param_initializers or {}
        dtype = inputs.dtype.base_dtype
        beta = gamma = None
        if center:
            beta = collected_model_variable(
                "beta", params_shape, dtype, init.get("beta", init_ops.zeros_initializer()),
                None, trainable, variables_collections, "beta")
            beta = array.reshape(beta, broadcast) if broadcast else beta
        if scale:
            gamma = collected_model_variable(
                "gamma", params_shape, dtype, init.get("gamma", init_ops.ones_initializer()),
                None, trainable, variables_collections, "gamma")
            gamma = array.reshape(gamma, broadcast) if broadcast else gamma
        mean, variance = nn_ops.moments(inputs, axes, keep_dims=True)
        outputs = norm_ops.batch_normalization(inputs, mean, variance, beta, gamma, epsilon,
                                               name="instancenorm")
        return finish_layer(outputs, None, None, activation_fn, outputs_collections, sc.name)


@add_arg_scope
def group_norm(inputs, groups=32, channels_axis=-1, reduction_axes=(-3, -2), center=True,
               scale=True, epsilon=1e-6, activation_fn=None, param_initializers=None,
               reuse=None, variables_collections=None, outputs_collections=None,
               trainable=True, scope=None, mean_close_to_zero=False):
    """Normalizes groups of channels over `reduction_axes` (Wu & He), then per-channel
    `<scope>/gamma` and `<scope>/beta` (scope GroupNorm)."""
    inputs = convert_to_tensor(inputs)
    rank = inputs.shape.ndims
    if rank is None:
        raise ValueError(f"Inputs {inputs.name} has undefined rank.")
    if channels_axis > rank - 1:
        raise ValueError("Axis is out of bounds.")
    dynamic = array.shape(inputs)
    dims = [d if d is not None else dynamic[i] for i, d in enumerate(inputs.shape.as_list())]
    if channels_axis < 0:
        channels_axis += rank
    channels = inputs.shape[channels_axis].value
    if channels is None:
        raise ValueError(f"Inputs {inputs.name} has undefined channel dimension: "
                         f"{channels_axis}.")
    reduction_axes = [a + rank if a < 0 else a for a in reduction_axes]
    for a in reduction_axes:
        if a > rank:
            raise ValueError("Axis is out of bounds.")
        if inputs.shape[a].value is None:
            raise ValueError(f"Inputs {inputs.name} has undefined dimensions {a}.")
        if channels_axis == a:
            raise ValueError("reduction_axis must be mutually exclusive with channels_axis")
    if groups > channels:
        raise ValueError(f"Invalid groups {groups} for {channels} channels.")
    if channels % groups != 0:
        raise ValueError(f"{channels} channels is not commensurate with {groups} groups.")
    before, after = dims[:channels_axis], dims[channels_axis + 1:]
    broadcast = [1] * len(before) + [groups, channels // groups] + [1] * len(after)
    grouped_shape = before + [groups, channels // groups] + after
    if any(not isinstance(d, int) for d in grouped_shape):
        grouped_shape = array.stack(grouped_shape)
    grouped = array.reshape(inputs, grouped_shape)
    axes = [channels_axis + 1] + [a + 1 if a > channels_axis else a for a in reduction_axes]
    with variable_scope(scope, "GroupNorm", [grouped], reuse=reuse) as sc:
        init = param_initializers or {}
        dtype = inputs.dtype.base_dtype
        beta = gamma = None
        if center:
            beta = array.reshape(collected_model_variable(
                "beta", [channels], dtype, init.get("beta", init_ops.zeros_initializer()),
                None, trainable, variables_collections, "beta"), broadcast)
        if scale:
            gamma = array.reshape(collected_model_variable(
                "gamma", [channels], dtype, init.get("gamma", init_ops.ones_initializer()),
                None, trainable, variables_collections, "gamma"), broadcast)
        if mean_close_to_zero:
            counts, mean_ss, variance_ss, _ = impl.sufficient_statistics(grouped, axes,
                                                                         keep_dims=True)
            mean, variance = impl.normalize_moments(counts, mean_ss, variance_ss, shift=None)
        else:
            mean, variance = nn_ops.moments(grouped, axes, keep_dims=True)
        gain = math_ops.rsqrt(variance + epsilon)
        offset = -mean * gain
        if gamma is not None:
            gain = gain * gamma
            offset = offset * gamma
        if beta is not None:
            offset = offset + beta
        outputs = grouped * gain + offset
        outputs = array.reshape(outputs, dynamic)
        outputs.set_shape(inputs.shape)
        return finish_layer(outputs, None, None, activation_fn, outputs_collections, sc.name)
