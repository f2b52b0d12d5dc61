"""tf.data's iterators (TF's tf.data.Iterator): `get_next()` gives a Dataset's elements as
tensors, run in a Session.

The iterator op types (IteratorV2, MakeIterator, OneShotIterator, IteratorGetNext) and their
kernels are in ops/iterator.py; their `dataset` attr is the Dataset itself, whose
`start_iterator` the kernels call when the iterator starts.
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import get_default_graph
from tensorweave.ops import iterator as iterator_op_types
from tensorweave.data import function, structure
from tensorweave.train.saveable_object import SaveableObject, SaveSpec


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
            return iterator_op_types.make_iterator(self._handle, dataset._captures(), dataset,
                                                   name=name or "MakeIterator")

    def get_next(self, name=None):
        """The next element (a nested structure of tensors); OutOfRangeError at the end."""
        outputs = iterator_op_types.iterator_get_next(
            self._handle, name=name or "IteratorGetNext", **_type_attrs(self._specs))
        return structure.pack_as(self._specs, outputs)

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
    handle = iterator_op_types.one_shot_iterator(captures, dataset, **_type_attrs(dataset._specs))
    return Iterator(handle, None, dataset._specs)


def make_initializable_iterator(dataset, shared_name=None):
    """An iterator over `dataset`; run `iterator.initializer` (with feeds) to (re)start it."""
    captures = dataset._captures()
    graph = captures[0].graph if captures else get_default_graph()
    with graph.as_default():
        iterator = _new_iterator(dataset._specs, shared_name)
        iterator._initializer = iterator.make_initializer(dataset)
    return iterator


def _new_iterator(specs, shared_name):
    handle = iterator_op_types.iterator_v2(shared_name or "", **_type_attrs(specs))
    return Iterator(handle, None, specs)


def get_output_types(dataset_or_iterator):
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator):
    return dataset_or_iterator.output_classes


# --- checkpoints -----------------------------------------------------------------------------
class IteratorSaveable(SaveableObject):
    """An iterator's position for tf.train.Saver, under the key `<handle name>_STATE`
    (TF's _IteratorSaveable): restoring needs the iterator started (initialized) first."""

    def __init__(self, iterator_handle, name):
        with iterator_handle.graph.as_default():
            state = iterator_op_types.serialize_iterator(iterator_handle)
        super().__init__(iterator_handle, [SaveSpec(state, "", name + "_STATE",
                                                    device=iterator_handle.device)], name)

    def restore(self, restored_tensors, restored_shapes):
        return iterator_op_types.deserialize_iterator(self.op, restored_tensors[0])


def make_saveable_from_iterator(iterator):
    """A SaveableObject that saves `iterator`'s position with the variables:

        saveable = tf.data.experimental.make_saveable_from_iterator(iterator)
        tf.add_to_collection(tf.GraphKeys.SAVEABLE_OBJECTS, saveable)
        saver = tf.train.Saver()   # saves and restores the iterator too
    """
    handle = iterator.string_handle()
    return IteratorSaveable(handle, handle.name)
