"""tf.linalg's structured LinearOperators: BlockDiag, BlockLowerTriangular, Kronecker,
LowRankUpdate, Permutation, Householder, Toeplitz, Tridiag and Circulant(2D, 3D) (the base
class and the simple operators are in `linear_operator.py`)."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.linear_operator import (LinearOperator, broadcast_batch_shape, common_dtype,
                                         hint_from_all, maybe_adjoint, operator_list,
                                         static_int)
from tensorweave.ops import array, check_ops, complex_ops, math_ops, spectral_ops
from tensorweave.ops.array import diagonal
from tensorweave.ops.linalg import composites, matrix, solvers
from tensorweave.ops.linalg.einsum import einsum

__all__ = [
    "LinearOperatorBlockDiag", "LinearOperatorBlockLowerTriangular", "LinearOperatorKronecker",
    "LinearOperatorLowRankUpdate", "LinearOperatorPermutation", "LinearOperatorHouseholder",
    "LinearOperatorToeplitz", "LinearOperatorTridiag", "LinearOperatorCirculant",
    "LinearOperatorCirculant2D", "LinearOperatorCirculant3D",
]


def _static_sizes(operators, attribute, what):
    sizes = [static_int(getattr(op, attribute)) for op in operators]
    if None in sizes:
        raise ValueError(f"{what} needs operators of static shape")
    return sizes


def _block_dense(rows, batch, dtype):
    """Dense matrix of a grid of blocks, None blocks are zeros."""
    heights = [next(static_int(b.shape[-2]) for b in row if b is not None) for row in rows]
    widths = [next(static_int(row[j].shape[-1]) for row in rows if row[j] is not None)
              for j in range(len(rows[0]))]
    lines = []
    for row, height in zip(rows, heights):
        parts = []
        for block, width in zip(row, widths):
            zeros = array.zeros(batch + [height, width], dtype=dtype)
            parts.append(zeros if block is None else block + zeros)
        lines.append(array.concat(parts, axis=-1))
    return array.concat(lines, axis=-2)


def _static_batch(operators, what):
    batch = broadcast_batch_shape(operators)
    if batch is None or not batch.is_fully_defined():
        raise ValueError(f"{what} needs operators of static batch shape")
    return batch.as_list()


class LinearOperatorBlockDiag(LinearOperator):
    """The block diagonal matrix with the (square) operators as its blocks."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name=None):
        operators, dtype = operator_list(operators)
        self._operators = operators
        for op in operators:
            if op.is_square is False:
                raise ValueError("For a non-square operator to be square, it must be a block "
                                 "diagonal of square operators.")
        is_non_singular = hint_from_all(is_non_singular, operators, "is_non_singular")
        is_self_adjoint = hint_from_all(is_self_adjoint, operators, "is_self_adjoint")
        if all(op.is_positive_definite for op in operators):
            is_positive_definite = True if is_positive_definite is None else \
                is_positive_definite
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         True, name or "_ds_".join(op.name for op in operators))

    operators = property(lambda self: self._operators)

    def _shape(self):
        batch = broadcast_batch_shape(self._operators)
        sizes = [static_int(op.domain_dimension) for op in self._operators]
        if batch is None:
            return TensorShape(None)
        total = None if None in sizes else sum(sizes)
        return batch.concatenate([total, total])

    def _split(self, x, axis):
        sizes = _static_sizes(self._operators, "domain_dimension", "LinearOperatorBlockDiag")
        return array.split(x, sizes, axis=axis)

    def _matmul(self, x, adjoint, adjoint_arg):
        parts = self._split(maybe_adjoint(x, adjoint_arg), -2)
        return array.concat([op.matmul(p, adjoint=adjoint)
                             for op, p in zip(self._operators, parts)], axis=-2)

    def _solve(self, rhs, adjoint, adjoint_arg):
        parts = self._split(maybe_adjoint(rhs, adjoint_arg), -2)
        return array.concat([op.solve(p, adjoint=adjoint)
                             for op, p in zip(self._operators, parts)], axis=-2)

    def _to_dense(self):
        blocks = [op.to_dense() for op in self._operators]
        n = len(blocks)
        grid = [[blocks[i] if i == j else None for j in range(n)] for i in range(n)]
        return _block_dense(grid, _static_batch(self._operators, "to_dense"), self._dtype)

    def _determinant(self):
        result = self._operators[0].determinant()
        for op in self._operators[1:]:
            result = result * op.determinant()
        return result

    def _log_abs_determinant(self):
        return math_ops.add_n([op.log_abs_determinant() for op in self._operators])

    def _diag_part(self):
        return array.concat([op.diag_part() for op in self._operators], axis=-1)


