"""tf.contrib.layers.utils: output collections with aliases (slim's end_points), smart_cond
and small argument helpers."""
import collections

from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value as _static_value
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import get_default_graph
from tensorweave.core.operation import Tensor
from tensorweave.ops import control
from tensorweave.variables import Variable

__all__ = ["append_tensor_alias", "collect_named_outputs", "constant_value",
           "convert_collection_to_dict", "get_tensor_aliases", "get_variable_collections",
           "smart_cond", "static_cond", "two_element_tuple", "n_positive_integers",
           "channel_dimension", "last_dimension"]


def _aliases(graph):
    return graph.extension(_aliases, dict)  # tensor -> its aliases (TF sets tensor.aliases)


def append_tensor_alias(tensor, alias):
    """Records `alias` (a trailing '/' dropped) as a name of `tensor`; returns tensor."""
    if alias[-1:] == "/":
        alias = alias[:-1]
    _aliases(tensor.graph).setdefault(tensor, []).append(alias)
    return tensor


def get_tensor_aliases(tensor):
    """The aliases of `tensor`, or its name (without ':0') when it has none."""
    found = _aliases(tensor.graph).get(tensor)
    if found:
        return list(found)
    return [tensor.name[:-2] if tensor.name.endswith(":0") else tensor.name]


def collect_named_outputs(collections_, alias, outputs):
    """Adds `outputs` to `collections_` under the name `alias`; returns outputs."""
    if collections_:
        append_tensor_alias(outputs, alias)
        get_default_graph().add_to_collections(collections_, outputs)
    return outputs


def convert_collection_to_dict(collection, clear_collection=False):
    """An OrderedDict alias -> tensor of a collection (slim's end_points)."""
    graph = get_default_graph()
    output = collections.OrderedDict(
        (alias, tensor) for tensor in graph.get_collection(collection)
        for alias in get_tensor_aliases(tensor))
    if clear_collection:
        del graph.get_collection_ref(collection)[:]
    return output


def get_variable_collections(variables_collections, name):
    """The collections for the variable `name` (a dict looked up, or the list itself)."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name, None)
    return variables_collections


def constant_value(value_or_tensor_or_var, dtype=None):
    """The value of a Python value or constant tensor; None for a tensor known only at run
    time; ValueError for a Variable."""
    if value_or_tensor_or_var is None:
        raise ValueError("value_or_tensor_or_var cannot be None")
    value = value_or_tensor_or_var
    if isinstance(value, Variable):
        raise TypeError("value_or_tensor_or_var cannot be a Variable")
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype.base_dtype is not dtypes.as_dtype(dtype):
            raise ValueError(f"The given dtype {dtype} is different from the tensor's "
                             f"{value.dtype}")
        return _static_value(value)
    return value


def static_cond(pred, fn1, fn2):
    """fn1() when the Python value `pred` holds, else fn2()."""
    if not callable(fn1) or not callable(fn2):
        raise TypeError("fn1 and fn2 must be callable.")
    return fn1() if pred else fn2()


def smart_cond(pred, fn1, fn2, name=None):
    """static_cond when `pred` is known at build time, else tf.cond."""
    if isinstance(pred, Variable):
        pred = pred.value()
    known = _static_value(pred) if isinstance(pred, Tensor) else pred
    if known is not None:
        return static_cond(bool(known), fn1, fn2)
    return control.cond(convert_to_tensor(pred, dtype=dtypes.bool), fn1, fn2, name=name)


def n_positive_integers(n, value):
    """`value` (an int or n ints) as a tuple of n positive ints."""
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"invalid value: {value}")
        return (value,) * n
    values = tuple(int(v) for v in value)
    if len(values) != n or any(v <= 0 for v in values):
        raise ValueError(f"Expected sequence of {n} positive integers, but received {value!r}")
    return values


def two_element_tuple(int_or_tuple):
    """An int or a pair as a pair of ints."""
    if isinstance(int_or_tuple, (list, tuple)):
        if len(int_or_tuple) != 2:
            raise ValueError(f"Must be a list with 2 elements: {int_or_tuple}")
        return int(int_or_tuple[0]), int(int_or_tuple[1])
    if isinstance(int_or_tuple, int):
        return int_or_tuple, int_or_tuple
    raise ValueError("Must be an int, a list with 2 elements or a TensorShape of length 2")


def last_dimension(shape, min_rank=1):
    """The last dimension of `shape`; ValueError when unknown or the rank is below min_rank."""
    dims = shape.as_list() if shape.ndims is not None else None
    if dims is None:
        raise ValueError("dims of shape must be known but is None")
    if len(dims) < min_rank:
        raise ValueError(f"rank of shape must be at least {min_rank} not: {len(dims)}")
    if dims[-1] is None:
        raise ValueError("last dimension shape must be known but is None")
    return dims[-1]


def channel_dimension(shape, data_format, min_rank=1):
    """The channel dimension of `shape` for 'channels_first'/'NC..' or channels-last."""
    if data_format in ("channels_first",) or str(data_format).startswith("NC"):
        dims = shape.as_list()
        if len(dims) < min_rank:
            raise ValueError(f"rank of shape must be at least {min_rank} not: {len(dims)}")
        if dims[1] is None:
            raise ValueError("channel dimension must be known but is None")
        return dims[1]
    return last_dimension(shape, min_rank)
