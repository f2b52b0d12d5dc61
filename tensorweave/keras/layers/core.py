"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda,
Masking, ActivityRegularization, SpatialDropout1D/2D/3D, Identity."""
import copy

import numpy as np

from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras import backend as K
from tensorweave.keras.engine import resolve
from tensorweave.keras.engine.base_layer import InputSpec, Layer
from tensorweave.keras.layers.base import config_of, options
from tensorweave.keras.utils import generic_utils
from tensorweave.keras.engine import tfops as T
from tensorweave.util import nest


def _shape_list(input_shape):
    return list(TensorShape(input_shape).as_list())


class Dense(Layer):
    """output = activation(dot(input, kernel) + bias)."""

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if "input_shape" not in kwargs and "input_dim" in kwargs:
            kwargs["input_shape"] = (kwargs.pop("input_dim"),)
        super().__init__(activity_regularizer=resolve.regularizer(activity_regularizer)
                         if activity_regularizer is not None else None, **kwargs)
        self.units = int(units)
        self.use_bias = use_bias
        options(self, activation=activation, kernel_initializer=kernel_initializer,
                bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                bias_constraint=bias_constraint)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        last = TensorShape(input_shape)[-1]
        last = getattr(last, "value", last)
        if last is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                             "Found `None`.")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last})
        self.kernel = self.add_weight("kernel", shape=[last, self.units],
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", shape=[self.units],
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        rank = TensorShape(inputs.shape).ndims
        if rank is not None and rank > 2:
            outputs = T.tensordot(inputs, self.kernel, [[rank - 1], [0]])
            shape = TensorShape(inputs.shape).as_list()
            outputs.set_shape(shape[:-1] + [self.units])
        else:
            outputs = T.matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = T.nn_ops.bias_add(outputs, self.bias)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        shape = _shape_list(input_shape)
        return TensorShape(shape[:-1] + [self.units])

    def get_config(self):
        config = {"units": self.units, **config_of(self, "activation"),
                  "use_bias": self.use_bias,
                  **config_of(self, "kernel_initializer", "bias_initializer",
                              "kernel_regularizer", "bias_regularizer"),
                  "activity_regularizer": resolve.serialize("regularizers",
                                                            self.activity_regularizer),
                  **config_of(self, "kernel_constraint", "bias_constraint")}
        return {**super().get_config(), **config}


class Activation(Layer):
    """Applies an activation function."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        options(self, activation=activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), **config_of(self, "activation")}


def training_value(training):
    return K.learning_phase() if training is None else training


def in_train_phase(fn, inputs, training):
    training = training_value(training)
    if isinstance(training, (bool, int)):
        return fn() if training else inputs
    value = T.constant_value(training)
    if value is not None:
        return fn() if bool(value) else inputs
    return T.cond(T.cast(training, "bool"), fn, lambda: T.identity(inputs))


