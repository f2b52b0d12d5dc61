"""Saveable objects: state other than variables that tf.train.Saver writes and reads back
(TF's `SaveSpec` and `SaveableObject`; a MutableHashTable saves its keys and values so).

    class TableSaveable(SaveableObject):
        def __init__(self, table, name):
            keys, values = table.export()
            super().__init__(table, [SaveSpec(keys, "", name + "-keys"),
                                     SaveSpec(values, "", name + "-values")], name)
        def restore(self, restored_tensors, restored_shapes):
            return table.import_values(*restored_tensors)   # an op
"""


class SaveSpec:
    """One tensor to save: its value `tensor`, `slice_spec` ("" for the whole tensor) and its
    checkpoint key `name`."""

    def __init__(self, tensor, slice_spec, name, dtype=None, device=None):
        self._tensor = tensor
        self.slice_spec = slice_spec
        self.name = name
        self.dtype = dtype if dtype is not None else tensor.dtype
        self.device = device

    @property
    def tensor(self):
        return self._tensor() if callable(self._tensor) else self._tensor


class SaveableObject:
    """Something the Saver saves as the tensors of `specs` and restores with `restore`."""

    def __init__(self, op, specs, name):
        self.op = op
        self.specs = list(specs)
        self.name = name

    @property
    def device(self):
        return self.specs[0].device if self.specs else None

    def restore(self, restored_tensors, restored_shapes):
        """The op that puts the restored tensors (one per spec, in order) back."""
        raise NotImplementedError
