"""tf.contrib.framework: arg_scope, TF-slim's variable helpers, the global step, checkpoint
readers and small tensor utilities, under TF 1.15's names."""
from tensorweave import tensor_util as _tensor_util
from tensorweave.contrib.framework.arg_scope import (add_arg_scope, arg_scope,  # noqa: F401
                                                     arg_scope_func_key, arg_scoped_arguments,
                                                     current_arg_scope, has_arg_scope)
from tensorweave.contrib.framework.variables import (  # noqa: F401
    VariableDeviceChooser, add_model_variable, assign_from_checkpoint,
    assign_from_checkpoint_fn, assign_from_values, assign_from_values_fn, filter_variables,
    get_local_variables, get_model_variables, get_trainable_variables, get_unique_variable,
    get_variable_full_name, get_variables, get_variables_by_name, get_variables_by_suffix,
    get_variables_to_restore, global_variable, local_variable, model_variable, variable,
    zero_initializer)
from tensorweave.contrib import not_provided as _not_provided
from tensorweave.contrib.framework.deprecation import (deprecated,  # noqa: F401
                                                       deprecated_arg_values, deprecated_args)
from tensorweave.core.constants import convert_to_tensor as _convert_to_tensor
from tensorweave.core.graph import get_default_graph as _get_default_graph
from tensorweave.core.graph import prepend_name_scope, strip_name_scope  # noqa: F401
from tensorweave.core.tensor_shape import as_shape as _as_shape
from tensorweave.ops import array as _array
from tensorweave.ops import check_ops as _check_ops
from tensorweave.ops import math_ops as _math_ops
from tensorweave.ops.control.cond import cond as _cond
from tensorweave.ops.check_ops import (assert_same_float_dtype, assert_scalar,  # noqa: F401
                                       is_non_decreasing, is_numeric_tensor,
                                       is_strictly_increasing)
from tensorweave.ops.sort_ops import argsort, sort  # noqa: F401
from tensorweave.tensor_util import (convert_to_tensor_or_sparse_tensor,  # noqa: F401
                                     is_tensor)
from tensorweave.train.checkpoint_utils import (init_from_checkpoint,  # noqa: F401
                                                list_variables, load_checkpoint,
                                                load_variable)
from tensorweave.train.training_util import (assert_global_step,  # noqa: F401
                                             create_global_step, get_global_step,
                                             get_or_create_global_step)
from tensorweave.util import nest  # noqa: F401


def get_name_scope():
    """The current name scope of the default graph ('' at the top)."""
    return _get_default_graph().get_name_scope()


def assert_or_get_global_step(graph=None, global_step_tensor=None):
    """`global_step_tensor` checked to be a global step, or the graph's global step."""
    if global_step_tensor is None:
        return get_global_step(graph)
    assert_global_step(global_step_tensor)
    return global_step_tensor


def assert_scalar_int(tensor, name=None):
    """`tensor`, after checking that it is an integer scalar (ValueError otherwise)."""
    tensor = _convert_to_tensor(tensor, name=name)
    if not tensor.dtype.base_dtype.is_integer:
        raise ValueError(f"Expected integer type for {tensor.name}, received type: "
                         f"{tensor.dtype}.")
    if tensor.shape.ndims not in (None, 0):
        raise ValueError(f"Expected scalar shape for {tensor.name}, saw shape: {tensor.shape}.")
    return tensor


def reduce_sum_n(tensors, name=None):
    """The sum of the sums of `tensors`: a scalar."""
    if not tensors:
        raise ValueError("No tensors provided.")
    with _get_default_graph().name_scope(name or "reduce_sum_n"):
        sums = [_math_ops.reduce_sum(t) for t in tensors]
        return sums[0] if len(sums) == 1 else _math_ops.add_n(sums)


def with_shape(expected_shape, tensor):
    """`tensor`, its static shape merged with `expected_shape`; ValueError when they cannot
    agree; a run-time check is added when the static shape is not fully known."""
    tensor = _convert_to_tensor(tensor)
    expected = _as_shape(expected_shape)
    actual = tensor.shape
    if not actual.is_compatible_with(expected):
        raise ValueError(f"Invalid shape for tensor {tensor.name}, expected {expected}, got "
                         f"{actual}.")
    if actual.is_fully_defined() or not expected.is_fully_defined():
        tensor.set_shape(expected)
        return tensor
    check = _check_ops.assert_equal(_array.shape(tensor), expected.as_list(),
                                    message=f"Wrong shape for {tensor.name}")
    with _get_default_graph().control_dependencies([check]):
        result = _array.identity(tensor)
    result.set_shape(expected)
    return result


def with_same_shape(expected_tensor, tensor):
    """with_shape(expected_tensor's static shape, tensor)."""
    return with_shape(_convert_to_tensor(expected_tensor).shape, tensor)


def get_graph_from_inputs(op_input_list, graph=None):
    """The graph the inputs belong to (`graph` or the default one when they hold no tensor)."""
    for value in op_input_list:
        if _tensor_util.is_tensor(value) and hasattr(value, "graph"):
            if graph is not None and value.graph is not graph:
                raise ValueError(f"{value} must be from the same graph as {graph}.")
            return value.graph
    return graph if graph is not None else _get_default_graph()


def remove_squeezable_dimensions(predictions, labels, name=None):
    """(predictions, labels) with a trailing size-1 dimension squeezed from the one whose
    rank exceeds the other's by one (contrib's argument order: predictions first)."""
    with _get_default_graph().name_scope(name or "remove_squeezable_dimensions"):
        predictions = _convert_to_tensor(predictions)
        labels = _convert_to_tensor(labels)
        p_rank, l_rank = predictions.shape.ndims, labels.shape.ndims
        if p_rank is not None and l_rank is not None:
            if p_rank - l_rank == -1:
                labels = _array.squeeze(labels, [-1])
            elif p_rank - l_rank == 1:
                predictions = _array.squeeze(predictions, [-1])
            return predictions, labels
        return _squeezed_when_run(predictions, labels)


def _squeezed_when_run(predictions, labels):
    """Ranks known only when run: squeeze whichever side has one more dimension, of size 1."""
    rank_diff = _array.rank(predictions) - _array.rank(labels)
    if predictions.shape.ndims is None or predictions.shape[-1].value in (None, 1):
        predictions = _cond(_math_ops.equal(1, rank_diff),
                                lambda: _array.squeeze(predictions, [-1]),
                                lambda: predictions)
    if labels.shape.ndims is None or labels.shape[-1].value in (None, 1):
        labels = _cond(_math_ops.equal(-1, rank_diff),
                           lambda: _array.squeeze(labels, [-1]), lambda: labels)
    return predictions, labels


# TF 1.15's checkpoint-remapping initializers need the GenerateVocabRemapping and
# LoadAndRemapMatrix ops, which tensorweave does not have
__getattr__ = _not_provided(__name__, (
    "load_and_remap_matrix_initializer", "load_embedding_initializer",
    "load_linear_multiclass_bias_initializer", "load_variable_slot_initializer"))
