"""Op table rows of NthElement (tensorweave/ops/sort_ops.py), tf.contrib.nn.nth_element's op
type (see test_op_table.py)."""
import numpy as np

from op_case import Case, rand


def _nth(x, n, reverse=False):
    ordered = np.sort(x, axis=-1)
    return ordered[..., -1 - int(n)] if reverse else ordered[..., int(n)]


CASES = [
    Case("NthElement", [rand(3, 5), np.int32(2)], _nth, attrs={"reverse": False}),
    Case("NthElement", [rand(2, 3, 4), np.int32(0)], lambda x, n: _nth(x, n, True),
         attrs={"reverse": True}, tag="reverse_rank3"),
    Case("NthElement", [rand(6), np.int32(5)], _nth, attrs={"reverse": False}, tag="vector"),
]
