"""tf.contrib.factorization.WALSModel against a NumPy solve written from TF 1.15's
factorization_ops.py: each updated row u_i minimizes
sum_j W_ij (A_ij - u_i . v_j)^2 + lambda |u_i|^2 with W_ij = w0 + R_i C_j where A_ij is
observed, w0 elsewhere (A_ij = 0 there); the losses are normalized to the whole matrix.
(TF 2.15 has no WALS kernel, so there is no TF fixture.)"""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib import factorization


# --- the NumPy reference ---------------------------------------------------------------------
def np_solve_rows(a, mask, right, rows, w0, lam, row_w, col_w):
    """The new factors of `rows` by a direct weighted ridge regression per row.
    row_w, col_w: arrays of weights, or None for ALS (weight w0 everywhere)."""
    k = right.shape[1]
    out = []
    for i in rows:
        if row_w is None:
            weights = np.full(a.shape[1], w0)
        else:
            weights = w0 + mask[i] * row_w[i] * col_w
        lhs = right.T @ (weights[:, None] * right) + (lam or 0.0) * np.eye(k)
        rhs = right.T @ (weights * a[i] * mask[i])
        out.append(np.linalg.solve(lhs, rhs))
    return np.array(out)


def np_losses(a, mask, left_new, right, rows, total_rows, w0, lam, row_w, col_w):
    """(unregularized_loss, regularization, sum_weights) for the updated rows."""
    scale = total_rows / len(rows)
    sub = (a * mask)[rows]
    if row_w is None:
        weights = np.full(sub.shape, w0)
    else:
        weights = w0 + mask[rows] * np.outer(row_w[rows], col_w)
    loss = np.sum(weights * (sub - left_new @ right.T) ** 2) * scale
    reg = lam * (np.sum(left_new ** 2) * scale + np.sum(right ** 2)) if lam else 0.0
    sum_weights = w0 * a.size
    if row_w is not None:
        sum_weights += np.sum(mask[rows] * np.outer(row_w[rows], col_w)) * scale
    return loss, reg, sum_weights


# --- data ------------------------------------------------------------------------------------
def problem(rows=7, cols=5, k=2, density=0.5, seed=0):
    rng = np.random.RandomState(seed)
    a = rng.randn(rows, cols).astype(np.float32)
    mask = (rng.rand(rows, cols) < density).astype(np.float32)
    mask[np.arange(rows), np.arange(rows) % cols] = 1  # every row observed at least once
    u0 = rng.randn(rows, k).astype(np.float32)
    v0 = rng.randn(cols, k).astype(np.float32)
    return a * mask, mask, u0, v0


def sparse_of(a, mask, rows=None, transpose=False, order_seed=None):
    """A SparseTensor of the observed entries of `rows` of a (with transpose: of a^T), in
    row-major order unless shuffled by order_seed."""
    if transpose:
        return sparse_of(a.T, mask.T, rows, False, order_seed)
    idx = np.argwhere(mask > 0)
    if rows is not None:
        idx = idx[np.isin(idx[:, 0], rows)]
    if order_seed is not None:
        idx = idx[np.random.RandomState(order_seed).permutation(len(idx))]
    values = a[idx[:, 0], idx[:, 1]]
    return tf.SparseTensor(idx.astype(np.int64), values.astype(np.float32), a.shape)


def _shards(x, n):
    size, extra = divmod(len(x), n)
    sizes = [size + 1] * extra + [size] * (n - extra)
    return np.split(x, np.cumsum(sizes)[:-1])


def _prepare_rows(sess, model):
    sess.run(model.row_update_prep_gramian_op)
    sess.run(model.initialize_row_update_op)


def _prepare_cols(sess, model):
    sess.run(model.col_update_prep_gramian_op)
    sess.run(model.initialize_col_update_op)


def _start(sess, model):
    sess.run(model.initialize_op)
    sess.run(tf.local_variables_initializer())
    sess.run(model.worker_init)


