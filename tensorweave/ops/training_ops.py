"""Optimizer update ops: each applies one optimizer's formula to variable buffers in place.

`Apply<Rule>` updates the whole variable from a dense gradient; `SparseApply<Rule>` updates only
the rows `indices` from a gradient of those rows (tf.gather's IndexedSlices gradient), with the
same formula. A repeated index applies its rows one after the other, as TF's kernels do.

These are the reference kernels; runtime/accel/ runs large dense updates over slices (sparse
updates touch only their rows and need none). Each computes in TF's kernel's order, so the
float32 results are TF's to the bit."""
import functools

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.ops.state_ops import check_ref


def _apply_shape(op_type, refs, grad_index, step_index=None):
    def shape(*inputs, **attrs):
        var, grad = inputs[0], inputs[grad_index]
        for ref in inputs[:refs]:
            check_ref(op_type, ref)
        if not var.shape.is_compatible_with(grad.shape):
            raise ValueError(f"{op_type} requires a gradient of the variable's shape "
                             f"{var.shape}, got {grad.shape}")
        step = inputs[step_index] if step_index is not None else None
        if step is not None and step.dtype.name != "int64":
            raise TypeError(f"{op_type} requires an int64 global_step, got {step.dtype.name}")
        for t in inputs:
            if t is not step and t.dtype is not var.dtype:
                raise TypeError(f"{op_type} requires every input in the variable's dtype "
                                f"{var.dtype.name}, got {t.dtype.name} for {t.name}")
        for t in inputs[refs:]:
            if t is not grad and t.shape.ndims not in (None, 0):
                raise ValueError(f"{op_type} requires scalar hyperparameters, got shape "
                                 f"{t.shape} for {t.name}")
        return [(var.dtype, var.shape)]
    return shape


def _register_apply(op_type, refs, kernel, grad_index=-1, step_index=None):
    """Registers `op_type` (inputs: `refs` variable refs, then hyperparameters and the gradient
    at `grad_index`; an int64 step at `step_index`) and returns its op function."""
    register_op(op_type, shape=_apply_shape(op_type, refs, grad_index, step_index),
                kernel=kernel,
                stateful=True, ref_inputs=refs, grad=NOT_DIFFERENTIABLE, shares_memory=True,
                gradient_input=grad_index)

    def apply(*inputs, name=None, **attrs):
        return create_op(op_type, list(inputs), name=name or op_type, **attrs).outputs[0]
    apply.__name__ = op_type
    apply.__doc__ = f"Updates the variable in place with the {op_type[5:]} rule."
    return apply


def _gradient_descent(state, name, var, alpha, delta):
    w = state.read_variable(var)
    w -= alpha * delta
    return w


def _momentum(state, name, var, accum, lr, grad, momentum, *, use_nesterov):
    w, a = state.read_variable(var), state.read_variable(accum)
    a *= momentum
    a += grad
    if use_nesterov:
        w -= grad * lr + a * momentum * lr
    else:
        w -= a * lr
    return w


def _adam(state, name, var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
          *, use_nesterov):
    w, m, v = state.read_variable(var), state.read_variable(m), state.read_variable(v)
    lr_t = lr * np.sqrt(1 - beta2_power) / (1 - beta1_power)
    scratch = np.subtract(grad, m, out=np.empty_like(m))  # one temporary for every pass below
    scratch *= 1 - beta1
    m += scratch  # m = beta1 m + (1 - beta1) g
    np.multiply(grad, grad, out=scratch)
    scratch -= v
    scratch *= 1 - beta2
    v += scratch  # v = beta2 v + (1 - beta2) g^2
    step = (m * beta1 + (1 - beta1) * grad) if use_nesterov else m
    np.sqrt(v, out=scratch)
    scratch += epsilon
    np.divide(step * lr_t, scratch, out=scratch)  # TF's order: (m alpha) / (sqrt(v) + eps)
    w -= scratch
    return w


def _adagrad(state, name, var, accum, lr, grad):
    w, a = state.read_variable(var), state.read_variable(accum)
    a += grad * grad
    w -= grad * lr * (1 / np.sqrt(a))
    return w


def _rms_prop(state, name, var, ms, mom, lr, rho, momentum, epsilon, grad):
    w, ms, mom = state.read_variable(var), state.read_variable(ms), state.read_variable(mom)
    ms += (grad * grad - ms) * (1 - rho)
    mom *= momentum
    mom += lr * grad / np.sqrt(ms + epsilon)
    w -= mom
    return w


