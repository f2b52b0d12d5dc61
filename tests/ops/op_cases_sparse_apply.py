"""Op table rows for the sparse optimizer updates (SparseApply*) and ApplyFtrlV2.

Each check builds the op on float64 (and float32) variables, runs it twice and compares the
variable and its slots with NumPy formulas written from TensorFlow's training_ops
documentation, applied row by row in index order (a repeated index updates its row twice, as
TF's kernels do); rows not indexed stay unchanged. Bad indices raise InvalidArgumentError.
"""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core.graph import create_op
from tensorweave.runtime import accel

_rng = np.random.RandomState(18)
_SHAPE = (5, 3)
_INDICES = np.array([3, 0, 3], dtype=np.int32)  # row 3 twice, rows 1, 2 and 4 untouched
_GRAD = _rng.uniform(-1, 1, (3, 3))


def _slot(lo=0.1, hi=1.0):
    return _rng.uniform(lo, hi, _SHAPE)


# --- formulas on one row ---------------------------------------------------------------------
def _momentum(var, accum, g, lr, momentum, use_nesterov=False):
    accum = momentum * accum + g
    step = g * lr + accum * momentum * lr if use_nesterov else lr * accum
    return [var - step, accum]


def _adagrad(var, accum, g, lr, update_slots=True):
    if update_slots:
        accum = accum + g * g
    return [var - lr * g / np.sqrt(accum), accum]


def _rms_prop(var, ms, mom, g, lr, rho, momentum, epsilon):
    ms = rho * ms + (1 - rho) * g * g
    mom = momentum * mom + lr * g / np.sqrt(ms + epsilon)
    return [var - mom, ms, mom]


def _centered_rms_prop(var, mg, ms, mom, g, lr, rho, momentum, epsilon):
    mg = rho * mg + (1 - rho) * g
    ms = rho * ms + (1 - rho) * g * g
    mom = momentum * mom + lr * g / np.sqrt(ms - mg * mg + epsilon)
    return [var - mom, mg, ms, mom]


def _adadelta(var, accum, accum_update, g, lr, rho, epsilon):
    accum = rho * accum + (1 - rho) * g * g
    update = np.sqrt(accum_update + epsilon) / np.sqrt(accum + epsilon) * g
    accum_update = rho * accum_update + (1 - rho) * update * update
    return [var - lr * update, accum, accum_update]


def _ftrl(var, accum, linear, g, lr, l1, l2, lr_power, l2_shrinkage=0.0):
    new_accum = accum + g * g
    shrunk = g + 2 * l2_shrinkage * var
    linear = linear + shrunk - (new_accum ** -lr_power - accum ** -lr_power) / lr * var
    quadratic = new_accum ** -lr_power / lr + 2 * l2
    var = np.where(np.abs(linear) > l1, (np.sign(linear) * l1 - linear) / quadratic, 0.0)
    return [var, new_accum, linear]


def _shrink(prox, rate, l1, l2):
    return np.sign(prox) * np.maximum(np.abs(prox) - rate * l1, 0) / (1 + rate * l2)


def _proximal_gradient_descent(var, g, alpha, l1, l2):
    return [_shrink(var - alpha * g, alpha, l1, l2)]


def _proximal_adagrad(var, accum, g, lr, l1, l2):
    accum = accum + g * g
    rate = lr / np.sqrt(accum)
    return [_shrink(var - rate * g, rate, l1, l2), accum]


def _adagrad_da(var, ga, gsa, g, lr, l1, l2, global_step):
    ga = ga + g
    gsa = gsa + g * g
    shrunk = np.sign(-ga) * np.maximum(np.abs(ga) - l1 * global_step, 0)
    return [shrunk * lr / (l2 * global_step * lr + np.sqrt(gsa)), ga, gsa]


# name -> (formula, slot values, TF's inputs after the variables, attrs): "grad" the gradient
# rows, "indices" their rows, (name, value) a scalar hyperparameter, ("global_step", n) int64.
SPARSE_CASES = {
    "SparseApplyMomentum": (_momentum, [_slot()],
                            [("lr", 0.1), "grad", "indices", ("momentum", 0.9)],
                            {"use_nesterov": False}),
    "SparseApplyMomentum-nesterov": (_momentum, [_slot()],
                                     [("lr", 0.1), "grad", "indices", ("momentum", 0.9)],
                                     {"use_nesterov": True}),
    "SparseApplyAdagrad": (_adagrad, [_slot()], [("lr", 0.1), "grad", "indices"], {}),
    "SparseApplyAdagrad-no_slot_update": (_adagrad, [_slot()],
                                          [("lr", 0.1), "grad", "indices"],
                                          {"update_slots": False}),
    "SparseApplyRMSProp": (_rms_prop, [_slot(), _slot()],
                           [("lr", 0.01), ("rho", 0.9), ("momentum", 0.5), ("epsilon", 1e-10),
                            "grad", "indices"], {}),
    "SparseApplyCenteredRMSProp": (_centered_rms_prop, [_slot(-0.1, 0.1), _slot(), _slot()],
                                   [("lr", 0.01), ("rho", 0.9), ("momentum", 0.5),
                                    ("epsilon", 1e-10), "grad", "indices"], {}),
    "SparseApplyAdadelta": (_adadelta, [_slot(), _slot()],
                            [("lr", 1.0), ("rho", 0.95), ("epsilon", 1e-6), "grad", "indices"],
                            {}),
    "SparseApplyFtrl": (_ftrl, [_slot(), _slot(-2, 2)],
                        ["grad", "indices", ("lr", 0.1), ("l1", 0.3), ("l2", 0.1),
                         ("lr_power", -0.5)], {}),
    "SparseApplyFtrlV2": (_ftrl, [_slot(), _slot(-2, 2)],
                          ["grad", "indices", ("lr", 0.1), ("l1", 0.3), ("l2", 0.1),
                           ("l2_shrinkage", 0.2), ("lr_power", -0.6)], {}),
    "SparseApplyProximalGradientDescent": (
        _proximal_gradient_descent, [],
        [("alpha", 0.1), ("l1", 0.05), ("l2", 0.1), "grad", "indices"], {}),
    "SparseApplyProximalAdagrad": (_proximal_adagrad, [_slot()],
                                   [("lr", 0.1), ("l1", 0.05), ("l2", 0.1), "grad",
                                    "indices"], {}),
    "SparseApplyAdagradDA": (_adagrad_da, [_slot(-1, 1), _slot()],
                             ["grad", "indices", ("lr", 0.1), ("l1", 0.01), ("l2", 0.1),
                              ("global_step", 3)], {}),
}


