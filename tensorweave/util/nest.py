"""Nested structures of values (TF's tf.nest): lists, tuples, namedtuples and dicts of leaves.

    flatten(((a, b), {"k": c}))                  -> [a, b, c]
    pack_sequence_as(((0, 0), {"k": 0}), [x, y, z]) -> ((x, y), {"k": z})

Dicts flatten in sorted key order, as in TensorFlow. Everything else (tensors, TensorArrays,
numbers, None) is a leaf.
"""


def is_sequence(value):
    """True for the containers nest looks into: list, tuple (incl. namedtuple), dict."""
    return isinstance(value, (list, tuple, dict))


def _children(value):
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    return list(value)


def flatten(structure):
    """The leaves of `structure`, depth first."""
    if not is_sequence(structure):
        return [structure]
    out = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def _rebuild(template, children):
    if isinstance(template, dict):
        keys = sorted(template)
        built = dict(zip(keys, children))
        return type(template)((k, built[k]) for k in template)
    if hasattr(template, "_fields"):  # namedtuple
        return type(template)(*children)
    return type(template)(children)


def _pack(template, leaves):
    if not is_sequence(template):
        return next(leaves)
    return _rebuild(template, [_pack(child, leaves) for child in _children(template)])


def pack_sequence_as(structure, flat_sequence):
    """`flat_sequence` arranged in the nesting of `structure`."""
    flat_sequence = list(flat_sequence)
    count = len(flatten(structure))
    if count != len(flat_sequence):
        raise ValueError(f"Could not pack sequence. Structure had {count} elements, but "
                         f"flat_sequence had {len(flat_sequence)} elements.")
    return _pack(structure, iter(flat_sequence))


def assert_same_structure(first, second, check_types=True):
    """Raises ValueError (or TypeError for differing container types) unless `first` and
    `second` nest alike."""
    if is_sequence(first) != is_sequence(second):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {first}\n\nSecond structure: {second}")
    if not is_sequence(first):
        return
    if check_types and type(first) is not type(second):
        raise TypeError(f"The two structures don't have the same sequence type. First "
                        f"structure has type {type(first)}, while second structure has type "
                        f"{type(second)}.")
    if isinstance(first, dict) and sorted(first) != sorted(second):
        raise ValueError(f"The two dictionaries don't have the same set of keys: "
                         f"{sorted(first)} and {sorted(second)}")
    a, b = _children(first), _children(second)
    if len(a) != len(b):
        raise ValueError(f"The two structures don't have the same number of elements.\n\n"
                         f"First structure: {first}\n\nSecond structure: {second}")
    for x, y in zip(a, b):
        assert_same_structure(x, y, check_types)


def map_structure(fn, *structures):
    """`fn` applied leafwise to structures of one nesting, in that nesting."""
    for other in structures[1:]:
        assert_same_structure(structures[0], other)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [fn(*leaves) for leaves in zip(*flats)])
