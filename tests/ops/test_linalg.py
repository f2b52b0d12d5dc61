"""tf.linalg against TensorFlow's numbers (tests/fixtures/linalg_reference.npz, written by
make_linalg_reference.py from the programs of linalg_cases.py), decompositions by their
invariants, TF's errors, and the LinearOperator classes' hints and shapes."""
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

_FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures"
sys.path.insert(0, str(_FIXTURES))
import linalg_cases  # noqa: E402

_REFERENCE = np.load(_FIXTURES / "linalg_reference.npz")


def _expected(name):
    count = len([k for k in _REFERENCE.files if k.startswith(name + "/")])
    return [_REFERENCE[f"{name}/{i}"] for i in range(count)]


@pytest.mark.parametrize("name", sorted(linalg_cases.CASES))
def test_matches_tensorflow(name):
    expected = _expected(name)
    actual = linalg_cases.run(tf, name)
    assert len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert a.shape == e.shape, f"output {i}: shape {a.shape}, TensorFlow {e.shape}"
        assert a.dtype == e.dtype, f"output {i}: dtype {a.dtype}, TensorFlow {e.dtype}"
        np.testing.assert_allclose(a, e, rtol=1e-7, atol=1e-9, err_msg=f"output {i}")


def _run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


# --- decompositions by their invariants ------------------------------------------------------
@pytest.mark.parametrize("shape,full", [((4, 3), False), ((3, 5), False), ((2, 4, 3), True),
                                        ((3, 3), True)])
def test_qr_reconstructs(shape, full):
    x = np.random.RandomState(1).randn(*shape)
    with tf.Graph().as_default():
        q, r = _run(tf.qr(x, full_matrices=full))
    np.testing.assert_allclose(q @ r, x, atol=1e-12)
    eye = np.eye(q.shape[-1])
    np.testing.assert_allclose(np.swapaxes(q, -1, -2) @ q, np.broadcast_to(eye, q.shape[:-2]
                                                                           + eye.shape),
                               atol=1e-12)
    np.testing.assert_array_equal(r, np.triu(r))


@pytest.mark.parametrize("shape,full", [((4, 3), False), ((3, 5), True), ((2, 3, 3), False)])
def test_svd_reconstructs(shape, full):
    x = np.random.RandomState(2).randn(*shape)
    with tf.Graph().as_default():
        s, u, v = _run(tf.svd(x, full_matrices=full))
    k = min(shape[-2:])
    np.testing.assert_allclose((u[..., :, :k] * s[..., None, :]) @ np.swapaxes(
        v[..., :, :k], -1, -2), x, atol=1e-12)
    assert np.all(np.diff(s, axis=-1) <= 0)


def test_eigh_reconstructs_from_the_lower_triangle():
    x = np.random.RandomState(3).randn(4, 4)
    sym = np.tril(x) + np.tril(x, -1).T
    with tf.Graph().as_default():
        e, v = _run(tf.self_adjoint_eig(x))
    np.testing.assert_allclose((v * e) @ v.T, sym, atol=1e-12)


def test_lu_reconstructs():
    x = np.random.RandomState(4).randn(2, 4, 4)
    with tf.Graph().as_default():
        lu, p = tf.linalg.lu(x)
        back = tf.linalg.lu_reconstruct(lu, p)
        lu_value, p_value, back_value = _run([lu, p, back])
    assert p_value.dtype == np.int32
    np.testing.assert_allclose(back_value, x, atol=1e-12)


def test_logm_inverts_expm():
    b = 0.3 * np.random.RandomState(5).randn(3, 3) + 0.2j * np.random.RandomState(6).randn(3, 3)
    with tf.Graph().as_default():
        out = _run(tf.linalg.logm(tf.linalg.expm(tf.constant(b))))
    np.testing.assert_allclose(out, b, atol=1e-12)


def test_sqrtm_of_a_defective_matrix():
    x = np.array([[4.0, 1.0], [0.0, 4.0]])
    with tf.Graph().as_default():
        root = _run(tf.matrix_square_root(x))
    np.testing.assert_allclose(root @ root, x, atol=1e-10)


def test_svd_without_vectors_has_empty_outputs_and_tf_shapes():
    with tf.Graph().as_default():
        s = tf.svd(tf.ones([2, 3, 5]), compute_uv=False)
        assert s.shape.as_list() == [2, 3] and s.op.type == "Svd"
        assert [t.shape.as_list() for t in s.op.outputs[1:]] == [[0], [0]]
        s, u, v = tf.svd(tf.ones([3, 5]), full_matrices=True)
        assert (u.shape.as_list(), v.shape.as_list()) == ([3, 3], [5, 5])
        q, r = tf.qr(tf.ones([3, 5]), full_matrices=True)
        assert (q.shape.as_list(), r.shape.as_list()) == ([3, 3], [3, 5])


