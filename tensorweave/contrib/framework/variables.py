"""TF-slim's variable helpers (tf.contrib.framework.variables): model variables, lookups by
scope, suffix and name, and assigning values from checkpoints or arrays.

    weights = slim.model_variable("weights", shape=[10, 10, 3, 3],
                                  initializer=tf.truncated_normal_initializer(stddev=0.1))
    init_fn = slim.assign_from_checkpoint_fn("vgg_16.ckpt",
                                             slim.get_variables_to_restore(exclude=["fc8"]))
"""
import functools
import re

from tensorweave import variables as variables_lib
from tensorweave.contrib.framework.arg_scope import add_arg_scope
from tensorweave.core import dtypes
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.ops import array, control
from tensorweave.platform import tf_logging as logging
from tensorweave.train import checkpoint_utils
from tensorweave.train import saver as saver_lib
from tensorweave.variable_scope import VariableScope, get_variable, get_variable_scope

__all__ = ["add_model_variable", "assign_from_checkpoint", "assign_from_checkpoint_fn",
           "assign_from_values", "assign_from_values_fn", "filter_variables",
           "get_local_variables", "get_model_variables", "get_trainable_variables",
           "get_unique_variable", "get_variable_full_name", "get_variables",
           "get_variables_by_name", "get_variables_by_suffix", "get_variables_to_restore",
           "global_variable", "local_variable", "model_variable", "variable",
           "VariableDeviceChooser", "zero_initializer"]


@add_arg_scope
def variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
             collections=None, caching_device=None, device=None, partitioner=None,
             custom_getter=None, use_resource=None, synchronization=None, aggregation=None):
    """get_variable with slim's defaults: in `collections` (GLOBAL_VARIABLES by default),
    placed on `device`."""
    collections = list(collections if collections is not None
                       else [GraphKeys.GLOBAL_VARIABLES])
    collections = list(dict.fromkeys(collections))  # without duplicates
    getter = get_variable
    if custom_getter is not None:
        getter = functools.partial(custom_getter, reuse=get_variable_scope().reuse)
    with get_default_graph().device(device or ""):
        return getter(name, shape=shape, dtype=dtype, initializer=initializer,
                      regularizer=regularizer, trainable=trainable, collections=collections,
                      caching_device=caching_device, partitioner=partitioner,
                      use_resource=use_resource)


@add_arg_scope
def model_variable(name, shape=None, dtype=dtypes.float32, initializer=None, regularizer=None,
                   trainable=True, collections=None, caching_device=None, device=None,
                   partitioner=None, custom_getter=None, use_resource=None,
                   synchronization=None, aggregation=None):
    """A variable that is part of the model: also in MODEL_VARIABLES (saved and restored by
    slim's helpers)."""
    collections = list(collections or [])
    collections += [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return variable(name, shape=shape, dtype=dtype, initializer=initializer,
                    regularizer=regularizer, trainable=trainable, collections=collections,
                    caching_device=caching_device, device=device, partitioner=partitioner,
                    custom_getter=custom_getter, use_resource=use_resource)


def local_variable(initial_value, validate_shape=True, name=None, use_resource=None):
    """A non-trainable Variable in LOCAL_VARIABLES."""
    return variables_lib.Variable(initial_value, trainable=False,
                                  collections=[GraphKeys.LOCAL_VARIABLES],
                                  validate_shape=validate_shape, name=name)


def global_variable(initial_value, validate_shape=True, name=None, use_resource=None):
    """A non-trainable Variable in GLOBAL_VARIABLES."""
    return variables_lib.Variable(initial_value, trainable=False,
                                  collections=[GraphKeys.GLOBAL_VARIABLES],
                                  validate_shape=validate_shape, name=name)


def add_model_variable(var):
    """Adds `var` to MODEL_VARIABLES (once)."""
    graph = get_default_graph()
    if var not in graph.get_collection(GraphKeys.MODEL_VARIABLES):
        graph.add_to_collection(GraphKeys.MODEL_VARIABLES, var)


def zero_initializer(ref, use_locking=True, name="zero_initializer"):
    """An op assigning zeros to the variable `ref`."""
    return ref.assign(array.zeros(ref.shape.as_list(), ref.dtype.base_dtype),
                      use_locking=use_locking, name=name)


# --- lookups --------------------------------------------------------------------------------
def get_variables(scope=None, suffix=None, collection=GraphKeys.GLOBAL_VARIABLES):
    """The variables of `collection` whose names match `scope` (a prefix, or a regular
    expression matched from the start) and end with `suffix`."""
    if isinstance(scope, VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return get_default_graph().get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None):
    """get_variables over MODEL_VARIABLES."""
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope=None, suffix=None):
    """get_variables over LOCAL_VARIABLES."""
    return get_variables(scope, suffix, GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None):
    """get_variables over TRAINABLE_VARIABLES."""
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_to_restore(include=None, exclude=None):
    """The global variables under the scopes in `include` (all when None) and under none of
    the scopes in `exclude`."""
    if include is None:
        chosen = get_variables()
    else:
        if not isinstance(include, (list, tuple)):
            raise TypeError("include is provided but is not a list or a tuple.")
        chosen = [v for scope in include for v in get_variables(scope)]
    excluded = []
    if exclude is not None:
        if not isinstance(exclude, (list, tuple)):
            raise TypeError("exclude is provided but is not a list or a tuple.")
        excluded = [v for scope in exclude for v in get_variables(scope)]
    return [v for v in chosen if not any(v is e for e in excluded)]


def get_variables_by_suffix(suffix, scope=None):
    """The global variables whose names end with `suffix`."""
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name, scope=None):
    """The global variables whose last name component is `given_name`."""
    suffix = "/" + given_name + ":|^" + given_name + ":"
    return get_variables(scope=scope, suffix=suffix)


