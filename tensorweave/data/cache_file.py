"""The file behind `Dataset.cache(filename)`: `<filename>.tw-cache`, a NumPy .npz archive of
plain arrays (never a pickle), checked against the dataset's element specs when read.

A cache holds entries `(is_chunk, components)` (see `pipeline.CacheStore`): the flat tuple of
arrays of one element, or of a chunk of stacked elements. For component j the archive holds

- `c<j>.data`: every entry's array flattened and concatenated (strings: their bytes, uint8),
- `c<j>.lengths`: for strings only, the byte length of each string,
- `c<j>.ranks` and `c<j>.dims`: each entry's rank, and all their dimensions one after another,

plus `chunks` (whether each entry is a chunk) and `format` (this layout's name). A damaged file
is DataLossError naming it; a sound one written for other element types is
InvalidArgumentError, as in TensorFlow ("Data type mismatch at component 0").
"""
import math
import os
import struct
import zipfile

import numpy as np

from tensorweave.core import dtypes, errors

FORMAT = b"tensorweave-dataset-cache-1"


# --- writing ---------------------------------------------------------------------------------

def write(path, entries, specs):
    """Writes `entries` (of elements with flat `specs`) to `path`, atomically."""
    arrays = {"format": np.frombuffer(FORMAT, np.uint8),
              "chunks": np.array([is_chunk for is_chunk, _ in entries], dtype=bool)}
    for j, spec in enumerate(specs):
        values = [np.asarray(components[j]) for _, components in entries]
        arrays[f"c{j}.ranks"] = np.array([v.ndim for v in values], dtype=np.int64)
        arrays[f"c{j}.dims"] = np.array([d for v in values for d in v.shape], dtype=np.int64)
        if spec.dtype is dtypes.string:
            items = [x.encode("utf-8") if isinstance(x, str) else bytes(x)
                     for v in values for x in v.reshape(-1)]
            arrays[f"c{j}.lengths"] = np.array([len(x) for x in items], dtype=np.int64)
            arrays[f"c{j}.data"] = np.frombuffer(b"".join(items), dtype=np.uint8)
        else:
            flat = [v.reshape(-1) for v in values]
            arrays[f"c{j}.data"] = (np.concatenate(flat) if flat else np.empty(0)).astype(
                spec.np_dtype, copy=False)
    partial = path + ".partial"
    with open(partial, "wb") as f:
        np.savez(f, **arrays)  # stored uncompressed, no object arrays: nothing is pickled
    os.replace(partial, path)


# --- reading ---------------------------------------------------------------------------------

def read(path, specs):
    """The entries stored in `path` for elements with flat `specs`."""
    arrays = _read_arrays(path)
    fault = _Faults(path)
    chunks = arrays.pop("chunks", None)
    if _bytes(arrays.pop("format", None)) != FORMAT or chunks is None or \
            chunks.dtype != bool or chunks.ndim != 1:
        raise fault.damage("it is not a tensorweave dataset cache")
    stored = {name.partition(".")[0] for name in arrays}
    if stored != {f"c{j}" for j in range(len(specs))}:
        raise fault.mismatch(f"its elements have {len(stored)} component(s), the dataset's "
                             f"have {len(specs)}")
    columns = [_column(arrays, j, spec, len(chunks), fault) for j, spec in enumerate(specs)]
    entries = []
    for i, is_chunk in enumerate(chunks.tolist()):
        components = tuple(column[i] for column in columns)
        if is_chunk:
            rows = {c.shape[0] if c.ndim else None for c in components}
            if len(rows) != 1 or None in rows:
                raise fault.damage(f"the components of chunk {i} differ in their rows")
        for j, (component, spec) in enumerate(zip(components, specs)):
            shape = component.shape[1:] if is_chunk else component.shape
            if not spec.shape.is_compatible_with(shape):
                raise fault.mismatch(f"component {j} has shape {list(shape)}, the dataset's "
                                     f"is {spec.shape}")
        entries.append((is_chunk, components))
    return entries


