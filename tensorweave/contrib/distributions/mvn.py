"""tf.contrib.distributions' multivariate normals: MultivariateNormalLinearOperator and its
forms MultivariateNormalDiag, MultivariateNormalTriL and MultivariateNormalFullCovariance
(TF 1.15's arguments and formulas), with TF's KL divergence between any two of them.

    mvn = tf.contrib.distributions.MultivariateNormalDiag(loc=[1., -1.], scale_diag=[1., 2.])
    mvn.log_prob([0., 0.])      # scalar
    mvn.sample(3, seed=1)       # [3, 2]
    mvn.covariance()            # [[1, 0], [0, 4]]

X = loc + scale @ Z with Z standard normal; `scale` is a tf.linalg.LinearOperator.
"""
import math

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import control_dependencies, name_scope
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.distributions.distribution import Distribution, FULLY_REPARAMETERIZED, float_tensor
from tensorweave.distributions.kullback_leibler import RegisterKL
from tensorweave.linear_operator import (LinearOperator, LinearOperatorDiag,
                                         LinearOperatorIdentity, LinearOperatorLowerTriangular,
                                         LinearOperatorScaledIdentity, static_int)
from tensorweave.ops import array, check_ops, math_ops, random_ops
from tensorweave.ops.array import structural
from tensorweave.ops.linalg import decompositions, matrix
from tensorweave.ops.linalg.triangular import matrix_triangular_solve

__all__ = ["MultivariateNormalLinearOperator", "MultivariateNormalDiag",
           "MultivariateNormalTriL", "MultivariateNormalFullCovariance"]

_SINGULAR = "Singular operator:  Diagonal contained zero values."




def _with_checks(tensor, checks):
    """tensor, run only after the assertion ops `checks`."""
    if not checks:
        return tensor
    with control_dependencies(checks):
        return array.identity(tensor)


def _is_diagonal(scale):
    return isinstance(scale, (LinearOperatorIdentity, LinearOperatorScaledIdentity,
                              LinearOperatorDiag))


def _static_size(tensor):
    shape = tensor.shape
    if shape.ndims is None or shape[-1].value is None:
        raise ValueError(f"The event size (last dimension of {tensor.name}) must be known "
                         "statically.")
    return shape[-1].value


def _solve(scale, rhs):
    """scale^-1 @ rhs for rhs [..., k, m], broadcasting scale's batch against rhs's."""
    if isinstance(scale, LinearOperatorLowerTriangular):
        tril = scale.to_dense()
        tril = tril + array.zeros_like(rhs[..., :1])
        rhs = rhs + array.zeros_like(tril[..., :1])
        return matrix_triangular_solve(tril, rhs, lower=True)
    return scale.solve(rhs)


def _times_scale(scale, z):
    """scale @ z for vectors z [..., k], broadcasting."""
    if _is_diagonal(scale):
        return scale.diag_part() * z
    return math_ops.reduce_sum(scale.to_dense() * array.expand_dims(z, -2), axis=[-1])


