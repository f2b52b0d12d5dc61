"""tf.linalg.LinearOperator and its subclasses: matrices described by structure (a diagonal,
a triangle, a product, a Kronecker product, ...) whose methods build ops that use it.

    op = tf.linalg.LinearOperatorDiag([1.0, 2.0])
    op.matvec([3.0, 4.0])        # [3.0, 8.0], without building the 2 x 2 matrix
    op.log_abs_determinant()     # log(2)

Every method falls back on the dense matrix (`to_dense()`) where a subclass knows nothing
faster, so results are those of the equivalent full matrix. The operators of block, Kronecker,
low rank, permutation, reflection, Toeplitz and tridiagonal structure are in
`linear_operator_structured.py`.
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, check_ops, math_ops
from tensorweave.ops.array import diagonal
from tensorweave.ops.linalg import decompositions, matrix, solvers
from tensorweave.ops.linalg.triangular import matrix_triangular_solve

__all__ = [
    "LinearOperator", "LinearOperatorAdjoint", "LinearOperatorComposition",
    "LinearOperatorDiag", "LinearOperatorFullMatrix", "LinearOperatorIdentity",
    "LinearOperatorInversion", "LinearOperatorLowerTriangular", "LinearOperatorScaledIdentity",
    "LinearOperatorZeros",
]


def maybe_adjoint(x, flag):
    """x's adjoint when `flag`, else x."""
    return matrix.adjoint_of(x) if flag else x


def static_int(dim):
    """A Dimension (or int or None) as an int or None."""
    value = getattr(dim, "value", dim)
    return None if value is None else int(value)


