"""CSV parsing: the DecodeCSV op (tf.decode_csv in io/parsing_ops.py builds it).

    line = tf.constant(["1,2.5,a", "3,,b"])
    ints, floats, texts = tf.decode_csv(line, record_defaults=[[0], [0.0], [""]])
    # ints [1, 3], floats [2.5, 0.0] (the default fills the empty field), texts [b'a', b'b']
"""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops._common import first_input_rows

RECORD_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _decode_csv_shape(records, *defaults, OUT_TYPE, field_delim, use_quote_delim, na_value,
                      select_cols):
    if records.dtype is not dtypes.string:
        raise TypeError(f"DecodeCSV requires string records, got {records.dtype.name}")
    if len(field_delim) != 1:
        raise ValueError(f"DecodeCSV requires a one-character field_delim, got {field_delim!r}")
    for i, d in enumerate(defaults):
        if d.dtype not in RECORD_TYPES:
            raise TypeError(f"DecodeCSV requires record defaults of type float32, float64, "
                            f"int32, int64 or string, got {d.dtype.name} for column {i}")
        if not d.shape.is_compatible_with(TensorShape([None])) and d.shape.ndims != 0:
            raise ValueError(f"DecodeCSV requires each record default to be a scalar or a "
                             f"vector of at most one element, got shape {d.shape} for "
                             f"column {i}")
    if select_cols and len(select_cols) != len(defaults):
        raise ValueError(f"DecodeCSV requires one record default per selected column, got "
                         f"{len(defaults)} defaults for {len(select_cols)} columns")
    return [(d.dtype, records.shape) for d in defaults]


def _split(text, delim, quotes, record):
    """The fields of one record (bytes); double quotes enclose fields when `quotes`."""
    if not text:
        return []  # an empty record has no fields (as in TF)
    if not quotes or b'"' not in text:
        return text.split(delim)
    fields, pos, end = [], 0, len(text)
    while True:
        if text[pos:pos + 1] == b'"':
            parts, pos = [], pos + 1
            while True:
                q = text.find(b'"', pos)
                if q < 0:
                    raise _invalid(f"Quoted field has to end with quote followed by delim or "
                                   f"end in record {record}")
                parts.append(text[pos:q])
                if text[q + 1:q + 2] == b'"':  # "" is a quote inside a quoted field
                    parts.append(b'"')
                    pos = q + 2
                    continue
                pos = q + 1
                break
            fields.append(b"".join(parts))
            if pos == end:
                return fields
            if text[pos:pos + 1] != delim:
                raise _invalid(f"Quoted field has to end with quote followed by delim or end "
                               f"in record {record}")
            pos += 1
        else:
            d = text.find(delim, pos)
            field = text[pos:end if d < 0 else d]
            if b'"' in field:
                raise _invalid(f"Unquoted fields cannot have quotes inside in record {record}")
            fields.append(field)
            if d < 0:
                return fields
            pos = d + 1


def _column(fields, default, column, na_value):
    """One output column from its field texts, with `default` for empty or NA fields."""
    missing = [f == b"" or f == na_value for f in fields]
    if any(missing):
        if default.size == 0:
            raise _invalid(f"Field {column} is required but missing in record "
                           f"{missing.index(True)}!")
        fill = default.reshape(-1)[0]
    np_dtype = default.dtype
    if np_dtype == object:
        out = np.empty(len(fields), dtype=object)
        out[:] = [fill if m else f for f, m in zip(fields, missing)]
        return out
    present = [f for f, m in zip(fields, missing) if not m]
    wide = np.float64 if np_dtype.kind == "f" else np.int64
    try:
        values = np.array(present, dtype=bytes).astype(wide) if present else np.zeros(0, wide)
    except (ValueError, OverflowError):
        values = None
    if values is not None and np_dtype == np.int32 and values.size and (
            values.min() < -2 ** 31 or values.max() >= 2 ** 31):
        values = None
    if values is None:
        raise _invalid(_bad_field(fields, missing, np_dtype, column))
    out = np.empty(len(fields), dtype=np_dtype)
    keep = ~np.array(missing, dtype=bool)
    out[keep] = values
    if not keep.all():
        out[~keep] = fill
    return out


def _bad_field(fields, missing, np_dtype, column):
    """The error text for the first field that does not parse as `np_dtype`."""
    is_float = np_dtype.kind == "f"
    for i, f in enumerate(fields):
        if missing[i]:
            continue
        try:
            v = (float if is_float else int)(f)
        except ValueError:
            break
        if not is_float and not np.iinfo(np_dtype).min <= v <= np.iinfo(np_dtype).max:
            break
    kind = "float" if is_float else np_dtype.name
    return f"Field {column} in record {i} is not a valid {kind}: {f.decode('utf-8', 'replace')}"


def _decode_csv_kernel(records, *defaults, OUT_TYPE, field_delim, use_quote_delim, na_value,
                       select_cols):
    texts = [r if isinstance(r, bytes) else str(r).encode("utf-8")
             for r in np.asarray(records, dtype=object).reshape(-1)]
    delim, na = field_delim.encode("utf-8"), na_value.encode("utf-8")
    rows = [_split(t, delim, use_quote_delim, i) for i, t in enumerate(texts)]
    if select_cols:
        needed = max(select_cols) + 1
        for i, r in enumerate(rows):
            if len(r) < needed:
                raise _invalid(f"Expect {needed} fields but have {len(r)} in record {i}")
        columns = [[r[c] for r in rows] for c in select_cols]
    else:
        for i, r in enumerate(rows):
            if len(r) != len(defaults):
                raise _invalid(f"Expect {len(defaults)} fields but have {len(r)} in record {i}")
        columns = [list(c) for c in zip(*rows)] if rows else [[] for _ in defaults]
    outs = [_column(fields, np.asarray(d), i, na).reshape(np.shape(records))
            for i, (fields, d) in enumerate(zip(columns, defaults))]
    return outs[0] if len(outs) == 1 else tuple(outs)


register_op("DecodeCSV", shape=_decode_csv_shape, kernel=_decode_csv_kernel,
            grad=NOT_DIFFERENTIABLE, row_wise=first_input_rows)


def decode_csv(records, record_defaults, *, field_delim, use_quote_delim, na_value, select_cols,
               name):
    """The DecodeCSV op's outputs, one tensor per column (`record_defaults` are tensors)."""
    op = create_op("DecodeCSV", [records] + list(record_defaults), name=name,
                   OUT_TYPE=[d.dtype for d in record_defaults], field_delim=field_delim,
                   use_quote_delim=use_quote_delim, na_value=na_value, select_cols=select_cols)
    return list(op.outputs)
