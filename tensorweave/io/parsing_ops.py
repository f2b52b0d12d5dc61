"""CSV parsing (TF's tf.decode_csv); the DecodeCSV op is in ops/parsing.py.

    line = tf.constant(["1,2.5,a", "3,,b"])
    ints, floats, texts = tf.decode_csv(line, record_defaults=[[0], [0.0], [""]])
    # ints [1, 3], floats [2.5, 0.0] (the default fills the empty field), texts [b'a', b'b']
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.ops import parsing


def _default_tensor(value):
    if isinstance(value, (list, tuple)) and not value:
        return convert_to_tensor(np.zeros(0, np.float32))
    t = convert_to_tensor(value)
    if t.dtype is dtypes.string or t.dtype in parsing.RECORD_TYPES:
        return t
    raise TypeError(f"record_defaults must be float32, float64, int32, int64 or string, got "
                    f"{t.dtype.name}")


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None,
               na_value="", select_cols=None):
    """Parses CSV `records` (a string tensor) into one tensor per column.

    record_defaults: one entry per column, its dtype and the value for empty fields
    (`[0.0]`, `[0]`, `[""]`, ...); an empty entry (`[]` or an empty tensor) makes the column
    required."""
    with name_scope(name, "DecodeCSV") as scope:
        records = convert_to_tensor(records, dtype=dtypes.string)
        defaults = [_default_tensor(v) for v in record_defaults]
        if select_cols is not None:
            select_cols = [int(c) for c in select_cols]
            if any(b <= a for a, b in zip(select_cols, select_cols[1:])) or (
                    select_cols and select_cols[0] < 0):
                raise ValueError("select_cols is not strictly increasing.")
        return parsing.decode_csv(records, defaults, field_delim=field_delim,
                                  use_quote_delim=bool(use_quote_delim), na_value=na_value,
                                  select_cols=select_cols or [], name=scope[:-1] + "/")