def _value(sess, shards):
    return np.concatenate(sess.run(shards), 0)


# --- tests -----------------------------------------------------------------------------------
CONFIGS = {
    "als": dict(row_weights=None, col_weights=None, regularization=0.3),
    "als_no_reg": dict(row_weights=None, col_weights=None, regularization=None),
    "scalar_weights": dict(row_weights=1.0, col_weights=1.0, regularization=0.1),
    "list_weights": dict(row_weights=[0.5, 1.0, 2.0, 0.0, 1.5, 3.0, 1.0],
                         col_weights=[1.0, 0.5, 2.0, 1.0, 0.25], regularization=0.2),
}


def _weights(config, a):
    rows, cols = a.shape
    rw, cw = config["row_weights"], config["col_weights"]
    if rw is None:
        return None, None
    rw = np.full(rows, rw) if np.isscalar(rw) else np.asarray(rw, np.float64)
    cw = np.full(cols, cw) if np.isscalar(cw) else np.asarray(cw, np.float64)
    return rw, cw


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("shards", [(1, 1), (2, 3)])
def test_one_row_and_one_column_sweep_match_the_normal_equations(name, shards):
    config = CONFIGS[name]
    a, mask, u0, v0 = problem()
    w0 = 0.2
    rw, cw = _weights(config, a)
    nr, nc = shards
    kwargs = dict(config)
    if nr > 1 and isinstance(kwargs["row_weights"], list):
        kwargs["row_weights"] = [list(s) for s in _shards(np.array(kwargs["row_weights"]), nr)]
        kwargs["col_weights"] = [list(s) for s in _shards(np.array(kwargs["col_weights"]), nc)]
    with tf.Graph().as_default():
        model = factorization.WALSModel(7, 5, 2, unobserved_weight=w0,
                                        row_init=_shards(u0, nr) if nr > 1 else u0,
                                        col_init=_shards(v0, nc) if nc > 1 else v0,
                                        num_row_shards=nr, num_col_shards=nc, **kwargs)
        row_out = model.update_row_factors(sparse_of(a, mask))
        col_out = model.update_col_factors(sparse_of(a, mask, transpose=True),
                                           transpose_input=True)
        with tf.Session() as sess:
            _start(sess, model)
            _prepare_rows(sess, model)
            new_u, loss, reg, sum_w = sess.run([row_out[0], *row_out[2:]])
            sess.run(row_out[1])
            u1 = _value(sess, model.row_factors)
            _prepare_cols(sess, model)
            new_v, closs, creg, csum_w = sess.run([col_out[0], *col_out[2:]])
            sess.run(col_out[1])
            v1 = _value(sess, model.col_factors)
    lam = config["regularization"]
    expect_u = np_solve_rows(a, mask, v0, range(7), w0, lam, rw, cw)
    np.testing.assert_allclose(new_u, expect_u, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(u1, expect_u, rtol=1e-4, atol=1e-4)
    expect = np_losses(a, mask, expect_u, v0, list(range(7)), 7, w0, lam, rw, cw)
    np.testing.assert_allclose([loss, reg, sum_w], expect, rtol=1e-4, atol=1e-4)
    # columns: the same equations on the transposed matrix, against the new row factors
    expect_v = np_solve_rows(a.T, mask.T, expect_u, range(5), w0, lam, cw, rw)
    np.testing.assert_allclose(new_v, expect_v, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(v1, expect_v, rtol=1e-3, atol=1e-4)
    expect = np_losses(a.T, mask.T, expect_v, expect_u, list(range(5)), 5, w0, lam, cw, rw)
    np.testing.assert_allclose([closs, creg, csum_w], expect, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("use_caches", [True, False])
def test_a_batch_of_rows_in_any_order_updates_only_those_rows(use_caches):
    config = CONFIGS["list_weights"]
    a, mask, u0, v0 = problem(seed=3)
    rw, cw = _weights(config, a)
    batch = [5, 1, 3]
    sharded = dict(config, row_weights=[list(s) for s in _shards(rw, 3)])
    with tf.Graph().as_default():
        model = factorization.WALSModel(
            7, 5, 2, unobserved_weight=0.1, row_init=_shards(u0, 3), col_init=v0,
            num_row_shards=3, use_factors_weights_cache=use_caches,
            use_gramian_cache=use_caches, **sharded)
        sp = sparse_of(a, mask, rows=batch, order_seed=4)
        new_u, update, loss, reg, sum_w = model.update_row_factors(sp)
        with tf.Session() as sess:
            _start(sess, model)
            _prepare_rows(sess, model)
            got = sess.run([new_u, loss, reg, sum_w])
            sess.run(update)
            u1 = _value(sess, model.row_factors)
            first_seen = sess.run(tf.unique(sp.indices[:, 0])[0])
    order = list(first_seen)
    assert sorted(order) == sorted(batch)
    expect_u = np_solve_rows(a, mask, v0, order, 0.1, config["regularization"], rw, cw)
    np.testing.assert_allclose(got[0], expect_u, rtol=1e-4, atol=1e-4)
    expect = np_losses(a, mask, expect_u, v0, order, 7, 0.1, config["regularization"], rw, cw)
    np.testing.assert_allclose(got[1:], expect, rtol=1e-4, atol=1e-4)
    untouched = [i for i in range(7) if i not in batch]
    np.testing.assert_array_equal(u1[untouched], u0[untouched])
    np.testing.assert_allclose(u1[order], expect_u, rtol=1e-4, atol=1e-4)


def test_column_update_from_untransposed_input():
    a, mask, u0, v0 = problem(seed=5)
    with tf.Graph().as_default():
        model = factorization.WALSModel(7, 5, 2, unobserved_weight=0.5, regularization=0.1,
                                        row_init=u0, col_init=v0, row_weights=2.0,
                                        col_weights=0.5)
        new_a = model.update_col_factors(sparse_of(a, mask))[0]
        new_b = model.update_col_factors(sparse_of(a, mask, transpose=True),
                                         transpose_input=True)[0]
        with tf.Session() as sess:
            _start(sess, model)
            _prepare_cols(sess, model)
            got_a, got_b = sess.run([new_a, new_b])
    # columns come out in order of first appearance in each input
    cols_a = list(dict.fromkeys(np.argwhere(mask > 0)[:, 1]))
    cols_b = list(dict.fromkeys(np.argwhere(mask.T > 0)[:, 0]))
    expect = np_solve_rows(a.T, mask.T, u0, range(5), 0.5, 0.1, np.full(5, 0.5),
                           np.full(7, 2.0))
    np.testing.assert_allclose(got_a, expect[cols_a], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got_b, expect[cols_b], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("projection_weights", [None, 3.0, [0.5, 2.0]])
def test_project_row_factors_solves_for_new_rows(projection_weights):
    a, mask, u0, v0 = problem(seed=6)
    new_rows = np.array([[1.0, 0.0, 2.0, 0.0, -1.0], [0.0, 0.5, 0.0, 0.0, 0.0]], np.float32)
    new_mask = (new_rows != 0).astype(np.float32)
    with tf.Graph().as_default():
        model = factorization.WALSModel(7, 5, 2, unobserved_weight=0.1, regularization=0.05,
                                        row_init=u0, col_init=v0, col_weights=[1, 2, 1, 1, 3],
                                        row_weights=1.0)
        projected = model.project_row_factors(sparse_of(new_rows, new_mask),
                                              projection_weights=projection_weights)
        with tf.Session() as sess:
            _start(sess, model)
            _prepare_rows(sess, model)
            got = sess.run(projected)
            u_after = _value(sess, model.row_factors)
    if projection_weights is None:
        projection_weights = 1.0
    rw = np.broadcast_to(np.asarray(projection_weights, np.float64), (2,))
    expect = np_solve_rows(new_rows, new_mask, v0, range(2), 0.1, 0.05, rw,
                           np.array([1, 2, 1, 1, 3.0]))
    np.testing.assert_allclose(got, expect, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(u_after, u0)  # projection writes nothing


def test_variables_are_named_as_tensorflow():
    with tf.Graph().as_default():
        factorization.WALSModel(5, 4, 2, num_row_shards=2, num_col_shards=3)
        assert [v.op.name for v in tf.global_variables()] == [
            "row_weights_shard_0", "row_weights_shard_1", "col_weights_shard_0",
            "col_weights_shard_1", "col_weights_shard_2", "row_factors_shard_0",
            "row_factors_shard_1", "col_factors_shard_0", "col_factors_shard_1",
            "col_factors_shard_2", "row_gramian", "col_gramian"]
        assert [v.op.name for v in tf.local_variables()][:2] == [
            "transient_vars/row_factors_cache_shard_0", "transient_vars/row_factors_cache_shard_1"]
        assert [v.get_shape().as_list() for v in tf.global_variables()][:2] == [[3], [2]]
        assert tf.trainable_variables()[5].get_shape().as_list() == [3, 2]
    with tf.Graph().as_default():
        factorization.WALSModel(5, 4, 2, row_weights=None, col_weights=None,
                                use_scoped_vars=True)
        assert [v.op.name for v in tf.global_variables()] == [
            "row_factors/row_factors_shard_0", "col_factors/col_factors_shard_0",
            "row_gramian", "col_gramian"]


def test_bad_arguments():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Invalid weight initialization"):
            factorization.WALSModel(5, 4, 2, row_weights=-1.0, col_weights=1.0)
        with pytest.raises(ValueError):
            factorization.WALSModel(5, 4, 2, row_weights=None, col_weights=1.0)
        model = factorization.WALSModel(5, 4, 2)
        with pytest.raises(TypeError):
            model.update_row_factors(np.zeros((5, 4)))


@pytest.mark.parametrize("weighted", [False, True])
def test_alternating_sweeps_recover_a_low_rank_matrix(weighted):
    rng = np.random.RandomState(10)
    m, n, k = 20, 15, 3
    target = (rng.randn(m, k) @ rng.randn(k, n)).astype(np.float32)
    if weighted:  # 70% observed; the observed entries weigh far more than the rest
        mask = (rng.rand(m, n) < 0.7).astype(np.float32)
        config = dict(unobserved_weight=1e-4, row_weights=1.0, col_weights=1.0)
    else:
        mask = np.ones((m, n), np.float32)
        config = dict(unobserved_weight=1.0, row_weights=None, col_weights=None)
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        model = factorization.WALSModel(m, n, k, regularization=1e-4, num_row_shards=2,
                                        **config)
        row_out = model.update_row_factors(sparse_of(target, mask))
        col_out = model.update_col_factors(sparse_of(target, mask, transpose=True),
                                           transpose_input=True)
        with tf.Session() as sess:
            _start(sess, model)
            losses = []
            for _ in range(40):
                _prepare_rows(sess, model)
                losses.append(sess.run([row_out[1], row_out[2]])[1])
                _prepare_cols(sess, model)
                losses.append(sess.run([col_out[1], col_out[2]])[1])
            u = _value(sess, model.row_factors)
            v = _value(sess, model.col_factors)
    approx = u @ v.T
    # the loss falls sweep after sweep (up to float32 cancellation in its sparse/Gramian split)
    assert all(b <= a + 1e-5 * losses[0] for a, b in zip(losses, losses[1:]))
    assert losses[-1] < 1e-4 * losses[0]
    observed = mask > 0
    rms = np.sqrt(np.mean((approx - target)[observed] ** 2))
    assert rms < 1e-2 * np.sqrt(np.mean(target ** 2))
    if weighted:  # the held-out entries are predicted too
        held_out = np.sqrt(np.mean((approx - target)[~observed] ** 2))
        assert held_out < 0.1 * np.sqrt(np.mean(target ** 2))
