"""Checkpoint ops: SaveV2 writes tensors to a TensorFlow V2 checkpoint, RestoreV2 reads them.

They are TensorFlow's ops of the same names (inputs, attrs and errors), so a Saver's graph
exports and imports like TensorFlow's. The file format lives in `tensorweave.lib`, which
these kernels load on first use (it needs the protobuf package).
"""
import numpy as np

from tensorweave.core import dtypes as _dtypes
from tensorweave.core import errors
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, get_default_graph
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape


def _text(value):
    value = value.item() if isinstance(value, np.ndarray) else value
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _check_string(op_type, what, tensor, rank):
    if tensor.dtype is not _dtypes.string:
        raise TypeError(f"{op_type} requires a string {what}, got {tensor.dtype.name}")
    if not tensor.shape.is_compatible_with(TensorShape([None] * rank)):
        raise ValueError(f"{op_type} requires {what} of rank {rank}, got shape {tensor.shape}")


def _check_names(op_type, prefix, tensor_names, shape_and_slices, count):
    _check_string(op_type, "prefix", prefix, 0)
    for what, t in (("tensor_names", tensor_names), ("shape_and_slices", shape_and_slices)):
        _check_string(op_type, what, t, 1)
        if not t.shape.is_compatible_with(TensorShape([count])):
            raise ValueError(f"{op_type} requires {count} {what} (one per tensor), got shape "
                             f"{t.shape}")


def _check_slices(op_type, names, slices):
    for name, spec in zip(names, slices):
        if _text(spec):
            raise errors.UnimplementedError(
                None, None, f"{op_type}: tensor {_text(name)} has slice spec {_text(spec)!r}; "
                "tensorweave saves and restores only whole tensors.")


def _length_mismatch(op_type, names, slices, count):
    if len(names) != count or len(slices) != count:
        raise errors.InvalidArgumentError(
            None, None, f"{op_type}: got {len(names)} tensor names and {len(slices)} slice "
            f"specs for {count} tensors")


# --- SaveV2 ----------------------------------------------------------------------------------
def _save_v2_shape(prefix, tensor_names, shape_and_slices, *tensors, dtypes):
    _check_names("SaveV2", prefix, tensor_names, shape_and_slices, len(tensors))
    if [t.dtype for t in tensors] != list(dtypes):
        raise TypeError(f"SaveV2 requires tensors of dtypes {[d.name for d in dtypes]}, got "
                        f"{[t.dtype.name for t in tensors]}")
    return []


def _save_v2_kernel(state, op_name, prefix, tensor_names, shape_and_slices, *tensors, dtypes):
    from tensorweave.lib import tensor_bundle  # protobuf is loaded on first use
    names = list(np.asarray(tensor_names).reshape(-1))
    slices = list(np.asarray(shape_and_slices).reshape(-1))
    _length_mismatch("SaveV2", names, slices, len(tensors))
    _check_slices("SaveV2", names, slices)
    writer = tensor_bundle.BundleWriter(_text(prefix))
    for name, value, dtype in zip(names, tensors, dtypes):
        writer.add(_text(name), value, _dtypes.as_dtype(dtype))
    writer.finish()
    return ()


