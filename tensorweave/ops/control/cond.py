"""tf.cond and tf.case: both branches built, each under a CondContext, joined by Merge ops."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import Operation, Tensor
from tensorweave.ops import array
from tensorweave.util import nest
from tensorweave.ops.tensor_array_ops import TensorArray
from tensorweave.ops.control.contexts import CondContext
from tensorweave.ops.control.switch import merge


def flow_or_tensor(value):
    return value.flow if isinstance(value, TensorArray) else convert_to_tensor(value)


def pack_like(structure, flat):
    """`flat` tensors in the nesting of `structure`; TensorArray leaves get the new flows."""
    leaves = nest.flatten(structure)
    values = [leaf._with_flow(t) if isinstance(leaf, TensorArray) else t
              for leaf, t in zip(leaves, flat)]
    return nest.pack_sequence_as(structure, values)


def unpack_singleton(value):
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]
    return value


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """`true_fn()` if `pred` else `false_fn()`; only the taken branch runs.

    Both functions return the same nesting of tensors (or TensorArrays, or ops). Singleton
    lists are unpacked unless `strict`.

    >>> tf.cond(x < y, lambda: tf.add(x, z), lambda: tf.square(y))
    """
    true_fn = fn1 if true_fn is None else true_fn
    false_fn = fn2 if false_fn is None else false_fn
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if isinstance(pred, (bool, np.bool_)):
        raise TypeError("pred must not be a Python bool")
    with name_scope(name, "cond", [pred]) as scope:
        pred = convert_to_tensor(pred)
        if pred.dtype is not dtypes.bool or pred.shape.ndims not in (None, 0):
            raise ValueError(f"tf.cond requires a scalar bool pred, got {pred.dtype.name} of "
                             f"shape {pred.shape}")
        graph = pred.graph
        switch = create_op("Switch", [pred, pred], name="Switch")
        guard = switch.inputs[1]  # pred as seen here: entered when this cond is nested
        pivots = (array.identity(switch.outputs[0], name="switch_f"),
                  array.identity(switch.outputs[1], name="switch_t"))
        built = {}
        for branch, fn in ((1, true_fn), (0, false_fn)):
            with CondContext(graph, scope, guard, pivots[branch], branch) as context:
                structure = fn()
                if structure is None:
                    raise ValueError("true_fn and false_fn must have a return value.")
                flat = [context.inside(_as_output(v, context)) for v in nest.flatten(structure)]
            built[branch] = structure, flat
        (t_structure, t_flat), (f_structure, f_flat) = built[1], built[0]
        try:
            nest.assert_same_structure(t_structure, f_structure)
        except (TypeError, ValueError) as e:
            raise ValueError(f"true_fn and false_fn must return the same nested structure: "
                             f"{e}") from None
        merged = []
        for t, f in zip(t_flat, f_flat):
            if t.dtype is not f.dtype:
                raise ValueError(f"Outputs of true_fn and false_fn must have the same type: "
                                 f"{t.dtype.name}, {f.dtype.name}")
            merged.append(merge(guard, [f, t]))
        result = pack_like(t_structure, merged)
        return result if strict else unpack_singleton(result)


def _as_output(value, context):
    """A branch's result as a value: an op becomes the pivot, after the op has run."""
    if isinstance(value, Operation):
        with context.graph.control_dependencies([value]):
            return array.identity(context.pivot)
    return value


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The result of the first fn whose pred holds, else of `default` (TF's tf.case).

    Without `default`, the last pair's fn runs when no earlier pred holds. Built as nested
    tf.cond, so only one fn runs. (`exclusive` is accepted; it is not checked.)
    """
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) \
        else list(pred_fn_pairs)
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple, got {pair!r}")
        pred, fn = pair
        if not isinstance(pred, Tensor) or pred.dtype is not dtypes.bool:
            raise TypeError(f"pred must be a Tensor of type bool: {pred!r}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
    if default is None:
        if not pairs:
            raise ValueError("tf.case needs at least one (pred, fn) pair or a default")
        pairs, default = pairs[:-1], pairs[-1][1]
    elif not callable(default):
        raise TypeError("default must be callable.")
    with name_scope(name, "case", [p for p, _ in pairs]):
        if not pairs:
            result = default()
            return result if strict else unpack_singleton(result)
        chained = default
        for pred, fn in reversed(pairs[1:]):
            chained = _chain(pred, fn, chained)
        return cond(pairs[0][0], pairs[0][1], chained, strict=strict)


def _chain(pred, fn, otherwise):
    return lambda: cond(pred, fn, otherwise, strict=True)
