"""Symbolic differentiation: tf.gradients adds gradient ops to the graph, walking back from ys.

Each op differentiates with its op type's gradient rule (registry), or with a function
registered from Python under the op's type or under the name `gradient_override_map` gave it.

Gradients may be IndexedSlices (tf.gather's, as TF): they pass unchanged through rules that
pass gradients on (Identity) and to functions registered from Python; other rules receive
them as dense tensors. Several sparse gradients of one tensor concatenate into one
IndexedSlices; a mix of sparse and dense ones adds up to a dense tensor.

    @tf.RegisterGradient("ClipGrad")
    def _clip_grad(op, grad):
        return tf.clip_by_value(grad, -1.0, 1.0)
    with tf.get_default_graph().gradient_override_map({"Identity": "ClipGrad"}):
        y = tf.identity(x)
"""
import contextlib

import numpy as np

from tensorweave.core import registry
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import GRADIENT_OP_TYPE_ATTR
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.core.operation import Tensor, TensorLike
from tensorweave.ops import array, math_ops
from tensorweave.ops._common import passthrough_grad


# --- gradient functions registered from Python ---------------------------------------------
_registered_gradients = {}  # name -> fn(op, *output_grads), or None: not differentiable


def _register_gradient(name, fn):
    if not isinstance(name, str):
        raise TypeError("op_type must be a string")
    try:
        built_in = registry.lookup(name).grad is not None
    except KeyError:
        built_in = False
    if name in _registered_gradients or built_in:
        raise KeyError(f"Registering two gradient with name '{name}'! (tensorweave defines "
                       "the gradient of that op type already)" if built_in else
                       f"Registering two gradient with name '{name}'!")
    _registered_gradients[name] = fn


class RegisterGradient:
    """Decorator: `fn(op, *output_grads) -> input gradient(s)` becomes the gradient of ops of
    type `op_type`, and of ops made under `gradient_override_map({type: op_type})`.
    Registering a name twice (or an op type with a gradient already) raises KeyError."""

    def __init__(self, op_type):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, fn):
        _register_gradient(self._op_type, fn)
        return fn


def NotDifferentiable(op_type):  # noqa: N802 -- TF's name
    """Declares ops of type `op_type` (or overridden to it) not differentiable: gradients stop
    there quietly."""
    _register_gradient(op_type, None)


no_gradient = NoGradient = NotDifferentiable


