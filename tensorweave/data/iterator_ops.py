"""Iterators: the graph ops that run a Dataset in a Session (TF's tf.data.Iterator).

An iterator op outputs a *handle*, a scalar string naming the iterator in the session state.
`MakeIterator` (an initializer) and `OneShotIterator` (on first use) start the dataset's
pipeline with the values of the tensors it captures and keep it in `state.resources`;
`IteratorGetNext` pulls the next element from it and raises OutOfRangeError at the end.
"""
import weakref

import numpy as np

from tensorweave.framework import dtypes, errors
from tensorweave.framework.graph import convert_to_tensor, create_op, get_default_graph
from tensorweave.framework.registry import (NOT_DIFFERENTIABLE, register_attr_codec,
                                             register_op)
from tensorweave.framework.tensor_shape import TensorShape
from tensorweave.data import function, pipeline, structure

RESOURCE = "tensorweave.data.iterator"  # the key of iterators in state.resources


def _handle(name):
    return np.array(name.encode("utf-8") if isinstance(name, str) else name, dtype=object)


def start_iterator(state, name, dataset, captures, op_name=None):
    """The dataset's pipeline started in `state` with the captured tensors' values.
    UnimplementedError when `dataset` is None: the iterator op came from a GraphDef, which
    holds no tensorweave pipeline (it is Python code)."""
    if dataset is None:
        raise errors.UnimplementedError(
            None, None, f"Iterator op '{op_name or name}' was imported from a GraphDef without "
            "its tf.data pipeline (a GraphDef cannot hold tensorweave's Python pipelines, nor "
            "run TensorFlow's dataset functions); build the input pipeline in code, or feed the "
            "tensors its IteratorGetNext gives.")
    values = dict(zip(dataset._captures(), captures))
    ctx = pipeline.RunContext(values, pipeline.ScopedState(weakref.proxy(state), name))
    return pipeline.IteratorResource(dataset._instantiate(ctx)())


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
    state.resources[(RESOURCE, name)] = start_iterator(state, name.decode("utf-8"), dataset,
                                                        captures, op_name)
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


# --- the Python API --------------------------------------------------------------------------
def _type_attrs(specs):
    flat = structure.flatten(specs)
    return {"output_types": [s.dtype for s in flat], "output_shapes": [s.shape for s in flat]}


class Iterator(structure.Structured):
    """Elements of a Dataset as tensors: `get_next()` returns the next one each run."""

    def __init__(self, handle, initializer, specs):
        self._handle = handle
        self._initializer = initializer
        self._specs = specs

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None,
                       output_classes=None):
        """An iterator for any dataset of this structure; start it with make_initializer."""
        return _new_iterator(structure.specs_from(output_types, output_shapes), shared_name)

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None,
                           output_classes=None):
        """An iterator that runs whichever iterator the fed `string_handle` names."""
        handle = convert_to_tensor(string_handle, dtype=dtypes.string)
        return Iterator(handle, None, structure.specs_from(output_types, output_shapes))

    @property
    def initializer(self):
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer.")
        return self._initializer

    def make_initializer(self, dataset, name=None):
        """An op that starts this iterator over `dataset` (again, if it was running)."""
        if not structure.same_structure(self._specs, dataset._specs):
            raise TypeError(f"Expected output structure {self.output_types} but got dataset "
                            f"with output structure {dataset.output_types}.")
        for mine, theirs in zip(self._flat_specs(), dataset._flat_specs()):
            if mine.dtype is not theirs.dtype:
                raise TypeError(f"Expected output types {self.output_types} but got dataset "
                                f"with output types {dataset.output_types}.")
            if not mine.shape.is_compatible_with(theirs.shape):
                raise TypeError(f"Expected output shapes compatible with {self.output_shapes} "
                                f"but got dataset with output shapes {dataset.output_shapes}.")
        with self._handle.graph.as_default():
            return create_op("MakeIterator", [self._handle] + dataset._captures(),
                             name=name or "MakeIterator", dataset=dataset)

    def get_next(self, name=None):
        """The next element (a nested structure of tensors); OutOfRangeError at the end."""
        op = create_op("IteratorGetNext", [self._handle], name=name or "IteratorGetNext",
                       **_type_attrs(self._specs))
        return structure.pack_as(self._specs, op.outputs)

    def string_handle(self, name=None):
        """A scalar string naming this iterator, to feed a from_string_handle iterator."""
        return self._handle


def make_one_shot_iterator(dataset):
    """An iterator over `dataset` that starts itself on first use (no placeholders)."""
    captures = dataset._captures()
    placeholder = next((op for op in function.ancestors(captures) if op.op_def.must_feed),
                       None)
    if placeholder is not None:
        raise ValueError(f"Cannot capture a placeholder (name:{placeholder.name}, "
                         f"type:Placeholder) in a one-shot iterator; use "
                         f"make_initializable_iterator() and feed it when running the "
                         f"initializer.")
    op = create_op("OneShotIterator", captures, name="OneShotIterator", dataset=dataset,
                   **_type_attrs(dataset._specs))
    return Iterator(op.outputs[0], None, dataset._specs)


def make_initializable_iterator(dataset, shared_name=None):
    """An iterator over `dataset`; run `iterator.initializer` (with feeds) to (re)start it."""
    captures = dataset._captures()
    graph = captures[0].graph if captures else get_default_graph()
    with graph.as_default():
        iterator = _new_iterator(dataset._specs, shared_name)
        iterator._initializer = iterator.make_initializer(dataset)
    return iterator


def _new_iterator(specs, shared_name):
    op = create_op("IteratorV2", [], name="Iterator", shared_name=shared_name or "",
                   **_type_attrs(specs))
    return Iterator(op.outputs[0], None, specs)


def get_output_types(dataset_or_iterator):
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator):
    return dataset_or_iterator.output_classes