def _centered_rms_prop(state, name, var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
    w, mg, ms, mom = (state.read_variable(k) for k in (var, mg, ms, mom))
    ms += (grad * grad - ms) * (1 - rho)
    mg += (grad - mg) * (1 - rho)
    mom *= momentum
    mom += lr * grad / np.sqrt(ms - mg * mg + epsilon)
    w -= mom
    return w


def _adadelta(state, name, var, accum, accum_update, lr, rho, epsilon, grad):
    w, a, u = (state.read_variable(k) for k in (var, accum, accum_update))
    a *= rho
    a += grad * grad * (1 - rho)
    update = np.sqrt(u + epsilon) / np.sqrt(a + epsilon) * grad
    u *= rho
    u += update * update * (1 - rho)
    w -= update * lr
    return w


def _ftrl(state, name, var, accum, linear, grad, lr, l1, l2, lr_power):
    return _ftrl_v2(state, name, var, accum, linear, grad, lr, l1, l2, 0, lr_power)


def _ftrl_v2(state, name, var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power):
    w, a, lin = (state.read_variable(k) for k in (var, accum, linear))
    new_accum = a + grad * grad
    shrunk = grad + 2 * l2_shrinkage * w if l2_shrinkage else grad
    lin += shrunk - (new_accum ** -lr_power - a ** -lr_power) / lr * w
    quadratic = new_accum ** -lr_power / lr + 2 * l2
    w[...] = np.where(np.abs(lin) > l1, (np.clip(lin, -l1, l1) - lin) / quadratic, 0)
    a[...] = new_accum
    return w


def _proximal(w, prox, lr, l1, l2):
    """w = soft-threshold(prox, lr * l1) / (1 + lr * l2), written into w."""
    if l1 > 0:
        prox = np.sign(prox) * np.maximum(np.abs(prox) - lr * l1, 0)
    w[...] = prox / (1 + lr * l2)
    return w


def _proximal_gradient_descent(state, name, var, alpha, l1, l2, delta):
    w = state.read_variable(var)
    return _proximal(w, w - alpha * delta, alpha, l1, l2)


def _proximal_adagrad(state, name, var, accum, lr, l1, l2, grad):
    w, a = state.read_variable(var), state.read_variable(accum)
    a += grad * grad
    rate = lr / np.sqrt(a)
    return _proximal(w, w - grad * rate, rate, l1, l2)


def _adagrad_da(state, name, var, grad_accum, grad_squared_accum, grad, lr, l1, l2,
                global_step):
    w, ga, gsa = (state.read_variable(k) for k in (var, grad_accum, grad_squared_accum))
    global_step = w.dtype.type(global_step)  # TF casts the step to the variable's dtype
    ga += grad
    gsa += grad * grad
    denominator = l2 * global_step * lr + np.sqrt(gsa)
    if l1 > 0:
        numerator = np.sign(-ga) * lr * np.maximum(np.abs(ga) - l1 * global_step, 0)
    else:
        numerator = -ga * lr
    w[...] = numerator / denominator
    return w


def _ada_max(state, name, var, m, v, beta1_power, lr, beta1, beta2, epsilon, grad):
    """AdaMax (Kingma & Ba, section 7.1): m = beta1 m + (1 - beta1) g, v = max(beta2 v, |g|),
    var -= lr / (1 - beta1^t) * (m / (v + epsilon))."""
    w, m, v = state.read_variable(var), state.read_variable(m), state.read_variable(v)
    m += (grad - m) * (1 - beta1)
    np.maximum(v * beta2, np.abs(grad), out=v)
    w -= lr / (1 - beta1_power) * (m / (v + epsilon))
    return w


def _add_sign(state, name, var, m, lr, alpha, sign_decay, beta, grad):
    """AddSign (Bello et al. 2017): m = beta m + (1 - beta) g,
    var -= lr * (alpha + sign_decay * sign(g) sign(m)) * g."""
    w, m = state.read_variable(var), state.read_variable(m)
    m[...] = m * beta + grad * (1 - beta)
    w -= lr * (alpha + sign_decay * (np.sign(grad) * np.sign(m))) * grad
    return w


def _power_sign(state, name, var, m, lr, logbase, sign_decay, beta, grad):
    """PowerSign (Bello et al. 2017): m = beta m + (1 - beta) g,
    var -= lr * exp(logbase * sign_decay * sign(g) sign(m)) * g."""
    w, m = state.read_variable(var), state.read_variable(m)
    m[...] = m * beta + grad * (1 - beta)
    exponent = logbase * sign_decay * (np.sign(grad) * np.sign(m))
    # exp rounded from double: TF's float exp(+-1) is that, NumPy's float32 exp is 1 ulp off
    scale = np.exp(exponent.astype(np.float64)).astype(w.dtype)
    w -= lr * scale * grad
    return w


apply_gradient_descent = _register_apply("ApplyGradientDescent", 1, _gradient_descent)
apply_momentum = _register_apply("ApplyMomentum", 2, _momentum, grad_index=3)
apply_adam = _register_apply("ApplyAdam", 3, _adam)
apply_adagrad = _register_apply("ApplyAdagrad", 2, _adagrad)
apply_rms_prop = _register_apply("ApplyRMSProp", 3, _rms_prop)
apply_centered_rms_prop = _register_apply("ApplyCenteredRMSProp", 4, _centered_rms_prop)
apply_adadelta = _register_apply("ApplyAdadelta", 3, _adadelta)
apply_ftrl = _register_apply("ApplyFtrl", 3, _ftrl, grad_index=3)
apply_proximal_gradient_descent = _register_apply("ApplyProximalGradientDescent", 1,
                                                  _proximal_gradient_descent)
apply_proximal_adagrad = _register_apply("ApplyProximalAdagrad", 2, _proximal_adagrad)
apply_adagrad_da = _register_apply("ApplyAdagradDA", 3, _adagrad_da, grad_index=3,
                                   step_index=7)
apply_ftrl_v2 = _register_apply("ApplyFtrlV2", 3, _ftrl_v2, grad_index=3)
apply_ada_max = _register_apply("ApplyAdaMax", 3, _ada_max)
apply_add_sign = _register_apply("ApplyAddSign", 2, _add_sign)
apply_power_sign = _register_apply("ApplyPowerSign", 2, _power_sign)


# --- sparse updates: the rows `indices` of the variable and its slots -------------------------
def _sparse_shape(op_type, refs, grad_index, step_index=None):
    """The shape rule of a SparseApply op: inputs as its dense form's, with `indices` (1-D,
    int32/int64) right after the gradient, whose rows are indexed rows of the variable."""
    def shape(*inputs, **attrs):
        var, grad, indices = inputs[0], inputs[grad_index], inputs[grad_index + 1]
        for ref in inputs[:refs]:
            check_ref(op_type, ref)
            if not var.shape.is_compatible_with(ref.shape):
                raise ValueError(f"{op_type} requires slots of the variable's shape "
                                 f"{var.shape}, got {ref.shape} for {ref.name}")
        if indices.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"{op_type} requires int32 or int64 indices, got "
                            f"{indices.dtype.name}")
        if indices.shape.ndims not in (None, 1):
            raise ValueError(f"{op_type} requires 1-D indices, got shape {indices.shape}")
        if var.shape.ndims == 0:
            raise ValueError(f"{op_type} requires a variable of rank >= 1, got a scalar")
        if var.shape.ndims is not None and grad.shape.ndims is not None:
            rows = grad.shape.as_tuple()[:1] + var.shape.as_tuple()[1:]
            if grad.shape.ndims != var.shape.ndims or \
                    not grad.shape.is_compatible_with(rows):
                raise ValueError(f"{op_type} requires a gradient of shape [n] + "
                                 f"{var.shape.as_list()[1:]}, got {grad.shape}")
        if grad.shape.ndims and not grad.shape[:1].is_compatible_with(indices.shape[:1]):
            raise ValueError(f"{op_type} requires one gradient row per index, got "
                             f"{grad.shape} rows for indices of shape {indices.shape}")
        step = inputs[step_index] if step_index is not None else None
        if step is not None and step.dtype.name != "int64":
            raise TypeError(f"{op_type} requires an int64 global_step, got {step.dtype.name}")
        for t in inputs:
            if t is not step and t is not indices and t.dtype is not var.dtype:
                raise TypeError(f"{op_type} requires every input in the variable's dtype "
                                f"{var.dtype.name}, got {t.dtype.name} for {t.name}")
        for t in inputs[refs:]:
            if t is not grad and t is not indices and t.shape.ndims not in (None, 0):
                raise ValueError(f"{op_type} requires scalar hyperparameters, got shape "
                                 f"{t.shape} for {t.name}")
        return [(var.dtype, var.shape)]
    return shape


