"""Variable ops: the variable node, assignment, and initialization checks. Values live in the
Session's state; a variable reference input hands the kernel the variable's key."""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape, as_shape
from tensorweave.ops import scatter_indices


def variable_key(ref):
    """The state key of the variable whose VariableV2 output is `ref`."""
    return ref.op.attrs.get("shared_name") or ref.op.name


def is_variable_op(op):
    """Whether `op` is a variable node (VariableV2): its output is a variable reference."""
    return op.type == "VariableV2"


def is_assign_op(op):
    """Whether `op` assigns a value to the variable of its first input (Assign)."""
    return op.type == "Assign"


def check_ref(op_type, ref):
    if not is_variable_op(ref.op):
        raise TypeError(f"{op_type} requires a Variable reference as its first input, got "
                        f"{ref.name} from a {ref.op.type} op")


def _variable_shape(*, shape, dtype, shared_name, container=""):
    return [(dtype, shape)]


def _variable_kernel(state, name, *, shape, dtype, shared_name, container=""):
    return state.read_variable(shared_name or name)


register_op("VariableV2", shape=_variable_shape, kernel=_variable_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE, shares_memory=True)


def variable_op_v2(shape, dtype, name="Variable"):
    """The raw variable node; its output reads the variable's current value."""
    op = create_op("VariableV2", [], name=name, shape=as_shape(shape),
                   dtype=dtypes.as_dtype(dtype), container="", shared_name="")
    return op.outputs[0]


def _assign_shape(ref, value, *, validate_shape):
    check_ref("Assign", ref)
    if ref.dtype is not value.dtype:
        raise TypeError(f"Assign requires a value of the variable's dtype {ref.dtype.name}, got "
                        f"{value.dtype.name}")
    if validate_shape and not ref.shape.is_compatible_with(value.shape):
        raise ValueError(f"Shapes must be equal rank, but are {ref.shape} and {value.shape}")
    return [(ref.dtype, ref.shape if validate_shape else value.shape)]


def _copy_into_current(state, key, value):
    """TF's AssignOp: a variable already holding an array of the value's shape and dtype gets
    the value copied into that buffer, so the reads that alias it (its snapshot, an identity
    of it) see the new value when they run after the Assign. The buffer, or None."""
    current = state.read_variable(key) if state.has_variable(key) else None
    if (isinstance(current, np.ndarray) and current.flags.writeable
            and current.shape == np.shape(value) and current.dtype == np.asarray(value).dtype):
        np.copyto(current, value)
        return current
    return None


def _assign_kernel(state, name, key, value, *, validate_shape):
    current = _copy_into_current(state, key, value)
    return state.write_variable(key, value, validate_shape) if current is None else current


def _assign_into(state, name, key, value, *, validate_shape, out=None):
    """Assign's writing form: given `out`, the value's own buffer that only this step holds,
    the variable keeps that buffer rather than a copy when nothing else could see the
    difference: its current buffer is held by nothing but the state, or it has none of the
    value's shape yet."""
    if out is value and state.adopt_variable(key, value):
        return value
    current = _copy_into_current(state, key, value)
    if current is not None:
        return current
    return state.write_variable(key, value, validate_shape, copy=out is not value)


register_op("Assign", shape=_assign_shape, kernel=_assign_kernel, stateful=True, ref_inputs=1,
            grad=NOT_DIFFERENTIABLE, shares_memory=True, writes_into=_assign_into)


def _update_shape(op_type):
    def shape(ref, value):
        check_ref(op_type, ref)
        if ref.dtype is not value.dtype:
            raise TypeError(f"{op_type} requires a value of the variable's dtype "
                            f"{ref.dtype.name}, got {value.dtype.name}")
        if not ref.shape.is_compatible_with(value.shape):
            raise ValueError(f"{op_type} requires a value of the variable's shape {ref.shape}, "
                             f"got {value.shape}")
        return [(ref.dtype, ref.shape)]
    return shape


def _assign_add_kernel(state, name, key, value):
    current = state.read_variable(key)
    current += value
    return current


def _assign_sub_kernel(state, name, key, value):
    current = state.read_variable(key)
    current -= value
    return current


