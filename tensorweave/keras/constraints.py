"""tf.keras.constraints: projections applied to weights after each optimizer update.

    tf.keras.layers.Dense(64, kernel_constraint=tf.keras.constraints.max_norm(2.))
"""
from tensorweave.keras import backend_config
from tensorweave.keras.utils import generic_utils
from tensorweave.ops import array, math_ops


def _norms(w, axis):
    return math_ops.sqrt(math_ops.reduce_sum(math_ops.square(w), axis=axis, keepdims=True))


class Constraint:
    """A callable `constraint(w) -> projected w`."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MaxNorm(Constraint):
    """Rescales the weights whose norm along `axis` exceeds max_value."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = math_ops.clip_by_value(norms, 0.0, float(self.max_value))
        return w * (desired / (backend_config.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        return w * array.cast(math_ops.greater_equal(w, 0.0), w.dtype.base_dtype)


class UnitNorm(Constraint):
    """Scales the weights to unit norm along `axis`."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (backend_config.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the norm along `axis` into [min_value, max_value] at `rate`."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = (self.rate * math_ops.clip_by_value(norms, float(self.min_value),
                                                      float(self.max_value))
                   + (1 - self.rate) * norms)
        return w * (desired / (backend_config.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class RadialConstraint(Constraint):
    """Makes each (rows, cols) slice of a (rows, cols, in, out) Conv2D kernel constant on
    square rings around its centre, each ring taking one diagonal entry of the slice, as
    Keras's implementation picks them."""

    def __call__(self, w):
        shape = w.shape
        if shape.ndims is None or shape.ndims != 4:
            raise ValueError("The weight tensor must have rank 4. Received weight tensor with "
                             f"shape: {shape}")
        height, width, channels, kernels = shape.as_list()
        if height is None or width is None or height < 2 or width != height:
            raise ValueError("RadialConstraint needs square kernels of at least 2 x 2 with "
                             f"known sizes. Received weight tensor with shape: {shape}")
        start = height // 2
        sources = []
        for row in range(height):
            for col in range(width):
                sources.append(_radial_source(row, col, height, start) * (width + 1))
        flat = array.reshape(w, [height * width, -1])
        return array.reshape(array.gather(flat, sources), [height, width, channels, kernels])


def _radial_source(row, col, size, start):
    """The diagonal index whose value fills position (row, col): the centre (one entry for odd
    sizes, 2 x 2 for even ones) takes diagonal entry start - 1; for odd sizes ring r takes
    entry start - 1 + r, for even sizes ring r >= 1 takes entry start + r."""
    if size % 2:
        ring = max(abs(row - start), abs(col - start))
        return start - 1 + ring
    def distance(i):
        return start - 1 - i if i < start else i - start
    ring = max(distance(row), distance(col))
    return start - 1 if ring == 0 else start + ring


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm
radial_constraint = RadialConstraint

_OBJECTS = {"Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg,
            "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm, "max_norm": max_norm,
            "non_neg": non_neg, "unit_norm": unit_norm, "min_max_norm": min_max_norm,
            "RadialConstraint": RadialConstraint, "radial_constraint": radial_constraint}


def serialize(constraint):
    return generic_utils.serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    return generic_utils.deserialize_keras_object(
        config, module_objects=_OBJECTS, custom_objects=custom_objects,
        printable_module_name="constraint")


def get(identifier):
    """None -> None; a name or config -> that constraint; a callable -> itself."""
    return generic_utils.get_from_identifier(identifier, deserialize, "constraint")