# --- TF's errors -----------------------------------------------------------------------------
_SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])


@pytest.mark.parametrize("build,message", [
    (lambda: tf.matrix_inverse(_SINGULAR), "Input is not invertible."),
    (lambda: tf.matrix_solve(_SINGULAR, np.ones((2, 1))), "Input matrix is not invertible."),
    (lambda: tf.linalg.lu(_SINGULAR)[0], "Input is not invertible."),
    (lambda: tf.cholesky(-np.eye(2)), "Cholesky decomposition was not successful. The input "
                                      "might not be valid."),
    (lambda: tf.self_adjoint_eigvals(np.full((2, 2), np.nan)), "Self-adjoint eigen "
     "decomposition was not successful. The input might not be valid."),
])
def test_singular_inputs_raise_invalid_argument(build, message):
    with tf.Graph().as_default():
        t = build()
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            _run(t)


def test_values_tf_gives_for_singular_matrices():
    with tf.Graph().as_default():
        det, (sign, logdet), tri = _run([tf.matrix_determinant(_SINGULAR),
                                         tf.linalg.slogdet(_SINGULAR),
                                         tf.matrix_triangular_solve([[0.0, 0.0], [1.0, 1.0]],
                                                                    [[1.0], [1.0]])])
    assert det == 0 and sign == 0 and logdet == -np.inf
    assert np.isinf(tri[0, 0])
    with tf.Graph().as_default():
        root = _run(tf.linalg.sqrtm(-np.eye(2)))
    assert np.all(np.isnan(root))


@pytest.mark.parametrize("build,error,message", [
    (lambda: tf.cholesky(np.ones((2, 3))), ValueError, "Dimensions must be equal, but are 2 "
                                                       "and 3"),
    (lambda: tf.matrix_inverse(np.ones((2, 2), np.int32)), TypeError, "not in list of allowed"),
    (lambda: tf.cross(np.ones((2, 4)), np.ones((2, 4))), ValueError, "Dimension must be 3"),
    (lambda: tf.matrix_solve(np.ones((3, 3)), np.ones((2, 1))), ValueError,
     "Dimensions must be equal, but are 3 and 2"),
    (lambda: tf.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((4, 3))), ValueError,
     "Dimensions must be equal, but are 3 and 4"),
    (lambda: tf.norm(_SINGULAR, ord=3, axis=[0, 1]), ValueError,
     r"'ord' must be a supported matrix norm in \['euclidean', 'fro', 1, 2, inf\], got 3"),
    (lambda: tf.norm(_SINGULAR, ord="fro", axis=1), ValueError,
     "'ord' must be a supported vector norm, got fro"),
    (lambda: tf.norm(_SINGULAR, ord=-1), ValueError, "'ord' must be a supported vector norm"),
    (lambda: tf.linalg.logm(np.eye(2)), TypeError, "not in list of allowed values: complex64"),
])
def test_build_time_errors(build, error, message):
    with tf.Graph().as_default():
        with pytest.raises(error, match=message):
            build()


def test_lu_has_no_gradient_as_in_tf_1_15():
    with tf.Graph().as_default():
        x = tf.constant(np.eye(2))
        with pytest.raises(LookupError):
            tf.gradients(tf.linalg.lu(x)[0], x)


def test_svd_gradient_needs_static_inner_dims():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, None])
        s, u, v = tf.svd(x)
        with pytest.raises(NotImplementedError, match="unknown inner matrix shape"):
            tf.gradients(u, x)


def test_solve_ls_exact_path_has_no_gradient():
    with tf.Graph().as_default():
        x = tf.constant(np.random.RandomState(7).randn(4, 2))
        y = tf.matrix_solve_ls(x, tf.ones([4, 1], tf.float64), fast=False)
        with pytest.raises(ValueError, match="Gradient not defined for fast=False"):
            tf.gradients(y, x)


