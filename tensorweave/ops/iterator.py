"""Iterator op types: the graph ops that run a dataset in a Session (TF's tf.data.Iterator).

An iterator op outputs a *handle*, a scalar string naming the iterator in the session state.
`MakeIterator` (an initializer) and `OneShotIterator` (on first use) start their `dataset`
attr with the values of the tensors it captures and keep the running iteration in
`state.resources`; `IteratorGetNext` pulls the next element from it and raises
OutOfRangeError at the end. The `dataset` attr is the library's object (tf.data's Dataset):
these kernels only call its `start_iterator(state, name, captures)`, which returns an object
whose `next()` gives an element (a tuple of arrays) or None at the end. `SerializeIterator`
and `DeserializeIterator` save and restore an iterator's position (a checkpoint holds it).
tf.data (data/iterator_ops.py) builds these ops with the builders at the end.
"""
import json

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.graph import create_op
from tensorweave.core.registry import (NOT_DIFFERENTIABLE, register_attr_codec,
                                       register_op)
from tensorweave.core.tensor_shape import TensorShape

RESOURCE = "tensorweave.data.iterator"  # the key of iterators in state.resources


def _handle(name):
    return np.array(name.encode("utf-8") if isinstance(name, str) else name, dtype=object)


def store_iterator(state, handle_name, iteration):
    """Keeps `iteration` (with `next()`) as the iterator named `handle_name` (bytes)."""
    state.resources[(RESOURCE, handle_name)] = iteration


def start_iterator(state, name, dataset, captures, op_name=None):
    """The dataset's iteration started in `state` with the captured tensors' values.
    UnimplementedError when `dataset` is None: the iterator op came from a GraphDef, which
    holds no tensorweave pipeline (it is Python code)."""
    if dataset is None:
        raise errors.UnimplementedError(
            None, None, f"Iterator op '{op_name or name}' was imported from a GraphDef without "
            "its tf.data pipeline (a GraphDef cannot hold tensorweave's Python pipelines, nor "
            "run TensorFlow's dataset functions); build the input pipeline in code, or feed the "
            "tensors its IteratorGetNext gives.")
    return dataset.start_iterator(state, name, captures)


def _handle_shape(*captures, **attrs):
    return [(dtypes.string, TensorShape([]))]


# --- IteratorV2: an iterator waiting for an initializer ------------------------------------
def _iterator_kernel(state, op_name, *, shared_name, output_types, output_shapes):
    return _handle(shared_name or op_name)


