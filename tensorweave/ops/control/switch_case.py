"""tf.switch_case: the branch function an integer index selects, built as tf.case (nested
tf.cond), so only the selected branch runs."""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.ops import math_ops
from tensorweave.ops.control.cond import case

__all__ = ["switch_case"]


def _branches(branch_fns):
    """The branch functions in index order, checked as TensorFlow checks them."""
    if not isinstance(branch_fns, (list, tuple, dict)):
        raise TypeError("'branch_fns' must be a list, tuple, or dict")
    if not branch_fns:
        raise ValueError("Must provide at least one item in 'branch_fns'")
    items = branch_fns.items() if isinstance(branch_fns, dict) else branch_fns
    if all(callable(fn) for fn in items) and not isinstance(branch_fns, dict):
        items = list(enumerate(branch_fns))
    pairs = []
    for item in items:
        if not isinstance(item, tuple) or len(item) != 2:
            raise TypeError("Each entry in 'branch_fns' must be a 2-tuple. Received "
                            f"{item!r}.")
        key, fn = item
        if not isinstance(key, int) or isinstance(key, bool):
            raise TypeError(f"key must be a Python `int`, got {type(key)}")
        if not callable(fn):
            raise TypeError(f"fn for key {key} must be callable.")
        pairs.append((key, fn))
    keys = sorted(k for k, _ in pairs)
    if keys != list(range(len(pairs))):
        found = ",".join(str(k) for k in keys)
        raise ValueError(f"branch indices (keys) must form contiguous range of [0 to "
                         f"{len(pairs)}) but found {{{found}}}")
    return [fn for _, fn in sorted(pairs, key=lambda pair: pair[0])]


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """The result of `branch_fns[branch_index]()`; an index out of range runs `default`
    (the last branch when there is no default). `branch_fns` is a list of functions, a list
    of (index, function) pairs or a dict {index: function} with indices 0..n-1.

    >>> tf.switch_case(i, [lambda: tf.constant(10), lambda: tf.constant(11)],
    ...                default=lambda: tf.constant(-1))
    """
    fns = _branches(branch_fns)
    if default is not None:
        if not callable(default):
            raise TypeError("default must be callable.")
        fns = fns + [default]
    with name_scope(name, "switch_case", [branch_index]):
        index = convert_to_tensor(branch_index, name="branch_index")
        if index.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"'branch_index' must be an integer Tensor, got {index.dtype}")
        if index.shape.ndims not in (None, 0):
            raise ValueError(f"'branch_index' must be a scalar, got shape {index.shape}")
        pairs = [(math_ops.equal(index, convert_to_tensor(k, dtype=index.dtype)), fn)
                 for k, fn in enumerate(fns[:-1])]
        return case(pairs, default=fns[-1], exclusive=True, name="indexed_case")