# --- names and defaults ----------------------------------------------------------------------
def test_names_and_op_types():
    with tf.Graph().as_default():
        x = tf.ones([3, 3])
        assert tf.cholesky(x).op.type == "Cholesky"
        assert tf.linalg.det(x).op.type == "MatrixDeterminant"
        assert tf.linalg.slogdet(x)[0].op.type == "LogMatrixDeterminant"
        assert tf.linalg.expm(x).op.type == "MatrixExponential"
        assert tf.linalg.einsum("ij->ji", x).op.type == "Einsum"
        assert tf.linalg.tensor_diag is tf.diag and tf.linalg.tensor_diag_part is tf.diag_part
        assert tf.linalg.l2_normalize is tf.nn.l2_normalize
        assert tf.linalg.global_norm is tf.global_norm
        assert tf.linalg.lstsq is tf.matrix_solve_ls and tf.linalg.inv is tf.matrix_inverse
        assert tf.linalg.matmul is tf.matmul
        assert tf.norm(x, name="n").name.startswith("n")


def test_tensordot_with_unknown_rank():
    a, b = np.random.RandomState(8).randn(2, 3, 4), np.random.RandomState(9).randn(4, 5)
    with tf.Graph().as_default():
        pa = tf.placeholder(tf.float64)
        out = tf.tensordot(pa, b, 1)
        with tf.Session() as sess:
            value = sess.run(out, {pa: a})
    np.testing.assert_allclose(value, np.tensordot(a, b, 1))


def test_einsum_gradient_with_unknown_shapes():
    a, b = np.random.RandomState(10).randn(2, 3, 4), np.random.RandomState(11).randn(2, 4, 5)
    with tf.Graph().as_default():
        pa, pb = tf.placeholder(tf.float64), tf.placeholder(tf.float64)
        y = tf.einsum("...ij,...jk->...ik", pa, pb)
        ga, gb = tf.gradients(tf.reduce_sum(y), [pa, pb])
        with tf.Session() as sess:
            ga, gb = sess.run([ga, gb], {pa: a, pb: b})
    np.testing.assert_allclose(ga, np.ones((2, 3, 5)) @ np.swapaxes(b, -1, -2))
    np.testing.assert_allclose(gb, np.swapaxes(a, -1, -2) @ np.ones((2, 3, 5)))


# --- linear operators ------------------------------------------------------------------------
def test_operator_hints_and_shapes():
    with tf.Graph().as_default():
        d = tf.linalg.LinearOperatorDiag([1.0, 2.0])
        assert (d.is_self_adjoint, d.is_square, d.is_non_singular) == (True, True, None)
        assert d.shape.as_list() == [2, 2] and d.batch_shape.as_list() == []
        assert d.range_dimension == 2 and d.tensor_rank == 2
        f = tf.linalg.LinearOperatorFullMatrix(tf.ones((2, 3, 4)))
        assert f.is_square is False and f.batch_shape.as_list() == [2]
        assert f.domain_dimension == 4 and f.name == "LinearOperatorFullMatrix"
        i = tf.linalg.LinearOperatorIdentity(3, batch_shape=[2])
        assert i.dtype == tf.float32 and i.shape.as_list() == [2, 3, 3]
        assert i.is_non_singular and i.is_positive_definite
        c = tf.linalg.LinearOperatorComposition([d, d])
        assert c.name == "LinearOperatorDiag_o_LinearOperatorDiag"
        assert d.adjoint() is d and isinstance(d.inverse(), tf.linalg.LinearOperatorDiag)
        assert isinstance(f.matmul(f, adjoint=True), tf.linalg.LinearOperatorComposition)
        with pytest.raises(ValueError, match="positive definite matrix is always non-singular"):
            tf.linalg.LinearOperatorDiag([1.0, 2.0], is_positive_definite=True,
                                         is_non_singular=False)
        with pytest.raises(ValueError, match="Cannot take the Cholesky decomposition"):
            d.cholesky()
        with pytest.raises(NotImplementedError, match="expected to be singular"):
            tf.linalg.LinearOperatorZeros(2).solve(tf.ones([2, 1]))


def test_operator_cholesky_and_assertions():
    spd = linalg_cases.SPD[0]
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorFullMatrix(spd, is_self_adjoint=True,
                                                is_positive_definite=True)
        chol = op.cholesky()
        assert isinstance(chol, tf.linalg.LinearOperatorLowerTriangular)
        checks = [op.assert_positive_definite(), op.assert_self_adjoint(),
                  op.assert_non_singular()]
        dense = _run([chol.to_dense()] + checks)[0]
    np.testing.assert_allclose(dense @ dense.T, spd, atol=1e-12)
    with tf.Graph().as_default():
        bad = tf.linalg.LinearOperatorFullMatrix(-np.eye(2))
        check = bad.assert_positive_definite()
        with pytest.raises(tf.errors.InvalidArgumentError):
            _run(check)