register_op("SaveV2", shape=_save_v2_shape, kernel=_save_v2_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


def save_v2(prefix, tensor_names, shape_and_slices, tensors, name=None):
    """An op that writes `tensors` under `tensor_names` to the checkpoint at `prefix`."""
    tensors = [convert_to_tensor(t) for t in tensors]
    with _op_scope(name or "SaveV2") as scope:
        inputs = _name_inputs(prefix, tensor_names, shape_and_slices) + tensors
        return create_op("SaveV2", inputs, name=scope, dtypes=[t.dtype for t in tensors])


# --- RestoreV2 -------------------------------------------------------------------------------
def _restore_v2_shape(prefix, tensor_names, shape_and_slices, *, dtypes):
    _check_names("RestoreV2", prefix, tensor_names, shape_and_slices, len(dtypes))
    return [(dtype, unknown_shape()) for dtype in dtypes]


def _restore_v2_kernel(state, op_name, prefix, tensor_names, shape_and_slices, *, dtypes):
    from tensorweave.lib import tensor_bundle  # protobuf is loaded on first use
    names = [_text(n) for n in np.asarray(tensor_names).reshape(-1)]
    slices = list(np.asarray(shape_and_slices).reshape(-1))
    _length_mismatch("RestoreV2", names, slices, len(dtypes))
    _check_slices("RestoreV2", names, slices)
    prefix = _text(prefix)
    with tensor_bundle.BundleReader(prefix) as reader:
        values = []
        for name, dtype in zip(names, dtypes):
            dtype = _dtypes.as_dtype(dtype)
            if name not in reader:
                raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
            stored = reader.dtype(name)
            if stored is not dtype:
                raise errors.InvalidArgumentError(
                    None, None, f"tensor_name = {name}; expected dtype {dtype.name} does not "
                    f"equal original dtype {stored.name}")
            values.append(reader.read(name))
    return values[0] if len(values) == 1 else tuple(values)


register_op("RestoreV2", shape=_restore_v2_shape, kernel=_restore_v2_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


# --- sharded saving (TF's sharded Saver: parts written under a temporary prefix, merged) -------
def _scalar_input(op_type, what, tensor, dtype):
    if tensor.dtype is not dtype:
        raise TypeError(f"{op_type} requires a {dtype.name} {what}, got {tensor.dtype.name}")
    if not tensor.shape.is_compatible_with(TensorShape([])):
        raise ValueError(f"{op_type} requires a scalar {what}, got shape {tensor.shape}")


def _sharded_filename_shape(basename, shard, num_shards):
    _scalar_input("ShardedFilename", "basename", basename, _dtypes.string)
    _scalar_input("ShardedFilename", "shard", shard, _dtypes.int32)
    _scalar_input("ShardedFilename", "num_shards", num_shards, _dtypes.int32)
    return [(_dtypes.string, TensorShape([]))]


def _sharded_filename_kernel(basename, shard, num_shards):
    return np.array(f"{_text(basename)}-{int(shard):05d}-of-{int(num_shards):05d}".encode(),
                    dtype=object)


register_op("ShardedFilename", shape=_sharded_filename_shape, kernel=_sharded_filename_kernel,
            grad=NOT_DIFFERENTIABLE)


def _sharded_filespec_shape(basename, num_shards):
    _scalar_input("ShardedFilespec", "basename", basename, _dtypes.string)
    _scalar_input("ShardedFilespec", "num_shards", num_shards, _dtypes.int32)
    return [(_dtypes.string, TensorShape([]))]


register_op("ShardedFilespec", shape=_sharded_filespec_shape,
            kernel=lambda basename, num_shards: np.array(
                f"{_text(basename)}-?????-of-{int(num_shards):05d}".encode(), dtype=object),
            grad=NOT_DIFFERENTIABLE)


def _merge_shape(checkpoint_prefixes, destination_prefix, *, delete_old_dirs=True,
                 allow_missing_files=False):
    _check_string("MergeV2Checkpoints", "checkpoint_prefixes", checkpoint_prefixes, 1)
    _check_string("MergeV2Checkpoints", "destination_prefix", destination_prefix, 0)
    return []


def _merge_kernel(state, op_name, checkpoint_prefixes, destination_prefix, *,
                  delete_old_dirs=True, allow_missing_files=False):
    """Merges the bundles at `checkpoint_prefixes` into one at `destination_prefix`, then
    deletes the parts (and their directories when empty and delete_old_dirs)."""
    import os
    from tensorweave.lib import tensor_bundle  # protobuf is loaded on first use
    sources = [_text(p) for p in np.asarray(checkpoint_prefixes).reshape(-1)]
    writer = tensor_bundle.BundleWriter(_text(destination_prefix))
    merged = []
    for source in sources:
        if allow_missing_files and not os.path.exists(tensor_bundle.index_filename(source)):
            continue
        with tensor_bundle.BundleReader(source) as reader:
            for key in reader.keys():
                writer.add(key, reader.read(key), reader.dtype(key))
        merged.append(source)
    writer.finish()
    for source in merged:
        directory = os.path.dirname(source)
        for name in os.listdir(directory or "."):
            if name.startswith(os.path.basename(source) + "."):
                os.remove(os.path.join(directory, name))
        if delete_old_dirs and directory and not os.listdir(directory):
            os.rmdir(directory)
    return ()


register_op("MergeV2Checkpoints", shape=_merge_shape, kernel=_merge_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


def restored_output(tensor):
    """(the RestoreV2 output that `tensor` is, through Reshape and Identity ops, whether a
    Reshape was passed), or (None, False): how a Saver recognises the restore graph it built."""
    reshaped = False
    while tensor.op.type in ("Reshape", "Identity") and tensor.op.inputs:
        reshaped = reshaped or tensor.op.type == "Reshape"
        tensor = tensor.op.inputs[0]
    return (tensor, reshaped) if tensor.op.type == "RestoreV2" else (None, False)


def restore_v2(prefix, tensor_names, shape_and_slices, dtypes, name=None):
    """The tensors named `tensor_names` in the checkpoint at `prefix`, as a list."""
    with _op_scope(name or "RestoreV2") as scope:
        op = create_op("RestoreV2", _name_inputs(prefix, tensor_names, shape_and_slices),
                       name=scope, dtypes=[_dtypes.as_dtype(d) for d in dtypes])
    return list(op.outputs)


def _op_scope(name):
    """The op's own name scope, holding its constant inputs as TensorFlow names them
    ('save/RestoreV2/tensor_names'); the op itself takes the scope's name."""
    return get_default_graph().name_scope(name)


def _name_inputs(prefix, tensor_names, shape_and_slices):
    return [convert_to_tensor(prefix, _dtypes.string, name="prefix"),
            convert_to_tensor(tensor_names, _dtypes.string, name="tensor_names"),
            convert_to_tensor(shape_and_slices, _dtypes.string, name="shape_and_slices")]