class AggregationMethod:
    """How tf.gradients sums the gradients reaching one tensor (TF's tf.AggregationMethod).
    Every method adds them in the same order here, so all give the same numbers."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


class UnconnectedGradients:
    """What tf.gradients returns for an x that no y depends on: None, or zeros like x."""

    NONE = "none"
    ZERO = "zero"


def _gradient_rule(op):
    """fn(op, *output_grads) -> [input grads], or None when `op` is not differentiable."""
    override = op.internal_attrs.get(GRADIENT_OP_TYPE_ATTR)
    name = op.type if override is None else override.decode()
    if name in _registered_gradients:
        fn = _registered_gradients[name]
        return None if fn is None else _python_rule(fn)
    try:
        op_def = registry.lookup(name)
    except KeyError:
        op_def = None
    if op_def is None or op_def.grad is None:
        named = "" if override is None else f", overridden to '{name}'"
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: "
                          f"{op.type}{named}). Use @tf.RegisterGradient to define one, or "
                          "tf.stop_gradient if no gradient should flow through it.")
    return op_def.grad if op_def.differentiable else None


def _python_rule(fn):
    """Calls a registered gradient as TF does: zeros for outputs no gradient reached, and a
    single returned gradient taken as a list of one."""
    def rule(op, *out_grads):
        out_grads = [array.zeros_like(t) if g is None else g
                     for t, g in zip(op.outputs, out_grads)]
        in_grads = fn(op, *out_grads)
        if not isinstance(in_grads, (list, tuple)):
            in_grads = [in_grads]
        return [g if g is None or isinstance(g, IndexedSlices) else convert_to_tensor(g)
                for g in in_grads]
    rule.accepts_indexed_slices = True
    return rule


def _dense_unless_accepted(rule, grads):
    """`grads` for `rule`: IndexedSlices become dense tensors unless the rule takes them."""
    if rule is passthrough_grad or getattr(rule, "accepts_indexed_slices", False):
        return grads
    return [convert_to_tensor(g) if isinstance(g, IndexedSlices) else g for g in grads]


def _as_tensor_list(values):
    values = list(values) if isinstance(values, (list, tuple)) else [values]
    out = []
    for v in values:
        if isinstance(v, TensorLike) and not isinstance(v, Tensor):
            v = v._as_graph_element()  # a Variable differentiates through its reference
        out.append(convert_to_tensor(v))
    return out


def _between_ops(ys, xs, stop_ops):
    """Ops on some path from an x to a y (stopping at stop_ops), in topological order."""
    reach_back = set()
    stack = [y.op for y in ys]
    while stack:
        op = stack.pop()
        if op in reach_back:
            continue
        reach_back.add(op)
        if op in stop_ops:
            continue
        stack.extend(t.op for t in op.inputs)
    reach_forward = set()
    consumers = {}
    for op in reach_back:
        for t in op.inputs:
            consumers.setdefault(t, []).append(op)
    stack = [c for x in xs for c in consumers.get(x, [])]
    while stack:
        op = stack.pop()
        if op in reach_forward or op in stop_ops:
            continue
        reach_forward.add(op)
        for t in op.outputs:
            stack.extend(consumers.get(t, []))
    between = reach_back & reach_forward
    return sorted(between, key=lambda op: op.creation_index)


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients=UnconnectedGradients.NONE):
    """d(sum of ys)/d(x) for each x in xs, as tensors in the graph.

    stop_gradients: tensors held constant: no gradient flows back through the ops making them.
    unconnected_gradients: "none" (None for an x no y depends on) or "zero" (zeros like x).
    colocate_gradients_with_ops, gate_gradients and aggregation_method change device placement,
    synchronization and summation order in TF; on one CPU, running one step at a time and
    adding in one order, they change nothing here (aggregation_method is still checked).
    """
    if unconnected_gradients not in (UnconnectedGradients.NONE, UnconnectedGradients.ZERO):
        raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r}")
    methods = (AggregationMethod.ADD_N, AggregationMethod.EXPERIMENTAL_TREE,
               AggregationMethod.EXPERIMENTAL_ACCUMULATE_N)
    if aggregation_method is not None and aggregation_method not in methods:
        raise ValueError(f"Invalid `aggregation_method` specified {aggregation_method}. "
                         f"Accepted values are {list(methods)}.")
    ys = _as_tensor_list(ys)
    xs = _as_tensor_list(xs)
    graph = ys[0].graph
    stop_ops = {t.op for t in _as_tensor_list([] if stop_gradients is None else stop_gradients)}
    grad_ys = [None] * len(ys) if grad_ys is None else list(
        grad_ys if isinstance(grad_ys, (list, tuple)) else [grad_ys])
    with graph.as_default(), graph.name_scope(name) as gradients_scope:
        pending = {}
        for i, (y, gy) in enumerate(zip(ys, grad_ys)):
            if gy is None:
                if not (y.dtype.is_floating or y.dtype.is_complex):
                    raise TypeError(f"Gradients of {y.dtype.name} tensors are not defined: "
                                    f"{y.name}")
                gy = _ones_for(y)
            else:
                gy = _given_grad_y(gy, y, i)
            pending.setdefault(y, []).append(gy)
        for op in reversed(_between_ops(ys, xs, stop_ops)):
            out_grads = [_aggregate(pending.get(t)) for t in op.outputs]
            if all(g is None for g in out_grads) or op in stop_ops:
                continue
            rule = _gradient_rule(op)
            if rule is None:
                continue
            with graph.name_scope(op.name + "_grad"), _compiled_like(op, gradients_scope):
                in_grads = rule(op, *_dense_unless_accepted(rule, out_grads))
            if len(in_grads) != len(op.inputs):
                raise ValueError(f"Num gradients {len(in_grads)} generated for op "
                                 f"'{op.name}' ({op.type}) do not match num inputs "
                                 f"{len(op.inputs)}")
            for t, g in zip(op.inputs, in_grads):
                if g is not None and (t.dtype.is_floating or t.dtype.is_complex):
                    pending.setdefault(t, []).append(g)
        result = [_aggregate(pending.get(x)) for x in xs]
    if unconnected_gradients == UnconnectedGradients.ZERO:  # outside the scope, as TF
        with graph.as_default():
            result = [array.zeros_like(x) if g is None else g for g, x in zip(result, xs)]
    return result


def _compiled_like(op, gradients_scope):
    """The gradient ops of an op marked for XLA (tf.contrib.compiler.jit's scope) get its
    `_XlaCompile` and its `_XlaScope`, or with `_XlaSeparateCompiledGradients` a scope of
    their own named after the gradients' name scope, as in TF."""
    attrs = op.internal_attrs
    if not attrs.get("_XlaCompile") or not {"_XlaScope", "_XlaSeparateCompiledGradients"} <= \
            attrs.keys():
        return contextlib.nullcontext()
    xla_scope = attrs["_XlaScope"].decode()
    if attrs["_XlaSeparateCompiledGradients"]:
        xla_scope += "_grad_" + gradients_scope.rstrip("/").replace("/", "_")
    return op.graph.attr_scope({"_XlaCompile": True, "_XlaScope": xla_scope.encode()})


def _given_grad_y(grad_y, y, i):
    """A grad_ys entry as TF's _DefaultGradYs takes it: converted (as `grad_y_<i>`), then an
    Identity `grad_ys_<i>` in the gradients' name scope (IndexedSlices: one per component)."""
    if isinstance(grad_y, IndexedSlices):
        def ident(t, part):
            return array.identity(t, name=f"grad_ys_{i}_{part}") if isinstance(t, Tensor) else t
        return IndexedSlices(ident(grad_y.values, "values"), ident(grad_y.indices, "indices"),
                             ident(grad_y.dense_shape, "shape"))
    if not isinstance(grad_y, TensorLike):
        grad_y = convert_to_tensor(grad_y, dtype=y.dtype, name=f"grad_y_{i}")
    grad_y = convert_to_tensor(grad_y, dtype=y.dtype)
    return array.identity(grad_y, name=f"grad_ys_{i}")


def _ones_for(y):
    if y.shape.is_fully_defined():
        return constant(np.ones(y.shape.as_list(), dtype=y.dtype.as_numpy_dtype),
                        name="grad_ys_0")
    return array.ones_like(y, name="grad_ys_0")


def _aggregate(grads):
    """One gradient from several: AddN, or for IndexedSlices only, their concatenation."""
    if not grads:
        return None
    if len(grads) == 1:
        return grads[0]
    if all(isinstance(g, IndexedSlices) for g in grads):
        dense_shape = next((g.dense_shape for g in grads if g.dense_shape is not None), None)
        return IndexedSlices(array.concat([g.values for g in grads], 0),
                             array.concat([_int32_or_64(g.indices, grads) for g in grads], 0),
                             dense_shape)
    return math_ops.add_n(grads)


def _int32_or_64(indices, grads):
    """`indices` in int64 when any of `grads` has int64 indices (so they concatenate)."""
    if any(g.indices.dtype.name == "int64" for g in grads):
        return array.cast(indices, "int64")
    return indices


def hessians(ys, xs, name="hessians", colocate_gradients_with_ops=False, gate_gradients=False,
             aggregation_method=None):
    """The Hessian of sum(ys) with respect to each x, shaped x.shape + x.shape."""
    xs = _as_tensor_list(xs)
    out = []
    for x in xs:
        if not x.shape.is_fully_defined():
            raise ValueError(f"tf.hessians needs a fully known shape for {x.name}, got "
                             f"{x.shape}")
        n = x.shape.num_elements()
        grad = gradients(ys, x, name=name)[0]
        if grad is None:
            out.append(None)
            continue
        flat = array.reshape(grad, [n])
        rows = []
        for i in range(n):
            row = gradients(flat[i], x, name=name)[0]
            rows.append(array.zeros_like(x) if row is None else row)
        out.append(array.reshape(array.stack(rows), x.shape.as_list() * 2))
    return out