class MultivariateNormalLinearOperator(Distribution):
    """MultivariateNormalLinearOperator(loc, scale): X = loc + scale @ Z, Z ~ N(0, I), with
    `scale` a [B..., k, k] tf.linalg.LinearOperator; covariance scale @ scale^T."""

    def __init__(self, loc=None, scale=None, validate_args=False, allow_nan_stats=True,
                 name="MultivariateNormalLinearOperator"):
        parameters = dict(locals())
        if scale is None:
            raise ValueError("Missing required `scale` parameter.")
        if not isinstance(scale, LinearOperator):
            raise TypeError(f"`scale` must be a LinearOperator, got {type(scale).__name__}.")
        if not scale.dtype.is_floating:
            raise TypeError("`scale` parameter must have floating-point dtype.")
        with name_scope(name, values=[loc] + list(scale.graph_parents)) as scope:
            loc = float_tensor(loc, "loc", dtype=scale.dtype)
        self._setup(loc, scale, validate_args, allow_nan_stats, parameters, scope)

    def _setup(self, loc, scale, validate_args, allow_nan_stats, parameters, scope):
        if loc is not None and loc.dtype != scale.dtype:
            raise TypeError(f"dtype mismatch: loc is {loc.dtype.name}, scale is "
                            f"{scale.dtype.name}")
        if loc is not None and loc.shape.ndims == 0:
            raise ValueError("`loc` must be at least one-dimensional.")
        self._loc = loc
        self._scale = scale
        scale_batch = scale.batch_shape
        if loc is None:
            batch = scale_batch
        elif loc.shape.ndims is None or scale_batch.ndims is None:
            batch = TensorShape(None)
        else:
            batch = structural.broadcast_static_shape(loc.shape[:-1], scale_batch)
        self._static_batch = batch
        self._event_size = static_int(scale.range_dimension)
        if self._event_size is None and loc is not None and loc.shape.ndims is not None:
            self._event_size = static_int(loc.shape[-1])
        parents = ([] if loc is None else [loc]) + list(scale.graph_parents)
        super().__init__(scale.dtype, FULLY_REPARAMETERIZED, validate_args, allow_nan_stats,
                         parameters, parents, scope)

    loc = property(lambda self: self._loc)
    scale = property(lambda self: self._scale)

    def _batch_shape(self):
        return self._static_batch

    def _batch_shape_tensor(self):
        shape = self._scale.batch_shape_tensor()
        if self._loc is not None:
            shape = structural.broadcast_dynamic_shape(array.shape(self._loc)[:-1], shape)
        return shape

    def _event_shape(self):
        return TensorShape([self._event_size])

    def event_shape_tensor(self, name="event_shape_tensor"):
        with name_scope(self._name), name_scope(name):
            if self.event_shape.is_fully_defined():
                return convert_to_tensor(self.event_shape.as_list(), dtypes.int32)
            return array.reshape(self._scale.range_dimension_tensor(), [1])

    def _full_shape(self):
        static = self.batch_shape.concatenate(self.event_shape)
        if static.is_fully_defined():
            return static.as_list()
        return array.concat([self.batch_shape_tensor(), self.event_shape_tensor()], 0)

    def _zeros(self):
        return array.zeros(self._full_shape(), dtype=self.dtype)

    def _sample_n(self, n, seed=None):
        shape = array.concat([array.reshape(n, [1]), self._full_shape()], 0)
        z = random_ops.random_normal(shape, dtype=self.dtype, seed=seed)
        x = _times_scale(self._scale, z)
        x = x if self._loc is None else x + self._loc
        x.set_shape(TensorShape([None]).concatenate(self.batch_shape)
                    .concatenate(self.event_shape))
        return x

    def _log_prob(self, x):
        y = x if self._loc is None else x - self._loc
        z = array.squeeze(_solve(self._scale, array.expand_dims(y, -1)), [-1])
        k = array.cast(self.event_shape_tensor()[0], self.dtype)
        return (-0.5 * math_ops.reduce_sum(math_ops.square(z), axis=[-1])
                - 0.5 * k * math.log(2. * math.pi) - self._scale.log_abs_determinant())

    def _entropy(self):
        k = array.cast(self.event_shape_tensor()[0], self.dtype)
        entropy = 0.5 * k * (1. + math.log(2. * math.pi)) + self._scale.log_abs_determinant()
        return entropy + array.zeros(self.batch_shape_tensor(), dtype=self.dtype)

    def _mean(self):
        if self._loc is None:
            return self._zeros()
        return array.identity(self._loc) + self._zeros()

    def _dense_covariance(self):
        dense = self._scale.to_dense()
        return math_ops.matmul(dense, dense, transpose_b=True)

    def _covariance(self):
        zeros = array.expand_dims(self._zeros(), -1)
        if _is_diagonal(self._scale):
            return matrix.diag_matrix(math_ops.square(self._scale.diag_part()) + zeros[..., 0])
        return self._dense_covariance() + zeros

    def _variance(self):
        if _is_diagonal(self._scale):
            return math_ops.square(self._scale.diag_part()) + self._zeros()
        return math_ops.reduce_sum(math_ops.square(self._scale.to_dense()), axis=[-1]) \
            + self._zeros()

    def _stddev(self):
        if _is_diagonal(self._scale):
            return math_ops.abs(self._scale.diag_part()) + self._zeros()
        return math_ops.sqrt(self._variance())

    _mode = _mean


class MultivariateNormalDiag(MultivariateNormalLinearOperator):
    """MultivariateNormalDiag(loc, scale_diag, scale_identity_multiplier): scale is
    diag(scale_diag + scale_identity_multiplier) (the identity when both are None)."""

    def __init__(self, loc=None, scale_diag=None, scale_identity_multiplier=None,
                 validate_args=False, allow_nan_stats=True, name="MultivariateNormalDiag"):
        parameters = dict(locals())
        with name_scope(name) as scope:
            with name_scope("init", values=[loc, scale_diag, scale_identity_multiplier]):
                scale, loc = _diag_scale(loc, scale_diag, scale_identity_multiplier,
                                         validate_args)
        self._setup(loc, scale, validate_args, allow_nan_stats, parameters, scope)


