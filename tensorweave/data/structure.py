"""Nested element structures of tf.data: tuples and dicts nest, everything else is a leaf.

As in TF's tf.data, lists are leaves (they become tensors), dict entries flatten in sorted key
order and packing keeps the template's own key order.

    >>> flatten(({"b": 1, "a": 2}, 3))
    [2, 1, 3]
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape, as_shape


def is_nested(value):
    return isinstance(value, (tuple, dict))


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        raise TypeError(f"tf.data needs dict keys that sort, got {list(d)}") from None


def flatten(structure):
    """The leaves of `structure`, depth first."""
    if isinstance(structure, dict):
        return [leaf for k in _sorted_keys(structure) for leaf in flatten(structure[k])]
    if isinstance(structure, tuple):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_as(template, flat):
    """`flat` leaves arranged like `template` (the inverse of flatten)."""
    flat = list(flat)
    packed, used = _pack(template, flat, 0)
    if used != len(flat):
        raise ValueError(f"Structure has {used} leaves but {len(flat)} values were given")
    return packed


def _pack(template, flat, i):
    if isinstance(template, dict):
        items = {}
        for k in _sorted_keys(template):
            items[k], i = _pack(template[k], flat, i)
        out = {k: items[k] for k in template}
        return (out if type(template) is dict else type(template)(out)), i
    if isinstance(template, tuple):
        parts = []
        for item in template:
            part, i = _pack(item, flat, i)
            parts.append(part)
        if hasattr(template, "_fields"):
            return type(template)(*parts), i
        return type(template)(parts), i
    if i >= len(flat):
        raise ValueError("Structure has more leaves than the values given")
    return flat[i], i + 1


def map_structure(fn, *structures):
    """`fn` applied leafwise to structures of the same shape."""
    assert_same_structure(*structures)
    flats = [flatten(s) for s in structures]
    return pack_as(structures[0], [fn(*leaves) for leaves in zip(*flats)])


def _skeleton(structure):
    if isinstance(structure, dict):
        return ("dict", tuple((k, _skeleton(structure[k])) for k in _sorted_keys(structure)))
    if isinstance(structure, tuple):
        return ("tuple", tuple(_skeleton(s) for s in structure))
    return None


def same_structure(a, b):
    return _skeleton(a) == _skeleton(b)


def assert_same_structure(*structures):
    for other in structures[1:]:
        if not same_structure(structures[0], other):
            raise TypeError(f"The two structures don't have the same nested structure: "
                            f"{structures[0]!r} and {other!r}")


class Spec:
    """One component of a dataset element: its dtype and (partial) static shape."""

    __slots__ = ("dtype", "shape")

    def __init__(self, dtype, shape):
        self.dtype = dtypes.as_dtype(dtype)
        self.shape = as_shape(shape)

    @property
    def np_dtype(self):
        return np.dtype(self.dtype.as_numpy_dtype)

    def __repr__(self):
        return f"Spec({self.dtype.name}, {self.shape})"


class DatasetSpec(Spec):
    """A component that is itself a dataset (a window) of elements of this dtype and shape:
    functions receive it as a Dataset; its running form is those elements stacked."""

    __slots__ = ()

    def __repr__(self):
        return f"DatasetSpec({self.dtype.name}, {self.shape})"


def spec_of(leaf):
    """The Spec of a Tensor or NumPy array."""
    if isinstance(leaf, Tensor):
        return Spec(leaf.dtype, leaf.shape)
    return Spec(dtypes.string if leaf.dtype == object else leaf.dtype, TensorShape(leaf.shape))


class Structured:
    """TF's output_types / output_shapes / output_classes of an object whose element
    structure is the nested Specs `self._specs` (a Dataset, an Iterator)."""

    @property
    def output_types(self):
        return map_structure(lambda s: s.dtype, self._specs)

    @property
    def output_shapes(self):
        return map_structure(lambda s: s.shape, self._specs)

    @property
    def output_classes(self):
        return map_structure(lambda s: Tensor, self._specs)

    def _flat_specs(self):
        return flatten(self._specs)


def specs_from(output_types, output_shapes=None):
    """Specs from TF-style `output_types` and optional `output_shapes` structures (a list of
    types is read as a tuple)."""
    if isinstance(output_types, list):
        output_types = tuple(output_types)
    if output_shapes is None:
        return map_structure(lambda t: Spec(t, None), output_types)
    if not is_nested(output_types):
        return Spec(output_types, _shape_leaf(output_shapes))
    shapes = _broadcast_shapes(output_types, output_shapes)
    return map_structure(lambda t, s: Spec(t, s), output_types, shapes)


def _shape_leaf(shape):
    return TensorShape(None) if shape is None else as_shape(shape)


def _broadcast_shapes(types, shapes):
    """`shapes` with its leaves (TensorShapes or lists of dims) matched to `types`' leaves."""
    if isinstance(types, dict):
        return {k: _broadcast_shapes(types[k], shapes[k]) for k in types}
    if isinstance(types, tuple):
        if not isinstance(shapes, (tuple, list)) or len(shapes) != len(types):
            raise ValueError(f"output_shapes {shapes!r} do not match output_types {types!r}")
        return tuple(_broadcast_shapes(t, s) for t, s in zip(types, shapes))
    return _shape_leaf(shapes)


def most_specific_compatible(a, b):
    """The most specific shape both `a` and `b` are instances of (dims that differ -> None)."""
    a, b = as_shape(a), as_shape(b)
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(a.as_tuple(), b.as_tuple())])
