"""Variable ops: the variable node, assignment, and initialization checks. Values live in the
Session's state; a variable reference input hands the kernel the variable's key."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, as_shape


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


def _variable_shape(*, shape, dtype, shared_name):
    return [(dtype, shape)]


def _variable_kernel(state, name, *, shape, dtype, shared_name):
    return state.read_variable(shared_name or name)


register_op("VariableV2", shape=_variable_shape, kernel=_variable_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE, shares_memory=True)


def variable_op_v2(shape, dtype, name="Variable"):
    """The raw variable node; its output reads the variable's current value."""
    op = create_op("VariableV2", [], name=name, shape=as_shape(shape),
                   dtype=dtypes.as_dtype(dtype), shared_name="")
    op.attrs["shared_name"] = op.name
    return op.outputs[0]


def _assign_shape(ref, value, *, validate_shape):
    check_ref("Assign", ref)
    if ref.dtype is not value.dtype:
        raise TypeError(f"Assign requires a value of the variable's dtype {ref.dtype.name}, got "
                        f"{value.dtype.name}")
    if validate_shape and not ref.shape.is_compatible_with(value.shape):
        raise ValueError(f"Shapes must be equal rank, but are {ref.shape} and {value.shape}")
    return [(ref.dtype, ref.shape if validate_shape else value.shape)]


def _assign_kernel(state, name, key, value, *, validate_shape):
    return state.write_variable(key, value, validate_shape)


register_op("Assign", shape=_assign_shape, kernel=_assign_kernel, stateful=True, ref_inputs=1,
            grad=NOT_DIFFERENTIABLE, shares_memory=True)


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

