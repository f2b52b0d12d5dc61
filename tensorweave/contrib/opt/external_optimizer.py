"""Optimizers outside the graph: ExternalOptimizerInterface runs an external minimizer over
the packed values of the variables, evaluating the loss and its gradient (and constraints)
with Session.run; ScipyOptimizerInterface uses scipy.optimize.minimize (SciPy must be
installed: it is not a tensorweave dependency).

    opt = tf.contrib.opt.ScipyOptimizerInterface(loss, options={"maxiter": 100})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        opt.minimize(sess)
"""
import numpy as np

from tensorweave import variables
from tensorweave.core import context
from tensorweave.core.constants import convert_to_tensor
from tensorweave.gradients import gradients as symbolic_gradients
from tensorweave.ops import array
from tensorweave.platform import tf_logging as logging


def _shape_tuple(tensor):
    return tuple(tensor.shape.as_list())


class ExternalOptimizerInterface:
    """Base class: subclasses implement `_minimize(initial_val, loss_grad_func, equality_funcs,
    equality_grad_funcs, inequality_funcs, inequality_grad_funcs, packed_bounds, step_callback,
    optimizer_kwargs)` returning the packed minimizing values. Equalities are constraints
    `c(x) == 0`, inequalities `c(x) >= 0`; var_to_bounds maps a variable to (low, high)."""

    def __init__(self, loss, var_list=None, equalities=None, inequalities=None,
                 var_to_bounds=None, **optimizer_kwargs):
        self._loss = loss
        self._equalities = equalities or []
        self._inequalities = inequalities or []
        self._vars = variables.trainable_variables() if var_list is None else list(var_list)
        packed_bounds = None
        if var_to_bounds is not None:
            low, high = [], []
            for var in self._vars:
                shape = _shape_tuple(var)
                bounds = var_to_bounds.get(var, (-np.inf, np.inf))
                low.extend(np.broadcast_to(bounds[0], shape).flat)
                high.extend(np.broadcast_to(bounds[1], shape).flat)
            packed_bounds = list(zip(low, high))
        self._packed_bounds = packed_bounds
        self._update_placeholders = [array.placeholder(var.dtype) for var in self._vars]
        self._var_updates = [var.assign(array.reshape(p, _shape_tuple(var)))
                             for var, p in zip(self._vars, self._update_placeholders)]
        loss_grads = _compute_gradients(loss, self._vars)
        equalities_grads = [_compute_gradients(e, self._vars) for e in self._equalities]
        inequalities_grads = [_compute_gradients(i, self._vars) for i in self._inequalities]
        self.optimizer_kwargs = optimizer_kwargs
        self._packed_var = self._pack([var.value() for var in self._vars])
        self._packed_loss_grad = self._pack(loss_grads)
        self._packed_equality_grads = [self._pack(g) for g in equalities_grads]
        self._packed_inequality_grads = [self._pack(g) for g in inequalities_grads]
        ends = np.cumsum([0] + [int(np.prod(_shape_tuple(var), dtype=np.int64))
                                for var in self._vars])
        self._packing_slices = [slice(int(a), int(b)) for a, b in zip(ends[:-1], ends[1:])]

    def minimize(self, session=None, feed_dict=None, fetches=None, step_callback=None,
                 loss_callback=None, **run_kwargs):
        """Minimizes the loss, then writes the result into the variables. loss_callback gets
        the values of `fetches` at each loss evaluation; step_callback the packed values
        after each step of the external minimizer."""
        session = session or context.get_default_session()
        feed_dict = feed_dict or {}
        fetches = fetches or []
        loss_callback = loss_callback or (lambda *fetched: None)
        step_callback = step_callback or (lambda xk: None)
        loss_grad_func = self._make_eval_func([self._loss, self._packed_loss_grad], session,
                                              feed_dict, fetches, loss_callback)
        equality_funcs = self._make_eval_funcs(self._equalities, session, feed_dict, fetches)
        equality_grad_funcs = self._make_eval_funcs(self._packed_equality_grads, session,
                                                    feed_dict, fetches)
        inequality_funcs = self._make_eval_funcs(self._inequalities, session, feed_dict,
                                                 fetches)
        inequality_grad_funcs = self._make_eval_funcs(self._packed_inequality_grads, session,
                                                      feed_dict, fetches)
        initial = session.run(self._packed_var)
        packed = self._minimize(
            initial_val=initial, loss_grad_func=loss_grad_func,
            equality_funcs=equality_funcs, equality_grad_funcs=equality_grad_funcs,
            inequality_funcs=inequality_funcs, inequality_grad_funcs=inequality_grad_funcs,
            packed_bounds=self._packed_bounds, step_callback=step_callback,
            optimizer_kwargs=self.optimizer_kwargs)
        values = [packed[s] for s in self._packing_slices]
        session.run(self._var_updates, feed_dict=dict(zip(self._update_placeholders, values)),
                    **run_kwargs)

    def _minimize(self, initial_val, loss_grad_func, equality_funcs, equality_grad_funcs,
                  inequality_funcs, inequality_grad_funcs, packed_bounds, step_callback,
                  optimizer_kwargs):
        raise NotImplementedError("To be implemented by subclasses")

    @classmethod
    def _pack(cls, tensors):
        """One 1-D tensor of `tensors` flattened and concatenated (None for none)."""
        if not tensors:
            return None
        if len(tensors) == 1:
            return array.reshape(tensors[0], [-1])
        return array.concat([array.reshape(t, [-1]) for t in tensors], 0)

    def _make_eval_func(self, tensors, session, feed_dict, fetches, callback=None):
        """fn(x) -> the values of `tensors` with the variables fed from packed x."""
        if not isinstance(tensors, list):
            tensors = [tensors]
        count = len(tensors)

        def eval_func(x):
            feeds = {var: x[s].reshape(_shape_tuple(var))
                     for var, s in zip(self._vars, self._packing_slices)}
            feeds.update(feed_dict)
            values = session.run(tensors + list(fetches), feed_dict=feeds)
            if callable(callback):
                callback(*values[count:])
            return values[:count]
        return eval_func

    def _make_eval_funcs(self, tensors, session, feed_dict, fetches, callback=None):
        return [self._make_eval_func(t, session, feed_dict, fetches, callback)
                for t in tensors]