def _build(op_type, slots, order, attrs, dtype, indices, grad_rows=3):
    w = _rng.uniform(-1, 1, _SHAPE)
    variables = [tf.Variable(v.astype(dtype)) for v in [w] + slots]
    inputs = [v._as_graph_element() for v in variables]
    for item in order:
        if item == "grad":
            inputs.append(tf.constant(_GRAD[:grad_rows].astype(dtype)))
        elif item == "indices":
            inputs.append(tf.constant(indices))
        elif item[0] == "global_step":
            inputs.append(tf.constant(np.int64(item[1])))
        else:
            inputs.append(tf.constant(np.asarray(item[1], dtype)))
    out = create_op(op_type, inputs, **attrs).outputs[0]
    return variables, out, [w] + slots


def _expected(formula, state, order, attrs, indices):
    hyper = dict(attrs, **{k: v for k, v in (i for i in order if i not in ("grad", "indices"))})
    state = [s.copy() for s in state]
    for g, row in zip(_GRAD, indices):
        new = formula(*[s[row] for s in state], g, **hyper)
        for s, n in zip(state, new):
            s[row] = n
    return state


def _check_sparse(name, dtype=np.float64):
    op_type = name.split("-")[0]
    formula, slots, order, attrs = SPARSE_CASES[name]
    graph = tf.Graph()
    with graph.as_default():
        variables, out, state = _build(op_type, slots, order, attrs, dtype, _INDICES)
        init = tf.global_variables_initializer()
    assert out.shape.as_list() == list(_SHAPE) and out.dtype.as_numpy_dtype == dtype
    assert accel.variant_for(out.op) is None  # no dense speed variant runs a sparse update
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == np.float64 else dict(rtol=2e-5, atol=1e-6)
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        fetched = []
        for _ in range(2):
            fetched.append(sess.run(out))
            state = _expected(formula, state, order, attrs, _INDICES)
            assert fetched[-1].dtype == dtype
            np.testing.assert_allclose(fetched[-1], state[0], **tol)
            for v, expected in zip(variables, state):
                np.testing.assert_allclose(sess.run(v), expected, **tol)
        assert not np.array_equal(fetched[0], fetched[1])  # fetched values are not aliased
    _check_bad_index(op_type, slots, order, attrs)


def _check_bad_index(op_type, slots, order, attrs):
    graph = tf.Graph()
    with graph.as_default():
        _, out, _ = _build(op_type, slots, order, attrs, np.float64,
                           np.array([1, 7, 1], np.int32))
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Index 7 at offset 1 in indices is out of range"):
            sess.run(out)
    with tf.Graph().as_default():  # shape rules: one gradient row per index, 1-D indices
        with pytest.raises(ValueError, match=op_type):
            _build(op_type, slots, order, attrs, np.float64, np.array([1, 2], np.int32))
        with pytest.raises(ValueError, match=op_type):
            _build(op_type, slots, order, attrs, np.float64, np.array([[1, 2, 3]], np.int32))


def _sparse_check(op_type):
    """Every row of SPARSE_CASES for `op_type` (its attr variants too), float64 and float32."""
    def check():
        for name in SPARSE_CASES:
            if name.split("-")[0] == op_type:
                _check_sparse(name)
                _check_sparse(name, np.float32)
    return check


def _check_apply_ftrl_v2():
    """The dense FtrlV2 update against the formula, with the variants on and off."""
    for accel_on in (False, True):
        graph = tf.Graph()
        slots = [_slot(), _slot(-2, 2)]
        hyper = [("lr", 0.1), ("l1", 0.3), ("l2", 0.1), ("l2_shrinkage", 0.2),
                 ("lr_power", -0.6)]
        grad = _rng.uniform(-1, 1, _SHAPE)
        with graph.as_default():
            w = _rng.uniform(-1, 1, _SHAPE)
            variables = [tf.Variable(v) for v in [w] + slots]
            inputs = [v._as_graph_element() for v in variables] + [tf.constant(grad)]
            inputs += [tf.constant(np.float64(v)) for _, v in hyper]
            out = create_op("ApplyFtrlV2", inputs).outputs[0]
            init = tf.global_variables_initializer()
        state = [w] + slots
        with tf.Session(graph=graph, config=tf.ConfigProto(accel=accel_on)) as sess:
            sess.run(init)
            for _ in range(2):
                value = sess.run(out)
                state = _ftrl(*state, grad, **dict(hyper))
                np.testing.assert_allclose(value, state[0], rtol=1e-12, atol=1e-14)
                for v, expected in zip(variables, state):
                    np.testing.assert_allclose(sess.run(v), expected, rtol=1e-12, atol=1e-14)


SESSION_CASES = {name.split("-")[0]: _sparse_check(name.split("-")[0]) for name in SPARSE_CASES}
SESSION_CASES["ApplyFtrlV2"] = _check_apply_ftrl_v2