class _Rows:
    """The session state as a dense update kernel sees it while it runs on some rows: each
    variable it reads is a copy of those rows, written back afterwards."""

    def __init__(self, rows):
        self._rows = rows

    def read_variable(self, key):
        return self._rows[key]


def _rounds(indices):
    """Positions into `indices` in rounds without a repeated index: the k-th occurrence of
    every index is in round k (so rounds applied in order apply repeats one after another)."""
    if indices.size < 2 or np.unique(indices).size == indices.size:
        return [slice(None)]
    order = np.argsort(indices, kind="stable")
    ordered = indices[order]
    starts = np.r_[0, np.flatnonzero(ordered[1:] != ordered[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, ordered.size]))
    occurrence = np.empty_like(order)
    occurrence[order] = np.arange(ordered.size) - run_start
    return [np.flatnonzero(occurrence == k) for k in range(int(occurrence.max()) + 1)]


def _sparse_kernel(dense_kernel, refs, grad_index):
    """The kernel of a SparseApply op: `dense_kernel` run on copies of the indexed rows of the
    variable and its slots, which are then written back (it takes the dense kernel's attrs)."""
    @functools.wraps(dense_kernel)
    def kernel(state, name, *inputs, **attrs):
        keys = inputs[:refs]
        buffers = [state.read_variable(k) for k in keys]
        grad, indices = inputs[grad_index], inputs[grad_index + 1]
        for b in buffers[1:]:
            if b.shape != buffers[0].shape:
                raise errors.InvalidArgumentError(
                    None, None, f"var and accum do not have the same shape"
                    f"{list(buffers[0].shape)} {list(b.shape)}")
        if grad.shape[1:] != buffers[0].shape[1:] or grad.shape[:1] != indices.shape:
            raise errors.InvalidArgumentError(
                None, None, f"grad must be the same size as indices in the first dimension "
                f"and match var in the others: grad {list(grad.shape)}, indices "
                f"{list(indices.shape)}, var {list(buffers[0].shape)}")
        bad = np.flatnonzero((indices < 0) | (indices >= buffers[0].shape[0]))
        if bad.size:
            raise errors.InvalidArgumentError(
                None, None, f"Index {indices[bad[0]]} at offset {bad[0]} in indices is out "
                "of range")
        args = list(inputs)
        del args[grad_index + 1]
        for part in _rounds(indices):
            rows = indices[part]
            copies = {k: b[rows] for k, b in zip(keys, buffers)}
            args[grad_index] = grad[part]
            dense_kernel(_Rows(copies), name, *args, **attrs)
            for k, b in zip(keys, buffers):
                b[rows] = copies[k]
        return buffers[0]
    kernel.__name__ = kernel.__qualname__ = "sparse" + dense_kernel.__name__
    return kernel


