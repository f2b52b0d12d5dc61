"""Elementwise bijectors of tf.contrib.distributions.bijectors (TF 1.15's formulas and
names): Identity, Exp, AffineScalar, Softplus, Sigmoid.

    exp = tf.contrib.distributions.bijectors.Exp()
    exp.forward(0.)                                  # 1.
    exp.inverse_log_det_jacobian([1., 2.], 1)        # -(log 1 + log 2)
"""
import numpy as np

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import control_dependencies, name_scope
from tensorweave.contrib.distributions.bijectors.bijector import Bijector
from tensorweave.distributions.distribution import float_tensor
from tensorweave.ops import array, check_ops, math_ops, nn_ops, special_math

__all__ = ["Identity", "Exp", "AffineScalar", "Softplus", "Sigmoid", "softplus_inverse"]


def softplus_inverse(x, name=None):
    """log(exp(x) - 1), computed stably (TF's distribution_util.softplus_inverse)."""
    with name_scope(name, "softplus_inverse", values=[x]):
        x = convert_to_tensor(x, name="x")
        threshold = np.log(np.finfo(x.dtype.as_numpy_dtype).eps) + 2.
        is_too_small = math_ops.less(x, np.exp(threshold))
        is_too_large = math_ops.greater(x, -threshold)
        too_small_value = math_ops.log(x)
        too_large_value = x
        x = array.where(math_ops.logical_or(is_too_small, is_too_large), array.ones_like(x), x)
        y = x + math_ops.log(-special_math.expm1(-x))  # log(expm1(x))
        return array.where(is_too_small, too_small_value,
                           array.where(is_too_large, too_large_value, y))


class Identity(Bijector):
    """Y = X."""

    def __init__(self, validate_args=False, name="identity"):
        super().__init__(forward_min_event_ndims=0, is_constant_jacobian=True,
                         validate_args=validate_args, name=name)

    def _forward(self, x):
        return x

    def _inverse(self, y):
        return y

    def _inverse_log_det_jacobian(self, y):
        return array.zeros([], dtype=y.dtype)

    def _forward_log_det_jacobian(self, x):
        return array.zeros([], dtype=x.dtype)


class Exp(Bijector):
    """Y = exp(X)."""

    def __init__(self, validate_args=False, name="exp"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)

    def _forward(self, x):
        return math_ops.exp(x)

    def _inverse(self, y):
        return math_ops.log(y)

    def _inverse_log_det_jacobian(self, y):
        return -math_ops.log(y)

    def _forward_log_det_jacobian(self, x):
        return x


class AffineScalar(Bijector):
    """Y = scale * X + shift (scale 1 and shift 0 when None)."""

    def __init__(self, shift=None, scale=None, validate_args=False, name="affine_scalar"):
        with name_scope(name, values=[shift, scale]):
            self._shift = float_tensor(shift, "shift")
            self._scale = float_tensor(scale, "scale",
                                       None if self._shift is None else self._shift.dtype)
            if self._shift is not None and self._scale is not None and \
                    self._shift.dtype != self._scale.dtype:
                raise TypeError("shift and scale must have one dtype.")
            if validate_args and self._scale is not None:
                with control_dependencies([check_ops.assert_none_equal(
                        self._scale, array.zeros([], self._scale.dtype),
                        message="Argument scale must be non-zero.")]):
                    self._scale = array.identity(self._scale)
        parents = [t for t in (self._shift, self._scale) if t is not None]
        dtype = parents[0].dtype if parents else None
        super().__init__(graph_parents=parents, forward_min_event_ndims=0,
                         is_constant_jacobian=True, validate_args=validate_args, dtype=dtype,
                         name=name)

    shift = property(lambda self: self._shift)
    scale = property(lambda self: self._scale)

    def _forward(self, x):
        y = array.identity(x)
        if self._scale is not None:
            y = y * self._scale
        if self._shift is not None:
            y = y + self._shift
        return y

    def _inverse(self, y):
        x = array.identity(y)
        if self._shift is not None:
            x = x - self._shift
        if self._scale is not None:
            x = x / self._scale
        return x

    def _forward_log_det_jacobian(self, x):
        if self._scale is None:
            return array.zeros([], dtype=x.dtype)
        return math_ops.log(math_ops.abs(self._scale))


class Softplus(Bijector):
    """Y = hinge_softness * log(1 + exp(X / hinge_softness)) (hinge_softness 1 when None)."""

    def __init__(self, hinge_softness=None, validate_args=False, name="softplus"):
        with name_scope(name, values=[hinge_softness]):
            self._hinge_softness = None
            if hinge_softness is not None:
                hinge = float_tensor(hinge_softness, "hinge_softness")
                if validate_args:
                    with control_dependencies([check_ops.assert_none_equal(
                            hinge, array.zeros([], hinge.dtype),
                            message="hinge_softness must be non-zero")]):
                        hinge = array.identity(hinge)
                self._hinge_softness = hinge
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)

    hinge_softness = property(lambda self: self._hinge_softness)

    def _hinge(self, dtype):
        return array.cast(self._hinge_softness, dtype)

    def _forward(self, x):
        if self._hinge_softness is None:
            return nn_ops.softplus(x)
        hinge = self._hinge(x.dtype)
        return hinge * nn_ops.softplus(x / hinge)

    def _inverse(self, y):
        if self._hinge_softness is None:
            return softplus_inverse(y)
        hinge = self._hinge(y.dtype)
        return hinge * softplus_inverse(y / hinge)

    def _inverse_log_det_jacobian(self, y):
        # dX/dY = 1 / (1 - exp(-Y)): the most stable form for large Y
        if self._hinge_softness is not None:
            y = y / self._hinge(y.dtype)
        return -math_ops.log(-special_math.expm1(-y))

    def _forward_log_det_jacobian(self, x):
        if self._hinge_softness is not None:
            x = x / self._hinge(x.dtype)
        return -nn_ops.softplus(-x)


class Sigmoid(Bijector):
    """Y = 1 / (1 + exp(-X))."""

    def __init__(self, validate_args=False, name="sigmoid"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)

    def _forward(self, x):
        return math_ops.sigmoid(x)

    def _inverse(self, y):
        return math_ops.log(y) - math_ops.log1p(-y)

    def _inverse_log_det_jacobian(self, y):
        return -math_ops.log(y) - math_ops.log1p(-y)

    def _forward_log_det_jacobian(self, x):
        return -nn_ops.softplus(-x) - nn_ops.softplus(x)


