"""Optimizer update ops: each applies one optimizer's formula to variable buffers in place.

These are the reference kernels; runtime/accel/ runs large updates over slices and gradient
descent as one BLAS axpy."""
import numpy as np

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
        w -= grad * lr + a * (momentum * lr)
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
    np.divide(step, scratch, out=scratch)
    scratch *= lr_t
    w -= scratch
    return w


def _adagrad(state, name, var, accum, lr, grad):
    w, a = state.read_variable(var), state.read_variable(accum)
    a += grad * grad
    w -= lr * grad / np.sqrt(a)
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
    w, a, lin = (state.read_variable(k) for k in (var, accum, linear))
    new_accum = a + grad * grad
    lin += grad - (new_accum ** -lr_power - a ** -lr_power) / lr * w
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