register_op("AssignAdd", shape=_update_shape("AssignAdd"), kernel=_assign_add_kernel,
            stateful=True, ref_inputs=1, grad=NOT_DIFFERENTIABLE, shares_memory=True)
register_op("AssignSub", shape=_update_shape("AssignSub"), kernel=_assign_sub_kernel,
            stateful=True, ref_inputs=1, grad=NOT_DIFFERENTIABLE, shares_memory=True)


def _variable_ref(ref):
    """The reference tensor of a tf.Variable passed where TF accepts a variable or its ref."""
    as_ref = getattr(ref, "_ref", None)
    return as_ref() if callable(as_ref) else ref


def assign(ref, value, validate_shape=True, use_locking=None, name=None):
    """Stores `value` in the variable `ref`; the output is the new value."""
    ref = _variable_ref(ref)
    value = convert_to_tensor(value, dtype=ref.dtype)
    return create_op("Assign", [ref, value], name=name or "Assign",
                     validate_shape=bool(validate_shape)).outputs[0]


def assign_add(ref, value, use_locking=None, name=None):
    """Adds `value` to the variable `ref` in place."""
    ref = _variable_ref(ref)
    value = convert_to_tensor(value, dtype=ref.dtype)
    return create_op("AssignAdd", [ref, value], name=name or "AssignAdd").outputs[0]


def assign_sub(ref, value, use_locking=None, name=None):
    """Subtracts `value` from the variable `ref` in place."""
    ref = _variable_ref(ref)
    value = convert_to_tensor(value, dtype=ref.dtype)
    return create_op("AssignSub", [ref, value], name=name or "AssignSub").outputs[0]


def _ref_identity_shape(ref):
    check_ref("RefIdentity", ref)
    return [(ref.dtype, ref.shape)]


def _ref_identity_kernel(state, name, key):
    return state.read_variable(key)


register_op("RefIdentity", shape=_ref_identity_shape, kernel=_ref_identity_kernel,
            stateful=True, ref_inputs=1, shares_memory=True, grad=lambda op, dy: [dy])


def ref_identity(ref, name=None):
    """The variable's value, read when this op runs (TF's RefIdentity). Unlike an Identity of
    `ref`, it does not need the VariableV2 step, so inside a tf.cond branch it reads the
    variable only when the branch is taken."""
    return create_op("RefIdentity", [ref], name=name or "RefIdentity").outputs[0]


def _is_initialized_shape(ref):
    check_ref("IsVariableInitialized", ref)
    return [(dtypes.bool, TensorShape([]))]


def _is_initialized_kernel(state, name, key):
    return np.bool_(state.has_variable(key))


register_op("IsVariableInitialized", shape=_is_initialized_shape,
            kernel=_is_initialized_kernel, stateful=True, ref_inputs=1, grad=NOT_DIFFERENTIABLE)


def is_variable_initialized(ref, name=None):
    """A bool scalar: whether the variable has a value in the session."""
    return create_op("IsVariableInitialized", [ref], name=name or "IsVariableInitialized") \
        .outputs[0]


def _report_shape(*refs):
    for ref in refs:
        check_ref("ReportUninitializedVariables", ref)
    return [(dtypes.string, TensorShape([None]))]


def _report_kernel(state, name, *keys):
    return np.array([k.encode() for k in keys if not state.has_variable(k)], dtype=object)


register_op("ReportUninitializedVariables", shape=_report_shape, kernel=_report_kernel,
            stateful=True, ref_inputs="all", grad=NOT_DIFFERENTIABLE)


def report_uninitialized(refs, name=None):
    """A 1-D string tensor of the names of variables in `refs` without a value."""
    return create_op("ReportUninitializedVariables", list(refs),
                     name=name or "report_uninitialized_variables").outputs[0]



