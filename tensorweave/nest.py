"""tf.nest: nested structures (lists, tuples, namedtuples, dicts) of values."""
from tensorweave.util.nest import (assert_same_structure, flatten,  # noqa: F401
                                   map_structure, pack_sequence_as)
from tensorweave.util.nest import is_sequence as is_nested  # noqa: F401