class ScipyOptimizerInterface(ExternalOptimizerInterface):
    """scipy.optimize.minimize over the variables (method 'L-BFGS-B' unless `method=` says
    otherwise; `options=` and other keywords go to SciPy). ImportError without SciPy."""

    _DEFAULT_METHOD = "L-BFGS-B"

    def __init__(self, loss, var_list=None, equalities=None, inequalities=None,
                 var_to_bounds=None, **optimizer_kwargs):
        _scipy_optimize()
        super().__init__(loss, var_list=var_list, equalities=equalities,
                         inequalities=inequalities, var_to_bounds=var_to_bounds,
                         **optimizer_kwargs)

    def _minimize(self, initial_val, loss_grad_func, equality_funcs, equality_grad_funcs,
                  inequality_funcs, inequality_grad_funcs, packed_bounds, step_callback,
                  optimizer_kwargs):
        def loss_grad_func_wrapper(x):
            loss, gradient = loss_grad_func(x)  # SciPy's L-BFGS-B wants float64
            return loss, gradient.astype("float64")

        optimizer_kwargs = dict(optimizer_kwargs.items())
        method = optimizer_kwargs.pop("method", self._DEFAULT_METHOD)
        constraints = []
        for func, grad_func in zip(equality_funcs, equality_grad_funcs):
            constraints.append({"type": "eq", "fun": func, "jac": grad_func})
        for func, grad_func in zip(inequality_funcs, inequality_grad_funcs):
            constraints.append({"type": "ineq", "fun": func, "jac": grad_func})
        minimize_args = [loss_grad_func_wrapper, initial_val]
        minimize_kwargs = {"jac": True, "callback": step_callback, "method": method,
                           "constraints": constraints, "bounds": packed_bounds}
        for kwarg in minimize_kwargs:
            if kwarg in optimizer_kwargs:
                if kwarg == "bounds":
                    raise ValueError("Bounds must be set using the var_to_bounds argument")
                raise ValueError(f"Optimizer keyword arg '{kwarg}' is set automatically and "
                                 "cannot be injected manually")
        minimize_kwargs.update(optimizer_kwargs)
        if method == "SLSQP":  # SLSQP takes no step callback
            del minimize_kwargs["callback"]
        result = _scipy_optimize().minimize(*minimize_args, **minimize_kwargs)
        logging.info("Optimization terminated with:\n  Message: %s\n  Objective function "
                     "value: %f\n", result["message"], result["fun"])
        for key in ("nit", "nfev", "njev"):
            if key in result:
                logging.info("  Number of %s: %d", key, result[key])
        return result["x"]


def _scipy_optimize():
    try:
        import scipy.optimize  # noqa: PLC0415 - optional, loaded when used
    except ImportError as e:
        raise ImportError("tf.contrib.opt.ScipyOptimizerInterface needs SciPy, which is not "
                          "installed (pip install scipy); tensorweave itself does not "
                          "depend on it") from e
    return scipy.optimize


def _compute_gradients(tensor, var_list):
    """Dense gradients of `tensor` for `var_list`, zeros where no gradient flows."""
    grads = symbolic_gradients(tensor, [v._ref() for v in var_list])
    return [array.zeros_like(var.value()) if grad is None else convert_to_tensor(grad)
            for var, grad in zip(var_list, grads)]