register_op("IteratorV2", shape=_handle_shape, kernel=_iterator_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


# --- OneShotIterator: starts its dataset on first use --------------------------------------
def _one_shot_kernel(state, op_name, *captures, output_types, output_shapes, dataset=None):
    handle = _handle(op_name)
    key = (RESOURCE, handle.item())
    if key not in state.resources:
        state.resources[key] = start_iterator(state, op_name, dataset, captures)
    return handle


register_op("OneShotIterator", shape=_handle_shape, kernel=_one_shot_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


# --- MakeIterator: (re)starts the iterator named by a handle -------------------------------
def _make_iterator_shape(handle, *captures, dataset=None):
    if handle.dtype is not dtypes.string:
        raise TypeError(f"MakeIterator requires a string iterator handle, got "
                        f"{handle.dtype.name}")
    return []


def _make_iterator_kernel(state, op_name, handle, *captures, dataset=None):
    name = handle.item()
    store_iterator(state, name, start_iterator(state, name.decode("utf-8"), dataset, captures,
                                               op_name))
    return ()


register_op("MakeIterator", shape=_make_iterator_shape, kernel=_make_iterator_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


# In a GraphDef an iterator's dataset (Python code) is written as its description only, and
# imported as None: the imported iterator raises UnimplementedError when it runs, and the rest
# of the graph works.
def _encode_dataset(dataset):
    return {"dataset": repr(dataset)}


def _decode_dataset(data, inputs):
    return None


for _op_type in ("OneShotIterator", "MakeIterator"):
    register_attr_codec(_op_type, "dataset", encode=_encode_dataset, decode=_decode_dataset)


# --- IteratorToStringHandle: TensorFlow's iterator resource as a string; here it is one ----
register_op("IteratorToStringHandle", shape=_handle_shape, kernel=lambda handle: handle,
            grad=NOT_DIFFERENTIABLE)


# --- SerializeIterator / DeserializeIterator: an iterator's position as data -------------------
# TensorFlow's state is a variant holding the pipeline's buffers; here it is a scalar string,
# the UTF-8 JSON of {"tensorweave_iterator_state": 1, "consumed": elements given so far,
# "ended": whether the end was reached, "seeds": the (seed, seed2) pairs its unseeded shuffles
# drew}. A restored iterator starts its pipeline again with those seeds and skips what was
# consumed (replaying it: the cost grows with the position), which is exact because a pipeline
# whose functions draw random numbers or run Python cannot be saved (as in TensorFlow).
STATE_VERSION = 1


# Op types in a dataset's functions that keep TensorFlow from saving the iterator ("RandomUniform
# is stateful."): they draw random numbers or run Python, state a checkpoint cannot hold.
_UNSAVEABLE = frozenset({
    "RandomUniform", "RandomUniformInt", "RandomStandardNormal", "TruncatedNormal",
    "RandomShuffle", "RandomGamma", "RandomPoissonV2", "Multinomial", "AllCandidateSampler",
    "FixedUnigramCandidateSampler", "LearnedUnigramCandidateSampler",
    "LogUniformCandidateSampler", "UniformCandidateSampler", "SampleDistortedBoundingBox",
    "SampleDistortedBoundingBoxV2", "FractionalAvgPool", "FractionalMaxPool", "PyFunc",
    "EagerPyFunc"})
PY_FUNC = "PyFunc"  # what TF names the state of Dataset.from_generator


def unsaveable_op_type(ops):
    """The type of the first of `ops` (a dataset function's) that keeps the iterator from being
    saved, or None."""
    return next((op.type for op in ops if op.type in _UNSAVEABLE), None)


def _running_iterator(state, handle, verb):
    name = handle.item()
    resource = state.resources.get((RESOURCE, name))
    text = name.decode("utf-8", "replace")
    if resource is None:
        raise errors.FailedPreconditionError(
            None, None, f"{verb}() failed because the iterator '{text}' has not been "
            f"initialized. Ensure that you have run the initializer operation for this "
            f"iterator before {'saving' if verb == 'Save' else 'restoring'} it.")
    if not resource.restartable:
        raise errors.UnimplementedError(
            None, None, f"Iterator '{text}' runs a dataset imported from a GraphDef; only "
            "iterators over tf.data pipelines built in code can be saved and restored.")
    return resource, text


def encode_iterator_state(resource):
    """The saved form (bytes) of an IteratorResource's position."""
    return json.dumps({"tensorweave_iterator_state": STATE_VERSION,
                       "consumed": resource.consumed, "ended": resource.ended,
                       "seeds": [list(pair) for pair in resource.seed_log.drawn]},
                      separators=(",", ":")).encode("utf-8")


def _is_int(value, low, high):
    return isinstance(value, int) and not isinstance(value, bool) and low <= value < high


def decode_iterator_state(data, name):
    """(consumed, ended, seeds) from the saved form; DataLossError naming iterator `name` when
    `data` is not a state this version wrote."""
    def corrupt(reason):
        return errors.DataLossError(
            None, None, f"Failed to restore iterator '{name}' from checkpoint: its saved "
            f"state is corrupt ({reason}). Make sure the checkpoint holds this iterator's "
            "state as tensorweave saved it.")
    try:
        fields = json.loads(bytes(data).decode("utf-8"))
    except (TypeError, ValueError, RecursionError) as e:
        raise corrupt(f"not an iterator state: {e}") from None
    if not isinstance(fields, dict) or set(fields) != {"tensorweave_iterator_state",
                                                       "consumed", "ended", "seeds"}:
        raise corrupt("unexpected fields")
    if fields["tensorweave_iterator_state"] != STATE_VERSION:
        raise corrupt(f"unknown version {fields['tensorweave_iterator_state']!r}")
    consumed, ended, seeds = fields["consumed"], fields["ended"], fields["seeds"]
    if not _is_int(consumed, 0, 2 ** 63) or not isinstance(ended, bool):
        raise corrupt("bad position")
    if not isinstance(seeds, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(_is_int(v, 0, 2 ** 64) for v in p)
            for p in seeds):
        raise corrupt("bad seeds")
    return consumed, ended, [tuple(p) for p in seeds]


def _serialize_shape(handle):
    if handle.dtype is not dtypes.string:
        raise TypeError(f"SerializeIterator requires a string iterator handle, got "
                        f"{handle.dtype.name}")
    return [(dtypes.string, TensorShape([]))]


def _serialize_kernel(state, op_name, handle):
    resource, name = _running_iterator(state, handle, "Save")
    if resource.stateful_op is not None:
        raise errors.FailedPreconditionError(
            None, None, f"{resource.stateful_op} is stateful. (Iterator '{name}' cannot be "
            "saved: its dataset's functions draw random numbers or run Python.)")
    return np.array(encode_iterator_state(resource), dtype=object)


register_op("SerializeIterator", shape=_serialize_shape, kernel=_serialize_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


def _deserialize_shape(handle, serialized):
    for what, t in (("iterator handle", handle), ("serialized state", serialized)):
        if t.dtype is not dtypes.string:
            raise TypeError(f"DeserializeIterator requires a string {what}, got "
                            f"{t.dtype.name}")
    return []


def _deserialize_kernel(state, op_name, handle, serialized):
    resource, name = _running_iterator(state, handle, "Restore")
    serialized = np.asarray(serialized, dtype=object)
    if serialized.size != 1:
        raise errors.DataLossError(
            None, None, f"Failed to restore iterator '{name}' from checkpoint: its saved "
            f"state is corrupt (shape {list(serialized.shape)}, not a scalar).")
    resource.restore(*decode_iterator_state(serialized.reshape(-1)[0], name))
    return ()


register_op("DeserializeIterator", shape=_deserialize_shape, kernel=_deserialize_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


# --- IteratorGetNext -------------------------------------------------------------------------
def _get_next_shape(handle, *, output_types, output_shapes):
    if handle.dtype is not dtypes.string:
        raise TypeError(f"IteratorGetNext requires a string iterator handle, got "
                        f"{handle.dtype.name}")
    return list(zip(output_types, output_shapes))


def _get_next_kernel(state, op_name, handle, *, output_types, output_shapes):
    resource = state.resources.get((RESOURCE, handle.item()))
    if resource is None:
        raise errors.FailedPreconditionError(
            None, None, "GetNext() failed because the iterator has not been initialized. "
            "Ensure that you have run the initializer operation for this iterator before "
            "getting the next element.")
    element = resource.next()
    if element is None:
        raise errors.OutOfRangeError(None, None, "End of sequence")
    return element[0] if len(element) == 1 else element


_GET_NEXT = register_op("IteratorGetNext", shape=_get_next_shape, kernel=_get_next_kernel,
                        stateful=True, shares_memory=True, grad=NOT_DIFFERENTIABLE)


def is_get_next(op):
    """Whether `op` takes the next element of an iterator (an IteratorGetNext)."""
    return op.op_def is _GET_NEXT


# --- builders (tf.data checks the structures; these make the ops) ---------------------------
def iterator_v2(shared_name, output_types, output_shapes, name="Iterator"):
    """The handle of an iterator that an initializer (make_iterator) starts."""
    return create_op("IteratorV2", [], name=name, shared_name=shared_name,
                     output_types=output_types, output_shapes=output_shapes).outputs[0]


def one_shot_iterator(captures, dataset, output_types, output_shapes, name="OneShotIterator"):
    """The handle of an iterator that starts `dataset` when it first runs."""
    return create_op("OneShotIterator", list(captures), name=name, dataset=dataset,
                     output_types=output_types, output_shapes=output_shapes).outputs[0]


def serialize_iterator(handle, name="SerializeIterator"):
    """The iterator's position as a scalar string (a checkpoint saves it)."""
    return create_op("SerializeIterator", [handle], name=name).outputs[0]


def deserialize_iterator(handle, serialized, name="DeserializeIterator"):
    """The op that puts the iterator `handle` names at the position `serialized` holds."""
    return create_op("DeserializeIterator", [handle, serialized], name=name)


def make_iterator(handle, captures, dataset, name="MakeIterator"):
    """The op that (re)starts the iterator `handle` names over `dataset`."""
    return create_op("MakeIterator", [handle] + list(captures), name=name, dataset=dataset)


def iterator_get_next(handle, output_types, output_shapes, name="IteratorGetNext"):
    """The next element of the iterator `handle` names, one tensor per component."""
    return create_op("IteratorGetNext", [handle], name=name, output_types=output_types,
                     output_shapes=output_shapes).outputs