# --- sparse updates of a variable (tf.scatter_update, tf.scatter_nd_add, ...) ---------------
def _scatter_shape(op_type, nd):
    def shape(ref, indices, updates, *, use_locking):
        check_ref(op_type, ref)
        if indices.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"{op_type} requires int32 or int64 indices, got "
                            f"{indices.dtype.name}")
        if ref.dtype is not updates.dtype:
            raise TypeError(f"{op_type} requires updates of the variable's dtype "
                            f"{ref.dtype.name}, got {updates.dtype.name}")
        expected = _scatter_updates_shape(ref.shape, indices.shape, nd)
        if expected is not None and updates.shape.ndims != 0 and \
                not expected.is_compatible_with(updates.shape):
            raise ValueError(f"{op_type} requires updates of shape {expected} (indices shape "
                             f"{indices.shape}, variable shape {ref.shape}), got "
                             f"{updates.shape}")
        return [(ref.dtype, ref.shape)]
    return shape


def _scatter_updates_shape(ref_shape, indices_shape, nd):
    """The shape updates must have: indices.shape + ref.shape[1:], or for n-d indices
    indices.shape[:-1] + ref.shape[indices.shape[-1]:]; None when not known."""
    if ref_shape.ndims is None or indices_shape.ndims is None:
        return None
    dims = indices_shape.as_tuple()
    if not nd:
        return TensorShape(dims + ref_shape.as_tuple()[1:])
    if not dims or dims[-1] is None:
        return None
    if dims[-1] > ref_shape.ndims:
        raise ValueError(f"indices.shape[-1] must be <= the variable's rank {ref_shape.ndims}, "
                         f"got indices of shape {indices_shape}")
    return TensorShape(dims[:-1] + ref_shape.as_tuple()[dims[-1]:])


_SCATTER_UFUNCS = {"update": None, "add": np.add, "sub": np.subtract, "mul": np.multiply,
                   "div": np.divide, "min": np.minimum, "max": np.maximum}


def _divide_integers(current, position, updates, nd):
    """Integer division rounded toward zero (as TF's kernels), one index at a time."""
    pieces = updates.reshape((-1,) + current.shape[len(position) if nd else 1:])
    if nd:
        keys = list(zip(*(p.reshape(-1) for p in position))) if position else \
            [()] * len(pieces)
    else:
        keys = position.reshape(-1).tolist()
    for key, piece in zip(keys, pieces):
        current[key] = scatter_indices.truncating_divide(current[key], piece)


def _scatter_kernel(op_type, kind, nd):
    ufunc = _SCATTER_UFUNCS[kind]

    def kernel(state, name, key, indices, updates, *, use_locking):
        current = state.read_variable(key)
        if nd:
            if current.ndim == 0 or indices.ndim == 0:
                raise ValueError(f"{op_type} requires a variable and indices of rank >= 1")
            position = scatter_indices.nd_positions(indices, current.shape)
            shape = indices.shape[:-1] + current.shape[indices.shape[-1]:]
        else:
            position = scatter_indices.row_positions(indices, current.shape[0])
            shape = indices.shape + current.shape[1:]
        if updates.ndim == 0:
            updates = np.broadcast_to(updates, shape)
        elif updates.shape != shape:
            raise ValueError(f"{op_type}: updates must have shape {list(shape)} (indices shape "
                             f"{list(indices.shape)}, variable shape {list(current.shape)}), "
                             f"got {list(updates.shape)}")
        if kind == "div" and current.dtype.kind in "iu":
            _divide_integers(current, position, updates, nd)
        else:
            scatter_indices.scatter_into(current, position, updates, ufunc)
        return current
    return kernel


SCATTER_OP_TYPES = {  # op type: (how updates combine, n-d indices)
    "ScatterUpdate": ("update", False), "ScatterAdd": ("add", False),
    "ScatterSub": ("sub", False), "ScatterMul": ("mul", False), "ScatterDiv": ("div", False),
    "ScatterMin": ("min", False), "ScatterMax": ("max", False),
    "ScatterNdUpdate": ("update", True), "ScatterNdAdd": ("add", True),
    "ScatterNdSub": ("sub", True),
}
for _op_type, (_kind, _nd) in SCATTER_OP_TYPES.items():
    register_op(_op_type, shape=_scatter_shape(_op_type, _nd),
                kernel=_scatter_kernel(_op_type, _kind, _nd), stateful=True, ref_inputs=1,
                grad=NOT_DIFFERENTIABLE, shares_memory=True)


