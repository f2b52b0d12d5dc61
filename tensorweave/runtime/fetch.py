"""Fetches and feeds of a Session.run: the fetch structure flattened to graph elements and
rebuilt around their values, the cache key of a fetch structure, and fed values converted and
checked before they fill their slots."""
import numpy as np

from tensorweave.core.composite_tensor import CompositeTensor
from tensorweave.core.indexed_slices import IndexedSlices, IndexedSlicesValue
from tensorweave.core.operation import Operation, Tensor, TensorLike
from tensorweave.core.sparse_tensor import SparseTensor, SparseTensorValue, sparse_feed_items
from tensorweave.ops.control.contexts import DEAD
from tensorweave.util import nest


class FetchMapper:
    """Flattens a nested fetch structure to unique graph elements and rebuilds the results."""

    def __init__(self, graph, fetches):
        self.elements = []
        self._index = {}
        self._template = self._flatten(graph, fetches)

    def _flatten(self, graph, fetch):
        if fetch is None:
            raise TypeError(f"Fetch argument None has invalid type {type(None)}")
        if isinstance(fetch, (list, tuple)):
            parts = [self._flatten(graph, f) for f in fetch]
            if hasattr(fetch, "_fields"):
                return ("namedtuple", type(fetch), parts)
            return (type(fetch), parts)
        if isinstance(fetch, dict):
            return ("dict", type(fetch), list(fetch.keys()),
                    [self._flatten(graph, v) for v in fetch.values()])
        if isinstance(fetch, SparseTensor):
            return ("namedtuple", SparseTensorValue,
                    [self._flatten(graph, part) for part in fetch.components()])
        if isinstance(fetch, CompositeTensor):  # a RaggedTensor: the library rebuilds it
            return ("namedtuple", fetch.value_from_components,
                    [self._flatten(graph, part) for part in fetch.components()])
        if isinstance(fetch, IndexedSlices):  # dense_shape None: fetched as None, as TF
            parts = [fetch.values, fetch.indices, fetch.dense_shape]
            return ("namedtuple", IndexedSlicesValue,
                    [("none",) if p is None else self._flatten(graph, p) for p in parts])
        try:
            element = graph.as_graph_element(fetch)
        except TypeError as e:
            raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be a "
                            f"string or Tensor. ({e})") from None
        except ValueError as e:
            raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. "
                             f"({e})") from None
        except KeyError as e:
            raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. "
                             f"({e.args[0]})") from None
        if element not in self._index:
            self._index[element] = len(self.elements)
            self.elements.append(element)
        return self._index[element]

    def build(self, values):
        return self._build(self._template, values)

    def _build(self, template, values):
        if isinstance(template, int):
            return values[template]
        if template[0] == "none":
            return None
        if template[0] == "namedtuple":
            return template[1](*[self._build(t, values) for t in template[2]])
        if template[0] == "dict":
            _, kind, keys, parts = template
            built = kind() if kind is not dict else {}
            for key, part in zip(keys, parts):
                built[key] = self._build(part, values)
            return built
        kind, parts = template
        return kind(self._build(t, values) for t in parts)


_FETCHED_WHOLE = (Tensor, Operation, str, SparseTensor, CompositeTensor)


def fetch_key(fetches):
    """A hashable key describing a fetch structure (identity of the elements it names)."""
    if isinstance(fetches, _FETCHED_WHOLE):
        return fetches
    if isinstance(fetches, (list, tuple)):
        return (type(fetches), tuple([fetch_key(f) for f in fetches]))
    if isinstance(fetches, dict):
        return (type(fetches), tuple([(k, fetch_key(v)) for k, v in fetches.items()]))
    return fetches


def flattened_feeds(feeds):
    """`feeds` with each tuple key (an LSTMStateTuple, nested tuples of tensors) replaced by
    its leaves, each fed the matching leaf of the value, as TF's nest.flatten_dict_items."""
    flat = {}
    for key, value in feeds.items():
        keys, values = ([key], [value]) if not isinstance(key, tuple) else (
            nest.flatten(key), nest.flatten(value))
        if len(keys) != len(values):
            raise ValueError(f"Could not flatten dictionary. Key had {len(keys)} elements, but "
                             f"value had {len(values)} elements. Key: {keys}, value: {values}.")
        for leaf, leaf_value in zip(keys, values):
            if leaf in flat:
                raise ValueError(f"Could not flatten dictionary: key {leaf} is not unique.")
            flat[leaf] = leaf_value
    return flat


def expand_feeds(feeds):
    """`feeds` with each tuple key replaced by its leaves (`flattened_feeds`), each SparseTensor
    key by its three component tensors and each CompositeTensor key by its components."""
    if any(isinstance(key, tuple) for key in feeds):
        feeds = flattened_feeds(feeds)
    if not any(isinstance(key, (SparseTensor, CompositeTensor)) for key in feeds):
        return feeds
    expanded = {}
    for key, value in feeds.items():
        if isinstance(key, SparseTensor):
            expanded.update(sparse_feed_items(key, value))
        elif isinstance(key, CompositeTensor):
            expanded.update(key.feed_items(value))
        else:
            expanded[key] = value
    return expanded


class FeedSlot:
    """How one fed tensor's value is converted and checked before it fills its slot."""

    __slots__ = ("tensor", "slot", "np_dtype", "rank", "known_dims", "is_string")

    def __init__(self, tensor, slot):
        self.tensor = tensor
        self.slot = slot
        self.is_string = tensor.dtype.name == "string"
        self.np_dtype = np.dtype(tensor.dtype.as_numpy_dtype)
        dims = tensor.shape.as_tuple()
        self.rank = None if dims is None else len(dims)
        self.known_dims = () if dims is None else tuple(
            (i, d) for i, d in enumerate(dims) if d is not None)

    def convert(self, value):
        if isinstance(value, TensorLike):
            raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed "
                            "values include Python scalars, strings, lists, numpy ndarrays, or "
                            "TensorHandles. For reference, the tensor object was "
                            f"{value!r} which was passed to the feed with key "
                            f"{self.tensor!r}.")
        if self.is_string:
            array = np.asarray(value, dtype=object)
            array = np.vectorize(lambda s: s.encode() if isinstance(s, str) else s,
                                 otypes=[object])(array) if array.size else array
        else:
            if isinstance(value, int) and self.np_dtype.kind in "iu" and not (
                    np.iinfo(self.np_dtype).min <= value <= np.iinfo(self.np_dtype).max):
                raise TypeError(f"Type of feed value {value} with type {type(value)} is not "
                                f"compatible with Tensor type {self.np_dtype.type}. Try "
                                f"explicitly setting the type of the feed tensor to a larger "
                                f"type (e.g. int64).")
            array = np.asarray(value, dtype=self.np_dtype)
        if self.rank is not None:
            shape = array.shape
            if len(shape) != self.rank or any(shape[i] != d for i, d in self.known_dims):
                raise ValueError(f"Cannot feed value of shape {shape!r} for Tensor "
                                 f"{self.tensor.name!r}, which has shape "
                                 f"{str(self.tensor.shape)!r}")
        return array


class DeadFetch(Exception):
    """A fetched tensor was computed in a branch of tf.cond that was not taken."""


def fetched_value(value, copy):
    """What the user receives for a slot's value: scalars unwrapped, shared arrays copied."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value[()]
        return value.copy() if copy else value
    if value is DEAD:
        raise DeadFetch
    return value
