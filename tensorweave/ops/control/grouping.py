"""Grouping: NoOp, tf.group (an op that runs after its inputs) and tf.tuple."""
from tensorweave.core.graph import create_op, get_default_graph
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.ops.array.convert import identity


def _no_op_shape():
    return []


def _no_op_kernel():
    return ()


register_op("NoOp", shape=_no_op_shape, kernel=_no_op_kernel, grad=NOT_DIFFERENTIABLE)


def no_op(name=None):
    """An op that does nothing; useful as a control-dependency anchor."""
    return create_op("NoOp", [], name=name or "NoOp")


def group(*inputs, name=None):
    """An op that runs after all `inputs` (TF's tf.group)."""
    ops = []
    for x in inputs:
        for item in (x if isinstance(x, (list, tuple)) else [x]):
            if item is not None:
                ops.append(item.op if not hasattr(item, "type") else item)
    graph = ops[0].graph if ops else get_default_graph()
    with graph.as_default(), graph.control_dependencies(ops):
        return no_op(name=name or "group_deps")


def tuple_(tensors, name=None, control_inputs=None):
    """The tensors, each available only after all of them are computed (TF's tf.tuple)."""
    gate = group(*[t for t in tensors if t is not None], *(control_inputs or []))
    with gate.graph.control_dependencies([gate]):
        return [None if t is None else identity(t) for t in tensors]