def _register_sparse(op_type, refs, dense_kernel, grad_index, step_index=None):
    """Registers `op_type` (the inputs of its dense form with `indices` after the gradient at
    `grad_index`) and returns its op function."""
    register_op(op_type, shape=_sparse_shape(op_type, refs, grad_index, step_index),
                kernel=_sparse_kernel(dense_kernel, refs, grad_index),
                stateful=True, ref_inputs=refs, grad=NOT_DIFFERENTIABLE, shares_memory=True)

    def apply(*inputs, name=None, **attrs):
        return create_op(op_type, list(inputs), name=name or op_type, **attrs).outputs[0]
    apply.__name__ = op_type
    apply.__doc__ = (f"Updates the rows `indices` of the variable in place with the "
                     f"{op_type[11:]} rule.")
    return apply


def _adagrad_update_slots(state, name, var, accum, lr, grad, *, update_slots=True):
    if update_slots:
        return _adagrad(state, name, var, accum, lr, grad)
    w, a = state.read_variable(var), state.read_variable(accum)
    w -= lr * grad / np.sqrt(a)
    return w


sparse_apply_momentum = _register_sparse("SparseApplyMomentum", 2, _momentum, 3)
sparse_apply_adagrad = _register_sparse("SparseApplyAdagrad", 2, _adagrad_update_slots, 3)
sparse_apply_rms_prop = _register_sparse("SparseApplyRMSProp", 3, _rms_prop, 7)
sparse_apply_centered_rms_prop = _register_sparse("SparseApplyCenteredRMSProp", 4,
                                                  _centered_rms_prop, 8)
sparse_apply_adadelta = _register_sparse("SparseApplyAdadelta", 3, _adadelta, 6)
sparse_apply_ftrl = _register_sparse("SparseApplyFtrl", 3, _ftrl, 3)
sparse_apply_ftrl_v2 = _register_sparse("SparseApplyFtrlV2", 3, _ftrl_v2, 3)
sparse_apply_proximal_gradient_descent = _register_sparse(
    "SparseApplyProximalGradientDescent", 1, _proximal_gradient_descent, 4)
sparse_apply_proximal_adagrad = _register_sparse("SparseApplyProximalAdagrad", 2,
                                                 _proximal_adagrad, 5)
sparse_apply_adagrad_da = _register_sparse("SparseApplyAdagradDA", 3, _adagrad_da, 3,
                                           step_index=8)
