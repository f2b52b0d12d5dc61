"""tf.contrib.seq2seq.BasicDecoder: one cell step, an optional output layer, then the
helper's sample ids and next inputs.

    decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, initial_state,
                                              output_layer=tf.layers.Dense(vocab_size))
    outputs, state, lengths = tf.contrib.seq2seq.dynamic_decode(decoder)
    logits = outputs.rnn_output
"""
import collections

from tensorweave.core.graph import name_scope
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.contrib.seq2seq import decoder
from tensorweave.contrib.seq2seq import helper as helper_py
from tensorweave.nn.rnn_cell import size_as_shape
from tensorweave.util import nest

__all__ = ["BasicDecoderOutput", "BasicDecoder"]


class BasicDecoderOutput(collections.namedtuple("BasicDecoderOutput",
                                                ("rnn_output", "sample_id"))):
    """One step's (or, stacked, all steps') cell outputs and sample ids."""

    __slots__ = ()


def check_cell(cell):
    """TypeError unless `cell` looks like an RNNCell."""
    if not (callable(cell) and hasattr(cell, "output_size") and hasattr(cell, "state_size")):
        raise TypeError(f"cell must be an RNNCell, received: {type(cell)}")


def check_output_layer(output_layer):
    """TypeError unless `output_layer` is None or a layer (a callable)."""
    if output_layer is not None and not callable(output_layer):
        raise TypeError(f"output_layer must be a Layer, received: {type(output_layer)}")


def layer_output_size(output_layer, size):
    """The output size of `output_layer` applied to inputs of (nested) size `size`."""
    if output_layer is None:
        return size
    compute = getattr(output_layer, "compute_output_shape", None)
    if compute is not None:
        shape = nest.map_structure(lambda s: TensorShape([None]).concatenate(size_as_shape(s)),
                                   size)
        return nest.map_structure(lambda s: TensorShape(s)[1:], compute(shape))
    units = getattr(output_layer, "units", None)
    if units is None:
        raise TypeError(f"Cannot tell the output size of layer {output_layer!r}")
    return nest.map_structure(lambda s: size_as_shape(s)[:-1].concatenate([units]), size)


class BasicDecoder(decoder.Decoder):
    """A decoder that steps `cell` from `initial_state` as `helper` directs."""

    def __init__(self, cell, helper, initial_state, output_layer=None):
        check_cell(cell)
        if not isinstance(helper, helper_py.Helper):
            raise TypeError(f"helper must be a Helper, received: {type(helper)}")
        check_output_layer(output_layer)
        self._cell = cell
        self._helper = helper
        self._initial_state = initial_state
        self._output_layer = output_layer

    @property
    def batch_size(self):
        return self._helper.batch_size

    def _rnn_output_size(self):
        return layer_output_size(self._output_layer, self._cell.output_size)

    @property
    def output_size(self):
        return BasicDecoderOutput(rnn_output=self._rnn_output_size(),
                                  sample_id=self._helper.sample_ids_shape)

    @property
    def output_dtype(self):
        dtype = nest.flatten(self._initial_state)[0].dtype
        return BasicDecoderOutput(nest.map_structure(lambda _: dtype, self._rnn_output_size()),
                                  self._helper.sample_ids_dtype)

    def initialize(self, name=None):
        """(finished, first inputs, initial state)."""
        return self._helper.initialize() + (self._initial_state,)

    def step(self, time, inputs, state, name=None):
        """(BasicDecoderOutput, next state, next inputs, finished)."""
        with name_scope(name, "BasicDecoderStep", (time, inputs, state)):
            cell_outputs, cell_state = self._cell(inputs, state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            sample_ids = self._helper.sample(time=time, outputs=cell_outputs, state=cell_state)
            finished, next_inputs, next_state = self._helper.next_inputs(
                time=time, outputs=cell_outputs, state=cell_state, sample_ids=sample_ids)
        return BasicDecoderOutput(cell_outputs, sample_ids), next_state, next_inputs, finished
