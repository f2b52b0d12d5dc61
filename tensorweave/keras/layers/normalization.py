"""BatchNormalization (gamma, beta, moving_mean, moving_variance) and LayerNormalization."""
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import InputSpec, Layer
from tensorweave.keras.layers.base import config_of, options
from tensorweave.keras.layers.core import in_train_phase, training_value


def add_gamma_and_beta(layer, shape):
    """The normalization layer's scale `gamma` (when layer.scale) and offset `beta` (when
    layer.center) of `shape`, with its gamma_*/beta_* options."""
    layer.gamma = layer.add_weight("gamma", shape=shape, initializer=layer.gamma_initializer,
                                   regularizer=layer.gamma_regularizer,
                                   constraint=layer.gamma_constraint) if layer.scale else None
    layer.beta = layer.add_weight("beta", shape=shape, initializer=layer.beta_initializer,
                                  regularizer=layer.beta_regularizer,
                                  constraint=layer.beta_constraint) if layer.center else None


class BatchNormalization(Layer):
    """Normalizes with the batch's statistics in training (updating the moving ones) and with
    the moving statistics at inference."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None,
                 adjustment=None, name=None, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        if renorm or virtual_batch_size or adjustment:
            raise ValueError("BatchNormalization: renorm, virtual_batch_size and adjustment "
                             "are not supported by tensorweave.")
        self.axis = axis[:] if isinstance(axis, list) else axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.fused = fused
        self.renorm = renorm
        self.supports_masking = True
        options(self, beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                moving_mean_initializer=moving_mean_initializer,
                moving_variance_initializer=moving_variance_initializer,
                beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        ndims = len(shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        axes = [a + ndims if a < 0 else a for a in axes]
        for a in axes:
            if a < 0 or a >= ndims:
                raise ValueError(f"Invalid axis: {a}")
            if shape[a] is None:
                raise ValueError(f"Input has undefined `axis` dimension. Input shape: {shape}")
        self._axes = axes
        self._fused = (self.fused is not False and ndims == 4 and axes in ([3], [1])
                       and self.fused is not None or (self.fused is None and ndims == 4 and
                                                      axes in ([3], [1])))
        param_shape = [shape[a] for a in axes] if len(axes) > 1 else [shape[axes[0]]]
        self.input_spec = InputSpec(ndim=ndims, axes={a: shape[a] for a in axes})
        add_gamma_and_beta(self, param_shape)
        self.moving_mean = self.add_weight("moving_mean", shape=param_shape,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape=param_shape,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def _broadcast(self, v, ndims):
        if v is None:
            return None
        if len(self._axes) == 1 and self._axes[0] == ndims - 1:
            return v
        shape = [1] * ndims
        for a in self._axes:
            shape[a] = -1 if len(self._axes) == 1 else TensorShape(v.shape).as_list()[
                self._axes.index(a)]
        return T.reshape(v, shape)

    def _moments(self, inputs, ndims):
        reduce = [i for i in range(ndims) if i not in self._axes]
        mean, variance = T.nn_ops.moments(inputs, reduce, keep_dims=False)
        return mean, variance

    def _normalize(self, inputs, mean, variance, ndims):
        scale = self.gamma if self.gamma is not None else None
        offset = self.beta if self.beta is not None else None
        b = self._broadcast
        return T.norm_ops.batch_normalization(inputs, b(mean, ndims), b(variance, ndims),
                                              b(offset, ndims), b(scale, ndims), self.epsilon)

    def _update(self, variable, value):
        decay = 1. - self.momentum
        with T.name_scope(None if False else "AssignMovingAvg"):
            delta = T.multiply(T.subtract(variable, T.cast(value, variable.dtype)), decay)
            return T.assign_sub(variable, delta)

    def call(self, inputs, training=None):
        ndims = TensorShape(inputs.shape).ndims
        training = training_value(training)
        if isinstance(training, (bool, int)) and not training or (
                not isinstance(training, (bool, int)) and
                T.constant_value(training) is not None and not T.constant_value(training)):
            return self._normalize(inputs, self.moving_mean, self.moving_variance, ndims)

        def train_branch():
            if self._fused:
                data_format = "NHWC" if self._axes == [3] else "NCHW"
                ones = T.ones_like(self.moving_mean)
                zeros = T.zeros_like(self.moving_mean)
                out, mean, variance = T.norm_ops.fused_batch_norm(
                    inputs, self.gamma if self.gamma is not None else ones,
                    self.beta if self.beta is not None else zeros, epsilon=self.epsilon,
                    data_format=data_format, is_training=True)
                return out, mean, variance
            mean, variance = self._moments(inputs, ndims)
            return self._normalize(inputs, mean, variance, ndims), mean, variance

        out, mean, variance = train_branch()
        if isinstance(training, (bool, int)):
            self.add_update([self._update(self.moving_mean, mean),
                             self._update(self.moving_variance, variance)], inputs=inputs)
            return out
        test_out = self._normalize(inputs, self.moving_mean, self.moving_variance, ndims)
        flag = T.cast(training, "bool")
        out = T.cond(flag, lambda: out, lambda: test_out)
        mean = T.cond(flag, lambda: mean, lambda: T.identity(self.moving_mean.value()
                                                            if hasattr(self.moving_mean,
                                                                       "value")
                                                            else self.moving_mean))
        variance = T.cond(flag, lambda: variance,
                          lambda: T.identity(self.moving_variance.value()
                                             if hasattr(self.moving_variance, "value")
                                             else self.moving_variance))
        self.add_update([self._update(self.moving_mean, mean),
                         self._update(self.moving_variance, variance)], inputs=inputs)
        return out

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                **config_of(self, "beta_initializer", "gamma_initializer",
                            "moving_mean_initializer", "moving_variance_initializer",
                            "beta_regularizer", "gamma_regularizer", "beta_constraint",
                            "gamma_constraint")}


class LayerNormalization(Layer):
    """Normalizes each sample over `axis` (gamma, beta per feature)."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 trainable=True, name=None, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.supports_masking = True
        options(self, beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        ndims = len(shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self._axes = sorted(a + ndims if a < 0 else a for a in axes)
        param_shape = [shape[a] for a in self._axes]
        add_gamma_and_beta(self, param_shape)
        self.built = True

    def call(self, inputs):
        shape = TensorShape(inputs.shape).as_list()
        ndims = len(shape)
        mean, variance = T.nn_ops.moments(inputs, self._axes, keep_dims=True)
        broadcast = [1] * ndims
        for a in self._axes:
            broadcast[a] = shape[a]

        def b(v):
            return None if v is None else T.reshape(v, broadcast)
        return T.norm_ops.batch_normalization(inputs, mean, variance, b(self.beta),
                                              b(self.gamma), self.epsilon)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                **config_of(self, "beta_initializer", "gamma_initializer", "beta_regularizer",
                            "gamma_regularizer", "beta_constraint", "gamma_constraint")}
