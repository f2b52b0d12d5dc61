"""Bijectors made of bijectors (TF 1.15's): Chain, their composition, and Invert, one with
forward and inverse swapped.

    bijectors = tf.contrib.distributions.bijectors
    chain = bijectors.Chain([bijectors.Exp(), bijectors.AffineScalar(shift=1.)])
    chain.forward(0.)          # exp(0 + 1): the last bijector acts first
"""
from tensorweave.contrib.distributions.bijectors.bijector import Bijector
from tensorweave.ops import array

__all__ = ["Chain", "Invert"]


def _common_dtype(bijectors):
    found = {b.dtype for b in bijectors if b.dtype is not None}
    if len(found) > 1:
        raise ValueError(f"incompatible dtypes: {sorted(d.name for d in found)}")
    return found.pop() if found else None


class Chain(Bijector):
    """The composition of `bijectors`: forward applies them last to first, inverse first to
    last (Chain([f, g]).forward(x) = f(g(x)))."""

    def __init__(self, bijectors=None, validate_args=False, name=None):
        bijectors = list(bijectors or [])
        if len(set(map(id, bijectors))) != len(bijectors):
            raise ValueError("Chain cannot contain the same bijector twice; make a copy.")
        for b in bijectors:
            if b.forward_min_event_ndims != b.inverse_min_event_ndims:
                raise NotImplementedError(f"{b.name}: bijectors that change the event rank "
                                          "are not supported in a Chain.")
        self._bijectors = bijectors
        name = name or ("identity" if not bijectors
                        else "_of_".join(["chain"] + [b.name for b in bijectors]))
        min_ndims = max([b.forward_min_event_ndims for b in bijectors] or [0])
        super().__init__(graph_parents=[t for b in bijectors for t in b.graph_parents],
                         forward_min_event_ndims=min_ndims,
                         is_constant_jacobian=all(b.is_constant_jacobian for b in bijectors),
                         validate_args=validate_args, dtype=_common_dtype(bijectors),
                         name=name)

    bijectors = property(lambda self: list(self._bijectors))

    def _forward(self, x):
        for b in reversed(self._bijectors):
            x = b.forward(x)
        return x

    def _inverse(self, y):
        for b in self._bijectors:
            y = b.inverse(y)
        return y

    def inverse_log_det_jacobian(self, y, event_ndims, name="inverse_log_det_jacobian"):
        with self._scope(name, [y]):
            y = self._convert(y, "y")
            event_ndims = self._checked_event_ndims(event_ndims,
                                                    self.inverse_min_event_ndims)
            total = None
            for b in self._bijectors:
                ildj = b.inverse_log_det_jacobian(y, event_ndims)
                total = ildj if total is None else total + ildj
                y = b.inverse(y)
            if total is None:
                return self._reduce_over_event(y, _zeros_like_scalar(y), 0, event_ndims)
            return total

    def forward_log_det_jacobian(self, x, event_ndims, name="forward_log_det_jacobian"):
        with self._scope(name, [x]):
            x = self._convert(x, "x")
            event_ndims = self._checked_event_ndims(event_ndims,
                                                    self.forward_min_event_ndims)
            total = None
            for b in reversed(self._bijectors):
                fldj = b.forward_log_det_jacobian(x, event_ndims)
                total = fldj if total is None else total + fldj
                x = b.forward(x)
            if total is None:
                return self._reduce_over_event(x, _zeros_like_scalar(x), 0, event_ndims)
            return total


def _zeros_like_scalar(t):
    return array.zeros([], dtype=t.dtype)


class Invert(Bijector):
    """`bijector` with forward and inverse (and their Jacobians) swapped."""

    def __init__(self, bijector, validate_args=False, name=None):
        self._bijector = bijector
        super().__init__(graph_parents=bijector.graph_parents,
                         forward_min_event_ndims=bijector.inverse_min_event_ndims,
                         inverse_min_event_ndims=bijector.forward_min_event_ndims,
                         is_constant_jacobian=bijector.is_constant_jacobian,
                         validate_args=validate_args, dtype=bijector.dtype,
                         name=name or "invert_" + bijector.name)

    bijector = property(lambda self: self._bijector)

    def forward_event_shape(self, input_shape):
        return self._bijector.inverse_event_shape(input_shape)

    def inverse_event_shape(self, output_shape):
        return self._bijector.forward_event_shape(output_shape)

    def _forward(self, x):
        return self._bijector.inverse(x)

    def _inverse(self, y):
        return self._bijector.forward(y)

    def inverse_log_det_jacobian(self, y, event_ndims, name="inverse_log_det_jacobian"):
        with self._scope(name, [y]):
            return self._bijector.forward_log_det_jacobian(y, event_ndims)

    def forward_log_det_jacobian(self, x, event_ndims, name="forward_log_det_jacobian"):
        with self._scope(name, [x]):
            return self._bijector.inverse_log_det_jacobian(x, event_ndims)
