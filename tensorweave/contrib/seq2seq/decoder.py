"""tf.contrib.seq2seq's Decoder interface and dynamic_decode, the while loop that runs a
decoder step by step until every batch entry has finished (or maximum_iterations).

    outputs, final_state, lengths = tf.contrib.seq2seq.dynamic_decode(decoder,
                                                                      maximum_iterations=20)
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import constant, constant_value, convert_to_tensor
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.nn.rnn_cell import size_as_shape
from tensorweave.ops import array, math_ops
from tensorweave.ops.control.while_loop import while_loop
from tensorweave.ops.tensor_array_ops import TensorArray
from tensorweave.util import nest
from tensorweave.variable_scope import variable_scope

__all__ = ["Decoder", "dynamic_decode"]


class Decoder:
    """An RNN decoder: `batch_size`, `output_size`, `output_dtype`, `initialize(name=None)` ->
    (finished, first inputs, initial state), `step(time, inputs, state, name=None)` ->
    (outputs, next state, next inputs, finished), and optionally `finalize(outputs,
    final_state, sequence_lengths)` and `tracks_own_finished`."""

    @property
    def batch_size(self):
        raise NotImplementedError

    @property
    def output_size(self):
        raise NotImplementedError

    @property
    def output_dtype(self):
        raise NotImplementedError

    def initialize(self, name=None):
        raise NotImplementedError

    def step(self, time, inputs, state, name=None):
        raise NotImplementedError

    def finalize(self, outputs, final_state, sequence_lengths):
        raise NotImplementedError

    @property
    def tracks_own_finished(self):
        """True where the decoder's `finished` already stays True once set (beam search)."""
        return False


def _batch_shape(batch_size, size):
    """[batch] + size as a static shape (None for a scalar size or an unknown one)."""
    if not isinstance(size, TensorShape) or size.ndims == 0:
        return None
    static = constant_value(convert_to_tensor(batch_size, name="batch_size"))
    return TensorShape([None if static is None else int(static)]).concatenate(size)


def _zero_outputs(size, dtype, batch_size):
    def zeros(s, d):
        shape = size_as_shape(s)
        batch = batch_size if isinstance(batch_size, Tensor) else constant(batch_size)
        full = array.concat([array.reshape(batch, [1]),
                             constant(shape.as_list(), dtype=dtypes.int32)], 0) \
            if shape.ndims else array.reshape(batch, [1])
        return array.zeros(full, dtype=d)
    return nest.map_structure(zeros, size, dtype)


def _transpose_batch_time(x):
    if x.shape.ndims is None:
        raise ValueError(f"Expected a tensor of known rank, got {x}")
    if x.shape.ndims < 2:
        return x
    return array.transpose(x, [1, 0] + list(range(2, x.shape.ndims)))


def dynamic_decode(decoder, output_time_major=False, impute_finished=False,
                   maximum_iterations=None, parallel_iterations=32, swap_memory=False,
                   scope=None):
    """Runs `decoder` until every entry is finished; returns (final_outputs, final_state,
    final_sequence_lengths). Outputs are [batch, time, ...] (time-major with
    `output_time_major`); with `impute_finished`, finished entries output zeros and keep
    their state. Variables live in variable scope `scope` (default "decoder")."""
    if not isinstance(decoder, Decoder):
        raise TypeError(f"Expected decoder to be type Decoder, but saw: {type(decoder)}")
    with variable_scope(scope, "decoder"):
        if maximum_iterations is not None:
            maximum_iterations = convert_to_tensor(maximum_iterations, dtype=dtypes.int32,
                                                   name="maximum_iterations")
            if maximum_iterations.shape.ndims != 0:
                raise ValueError("maximum_iterations must be a scalar")
        initial_finished, initial_inputs, initial_state = decoder.initialize()
        zero_outputs = _zero_outputs(decoder.output_size, decoder.output_dtype,
                                     decoder.batch_size)
        if maximum_iterations is not None:
            initial_finished = math_ops.logical_or(
                initial_finished, math_ops.greater_equal(0, maximum_iterations))
        initial_lengths = array.zeros_like(initial_finished, dtype=dtypes.int32)
        initial_time = constant(0, dtype=dtypes.int32)
        initial_tas = nest.map_structure(
            lambda s, d: TensorArray(dtype=d, size=0, dynamic_size=True,
                                     element_shape=_batch_shape(decoder.batch_size, s)),
            decoder.output_size, decoder.output_dtype)

        def condition(unused_time, unused_tas, unused_state, unused_inputs, finished,
                      unused_lengths):
            return math_ops.logical_not(math_ops.reduce_all(finished))

        def body(time, outputs_ta, state, inputs, finished, sequence_lengths):
            next_outputs, decoder_state, next_inputs, decoder_finished = decoder.step(
                time, inputs, state)
            lengths_from_state = False
            if decoder.tracks_own_finished:
                next_finished = decoder_finished
                lengths = getattr(decoder_state, "lengths", None)
                if lengths is not None:
                    lengths_from_state = True
                    sequence_lengths = array.cast(lengths, dtypes.int32)
            else:
                next_finished = math_ops.logical_or(decoder_finished, finished)
            if lengths_from_state:
                next_lengths = sequence_lengths
            else:
                next_lengths = array.where(
                    math_ops.logical_not(finished),
                    array.fill(array.shape(sequence_lengths), time + 1), sequence_lengths)
            nest.assert_same_structure(state, decoder_state)
            nest.assert_same_structure(outputs_ta, next_outputs)
            nest.assert_same_structure(inputs, next_inputs)
            if impute_finished:
                emit = nest.map_structure(lambda out, zero: array.where(finished, zero, out),
                                          next_outputs, zero_outputs)

                def copy_state(new, cur):
                    if isinstance(cur, TensorArray):
                        return new
                    new.set_shape(cur.shape)
                    return new if new.shape.ndims == 0 else array.where(finished, cur, new)
                next_state = nest.map_structure(copy_state, decoder_state, state)
            else:
                emit, next_state = next_outputs, decoder_state
            outputs_ta = nest.map_structure(lambda ta, out: ta.write(time, out), outputs_ta,
                                            emit)
            return (time + 1, outputs_ta, next_state, next_inputs, next_finished, next_lengths)

        result = while_loop(condition, body,
                            loop_vars=(initial_time, initial_tas, initial_state,
                                       initial_inputs, initial_finished, initial_lengths),
                            parallel_iterations=parallel_iterations,
                            maximum_iterations=maximum_iterations, swap_memory=swap_memory)
        final_outputs = nest.map_structure(lambda ta: ta.stack(), result[1])
        final_state, final_lengths = result[2], result[5]
        try:
            final_outputs, final_state = decoder.finalize(final_outputs, final_state,
                                                          final_lengths)
        except NotImplementedError:
            pass
        if not output_time_major:
            final_outputs = nest.map_structure(_transpose_batch_time, final_outputs)
    return final_outputs, final_state, final_lengths