class LinearOperator:
    """A (batch of) M x N linear operator(s). Subclasses define `_shape()` and `_to_dense()`
    and may override `_matmul`, `_solve`, `_determinant`, `_log_abs_determinant`,
    `_diag_part`, ... with faster forms."""

    def __init__(self, dtype, graph_parents=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        if is_positive_definite:
            if is_non_singular is False:
                raise ValueError("A positive definite matrix is always non-singular.")
            is_non_singular = True
        if is_non_singular:
            if is_square is False:
                raise ValueError("A non-singular matrix is always square.")
            is_square = True
        if is_self_adjoint:
            if is_square is False:
                raise ValueError("A self-adjoint matrix is always square.")
            is_square = True
        self._dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        self._graph_parents = list(graph_parents or [])
        self._is_non_singular = is_non_singular
        self._is_self_adjoint = is_self_adjoint
        self._is_positive_definite = is_positive_definite
        self._name = name or type(self).__name__
        self._is_square_set = is_square
        if is_square is not None and self._shape().ndims is not None:
            rows, cols = self._shape().as_list()[-2:]
            if None not in (rows, cols) and (rows == cols) != bool(is_square):
                raise ValueError(f"{self._name} initialized as is_square={is_square}, but got "
                                 f"{rows} rows and {cols} columns")

    # --- properties --------------------------------------------------------------------------
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)
    graph_parents = property(lambda self: self._graph_parents)
    is_non_singular = property(lambda self: self._is_non_singular)
    is_self_adjoint = property(lambda self: self._is_self_adjoint)
    is_positive_definite = property(lambda self: self._is_positive_definite)

    @property
    def is_square(self):
        if self._is_square_set is not None:
            return self._is_square_set
        rows, cols = self.range_dimension, self.domain_dimension
        rows, cols = static_int(rows), static_int(cols)
        return None if None in (rows, cols) else rows == cols

    @property
    def shape(self):
        return self._shape()

    def shape_tensor(self, name="shape_tensor"):
        with name_scope(self._name + "/" + name):
            if self.shape.is_fully_defined():
                return convert_to_tensor(np.array(self.shape.as_list(), np.int32))
            return self._shape_tensor()

    def _shape_tensor(self):
        return array.shape(self.to_dense())

    @property
    def batch_shape(self):
        return self.shape[:-2] if self.shape.ndims is not None else TensorShape(None)

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        return self.shape_tensor(name)[:-2]

    @property
    def tensor_rank(self):
        return self.shape.ndims

    def tensor_rank_tensor(self, name="tensor_rank_tensor"):
        return array.size(self.shape_tensor(name))

    @property
    def range_dimension(self):
        return self.shape[-2] if self.shape.ndims is not None else None

    @property
    def domain_dimension(self):
        return self.shape[-1] if self.shape.ndims is not None else None

    def range_dimension_tensor(self, name="range_dimension_tensor"):
        return self.shape_tensor(name)[-2]

    def domain_dimension_tensor(self, name="domain_dimension_tensor"):
        return self.shape_tensor(name)[-1]

    # --- methods -----------------------------------------------------------------------------
    def _convert(self, x):
        return convert_to_tensor(x, dtype=self._dtype)

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        """self @ x (adjoint(self) @ x, self @ adjoint(x)); x a Tensor or a LinearOperator."""
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            return LinearOperatorComposition([left, right])
        with name_scope(self._name + "/" + name):
            return self._matmul(self._convert(x), adjoint, adjoint_arg)

    def __matmul__(self, other):
        return self.matmul(other)

    def matvec(self, x, adjoint=False, name="matvec"):
        with name_scope(self._name + "/" + name):
            x = self._convert(x)
            return array.squeeze(self._matmul(array.expand_dims(x, -1), adjoint, False), [-1])

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        """x with self @ x = rhs (adjoint(self) @ x = rhs, ... = adjoint(rhs))."""
        if self.is_non_singular is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is "
                                      "expected to be singular.")
        if self.is_square is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is "
                                      "expected to not be square.")
        if isinstance(rhs, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = rhs.adjoint() if adjoint_arg else rhs
            return LinearOperatorComposition([left.inverse(), right])
        with name_scope(self._name + "/" + name):
            return self._solve(self._convert(rhs), adjoint, adjoint_arg)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        with name_scope(self._name + "/" + name):
            rhs = self._convert(rhs)
            return array.squeeze(self.solve(array.expand_dims(rhs, -1), adjoint), [-1])

    def _check_square(self, what):
        if self.is_square is False:
            raise NotImplementedError(f"Determinant not implemented for an operator that is "
                                      f"expected to not be square ({what}).")

    def determinant(self, name="det"):
        self._check_square("determinant")
        with name_scope(self._name + "/" + name):
            return self._determinant()

    def log_abs_determinant(self, name="log_abs_det"):
        self._check_square("log_abs_determinant")
        with name_scope(self._name + "/" + name):
            return self._log_abs_determinant()

    def diag_part(self, name="diag_part"):
        with name_scope(self._name + "/" + name):
            return self._diag_part()

    def trace(self, name="trace"):
        with name_scope(self._name + "/" + name):
            return self._trace()

    def to_dense(self, name="to_dense"):
        with name_scope(self._name + "/" + name):
            return self._to_dense()

    def add_to_tensor(self, x, name="add_to_tensor"):
        with name_scope(self._name + "/" + name):
            return self._add_to_tensor(self._convert(x))

    def adjoint(self, name="adjoint"):
        if self.is_self_adjoint is True:
            return self
        return LinearOperatorAdjoint(self)

    H = property(lambda self: self.adjoint())

    def inverse(self, name="inverse"):
        if self.is_square is False:
            raise ValueError("Cannot take the Inverse: This operator represents a non square "
                             "matrix.")
        if self.is_non_singular is False:
            raise ValueError("Cannot take the Inverse: This operator represents a singular "
                             "matrix.")
        return self._inverse()

    def _inverse(self):
        return LinearOperatorInversion(self)

    def cholesky(self, name="cholesky"):
        if not (self.is_positive_definite and self.is_self_adjoint):
            raise ValueError("Cannot take the Cholesky decomposition: Not a positive definite "
                             "self adjoint matrix.")
        return self._cholesky()

    def _cholesky(self):
        return LinearOperatorLowerTriangular(decompositions.cholesky(self.to_dense()),
                                             is_non_singular=True, is_self_adjoint=False,
                                             is_square=True)

    def assert_non_singular(self, name="assert_non_singular"):
        with name_scope(self._name + "/" + name):
            s = decompositions.svd(self.to_dense(), compute_uv=False)
            eps = float(np.finfo(self._dtype.as_numpy_dtype).eps)
            return check_ops.assert_less(
                eps * 100 * math_ops.reduce_max(s, -1), math_ops.reduce_min(s, -1),
                message="Singular operator:  Found singular values below the tolerance.")

    def assert_positive_definite(self, name="assert_positive_definite"):
        with name_scope(self._name + "/" + name):
            dense = self.to_dense()
            values = decompositions.self_adjoint_eigvals(0.5 * (dense + matrix.adjoint_of(dense)))
            return check_ops.assert_positive(values, message="Operator was not positive "
                                             "definite.")

    def assert_self_adjoint(self, name="assert_self_adjoint"):
        with name_scope(self._name + "/" + name):
            dense = self.to_dense()
            return check_ops.assert_equal(dense, matrix.adjoint_of(dense),
                                          message="Matrix was not equal to its adjoint.")

    # --- defaults through the dense matrix ---------------------------------------------------
    def _matmul(self, x, adjoint, adjoint_arg):
        return math_ops.matmul(maybe_adjoint(self.to_dense(), adjoint),
                               maybe_adjoint(x, adjoint_arg))

    def _solve(self, rhs, adjoint, adjoint_arg):
        return solvers.matrix_solve(self.to_dense(), maybe_adjoint(rhs, adjoint_arg),
                                    adjoint=adjoint)

    def _determinant(self):
        return solvers.matrix_determinant(self.to_dense())

    def _log_abs_determinant(self):
        return solvers.slogdet(self.to_dense())[1]

    def _diag_part(self):
        return matrix.diag_part(self.to_dense())

    def _trace(self):
        return math_ops.reduce_sum(self.diag_part(), axis=-1)

    def _add_to_tensor(self, x):
        return self.to_dense() + x

    def _shape(self):
        raise NotImplementedError

    def _to_dense(self):
        raise NotImplementedError

    def __repr__(self):
        return f"<tf.linalg.{type(self).__name__} '{self._name}' shape={self.shape}>"


# --- matrices given by their entries ---------------------------------------------------------
class LinearOperatorFullMatrix(LinearOperator):
    """The operator of a [..., M, N] matrix."""

    def __init__(self, matrix, is_non_singular=None, is_self_adjoint=None,  # noqa: F811
                 is_positive_definite=None, is_square=None, name="LinearOperatorFullMatrix"):
        self._matrix = convert_to_tensor(matrix)
        super().__init__(self._matrix.dtype, [self._matrix], is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)

    def _shape(self):
        return self._matrix.shape

    def _shape_tensor(self):
        return array.shape(self._matrix)

    def _to_dense(self):
        return self._matrix


class LinearOperatorLowerTriangular(LinearOperator):
    """The operator of the lower triangles of [..., N, N] matrices (the rest is ignored)."""

    def __init__(self, tril, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowerTriangular"):
        if is_square is False:
            raise ValueError("Only square lower triangular operators supported at this time.")
        self._tril = matrix.lower_part(convert_to_tensor(tril))
        super().__init__(self._tril.dtype, [self._tril], is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name)

    def _shape(self):
        return self._tril.shape

    def _to_dense(self):
        return self._tril

    def _diag_part(self):
        return matrix.diag_part(self._tril)

    def _determinant(self):
        return math_ops.reduce_prod(self._diag_part(), axis=[-1])

    def _log_abs_determinant(self):
        return math_ops.reduce_sum(math_ops.log(math_ops.abs(self._diag_part())), axis=[-1])

    def _solve(self, rhs, adjoint, adjoint_arg):
        return matrix_triangular_solve(self._tril, maybe_adjoint(rhs, adjoint_arg), lower=True,
                                       adjoint=adjoint)


class LinearOperatorDiag(LinearOperator):
    """The operator of diagonal matrices with diagonals `diag` [..., N]."""

    def __init__(self, diag, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorDiag"):
        self._diag = convert_to_tensor(diag)
        if is_square is False:
            raise ValueError("Only square diagonal operators currently supported.")
        if not self._diag.dtype.is_complex:
            if is_self_adjoint is False:
                raise ValueError("A real diagonal operator is always self adjoint.")
            is_self_adjoint = True
        super().__init__(self._diag.dtype, [self._diag], is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name)

    diag = property(lambda self: self._diag)

    def _shape(self):
        shape = self._diag.shape
        if shape.ndims is None:
            return TensorShape(None)
        return shape.concatenate(shape[-1:])

    def _shape_tensor(self):
        d = array.shape(self._diag)
        return array.concat([d, d[-1:]], 0)

    def _to_dense(self):
        return matrix.diag_matrix(self._diag)

    def _matmul(self, x, adjoint, adjoint_arg):
        return array.expand_dims(self._diag, -1) * maybe_adjoint(x, adjoint_arg)

    def _solve(self, rhs, adjoint, adjoint_arg):
        return maybe_adjoint(rhs, adjoint_arg) / array.expand_dims(self._diag, -1)

    def _determinant(self):
        return math_ops.reduce_prod(self._diag, axis=[-1])

    def _log_abs_determinant(self):
        return math_ops.reduce_sum(math_ops.log(math_ops.abs(self._diag)), axis=[-1])

    def _diag_part(self):
        return array.identity(self._diag)

    def _add_to_tensor(self, x):
        return x + matrix.diag_matrix(self._diag)

    def _inverse(self):
        return LinearOperatorDiag(1.0 / self._diag, is_non_singular=self.is_non_singular,
                                  is_self_adjoint=self.is_self_adjoint,
                                  is_positive_definite=self.is_positive_definite,
                                  is_square=True)

    def _cholesky(self):
        return LinearOperatorDiag(math_ops.sqrt(self._diag), is_non_singular=True,
                                  is_self_adjoint=True, is_positive_definite=True,
                                  is_square=True)


def _batch_list(batch_shape):
    if batch_shape is None:
        return []
    return [int(d) for d in np.reshape(np.asarray(batch_shape, np.int64), -1)]


class LinearOperatorIdentity(LinearOperator):
    """The N x N identity (batched by `batch_shape`), without a matrix in memory."""

    def __init__(self, num_rows, batch_shape=None, dtype=None, is_non_singular=True,
                 is_self_adjoint=True, is_positive_definite=True, is_square=True,
                 assert_proper_shapes=False, name="LinearOperatorIdentity"):
        self._num_rows = int(num_rows)
        if self._num_rows < 0:
            raise ValueError(f"Argument num_rows must be non-negative, found {num_rows}")
        self._batch = _batch_list(batch_shape)
        if not is_self_adjoint:
            raise ValueError("An identity operator is always self adjoint.")
        if not is_non_singular:
            raise ValueError("An identity operator is always non-singular.")
        if not is_positive_definite:
            raise ValueError("An identity operator is always positive-definite.")
        if not is_square:
            raise ValueError("An identity operator is always square.")
        super().__init__(dtype or dtypes.float32, None, True, True, True, True, name)

    def _shape(self):
        return TensorShape(self._batch + [self._num_rows, self._num_rows])

    def _ones(self):
        return array.ones(self._batch, dtype=self._dtype)

    def _to_dense(self):
        return diagonal.eye(self._num_rows, batch_shape=self._batch or None, dtype=self._dtype)

    def _broadcast(self, x):
        if not self._batch:
            return x
        return x + array.zeros(self._batch + [1, 1], dtype=self._dtype)

    def _matmul(self, x, adjoint, adjoint_arg):
        return self._broadcast(maybe_adjoint(x, adjoint_arg))

    def _solve(self, rhs, adjoint, adjoint_arg):
        return self._broadcast(maybe_adjoint(rhs, adjoint_arg))

    def _determinant(self):
        return self._ones()

    def _log_abs_determinant(self):
        return array.zeros(self._batch, dtype=self._dtype)

    def _diag_part(self):
        return array.ones(self._batch + [self._num_rows], dtype=self._dtype)

    def _trace(self):
        return self._ones() * float(self._num_rows)

    def _add_to_tensor(self, x):
        return x + self._to_dense()

    def _inverse(self):
        return self

    def _cholesky(self):
        return self


class LinearOperatorScaledIdentity(LinearOperator):
    """`multiplier` times the N x N identity (a multiplier per batch member)."""

    def __init__(self, num_rows, multiplier, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorScaledIdentity"):
        self._num_rows = int(num_rows)
        self._multiplier = convert_to_tensor(multiplier)
        if not is_square:
            raise ValueError("A ScaledIdentity operator is always square.")
        super().__init__(self._multiplier.dtype, [self._multiplier], is_non_singular,
                         is_self_adjoint, is_positive_definite, True, name)

    multiplier = property(lambda self: self._multiplier)

    def _shape(self):
        return self._multiplier.shape.concatenate([self._num_rows, self._num_rows])

    def _scale(self):
        return array.expand_dims(array.expand_dims(self._multiplier, -1), -1)

    def _to_dense(self):
        return self._scale() * diagonal.eye(self._num_rows, dtype=self._dtype)

    def _matmul(self, x, adjoint, adjoint_arg):
        return self._scale() * maybe_adjoint(x, adjoint_arg)

    def _solve(self, rhs, adjoint, adjoint_arg):
        return maybe_adjoint(rhs, adjoint_arg) / self._scale()

    def _determinant(self):
        return math_ops.pow(self._multiplier, float(self._num_rows))

    def _log_abs_determinant(self):
        return float(self._num_rows) * math_ops.log(math_ops.abs(self._multiplier))

    def _diag_part(self):
        return array.expand_dims(self._multiplier, -1) * array.ones([self._num_rows],
                                                                    dtype=self._dtype)

    def _trace(self):
        return float(self._num_rows) * self._multiplier

    def _inverse(self):
        return LinearOperatorScaledIdentity(self._num_rows, 1.0 / self._multiplier,
                                            is_non_singular=self.is_non_singular,
                                            is_self_adjoint=self.is_self_adjoint,
                                            is_positive_definite=self.is_positive_definite)


class LinearOperatorZeros(LinearOperator):
    """The M x N zero matrix (batched by `batch_shape`)."""

    def __init__(self, num_rows, num_columns=None, batch_shape=None, dtype=None,
                 is_non_singular=False, is_self_adjoint=True, is_positive_definite=False,
                 is_square=True, assert_proper_shapes=False, name="LinearOperatorZeros"):
        self._num_rows = int(num_rows)
        self._num_columns = self._num_rows if num_columns is None else int(num_columns)
        self._batch = _batch_list(batch_shape)
        if is_non_singular:
            raise ValueError("A Zeros operator is always singular.")
        if is_positive_definite:
            raise ValueError("A Zeros operator is always not positive-definite.")
        if is_square and self._num_rows != self._num_columns:
            raise ValueError(f"LinearOperatorZeros initialized as is_square=True, but got "
                             f"num_rows({self._num_rows}) != num_columns({self._num_columns})")
        super().__init__(dtype or dtypes.float32, None, False, is_self_adjoint, False,
                         is_square, name)

    def _shape(self):
        return TensorShape(self._batch + [self._num_rows, self._num_columns])

    def _to_dense(self):
        return array.zeros(self._batch + [self._num_rows, self._num_columns],
                           dtype=self._dtype)

    def _matmul(self, x, adjoint, adjoint_arg):
        x = maybe_adjoint(x, adjoint_arg)
        rows = self._num_columns if adjoint else self._num_rows
        zeros = array.zeros(self._batch + [rows, 1], dtype=self._dtype)
        return math_ops.matmul(zeros, array.zeros_like(x[..., :1, :]))

    def _determinant(self):
        return array.zeros(self._batch, dtype=self._dtype)

    def _log_abs_determinant(self):
        return math_ops.log(self._determinant())

    def _diag_part(self):
        return array.zeros(self._batch + [min(self._num_rows, self._num_columns)],
                           dtype=self._dtype)

    def _add_to_tensor(self, x):
        return array.identity(x)


# --- operators built from operators ----------------------------------------------------------
def broadcast_batch_shape(operators):
    """The broadcast static batch shape of `operators`, None if some rank is unknown."""
    batch = TensorShape([])
    for op in operators:
        if op.batch_shape.ndims is None:
            return None
        batch = array.broadcast_shapes(batch, op.batch_shape)
    return batch


def common_dtype(operators):
    """The one dtype of `operators` (TypeError otherwise)."""
    dtype = operators[0].dtype
    for op in operators[1:]:
        if op.dtype != dtype:
            raise TypeError(f"Expected all operators to have the same dtype.  Found "
                            f"{dtype.name} and {op.dtype.name}")
    return dtype


def operator_list(operators):
    """`operators` as a non-empty list (ValueError otherwise), and their one dtype."""
    operators = list(operators)
    if not operators:
        raise ValueError(f"Expected a non-empty list of operators. Found: {operators}")
    return operators, common_dtype(operators)


def hint_from_all(hint, operators, attribute):
    """True when `hint` is unset and every operator's `attribute` hint is True, else
    `hint`."""
    if hint is None and all(getattr(op, attribute) for op in operators):
        return True
    return hint


class LinearOperatorComposition(LinearOperator):
    """The product operators[0] @ operators[1] @ ... ."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        operators, dtype = operator_list(operators)
        self._operators = operators
        if all(op.is_non_singular for op in operators):
            if is_non_singular is False:
                raise ValueError("The composition of non-singular operators is always "
                                 "non-singular.")
            is_non_singular = True
        name = name or "_o_".join(op.name for op in operators)
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name)

    operators = property(lambda self: self._operators)

    def _shape(self):
        batch = broadcast_batch_shape(self._operators)
        if batch is None:
            return TensorShape(None)
        return batch.concatenate([self._operators[0].range_dimension,
                                  self._operators[-1].domain_dimension])

    def _matmul(self, x, adjoint, adjoint_arg):
        order = self._operators if adjoint else list(reversed(self._operators))
        result = order[0].matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in order[1:]:
            result = op.matmul(result, adjoint=adjoint)
        return result

    def _solve(self, rhs, adjoint, adjoint_arg):
        order = list(reversed(self._operators)) if adjoint else self._operators
        result = order[0].solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in order[1:]:
            result = op.solve(result, adjoint=adjoint)
        return result

    def _to_dense(self):
        result = self._operators[-1].to_dense()
        for op in reversed(self._operators[:-1]):
            result = op.matmul(result)
        return result

    def _determinant(self):
        result = self._operators[0].determinant()
        for op in self._operators[1:]:
            result = result * op.determinant()
        return result

    def _log_abs_determinant(self):
        return math_ops.add_n([op.log_abs_determinant() for op in self._operators])


class LinearOperatorAdjoint(LinearOperator):
    """The adjoint (conjugate transpose) of `operator`."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self._operator = operator
        hints = [is_non_singular, is_self_adjoint, is_positive_definite, is_square]
        inherited = [operator.is_non_singular, operator.is_self_adjoint,
                     operator.is_positive_definite, operator.is_square]
        for hint, value in zip(hints, inherited):
            if hint is not None and value is not None and hint != value:
                raise ValueError("An operator's adjoint keeps its hints (non-singular, "
                                 "self-adjoint, positive definite, square)")
        hints = [h if h is not None else v for h, v in zip(hints, inherited)]
        super().__init__(operator.dtype, None, *hints, name=name or operator.name + "_adjoint")

    operator = property(lambda self: self._operator)

    def _shape(self):
        shape = self._operator.shape
        if shape.ndims is None:
            return shape
        dims = shape.as_list()
        return TensorShape(dims[:-2] + [dims[-1], dims[-2]])

    def _matmul(self, x, adjoint, adjoint_arg):
        return self._operator.matmul(x, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint, adjoint_arg):
        return self._operator.solve(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _to_dense(self):
        return matrix.adjoint_of(self._operator.to_dense())

    def _determinant(self):
        return self._operator.determinant()

    def _log_abs_determinant(self):
        return self._operator.log_abs_determinant()

    def _diag_part(self):
        return self._operator.diag_part()

    def adjoint(self, name="adjoint"):
        return self._operator


class LinearOperatorInversion(LinearOperator):
    """The inverse of a square, non-singular `operator`."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self._operator = operator
        if operator.is_non_singular is False or is_non_singular is False:
            raise ValueError("operator and supplied hints must have is_non_singular equal to "
                             "True or None.")
        if operator.is_square is False or is_square is False:
            raise ValueError("operator and supplied hints must have is_square equal to True "
                             "or None.")
        hints = [is_non_singular, is_self_adjoint, is_positive_definite, is_square]
        inherited = [operator.is_non_singular, operator.is_self_adjoint,
                     operator.is_positive_definite, operator.is_square]
        hints = [h if h is not None else v for h, v in zip(hints, inherited)]
        super().__init__(operator.dtype, None, *hints, name=name or operator.name + "_inv")

    operator = property(lambda self: self._operator)

    def _shape(self):
        return self._operator.shape

    def _matmul(self, x, adjoint, adjoint_arg):
        return self._operator.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint, adjoint_arg):
        return self._operator.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _to_dense(self):
        return solvers.matrix_inverse(self._operator.to_dense())

    def _determinant(self):
        return 1.0 / self._operator.determinant()

    def _log_abs_determinant(self):
        return -self._operator.log_abs_determinant()

    def _inverse(self):
        return self._operator