class LinearOperatorBlockLowerTriangular(LinearOperator):
    """The block lower triangular matrix whose row i holds operators[i] (i + 1 blocks, the
    last on the diagonal)."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorBlockLowerTriangular"):
        rows = [list(row) for row in operators]
        if not rows:
            raise ValueError(f"Expected a non-empty list of operators. Found: {operators}")
        for i, row in enumerate(rows):
            if len(row) != i + 1:
                raise ValueError(f"Argument `operators[{i}]` must contain `{i + 1}` blocks. "
                                 f"Found: {len(row)} blocks.")
        self._operators = rows
        dtype = common_dtype([op for row in rows for op in row])
        diagonal_blocks = [row[-1] for row in rows]
        is_non_singular = hint_from_all(is_non_singular, diagonal_blocks, "is_non_singular")
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         True, name)

    operators = property(lambda self: self._operators)

    def _shape(self):
        batch = broadcast_batch_shape([op for row in self._operators for op in row])
        sizes = [static_int(row[-1].domain_dimension) for row in self._operators]
        if batch is None:
            return TensorShape(None)
        total = None if None in sizes else sum(sizes)
        return batch.concatenate([total, total])

    def _to_dense(self):
        n = len(self._operators)
        grid = [[row[j].to_dense() if j < len(row) else None for j in range(n)]
                for row in self._operators]
        ops = [op for row in self._operators for op in row]
        return _block_dense(grid, _static_batch(ops, "to_dense"), self._dtype)

    def _determinant(self):
        result = self._operators[0][-1].determinant()
        for row in self._operators[1:]:
            result = result * row[-1].determinant()
        return result

    def _log_abs_determinant(self):
        return math_ops.add_n([row[-1].log_abs_determinant() for row in self._operators])

    def _diag_part(self):
        return array.concat([row[-1].diag_part() for row in self._operators], axis=-1)


class LinearOperatorKronecker(LinearOperator):
    """The Kronecker product operators[0] (x) operators[1] (x) ... ."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        operators, dtype = operator_list(operators)
        self._operators = operators
        is_non_singular = hint_from_all(is_non_singular, operators, "is_non_singular")
        is_self_adjoint = hint_from_all(is_self_adjoint, operators, "is_self_adjoint")
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name or "_x_".join(op.name for op in operators))

    operators = property(lambda self: self._operators)

    def _shape(self):
        batch = broadcast_batch_shape(self._operators)
        if batch is None:
            return TensorShape(None)
        rows = [static_int(op.range_dimension) for op in self._operators]
        cols = [static_int(op.domain_dimension) for op in self._operators]
        return batch.concatenate([None if None in rows else int(np.prod(rows)),
                                  None if None in cols else int(np.prod(cols))])

    def _to_dense(self):
        result = self._operators[0].to_dense()
        for op in self._operators[1:]:
            other = op.to_dense()
            product = einsum("...ij,...kl->...ikjl", result, other)
            rows = static_int(result.shape[-2]) * static_int(other.shape[-2])
            cols = static_int(result.shape[-1]) * static_int(other.shape[-1])
            batch = product.shape.as_list()[:-4]
            if None in batch:
                raise ValueError("LinearOperatorKronecker needs a static batch shape")
            result = array.reshape(product, batch + [rows, cols])
        return result

    def _determinant(self):
        total = self._shape().as_list()[-1]
        result = None
        for op in self._operators:
            n = static_int(op.domain_dimension)
            term = math_ops.pow(op.determinant(), float(total // n))
            result = term if result is None else result * term
        return result

    def _log_abs_determinant(self):
        total = self._shape().as_list()[-1]
        return math_ops.add_n([float(total // static_int(op.domain_dimension)) *
                               op.log_abs_determinant() for op in self._operators])

    def _diag_part(self):
        result = self._operators[0].diag_part()
        for op in self._operators[1:]:
            other = op.diag_part()
            product = array.expand_dims(result, -1) * array.expand_dims(other, -2)
            size = static_int(result.shape[-1]) * static_int(other.shape[-1])
            result = array.reshape(product, product.shape.as_list()[:-2] + [size])
        return result


class LinearOperatorLowRankUpdate(LinearOperator):
    """base_operator + u @ diag(diag_update) @ v^H (v = u and diag_update = 1 by default)."""

    def __init__(self, base_operator, u, diag_update=None, v=None,
                 is_diag_update_positive=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorLowRankUpdate"):
        self._base = base_operator
        self._u = convert_to_tensor(u, dtype=base_operator.dtype)
        self._v = self._u if v is None else convert_to_tensor(v, dtype=base_operator.dtype)
        self._diag_update = None if diag_update is None else convert_to_tensor(
            diag_update, dtype=base_operator.dtype)
        self._is_diag_update_positive = is_diag_update_positive
        if v is None and is_self_adjoint is None:
            is_self_adjoint = base_operator.is_self_adjoint
        if v is None and base_operator.is_positive_definite and (
                diag_update is None or is_diag_update_positive) and is_positive_definite is None:
            is_positive_definite = True
        super().__init__(base_operator.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)

    base_operator = property(lambda self: self._base)
    u = property(lambda self: self._u)
    v = property(lambda self: self._v)
    diag_update = property(lambda self: self._diag_update)
    is_diag_update_positive = property(lambda self: self._is_diag_update_positive)

    def _shape(self):
        return self._base.shape

    def _to_dense(self):
        u = self._u if self._diag_update is None else \
            self._u * array.expand_dims(self._diag_update, -2)
        return self._base.to_dense() + math_ops.matmul(u, self._v, transpose_b=True)


class LinearOperatorPermutation(LinearOperator):
    """The permutation matrix P of `perm` [..., N]: P @ x = x[..., perm, :]."""

    def __init__(self, perm, dtype=dtypes.float32, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorPermutation"):
        self._perm = convert_to_tensor(perm)
        if not self._perm.dtype.is_integer:
            raise TypeError(f"Argument perm must be integer dtype. Found: {self._perm.dtype}")
        if is_non_singular is False:
            raise ValueError("A Permutation operator is always non-singular.")
        if is_square is False:
            raise ValueError("A Permutation operator is always square.")
        super().__init__(dtype, [self._perm], True, is_self_adjoint, is_positive_definite, True,
                         name)

    perm = property(lambda self: self._perm)

    def _shape(self):
        shape = self._perm.shape
        return TensorShape(None) if shape.ndims is None else shape.concatenate(shape[-1:])

    def _to_dense(self):
        n = static_int(self._perm.shape[-1]) if self._perm.shape.ndims else None
        depth = n if n is not None else array.shape(self._perm)[-1]
        return array.one_hot(self._perm, depth, dtype=self._dtype)

    def _determinant(self):
        return solvers.matrix_determinant(self.to_dense())


class LinearOperatorHouseholder(LinearOperator):
    """The reflection I - 2 v v^H / (v^H v) through the hyperplane orthogonal to
    `reflection_axis` v [..., N]."""

    def __init__(self, reflection_axis, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorHouseholder"):
        self._axis = convert_to_tensor(reflection_axis)
        if is_self_adjoint is False:
            raise ValueError("A Householder operator is always self adjoint.")
        if is_non_singular is False:
            raise ValueError("A Householder operator is always non-singular.")
        if is_square is False:
            raise ValueError("A Householder operator is always square.")
        super().__init__(self._axis.dtype, [self._axis], True, True, is_positive_definite,
                         True, name)

    reflection_axis = property(lambda self: self._axis)

    def _shape(self):
        shape = self._axis.shape
        return TensorShape(None) if shape.ndims is None else shape.concatenate(shape[-1:])

    def _unit(self):
        length = math_ops.sqrt(math_ops.reduce_sum(self._axis * self._axis, -1, keepdims=True))
        return self._axis / length

    def _matmul(self, x, adjoint, adjoint_arg):
        x = maybe_adjoint(x, adjoint_arg)
        v = array.expand_dims(self._unit(), -1)
        return x - 2.0 * v * math_ops.reduce_sum(v * x, axis=-2, keepdims=True)

    def _solve(self, rhs, adjoint, adjoint_arg):
        return self._matmul(rhs, adjoint, adjoint_arg)  # a reflection is its own inverse

    def _to_dense(self):
        v = self._unit()
        outer = array.expand_dims(v, -1) * array.expand_dims(v, -2)
        return matrix.eye_like(v) - 2.0 * outer

    def _determinant(self):
        return -array.ones_like(self._axis[..., 0])

    def _log_abs_determinant(self):
        return array.zeros_like(self._axis[..., 0])

    def _trace(self):
        return array.ones_like(self._axis[..., 0]) * (
            array.cast(array.shape(self._axis)[-1], self._dtype) - 2.0)


class LinearOperatorToeplitz(LinearOperator):
    """The Toeplitz matrices with first column `col` and first row `row` ([..., N]; row[0]
    is ignored: the diagonal is col[0])."""

    def __init__(self, col, row, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorToeplitz"):
        self._col = convert_to_tensor(col)
        self._row = convert_to_tensor(row, dtype=self._col.dtype)
        if is_square is False:
            raise ValueError("Only square Toeplitz operators currently supported.")
        super().__init__(self._col.dtype, [self._col, self._row], is_non_singular,
                         is_self_adjoint, is_positive_definite, True, name)

    col = property(lambda self: self._col)
    row = property(lambda self: self._row)

    def _shape(self):
        shape = array.broadcast_shapes(self._col.shape, self._row.shape)
        return TensorShape(None) if shape.ndims is None else shape.concatenate(shape[-1:])

    def _to_dense(self):
        n = static_int(self._shape()[-1])
        if n is None:
            raise ValueError("LinearOperatorToeplitz.to_dense needs a static size")
        values = array.concat([_reverse_last(self._row[..., 1:]), self._col], axis=-1)
        i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        index = convert_to_tensor((n - 1 + i - j).astype(np.int32))
        return array.gather(values, index, axis=-1)


def _reverse_last(x):
    """x reversed along its last axis (static size)."""
    n = static_int(x.shape[-1])
    if n == 0:
        return x
    return array.gather(x, convert_to_tensor(np.arange(n - 1, -1, -1, dtype=np.int32)),
                        axis=-1)


class LinearOperatorTridiag(LinearOperator):
    """Tridiagonal matrices given by their diagonals: 'compact' [..., 3, N] (super, main,
    sub), 'sequence' (three [..., N]) or 'matrix' [..., N, N]."""

    def __init__(self, diagonals, diagonals_format="compact", is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name="LinearOperatorTridiag"):
        if diagonals_format not in ("compact", "sequence", "matrix"):
            raise ValueError(f"Diagonals Format must be one of compact, matrix, sequence, got "
                             f"{diagonals_format}")
        self._format = diagonals_format
        if diagonals_format == "sequence":
            self._diagonals = [convert_to_tensor(d) for d in diagonals]
            dtype = self._diagonals[0].dtype
        else:
            self._diagonals = convert_to_tensor(diagonals)
            dtype = self._diagonals.dtype
        if is_square is False:
            raise ValueError("Only square tridiagonal operators are supported.")
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         True, name)

    diagonals = property(lambda self: self._diagonals)
    diagonals_format = property(lambda self: self._format)

    def _shape(self):
        if self._format == "matrix":
            return self._diagonals.shape
        shape = self._diagonals[1].shape if self._format == "sequence" else (
            self._diagonals.shape[:-2].concatenate(self._diagonals.shape[-1:])
            if self._diagonals.shape.ndims is not None else TensorShape(None))
        return TensorShape(None) if shape.ndims is None else shape.concatenate(shape[-1:])

    def _to_dense(self):
        if self._format == "matrix":
            return self._band()
        return matrix.tridiagonal_matrix(*self._parts())

    def _band(self):
        return diagonal.matrix_band_part(self._diagonals, 1, 1)

    def _parts(self):
        if self._format == "sequence":
            return tuple(self._diagonals)
        d = self._diagonals
        return d[..., 0, :], d[..., 1, :], d[..., 2, :]

    def _matmul(self, x, adjoint, adjoint_arg):
        x = maybe_adjoint(x, adjoint_arg)
        if adjoint:
            return math_ops.matmul(self.to_dense(), x, transpose_a=True)
        if self._format == "matrix":
            return math_ops.matmul(self._band(), x)
        return composites.tridiagonal_matmul(list(self._parts()), x,
                                             diagonals_format="sequence")

    def _solve(self, rhs, adjoint, adjoint_arg):
        rhs = maybe_adjoint(rhs, adjoint_arg)
        if adjoint:
            return solvers.matrix_solve(self.to_dense(), rhs, adjoint=True)
        if self._format == "matrix":
            return composites.tridiagonal_solve(self._band(), rhs, diagonals_format="matrix")
        return composites.tridiagonal_solve(list(self._parts()), rhs,
                                            diagonals_format="sequence")

    def _diag_part(self):
        return self._parts()[1] if self._format != "matrix" else matrix.diag_part(
            self._diagonals)



# --- circulant operators (through FFTs) ------------------------------------------------------
_COMPLEX_OF = {dtypes.float16: dtypes.complex64, dtypes.float32: dtypes.complex64,
               dtypes.float64: dtypes.complex128}
_TRANSFORMS = {1: (spectral_ops.fft, spectral_ops.ifft), 2: (spectral_ops.fft2d,
                                                             spectral_ops.ifft2d),
               3: (spectral_ops.fft3d, spectral_ops.ifft3d)}


class LinearOperatorCirculant(LinearOperator):
    """The circulant matrices (block circulant with circulant blocks for 2D and 3D) whose
    eigenvalues are `spectrum` [..., N] (the DFT of the first column): A @ x is
    ifft(spectrum * fft(x)). The inputs and outputs of its methods have
    `input_output_dtype`; a real dtype takes the real part."""

    block_depth = 1

    def __init__(self, spectrum, input_output_dtype=dtypes.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True, name=None):
        spectrum = convert_to_tensor(spectrum)
        if spectrum.dtype in _COMPLEX_OF:
            spectrum = array.cast(spectrum, _COMPLEX_OF[spectrum.dtype])
        if not spectrum.dtype.is_complex:
            raise TypeError(f"Argument spectrum must have dtype float or complex, found "
                            f"{spectrum.dtype.name}")
        if spectrum.shape.ndims is not None and spectrum.shape.ndims < self.block_depth:
            raise ValueError(f"Argument spectrum must have at least {self.block_depth} "
                             f"dimensions, found {spectrum.shape}")
        if is_square is False:
            raise ValueError("A circulant operator is always square.")
        self._spectrum = spectrum
        super().__init__(input_output_dtype, [spectrum], is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name or type(self).__name__)

    spectrum = property(lambda self: self._spectrum)

    @property
    def block_shape(self):
        return self._spectrum.shape[-self.block_depth:]

    def block_shape_tensor(self):
        return array.shape(self._spectrum)[-self.block_depth:]

    def _size(self):
        sizes = [static_int(d) for d in self.block_shape]
        if None in sizes:
            raise ValueError(f"{self.name} needs a spectrum of static block shape")
        return sizes, int(np.prod(sizes))

    def _shape(self):
        shape = self._spectrum.shape
        if shape.ndims is None:
            return TensorShape(None)
        sizes = [static_int(d) for d in self.block_shape]
        n = None if None in sizes else int(np.prod(sizes))
        return shape[:-self.block_depth].concatenate([n, n])

    def _out(self, y):
        """Complex results in the operator's dtype (the real part for a real dtype)."""
        if self._dtype.is_complex:
            return array.cast(y, self._dtype)
        return array.cast(complex_ops.real(y), self._dtype)

    def _apply(self, x, adjoint, adjoint_arg, divide):
        sizes, n = self._size()
        x = maybe_adjoint(convert_to_tensor(x), adjoint_arg)
        x = array.cast(x, self._spectrum.dtype)
        spectrum = complex_ops.conj(self._spectrum) if adjoint else self._spectrum
        spectrum = array.expand_dims(spectrum, -self.block_depth - 1)
        rows = matrix.swap_last(x)  # [..., R, N]
        blocks = array.reshape(rows, array.concat([array.shape(rows)[:-1], sizes], 0))
        forward, inverse = _TRANSFORMS[self.block_depth]
        transformed = forward(blocks)
        transformed = transformed / spectrum if divide else spectrum * transformed
        result = inverse(transformed)
        flat = array.reshape(result, array.concat(
            [array.shape(result)[:-self.block_depth], [n]], 0))
        return self._out(matrix.swap_last(flat))

    def _matmul(self, x, adjoint, adjoint_arg):
        return self._apply(x, adjoint, adjoint_arg, divide=False)

    def _solve(self, rhs, adjoint, adjoint_arg):
        return self._apply(rhs, adjoint, adjoint_arg, divide=True)

    def _to_dense(self):
        _, n = self._size()
        return self._apply(diagonal.eye(n, dtype=self._dtype), False, False, divide=False)

    def _block_axes(self):
        return list(range(-self.block_depth, 0))

    def _determinant(self):
        return self._out(math_ops.reduce_prod(self._spectrum, axis=self._block_axes()))

    def _log_abs_determinant(self):
        logs = math_ops.log(math_ops.abs(self._spectrum))
        return array.cast(math_ops.reduce_sum(logs, axis=self._block_axes()), self._dtype)

    def _diag_part(self):
        _, n = self._size()
        mean = math_ops.reduce_mean(self._spectrum, axis=self._block_axes())
        return self._out(array.expand_dims(mean, -1) * array.ones([n], self._spectrum.dtype))

    def _trace(self):
        return self._out(math_ops.reduce_sum(self._spectrum, axis=self._block_axes()))

    def convolution_kernel(self, name="convolution_kernel"):
        """The first column's entries as blocks: the inverse DFT of the spectrum."""
        return _TRANSFORMS[self.block_depth][1](self._spectrum)

    def assert_hermitian_spectrum(self, name="assert_hermitian_spectrum"):
        """Fails unless the spectrum is Hermitian (a real operator)."""
        imag = complex_ops.imag(self.convolution_kernel())
        return check_ops.assert_near(imag, array.zeros_like(imag),
                                     message="Spectrum was not Hermitian")


class LinearOperatorCirculant2D(LinearOperatorCirculant):
    """Block circulant with circulant blocks, spectrum [..., N0, N1] (see
    LinearOperatorCirculant)."""

    block_depth = 2


class LinearOperatorCirculant3D(LinearOperatorCirculant):
    """Block circulant with blocks as LinearOperatorCirculant2D, spectrum [..., N0, N1, N2]."""

    block_depth = 3
