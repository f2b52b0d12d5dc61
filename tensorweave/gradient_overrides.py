"""custom_gradient, recompute_grad and grad_pass_through: user-defined gradients.

    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)
        def grad(dy):
            return dy * (1 - 1 / (1 + e))
        return tf.log(1 + e), grad

As in TensorFlow's graph mode, the results, the arguments and the variables the function reads
pass together through one IdentityN op whose gradient (through `gradient_override_map`) calls
`grad`; the function's own ops are not differentiated. The grad functions are kept in the
graph (by IdentityN op name), not in a process-wide table.
"""
import functools
import inspect

from tensorweave.variable_scope import get_variable_scope, variable_scope
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, control_dependencies, get_default_graph
from tensorweave.core.operation import Tensor
from tensorweave.gradients import RegisterGradient, gradients
from tensorweave.ops.array import identity
from tensorweave.ops.array.structural import identity_n
from tensorweave.util import nest

__all__ = ["custom_gradient", "grad_pass_through", "recompute_grad"]

GRADIENT_NAME = "TensorweaveCustomGradient"  # the gradient_override_map name of the IdentityN


class GradientFunctions:
    """One graph's custom gradients: IdentityN op name -> fn(*output_grads) -> input grads."""

    def __init__(self):
        self.functions = {}


def _functions(graph):
    return graph.extension(GradientFunctions, GradientFunctions).functions


@RegisterGradient(GRADIENT_NAME)
def _custom_rule(op, *output_grads):
    return _functions(op.graph)[op.name](*output_grads)


def _variables_read(results, args):
    """The graph's variables that `results` read, found walking back to `args`."""
    graph = get_default_graph()
    by_op = {}
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
        for v in graph.get_collection(key):
            by_op.setdefault(v.op, v)
    stop = {a.op for a in args}
    seen, found, stack = set(), [], [t.op for t in results]
    while stack:
        op = stack.pop()
        if op in seen or op in stop:
            continue
        seen.add(op)
        if op in by_op:
            found.append(by_op[op])
            continue
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return sorted(found, key=lambda v: v.op.creation_index)


def _takes_variables(fn):
    try:
        spec = inspect.getfullargspec(fn)
    except TypeError:
        return False
    return "variables" in spec.args or "variables" in spec.kwonlyargs or spec.varkw is not None


def _graph_mode_call(f, args, kwargs):
    if kwargs:
        raise ValueError("The custom_gradient decorator currently supports keywords arguments "
                         "only when eager execution is enabled.")
    args = nest.map_structure(convert_to_tensor, list(args))
    flat_args = nest.flatten(args)
    result, grad_fn = f(*args)
    flat_result = [convert_to_tensor(t) for t in nest.flatten(result)]
    variables = _variables_read(flat_result, flat_args) if _takes_variables(grad_fn) else []
    count = len(flat_result)

    def tape_grad_fn(*output_grads):
        result_grads = output_grads[:count]
        if variables:
            input_grads, variable_grads = grad_fn(*result_grads, variables=variables)
            variable_grads = list(variable_grads)
            if len(variable_grads) != len(variables):
                raise ValueError("Must return gradient for each variable from @custom_gradient "
                                 "grad_fn.")
        else:
            input_grads, variable_grads = grad_fn(*result_grads), []
        input_grads = nest.flatten(input_grads)
        if len(input_grads) != len(flat_args):
            raise ValueError(f"custom_gradient function expected to return {len(flat_args)} "
                             f"gradients but returned {len(input_grads)} instead.")
        return [None] * count + input_grads + variable_grads

    graph = get_default_graph()
    inputs = flat_result + flat_args + [v.op.outputs[0] for v in variables]
    with graph.gradient_override_map({"IdentityN": GRADIENT_NAME}):
        passed = identity_n(inputs)
    _functions(graph)[passed[0].op.name] = tape_grad_fn
    return nest.pack_sequence_as(result, passed[:count])


def custom_gradient(f=None):
    """Decorator: `f(*x)` returns `(y, grad_fn)`; the gradient of y with respect to x is then
    `grad_fn(*dy)` (one gradient per x). When grad_fn takes a `variables` keyword, it is given
    the variables f read and returns `(input_grads, variable_grads)`."""
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        return _graph_mode_call(f, args, kwargs)
    return decorated


def grad_pass_through(f):
    """`f` whose gradient is the identity: `y = f(x)` differentiates as `y = x` (the
    straight-through estimator). Variables f reads get no gradient."""
    @custom_gradient
    def pass_through(*args):
        def grad(*dys, **kwargs):
            variables = kwargs.get("variables")
            if variables is not None:
                return list(dys), [None] * len(variables)
            return list(dys)
        return f(*args), grad

    return functools.wraps(f)(pass_through)


def recompute_grad(f):
    """`f` whose intermediate values are not kept for its gradient: the gradient runs `f`
    again (reusing its variables) and differentiates that."""
    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        scope = get_variable_scope()

        @custom_gradient
        def inner(*inner_args):
            result = f(*inner_args, **kwargs)

            def grad(*dresult, variables=None):
                id_args = [identity(x) for x in inner_args]
                with variable_scope(scope, reuse=True), control_dependencies(
                        [d for d in dresult if isinstance(d, Tensor)]):
                    again = f(*id_args, **kwargs)
                targets = id_args + list(variables or [])
                grads = gradients(nest.flatten(again), targets,
                                                grad_ys=list(dresult))
                if variables is None:
                    return grads[:len(id_args)]
                return grads[:len(id_args)], grads[len(id_args):]
            return result, grad
        return inner(*args)
    return wrapped
