"""Noise layers, active only in training: GaussianNoise, GaussianDropout, AlphaDropout."""
import numpy as np

from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.keras.layers.core import in_train_phase


class GaussianNoise(Layer):
    def __init__(self, stddev, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.stddev = stddev

    def call(self, inputs, training=None):
        return in_train_phase(lambda: T.add(inputs, T.random_normal(
            T.shape(inputs), mean=0., stddev=self.stddev, dtype=inputs.dtype)), inputs, training)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}


class GaussianDropout(Layer):
    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.rate = rate

    def call(self, inputs, training=None):
        if not 0 < self.rate < 1:
            return inputs
        stddev = np.sqrt(self.rate / (1.0 - self.rate))
        return in_train_phase(lambda: T.multiply(inputs, T.random_normal(
            T.shape(inputs), mean=1.0, stddev=stddev, dtype=inputs.dtype)), inputs, training)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


class AlphaDropout(Layer):
    """Dropout that keeps SELU's self-normalizing mean and variance."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not 0. < self.rate < 1.:
            return inputs
        alpha = 1.6732632423543772848170429916717
        scale = 1.0507009873554804934193349852946
        alpha_p = -alpha * scale

        def dropped():
            shape = self.noise_shape or T.shape(inputs)
            keep = T.greater_equal(T.random_uniform(shape, seed=self.seed), self.rate)
            keep = T.cast(keep, inputs.dtype)
            a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
            b = -a * alpha_p * self.rate
            x = T.add(T.multiply(inputs, keep), T.multiply(alpha_p, T.subtract(1., keep)))
            return T.add(T.multiply(a, x), b)
        return in_train_phase(dropped, inputs, training)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}
