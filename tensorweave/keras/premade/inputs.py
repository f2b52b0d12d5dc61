"""Feeding premade models: a dict of arrays builds one placeholder per key (named by the key,
keys sorted) and the model is called on the dict, as TF 2.15's Keras does for subclassed models
that take dict inputs. (The engine's subclassed models take arrays and lists; this hook adds
dicts for the premade models.)"""
import numpy as np

from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.training import Model
from tensorweave.util import nest


class DictInputModel(Model):
    """A subclassed Model whose first data may be a dict of arrays keyed by feature name."""

    def _ensure_inputs(self, x):
        if self.inputs or not isinstance(x, dict):
            return super()._ensure_inputs(x)
        holders = {}
        for key in sorted(x):
            array = np.asarray(x[key])
            dtype = "float32" if array.dtype.kind == "f" else array.dtype.name
            holders[key] = T.placeholder(dtype, shape=(None,) + array.shape[1:], name=key)
        with T.name_scope(self.name):
            outputs = self.call(holders)
        self.built = True
        self.inputs = [holders[k] for k in sorted(holders)]
        self._feed_inputs = list(self.inputs)
        self.input_names = sorted(holders)
        self._feed_input_names = list(self.input_names)
        self._nested_outputs = outputs
        self.outputs = list(nest.flatten(outputs))
        self.output_names = [f"output_{i + 1}" for i in range(len(self.outputs))]
        if self._compiled:
            self._compile_graph()