def _diag_scale(loc, scale_diag, multiplier, validate_args):
    """TF's make_diag_scale: the LinearOperator of diag(scale_diag + multiplier), and loc."""
    loc = float_tensor(loc, "loc")
    dtype = None if loc is None else loc.dtype
    scale_diag = float_tensor(scale_diag, "scale_diag", dtype)
    dtype = dtype or (None if scale_diag is None else scale_diag.dtype)
    multiplier = float_tensor(multiplier, "scale_identity_multiplier", dtype)

    def checked(value):
        if not validate_args:
            return value
        return _with_checks(value, [check_ops.assert_none_equal(
            value, array.zeros([], value.dtype), message=_SINGULAR)])

    if scale_diag is not None:
        if multiplier is not None:
            scale_diag = scale_diag + array.expand_dims(multiplier, -1)
        return LinearOperatorDiag(checked(scale_diag), is_non_singular=True,
                                  is_self_adjoint=True, is_positive_definite=False), loc
    if loc is None:
        raise ValueError("Cannot infer `event_shape` unless `loc` or `scale_diag` is "
                         "specified.")
    num_rows = _static_size(loc)
    if multiplier is None:
        return LinearOperatorIdentity(num_rows, dtype=loc.dtype), loc
    return LinearOperatorScaledIdentity(num_rows, checked(multiplier), is_non_singular=True,
                                        is_self_adjoint=True, is_positive_definite=False), loc


class MultivariateNormalTriL(MultivariateNormalLinearOperator):
    """MultivariateNormalTriL(loc, scale_tril): scale is the lower triangle of scale_tril
    (its upper part is ignored); covariance scale_tril @ scale_tril^T."""

    def __init__(self, loc=None, scale_tril=None, validate_args=False, allow_nan_stats=True,
                 name="MultivariateNormalTriL"):
        parameters = dict(locals())
        if loc is None and scale_tril is None:
            raise ValueError("Must specify one or both of `loc`, `scale_tril`.")
        with name_scope(name) as scope:
            with name_scope("init", values=[loc, scale_tril]):
                scale, loc = _tril_scale(loc, scale_tril, validate_args)
        self._setup(loc, scale, validate_args, allow_nan_stats, parameters, scope)


def _tril_scale(loc, scale_tril, validate_args):
    """The LinearOperator of scale_tril's lower triangle (the identity when None), and loc."""
    loc = float_tensor(loc, "loc")
    if scale_tril is None:
        return LinearOperatorIdentity(_static_size(loc), dtype=loc.dtype), loc
    scale_tril = float_tensor(scale_tril, "scale_tril", None if loc is None else loc.dtype)
    if validate_args:
        scale_tril = _with_checks(scale_tril, [check_ops.assert_none_equal(
            matrix.diag_part(scale_tril), array.zeros([], scale_tril.dtype),
            message=_SINGULAR)])
    return LinearOperatorLowerTriangular(scale_tril, is_non_singular=True,
                                         is_self_adjoint=False,
                                         is_positive_definite=False), loc


class MultivariateNormalFullCovariance(MultivariateNormalTriL):
    """MultivariateNormalFullCovariance(loc, covariance_matrix): scale is the Cholesky factor
    of covariance_matrix (symmetric positive definite; checked when validate_args)."""

    def __init__(self, loc=None, covariance_matrix=None, validate_args=False,
                 allow_nan_stats=True, name="MultivariateNormalFullCovariance"):
        parameters = dict(locals())
        if loc is None and covariance_matrix is None:
            raise ValueError("Must specify one or both of `loc`, `covariance_matrix`.")
        with name_scope(name) as scope:
            with name_scope("init", values=[loc, covariance_matrix]):
                scale_tril = None
                if covariance_matrix is not None:
                    loc_t = float_tensor(loc, "loc")
                    covariance_matrix = float_tensor(
                        covariance_matrix, "covariance_matrix",
                        None if loc_t is None else loc_t.dtype)
                    if validate_args:
                        covariance_matrix = _with_checks(covariance_matrix, [
                            check_ops.assert_near(covariance_matrix,
                                                  matrix.adjoint_of(covariance_matrix),
                                                  message="Matrix was not symmetric")])
                    scale_tril = decompositions.cholesky(covariance_matrix)
                scale, loc = _tril_scale(loc, scale_tril, validate_args)
        self._setup(loc, scale, validate_args, allow_nan_stats, parameters, scope)


@RegisterKL(MultivariateNormalLinearOperator, MultivariateNormalLinearOperator)
def _kl_brute_force(a, b, name=None):
    """TF's KL(a || b) of two multivariate normals:
    log|det B| - log|det A| + (tr((B^-1 A)(B^-1 A)^T) + |B^-1 (mu_b - mu_a)|^2 - k) / 2."""
    with name_scope(name, "kl_mvn", values=[a.loc, b.loc]):
        def squared_frobenius_norm(x):
            return math_ops.reduce_sum(math_ops.square(x), axis=[-2, -1])

        b_inv_a = _solve(b.scale, a.scale.to_dense())
        k = array.cast(a.scale.domain_dimension_tensor(), a.dtype)
        kl = (b.scale.log_abs_determinant() - a.scale.log_abs_determinant()
              + 0.5 * (-k + squared_frobenius_norm(b_inv_a)
                       + squared_frobenius_norm(_solve(
                           b.scale, array.expand_dims(b.mean() - a.mean(), -1)))))
        batch = structural.broadcast_static_shape(a.batch_shape, b.batch_shape)
        kl.set_shape(batch)
        return kl