def get_unique_variable(var_op_name):
    """The one variable whose op is named `var_op_name`; ValueError otherwise."""
    candidates = get_variables(scope=var_op_name)
    if not candidates:
        raise ValueError(f"Couldn't find variable {var_op_name}")
    for candidate in candidates:
        if candidate.op.name == var_op_name:
            return candidate
    raise ValueError(f"Variable {var_op_name} does not uniquely identify a variable")


def get_variable_full_name(var):
    """The name `var` is saved under in checkpoints (its op's name)."""
    return var.op.name


def filter_variables(var_list, include_patterns=None, exclude_patterns=None, reg_search=True):
    """The variables of `var_list` whose names match any include pattern (all when None) and
    no exclude pattern; re.search when `reg_search`, else re.match."""
    find = re.search if reg_search else re.match
    included = list(var_list) if include_patterns is None else [
        v for v in var_list if any(find(p, v.name) for p in include_patterns)]
    if exclude_patterns is None:
        return included
    return [v for v in included if not any(find(p, v.name) for p in exclude_patterns)]


class VariableDeviceChooser:
    """A device function placing variables round-robin on `num_tasks` parameter servers."""

    def __init__(self, num_tasks=0, job_name="ps", device_type="CPU", device_index=0,
                 replica=None):
        self._job_name = job_name
        self._device_type = device_type
        self._device_index = device_index
        self._replica = replica
        self._num_tasks = num_tasks
        self._next_task_id = 0

    def __call__(self, op):
        parts = []
        if self._num_tasks > 0:
            parts.append(f"/job:{self._job_name}")
        if self._replica is not None:
            parts.append(f"/replica:{self._replica}")
        if self._num_tasks > 0:
            parts.append(f"/task:{self._next_task_id}")
            self._next_task_id = (self._next_task_id + 1) % self._num_tasks
        parts.append(f"/device:{self._device_type}:{self._device_index}")
        return "".join(parts)


# --- assigning values -----------------------------------------------------------------------
def _unique_global_variable(var_name):
    found = get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, var_name)
    if not found:
        raise ValueError(f"Variable {var_name} wasn't found")
    if len(found) == 1:
        return found[0]
    for var in found:
        if var.op.name == var_name:
            return var
    raise ValueError(f"Variable {var_name} doesn't uniquely identify a variable")


def _placeholder_assign(var):
    placeholder = array.placeholder(var.dtype.base_dtype, shape=var.shape,
                                    name="placeholder/" + var.op.name)
    return placeholder, var.assign(placeholder)


def assign_from_values(var_names_to_values):
    """(assign_op, feed_dict) setting each named variable to its NumPy value when run."""
    feed_dict, assign_ops = {}, []
    for var_name, value in var_names_to_values.items():
        var = _unique_global_variable(var_name)
        placeholder, assign = _placeholder_assign(var)
        assign_ops.append(assign)
        feed_dict[placeholder] = value.reshape(var.shape.as_list())
    return control.group(*assign_ops), feed_dict


def assign_from_values_fn(var_names_to_values):
    """A function `fn(session)` that assigns the values (see assign_from_values)."""
    assign_op, feed_dict = assign_from_values(var_names_to_values)

    def callback(session):
        return session.run(assign_op, feed_dict)
    return callback


def _grouped_by_checkpoint_name(var_list):
    grouped = {}
    if isinstance(var_list, (tuple, list)):
        for var in var_list:
            grouped.setdefault(get_variable_full_name(var), []).append(var)
    else:
        for name, value in var_list.items():
            grouped[name] = list(value) if isinstance(value, (tuple, list)) else [value]
    return grouped


def assign_from_checkpoint(model_path, var_list, ignore_missing_vars=False):
    """(assign_op, feed_dict) restoring `var_list` (a list, or a dict checkpoint name ->
    variable) from the checkpoint `model_path` when run."""
    grouped = _grouped_by_checkpoint_name(var_list)
    reader = checkpoint_utils.NewCheckpointReader(model_path)
    feed_dict, assign_ops = {}, []
    for ckpt_name, variables_ in grouped.items():
        if not reader.has_tensor(ckpt_name):
            message = f"Checkpoint is missing variable [{ckpt_name}]"
            if ignore_missing_vars:
                logging.warning(message)
                continue
            raise ValueError(message)
        value = reader.get_tensor(ckpt_name)
        for var in variables_:
            placeholder, assign = _placeholder_assign(var)
            assign_ops.append(assign)
            if var.shape.as_list() != list(value.shape):
                raise ValueError(f"Total size of new array must be unchanged for {ckpt_name} "
                                 f"lh_shape: [{value.shape}], rh_shape: [{var.shape}]")
            feed_dict[placeholder] = value
    return control.group(*assign_ops), feed_dict


def assign_from_checkpoint_fn(model_path, var_list, ignore_missing_vars=False,
                              reshape_variables=False):
    """A function `fn(session)` restoring `var_list` from `model_path` with a Saver (None,
    with a warning, when nothing is left to restore)."""
    if not var_list:
        raise ValueError("var_list cannot be empty")
    if ignore_missing_vars:
        reader = checkpoint_utils.NewCheckpointReader(model_path)
        named = var_list if isinstance(var_list, dict) else {
            v.op.name: v for v in var_list}
        available = {}
        for name, var in named.items():
            if reader.has_tensor(name):
                available[name] = var
            else:
                logging.warning("Variable %s missing in checkpoint %s", name, model_path)
        var_list = available
    if not var_list:
        logging.warning("No Variables to restore")
        return None
    saver = saver_lib.Saver(var_list, reshape=reshape_variables)

    def callback(session):
        saver.restore(session, model_path)
    return callback