def _scatter_builder(op_type, doc):
    def builder(ref, indices, updates, use_locking=True, name=None):
        ref = _variable_ref(ref)
        indices = convert_to_tensor(indices, name="indices")
        updates = convert_to_tensor(updates, dtype=ref.dtype, name="updates")
        return create_op(op_type, [ref, indices, updates], name=name or op_type,
                         use_locking=bool(use_locking)).outputs[0]
    builder.__name__ = builder.__qualname__ = "".join(
        "_" + c.lower() if c.isupper() else c for c in op_type).lstrip("_").replace("n_d", "nd")
    builder.__doc__ = doc + " Returns the variable's new value."
    return builder


scatter_update = _scatter_builder("ScatterUpdate", "Writes `updates` into rows `indices` of "
                                  "the variable `ref`.")
scatter_add = _scatter_builder("ScatterAdd", "Adds `updates` to rows `indices` of `ref` "
                               "(duplicates add up).")
scatter_sub = _scatter_builder("ScatterSub", "Subtracts `updates` from rows `indices` of `ref`.")
scatter_mul = _scatter_builder("ScatterMul", "Multiplies rows `indices` of `ref` by `updates`.")
scatter_div = _scatter_builder("ScatterDiv", "Divides rows `indices` of `ref` by `updates`.")
scatter_min = _scatter_builder("ScatterMin", "Rows `indices` of `ref` become their minimum with "
                               "`updates`.")
scatter_max = _scatter_builder("ScatterMax", "Rows `indices` of `ref` become their maximum with "
                               "`updates`.")
scatter_nd_update = _scatter_builder("ScatterNdUpdate", "Writes `updates` at n-d `indices` of "
                                     "`ref`.")
scatter_nd_add = _scatter_builder("ScatterNdAdd", "Adds `updates` at n-d `indices` of `ref`.")
scatter_nd_sub = _scatter_builder("ScatterNdSub", "Subtracts `updates` at n-d `indices` of "
                                  "`ref`.")


def _count_up_to_shape(ref, *, limit):
    check_ref("CountUpTo", ref)
    if ref.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"CountUpTo requires an int32 or int64 variable, got {ref.dtype.name}")
    if not ref.shape.is_compatible_with([]):
        raise ValueError(f"CountUpTo requires a scalar variable, got shape {ref.shape}")
    return [(ref.dtype, TensorShape([]))]


def _count_up_to_kernel(state, name, key, *, limit):
    current = state.read_variable(key)
    if current >= limit:
        raise errors.OutOfRangeError(None, None, f"Reached limit of {limit}")
    before = current.copy()
    current += 1
    return before


register_op("CountUpTo", shape=_count_up_to_shape, kernel=_count_up_to_kernel, stateful=True,
            ref_inputs=1, grad=NOT_DIFFERENTIABLE)


def count_up_to(ref, limit, name=None):
    """Adds 1 to the integer variable `ref` until it reaches `limit` (then OutOfRangeError);
    the output is the value before the increment."""
    ref = _variable_ref(ref)
    return create_op("CountUpTo", [ref], name=name or "CountUpTo", limit=int(limit)).outputs[0]


# --- TensorFlow's resource variables, read as reference variables -----------------------------
# Graphs TF 2.x writes (Keras layers, compat.v1 with resource variables) hold a variable as a
# VarHandleOp read by ReadVariableOp and written by AssignVariableOp; tensorweave's variable
# op holds the value itself, so those are read as VariableV2, Identity and Assign (TF's
# AssignVariableOp has no output, so nothing reads the Assign's). Saving, restoring and
# initialization through the imported Saver and initializers then work unchanged.
register_tf_form("VariableV2", renamed_from=("VarHandleOp",))
register_tf_form("Identity", renamed_from=("ReadVariableOp",))
register_tf_form("Assign", renamed_from=("AssignVariableOp",))
register_tf_form("AssignAdd", renamed_from=("AssignAddVariableOp",))
register_tf_form("AssignSub", renamed_from=("AssignSubVariableOp",))
register_tf_form("IsVariableInitialized", renamed_from=("VarIsInitializedOp",))
