"""tf.while_loop: builds cond and body once under a WhileContext and makes a While op."""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, get_default_graph, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import as_shape
from tensorweave.ops import array
from tensorweave.util import nest
from tensorweave.ops.tensor_array_ops import TensorArray
from tensorweave.ops.control.contexts import WhileContext, loop_input
from tensorweave.ops.control.cond import flow_or_tensor, pack_like
from tensorweave.ops.control.loop_program import LoopBody


def _shape_at_most(shape, invariant):
    """True if `shape` is as specific as `invariant` or more (TF's shape invariant rule)."""
    if invariant.ndims is None:
        return True
    if shape.ndims != invariant.ndims:
        return False
    return all(b is None or a == b for a, b in zip(shape.as_tuple(), invariant.as_tuple()))


def _invariants(shape_invariants, structure, inits):
    if shape_invariants is None:
        return [t.shape for t in inits]
    leaves = nest.flatten(shape_invariants)
    if len(leaves) != len(inits):
        raise ValueError(f"shape_invariants has {len(leaves)} entries for {len(inits)} loop "
                         "variables")
    shapes = []
    for leaf, init, var in zip(leaves, inits, nest.flatten(structure)):
        if isinstance(var, TensorArray) or leaf is None:
            shapes.append(init.shape)
            continue
        shape = as_shape(leaf)
        if not _shape_at_most(init.shape, shape):
            raise ValueError(f"The shape invariant specified for {init.name} is not compatible "
                             f"with the initial shape of the loop variable. It enters the loop "
                             f"with shape {init.shape}, but the specified shape invariant is "
                             f"{shape}.")
        shapes.append(shape)
    return shapes


def _iteration_limit(maximum_iterations):
    limit = maximum_iterations
    if isinstance(limit, Tensor):
        if limit.dtype is not dtypes.int32:
            limit = array.cast(limit, dtypes.int32)
    else:
        limit = convert_to_tensor(limit, dtype=dtypes.int32, name="maximum_iterations")
    if limit.shape.ndims not in (None, 0):
        raise ValueError(f"maximum_iterations must be a scalar, saw shape: {limit.shape}")
    return limit


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, name=None, maximum_iterations=None,
               return_same_structure=False):
    """Repeats `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` (TF's tf.while_loop).

    `loop_vars` is a (nested) list, tuple, namedtuple or dict of tensors and TensorArrays.
    The result has the structure of what `body` returns; a single loop variable comes back
    bare unless `return_same_structure`. Gradients flow through the loop unless
    `back_prop=False`.

    >>> i, s = tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s * 2.0), [0, 1.0])
    """
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    structure = loop_vars if nest.is_sequence(loop_vars) else [loop_vars]
    leaves = nest.flatten(structure)
    if not leaves:
        raise ValueError("No loop variables provided")
    tensors = [v if isinstance(v, Tensor) else v.flow for v in leaves
               if isinstance(v, (Tensor, TensorArray))]
    with name_scope(name, "while", tensors) as scope:
        graph = get_default_graph()
        inits = [flow_or_tensor(v) for v in leaves]
        invariants = _invariants(shape_invariants, structure, inits)
        limit = None if maximum_iterations is None else _iteration_limit(maximum_iterations)
        with WhileContext(graph, scope[:-1]) as context, graph.control_dependencies(None):
            var_inputs = [loop_input(t.dtype, shape, "Identity")
                          for t, shape in zip(inits, invariants)]
            packed = pack_like(structure, var_inputs)
            pred = context.inside(cond(*packed))
            if pred.dtype is not dtypes.bool or pred.shape.ndims not in (None, 0):
                raise ValueError(f"The loop condition must be a scalar bool tensor, got "
                                 f"{pred.dtype.name} of shape {pred.shape}")
            result = body(*packed)
            if not nest.is_sequence(result):
                result = [result]
            try:
                nest.assert_same_structure(list(structure), list(result))
            except (TypeError, ValueError) as e:
                raise ValueError(f"body must return the structure of loop_vars: {e}") from None
            outputs = [context.inside(v) for v in nest.flatten(result)]
        _check_loop_outputs(inits, invariants, outputs)
        loop = LoopBody(context, var_inputs, pred, outputs, back_prop, limit is not None)
        op = create_op("While", inits + context.captured + ([] if limit is None else [limit]),
                       name=scope[:-1] + "/", body=loop)
        packed = pack_like(result, op.outputs[:len(inits)])
        if return_same_structure or len(inits) != 1 or not isinstance(packed, (list, tuple)):
            return packed
        return packed[0]


def _check_loop_outputs(inits, invariants, outputs):
    for init, shape, out in zip(inits, invariants, outputs):
        if out.dtype is not init.dtype:
            raise TypeError(f"Loop variable {init.name} enters the loop with dtype "
                            f"{init.dtype.name}, but has dtype {out.dtype.name} after one "
                            "iteration.")
        if not _shape_at_most(out.shape, shape):
            raise ValueError(f"Input tensor '{init.name}' enters the loop with shape {shape}, "
                             f"but has shape {out.shape} after one iteration. To allow the "
                             f"shape to vary across iterations, use the `shape_invariants` "
                             f"argument of tf.while_loop to specify a less-specific shape.")