class Dropout(Layer):
    """Sets a fraction `rate` of inputs to 0 at training time (scaling the rest by
    1 / (1 - rate))."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def _get_noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        shape = T.shape(inputs)
        return T.stack([shape[i] if d is None else d for i, d in enumerate(self.noise_shape)])

    def call(self, inputs, training=None):
        if not 0 < self.rate:
            return inputs
        return in_train_phase(
            lambda: T.nn_ops.dropout(inputs, noise_shape=self._get_noise_shape(inputs),
                                     seed=self.seed, rate=self.rate), inputs, training)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}


class SpatialDropout1D(Dropout):
    """Dropout of whole 1D feature maps (inputs (batch, steps, channels))."""

    def __init__(self, rate, **kwargs):
        super().__init__(rate, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _get_noise_shape(self, inputs):
        shape = T.shape(inputs)
        return T.stack([shape[0], 1, shape[2]])


class SpatialDropout2D(Dropout):
    """Dropout of whole 2D feature maps."""

    def __init__(self, rate, data_format=None, **kwargs):
        super().__init__(rate, **kwargs)
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(ndim=4)

    def _get_noise_shape(self, inputs):
        shape = T.shape(inputs)
        if self.data_format == "channels_first":
            return T.stack([shape[0], shape[1], 1, 1])
        return T.stack([shape[0], 1, 1, shape[3]])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout3D(Dropout):
    """Dropout of whole 3D feature maps."""

    def __init__(self, rate, data_format=None, **kwargs):
        super().__init__(rate, **kwargs)
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(ndim=5)

    def _get_noise_shape(self, inputs):
        shape = T.shape(inputs)
        if self.data_format == "channels_first":
            return T.stack([shape[0], shape[1], 1, 1, 1])
        return T.stack([shape[0], 1, 1, 1, shape[4]])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Flatten(Layer):
    """Flattens every axis but the batch axis."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        shape = _shape_list(inputs.shape)
        if self.data_format == "channels_first" and len(shape) > 2:
            inputs = T.transpose(inputs, [0] + list(range(2, len(shape))) + [1])
            shape = _shape_list(inputs.shape)
        if len(shape) == 1:
            return T.expand_dims(inputs, 1)
        rest = shape[1:]
        if all(d is not None for d in rest):
            return T.reshape(inputs, [-1, int(np.prod(rest))])
        return T.reshape(inputs, T.stack([T.shape(inputs)[0], -1]))

    def compute_output_shape(self, input_shape):
        shape = _shape_list(input_shape)
        rest = shape[1:]
        size = int(np.prod(rest)) if all(d is not None for d in rest) else None
        return TensorShape([shape[0], size if rest else 1])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes to `target_shape` (batch axis kept; one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        # TF 1 Dimensions (x.shape[-1]) are accepted as their values
        self.target_shape = tuple(getattr(d, "value", d) for d in target_shape)

    def _fix_unknown_dimension(self, input_shape, output_shape):
        output_shape = list(output_shape)
        msg = (f"total size of new array must be unchanged, input_shape = {input_shape}, "
               f"output_shape = {output_shape}")
        known, unknown = 1, None
        for index, dim in enumerate(output_shape):
            if dim < 0:
                if unknown is None:
                    unknown = index
                else:
                    raise ValueError("Can only specify one unknown dimension.")
            else:
                known *= dim
        original = int(np.prod(input_shape))
        if unknown is not None:
            if known == 0 or original % known != 0:
                raise ValueError(msg)
            output_shape[unknown] = original // known
        elif original != known:
            raise ValueError(msg)
        return output_shape

    def compute_output_shape(self, input_shape):
        shape = _shape_list(input_shape)
        if None in shape[1:]:
            rest = [d if d != -1 else None for d in self.target_shape]
        else:
            rest = self._fix_unknown_dimension(shape[1:], self.target_shape)
        return TensorShape([shape[0]] + list(rest))

    def call(self, inputs):
        out = T.reshape(inputs, T.stack([T.shape(inputs)[0]] + list(self.target_shape)))
        shape = self.compute_output_shape(inputs.shape)
        out.set_shape(shape)
        return out

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the non-batch axes (`dims` counts from 1)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Invalid permutation `dims` for Permute Layer: {dims}. The set "
                             f"of indices in `dims` must be consecutive and start from 1.")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return T.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        shape = _shape_list(input_shape)
        return TensorShape([shape[0]] + [shape[d] for d in self.dims])

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return T.tile(T.expand_dims(inputs, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape):
        shape = _shape_list(input_shape)
        return TensorShape([shape[0], self.n, shape[1]])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class Lambda(Layer):
    """Wraps a function of tensors as a layer."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments or {}
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape

    def call(self, inputs, mask=None, training=None):
        arguments = dict(self.arguments)
        import inspect
        parameters = inspect.signature(self.function).parameters
        if "mask" in parameters:
            arguments["mask"] = mask
        if "training" in parameters:
            arguments["training"] = training
        return self.function(inputs, **arguments)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return input_shape
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        shape = _shape_list(nest.flatten(input_shape)[0] if isinstance(input_shape, list)
                            else input_shape)
        return TensorShape([shape[0]] + list(self._output_shape))

    def get_config(self):
        """Lambda functions are saved by name (a module-level function) or as Python bytecode;
        loading bytecode is refused unless the loader allows it (see tf.keras.models)."""
        import marshal
        import codecs
        function = self.function
        if getattr(function, "__name__", "<lambda>") != "<lambda>" and \
                "<locals>" not in getattr(function, "__qualname__", ""):
            function_config, function_type = function.__name__, "function"
        else:
            raw = marshal.dumps(function.__code__)
            function_config = codecs.encode(raw, "base64").decode("ascii")
            function_type = "lambda"
        output_shape = self._output_shape
        output_shape_type = "raw"
        if callable(output_shape):
            output_shape = output_shape.__name__
            output_shape_type = "function"
        return {**super().get_config(), "function": function_config,
                "function_type": function_type, "module_name": function.__module__,
                "output_shape": output_shape, "output_shape_type": output_shape_type,
                "output_shape_module": None, "arguments": self.arguments}

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=True):
        """The layer of a config. Functions are found by name among the custom objects only:
        nothing named in a file is imported or run (`safe_mode` is accepted for Keras's
        signature; bytecode is refused either way)."""
        config = copy.deepcopy(config)
        custom_objects = custom_objects or {}
        function_type = config.pop("function_type")
        module = config.pop("module_name", None)
        name = config["function"]
        if function_type != "function":
            raise ValueError("Loading a Lambda layer saved as Python bytecode is refused: it "
                             "would execute code from the file. Define the function at module "
                             "level, save the model again, and pass the function in "
                             "custom_objects when loading.")
        known = {**generic_utils.get_custom_objects(), **custom_objects}
        if name not in known:
            raise ValueError(f"Unknown function: {name} (saved from module {module}); pass it "
                             f"in custom_objects")
        config["function"] = known[name]
        shape_type = config.pop("output_shape_type", "raw")
        config.pop("output_shape_module", None)
        if shape_type == "function" and config.get("output_shape") in custom_objects:
            config["output_shape"] = custom_objects[config["output_shape"]]
        elif shape_type == "function":
            config["output_shape"] = None
        return cls(**config)


class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value`."""

    def __init__(self, mask_value=0., **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return T.reduce_any(T.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = T.reduce_any(T.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return T.multiply(inputs, T.cast(keep, inputs.dtype))

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


class ActivityRegularization(Layer):
    """Adds an L1/L2 activity penalty (passes inputs through)."""

    def __init__(self, l1=0., l2=0., **kwargs):
        from tensorweave.keras import regularizers
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}


class Identity(Layer):
    """Passes its inputs (a tensor or a nest of them) through unchanged."""

    def call(self, inputs):
        return nest.map_structure(T.identity, inputs)