class _Faults:
    """The two errors a cache file can give, naming it."""

    def __init__(self, path):
        self.path = path

    def damage(self, detail):
        return errors.DataLossError(None, None, f"Dataset cache file {self.path} is corrupt: "
                                    f"{detail}. Delete it to rebuild the cache.")

    def mismatch(self, detail):
        return errors.InvalidArgumentError(
            None, None, f"Dataset cache file {self.path} was written for another dataset: "
            f"{detail}. Delete it or cache to another file name.")


def _bytes(array):
    return None if array is None or array.dtype != np.uint8 else array.tobytes()


def _column(arrays, j, spec, count, fault):
    """Component `j` of every entry, as a list of arrays."""
    is_string = spec.dtype is dtypes.string
    present = {name for name in arrays if name.startswith(f"c{j}.")}
    stored_as_string = f"c{j}.lengths" in present
    data = arrays.get(f"c{j}.data")
    if data is not None and (is_string != stored_as_string or
                             not is_string and data.dtype != spec.np_dtype):
        stored = "string" if stored_as_string else data.dtype.name
        raise fault.mismatch(f"Data type mismatch at component {j}: expected "
                             f"{spec.dtype.name} but got {stored}")
    names = {f"c{j}.data", f"c{j}.ranks", f"c{j}.dims"} | (
        {f"c{j}.lengths"} if is_string else set())
    if present != names:
        raise fault.damage(f"component {j} has arrays {sorted(present)}, not {sorted(names)}")
    ranks, dims = arrays[f"c{j}.ranks"], arrays[f"c{j}.dims"]
    if ranks.dtype != np.int64 or dims.dtype != np.int64 or ranks.shape != (count,) or \
            dims.ndim != 1 or (ranks < 0).any() or (dims < 0).any() or \
            sum(ranks.tolist()) != len(dims) or data.ndim != 1:
        raise fault.damage(f"the shapes of component {j} are inconsistent")
    shapes, start = [], 0
    for rank in ranks.tolist():
        shapes.append(tuple(dims[start:start + rank].tolist()))
        start += rank
    sizes = [math.prod(shape) for shape in shapes]
    if is_string:
        lengths = arrays[f"c{j}.lengths"]
        if data.dtype != np.uint8 or lengths.dtype != np.int64 or lengths.ndim != 1 or \
                (lengths < 0).any() or len(lengths) != sum(sizes) or \
                sum(lengths.tolist()) != len(data):
            raise fault.damage(f"the strings of component {j} are inconsistent")
        raw = data.tobytes()
        data = np.empty(len(lengths), dtype=object)
        data[:] = [raw[end - n:end] for end, n in zip(np.cumsum(lengths).tolist(),
                                                         lengths.tolist())]
    elif sum(sizes) != len(data):
        raise fault.damage(f"component {j} holds {len(data)} values, its shapes need "
                           f"{sum(sizes)}")
    column, start = [], 0
    for shape, size in zip(shapes, sizes):
        column.append(data[start:start + size].reshape(shape))
        start += size
    return column


def _read_arrays(path):
    """The arrays of the .npz file at `path`, refusing anything but plain, uncompressed arrays
    whose declared sizes match the bytes stored (checked before allocating)."""
    fault = _Faults(path)
    try:
        file_size = os.path.getsize(path)
        arrays = {}
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename
                if not name.endswith(".npy") or info.compress_type != zipfile.ZIP_STORED or \
                        info.file_size > file_size or name[:-4] in arrays:
                    raise fault.damage(f"unexpected member {name!r}")
                with archive.open(info) as member:
                    arrays[name[:-4]] = _read_array(member, info.file_size, name, fault)
        return arrays
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error,
            OSError) as e:
        raise fault.damage(f"{type(e).__name__}: {e}") from None


def _read_array(member, member_size, name, fault):
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(member)
    else:
        raise fault.damage(f"member {name!r} has .npy version {version}")
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise fault.damage(f"member {name!r} holds {dtype}, not plain values")
    size = math.prod(shape) * dtype.itemsize
    if size != member_size - member.tell():
        raise fault.damage(f"member {name!r} declares {size} bytes of data, holds "
                           f"{member_size - member.tell()}")
    data = bytearray(size)
    if member.readinto(data) != size or member.read(1):  # reading to the end checks the CRC
        raise fault.damage(f"member {name!r} is truncated")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")
