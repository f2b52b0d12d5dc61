"""Advanced activations: LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax, ReLU."""
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras import backend as K
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import InputSpec, Layer
from tensorweave.keras.layers.base import config_of, options


class LeakyReLU(Layer):
    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha = float(alpha)

    def call(self, inputs):
        return T.nn_ops.leaky_relu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(Layer):
    """max(x, 0) + alpha * min(x, 0) with a learned `alpha` per feature."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        options(self, alpha_initializer=alpha_initializer, alpha_regularizer=alpha_regularizer,
                alpha_constraint=alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        param_shape = list(shape[1:])
        if self.shared_axes is not None:
            for i in self.shared_axes:
                param_shape[i - 1] = 1
        self.alpha = self.add_weight("alpha", shape=param_shape,
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            for i in range(1, len(shape)):
                if i not in self.shared_axes:
                    axes[i] = shape[i]
        self.input_spec = InputSpec(ndim=len(shape), axes=axes)
        self.built = True

    def call(self, inputs):
        pos = T.nn_ops.relu(inputs)
        neg = T.multiply(-self.alpha, T.nn_ops.relu(-inputs))
        return T.add(pos, neg)

    def get_config(self):
        return {**super().get_config(), **config_of(self, "alpha_initializer",
                                                     "alpha_regularizer", "alpha_constraint"),
                "shared_axes": self.shared_axes}


class ELU(Layer):
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha = float(alpha)

    def call(self, inputs):
        return K.elu(inputs, self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class ThresholdedReLU(Layer):
    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.theta = float(theta)

    def call(self, inputs):
        return T.multiply(inputs, T.cast(T.greater(inputs, self.theta), inputs.dtype))

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.axis = axis

    def call(self, inputs):
        return K.softmax(inputs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class ReLU(Layer):
    """min(max(x, threshold) ..., max_value) with `negative_slope` below the threshold."""

    def __init__(self, max_value=None, negative_slope=0, threshold=0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.:
            raise ValueError(f"max_value of Relu layer cannot be negative value: {max_value}")
        if negative_slope < 0.:
            raise ValueError(f"negative_slope of Relu layer cannot be negative value: "
                             f"{negative_slope}")
        self.supports_masking = True
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs):
        return K.relu(inputs, alpha=self.negative_slope, max_value=self.max_value,
                      threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}
