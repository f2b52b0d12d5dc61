"""The Bijector base class of tf.contrib.distributions.bijectors (TF 1.15's): an invertible,
differentiable map Y = g(X) with the log-determinants of its Jacobians, each public method a
name scope around the subclass's `_method`.

Subclasses define `_forward`, `_inverse` and one of `_inverse_log_det_jacobian(y)` /
`_forward_log_det_jacobian(x)` (the other is its negation at the mapped point), per element
of the smallest event (`forward_min_event_ndims`); the public methods sum them over the
`event_ndims - min_event_ndims` rightmost dimensions asked for.
"""
import contextlib

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.tensor_shape import as_shape
from tensorweave.distributions.distribution import float_tensor
from tensorweave.ops import array, math_ops

__all__ = ["Bijector"]


class Bijector:
    """An invertible map with `forward`, `inverse` and their log det Jacobians."""

    def __init__(self, graph_parents=None, is_constant_jacobian=False, validate_args=False,
                 dtype=None, forward_min_event_ndims=None, inverse_min_event_ndims=None,
                 name=None):
        if forward_min_event_ndims is None and inverse_min_event_ndims is None:
            raise ValueError("Must specify at least one of `forward_min_event_ndims` and "
                             "`inverse_min_event_ndims`.")
        if forward_min_event_ndims is None:
            forward_min_event_ndims = inverse_min_event_ndims
        if inverse_min_event_ndims is None:
            inverse_min_event_ndims = forward_min_event_ndims
        if not name:
            raise ValueError("A Bijector needs a name.")
        self._graph_parents = list(graph_parents or [])
        self._is_constant_jacobian = is_constant_jacobian
        self._validate_args = validate_args
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype)
        self._forward_min_event_ndims = int(forward_min_event_ndims)
        self._inverse_min_event_ndims = int(inverse_min_event_ndims)
        self._name = name

    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)
    graph_parents = property(lambda self: list(self._graph_parents))
    is_constant_jacobian = property(lambda self: self._is_constant_jacobian)
    validate_args = property(lambda self: self._validate_args)
    forward_min_event_ndims = property(lambda self: self._forward_min_event_ndims)
    inverse_min_event_ndims = property(lambda self: self._inverse_min_event_ndims)

    # --- event shapes (unchanged unless a subclass says otherwise) -----------------------------
    def forward_event_shape(self, input_shape):
        return as_shape(input_shape)

    def forward_event_shape_tensor(self, input_shape, name="forward_event_shape_tensor"):
        with self._scope(name):
            return convert_to_tensor(input_shape, dtypes.int32, name="input_shape")

    def inverse_event_shape(self, output_shape):
        return as_shape(output_shape)

    def inverse_event_shape_tensor(self, output_shape, name="inverse_event_shape_tensor"):
        with self._scope(name):
            return convert_to_tensor(output_shape, dtypes.int32, name="output_shape")

    # --- the maps ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _scope(self, name, values=None):
        with name_scope(self._name, values=values), name_scope(name, values=values) as scope:
            yield scope

    def _convert(self, value, name):
        value = float_tensor(value, name, self._dtype)
        if self._dtype is not None and value.dtype != self._dtype:
            raise TypeError(f"Input had dtype {value.dtype.name} but expected "
                            f"{self._dtype.name}.")
        return value

    def forward(self, x, name="forward"):
        """Y = g(X)."""
        with self._scope(name, [x]):
            return self._forward(self._convert(x, "x"))

    def inverse(self, y, name="inverse"):
        """X = g^-1(Y)."""
        with self._scope(name, [y]):
            return self._inverse(self._convert(y, "y"))

    def inverse_log_det_jacobian(self, y, event_ndims, name="inverse_log_det_jacobian"):
        """log |det d g^-1(y) / dy|, summed over the rightmost `event_ndims` dimensions."""
        with self._scope(name, [y]):
            y = self._convert(y, "y")
            event_ndims = self._checked_event_ndims(event_ndims,
                                                    self._inverse_min_event_ndims)
            if _overrides(self, "_inverse_log_det_jacobian"):
                ildj = self._inverse_log_det_jacobian(y)
            else:
                ildj = -self._forward_log_det_jacobian(self._inverse(y))
            return self._reduce_over_event(y, ildj, self._inverse_min_event_ndims, event_ndims)

    def forward_log_det_jacobian(self, x, event_ndims, name="forward_log_det_jacobian"):
        """log |det d g(x) / dx|, summed over the rightmost `event_ndims` dimensions."""
        with self._scope(name, [x]):
            x = self._convert(x, "x")
            event_ndims = self._checked_event_ndims(event_ndims,
                                                    self._forward_min_event_ndims)
            if _overrides(self, "_forward_log_det_jacobian"):
                fldj = self._forward_log_det_jacobian(x)
            else:
                fldj = -self._inverse_log_det_jacobian(self._forward(x))
            return self._reduce_over_event(x, fldj, self._forward_min_event_ndims, event_ndims)

    def _forward_log_det_jacobian(self, x):
        raise NotImplementedError(f"forward_log_det_jacobian not implemented: {self._name}")

    def _inverse_log_det_jacobian(self, y):
        raise NotImplementedError(f"inverse_log_det_jacobian not implemented: {self._name}")

    @staticmethod
    def _checked_event_ndims(event_ndims, min_event_ndims):
        static = constant_value(convert_to_tensor(event_ndims, dtypes.int32))
        if static is None:
            raise ValueError("event_ndims must be known statically.")
        event_ndims = int(np.reshape(static, -1)[0]) if np.ndim(static) else int(static)
        if event_ndims < min_event_ndims:
            raise ValueError(f"event_ndims ({event_ndims}) must be larger than or equal to "
                             f"min_event_ndims ({min_event_ndims})")
        return event_ndims

    @staticmethod
    def _reduce_over_event(point, ldj, min_event_ndims, event_ndims):
        """ldj (per smallest event, maybe not yet broadcast: a constant Jacobian) tiled over
        the point's `event_ndims - min_event_ndims` event dimensions and summed over them."""
        reduce_ndims = event_ndims - min_event_ndims
        if reduce_ndims == 0:
            return ldj
        rank = point.shape.ndims
        if rank is None:
            raise ValueError("The rank of the input must be known statically.")
        shape = array.shape(point)[rank - event_ndims:rank - min_event_ndims]
        ones = array.ones(shape, dtype=ldj.dtype)
        return math_ops.reduce_sum(ones * ldj, axis=list(range(-reduce_ndims, 0)))

    def __repr__(self):
        return f"<tf.contrib.distributions.bijectors.{type(self).__name__} '{self._name}'>"


def _overrides(bijector, method):
    return getattr(type(bijector), method, None) is not getattr(Bijector, method, None)
