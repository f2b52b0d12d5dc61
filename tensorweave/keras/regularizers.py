"""tf.keras.regularizers: weight penalties added to a model's loss.

    tf.keras.layers.Dense(10, kernel_regularizer=tf.keras.regularizers.l2(1e-4))
"""
from tensorweave.core.constants import constant
from tensorweave.keras.utils import generic_utils
from tensorweave.ops import math_ops


class Regularizer:
    """A callable `reg(weights) -> scalar penalty`."""

    def __call__(self, x):
        return 0.0

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        return {}


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x ** 2)."""

    def __init__(self, l1=0.0, l2=0.0):  # noqa: E741
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __call__(self, x):
        if not self.l1 and not self.l2:
            return constant(0.0)
        regularization = 0.0
        if self.l1:
            regularization += self.l1 * math_ops.reduce_sum(math_ops.abs(x))
        if self.l2:
            regularization += self.l2 * math_ops.reduce_sum(math_ops.square(x))
        return regularization

    def get_config(self):
        return {"l1": float(self.l1), "l2": float(self.l2)}


class L1(Regularizer):
    """l1 * sum(|x|)."""

    def __init__(self, l1=0.01, **kwargs):  # noqa: E741
        l1 = kwargs.pop("l", l1)
        if kwargs:
            raise TypeError(f"Argument(s) not recognized: {kwargs}")
        self.l1 = float(l1)

    def __call__(self, x):
        return self.l1 * math_ops.reduce_sum(math_ops.abs(x))

    def get_config(self):
        return {"l1": float(self.l1)}


class L2(Regularizer):
    """l2 * sum(x ** 2)."""

    def __init__(self, l2=0.01, **kwargs):  # noqa: E741
        l2 = kwargs.pop("l", l2)
        if kwargs:
            raise TypeError(f"Argument(s) not recognized: {kwargs}")
        self.l2 = float(l2)

    def __call__(self, x):
        return self.l2 * math_ops.reduce_sum(math_ops.square(x))

    def get_config(self):
        return {"l2": float(self.l2)}


def l1(l=0.01):  # noqa: E741 (Keras' argument name)
    """L1L2(l1=l)."""
    return L1L2(l1=l)


def l2(l=0.01):  # noqa: E741
    """L1L2(l2=l)."""
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):  # noqa: F811
    """L1L2(l1, l2)."""
    return L1L2(l1=l1, l2=l2)


_OBJECTS = {"Regularizer": Regularizer, "L1L2": L1L2, "L1": L1, "L2": L2, "l1": l1,
            "l2": l2, "l1_l2": l1_l2}


def serialize(regularizer):
    return generic_utils.serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    return generic_utils.deserialize_keras_object(
        config, module_objects=_OBJECTS, custom_objects=custom_objects,
        printable_module_name="regularizer")


def get(identifier):
    """None or "" -> None; a name or config -> that regularizer; a callable -> itself."""
    if isinstance(identifier, str) and not identifier:
        return None
    return generic_utils.get_from_identifier(identifier, deserialize, "regularizer")
