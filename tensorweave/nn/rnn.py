"""Recurrent networks from RNN cells: tf.nn.dynamic_rnn (a tf.while_loop over time),
tf.nn.static_rnn (unrolled), tf.nn.bidirectional_dynamic_rnn, and tf.sequence_mask.

With `sequence_length`, steps at or past a row's length output zeros and carry the row's
state through unchanged, so the final state is the state at each row's last step.

    outputs, state = tf.nn.dynamic_rnn(cell, inputs, sequence_length=lengths,
                                       dtype=tf.float32)     # inputs: [batch, time, depth]
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, math_ops
from tensorweave.ops.array.rearrange import reverse_v2
from tensorweave.util import nest
from tensorweave.ops.control.while_loop import while_loop
from tensorweave.nn.rnn_cell import assert_like_rnncell, block_lstm_config_of, size_as_shape
from tensorweave.ops.tensor_array_ops import TensorArray
from tensorweave.variable_scope import variable_scope


def _transpose_batch_time(x):
    """[batch, time, ...] <-> [time, batch, ...]."""
    if x.shape.ndims is not None and x.shape.ndims < 2:
        raise ValueError(f"Expected input tensor {x} to have rank at least 2")
    ndims = x.shape.ndims
    if ndims is None:
        raise ValueError(f"dynamic_rnn needs inputs of known rank, got {x}")
    return array.transpose(x, [1, 0] + list(range(2, ndims)))


def _batch_size(flat_inputs, axis):
    """The static batch size of time-major or batch-major inputs, else a tensor."""
    for x in flat_inputs:
        if x.shape.ndims is not None and x.shape[axis].value is not None:
            return x.shape[axis].value
    return array.shape(flat_inputs[0])[axis]


def _state_dtype(dtype, state):
    if dtype is not None:
        return dtypes.as_dtype(dtype)
    flat = nest.flatten(state)
    if not flat:
        raise ValueError("Unable to infer dtype from empty state.")
    if any(s.dtype is not flat[0].dtype for s in flat):
        raise ValueError("State has tensors of different inferred_dtypes. Unable to infer a "
                         "single representative dtype.")
    return flat[0].dtype


def _initial_state(cell, initial_state, batch_size, dtype):
    if initial_state is not None:
        return initial_state
    if not dtype:
        raise ValueError("If there is no initial_state, you must give a dtype.")
    if getattr(cell, "get_initial_state", None) is not None:  # as TF: Keras cells have only this
        return cell.get_initial_state(inputs=None, batch_size=batch_size,
                                      dtype=dtypes.as_dtype(dtype))
    return cell.zero_state(batch_size, dtypes.as_dtype(dtype))


def _zero_output(output_size, batch_size, dtype):
    """Zeros [batch_size, *size] for each flat output size; a size may be a Tensor (its value
    is then the shape, as TF allows)."""
    static = batch_size if not isinstance(batch_size, Tensor) else None

    def zeros(size):
        shape = TensorShape([static]).concatenate(size_as_shape(size))
        if isinstance(size, Tensor):
            dims = array.reshape(array.cast(size, dtypes.int32), [-1])
            z = array.zeros(array.concat([array.reshape(batch_size, [1]), dims], 0)
                            if isinstance(batch_size, Tensor) else
                            array.concat([constant([batch_size], dtype=dtypes.int32), dims], 0),
                            dtype=dtype)
        else:
            z = array.zeros([batch_size] + shape.as_list()[1:], dtype=dtype)
        z.set_shape(shape)
        return z
    return [zeros(s) for s in nest.flatten(output_size)]


def as_sequence_lengths(sequence_length):
    """`sequence_length` as an int32 vector (one length per batch row), named
    "sequence_length"."""
    lengths = array.cast(convert_to_tensor(sequence_length), dtypes.int32) \
        if not (isinstance(sequence_length, Tensor) and sequence_length.dtype is dtypes.int32) \
        else sequence_length
    if lengths.shape.ndims not in (None, 1):
        raise ValueError(f"sequence_length must be a vector of length batch_size, but saw "
                         f"shape: {lengths.shape}")
    return array.identity(lengths, name="sequence_length")


def _masked_step(time, lengths, zero_output, state, output, new_state):
    """Rows whose sequence ended (time >= length) give zeros and keep their state."""
    done = math_ops.greater_equal(time, lengths)
    outputs = [array.where(done, z, o) for z, o in zip(zero_output, nest.flatten(output))]
    states = [array.where(done, s, n)
              for s, n in zip(nest.flatten(state), nest.flatten(new_state))]
    return (nest.pack_sequence_as(output, outputs), nest.pack_sequence_as(new_state, states))


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,
                parallel_iterations=None, swap_memory=False, time_major=False, scope=None):
    """Runs `cell` over the time dimension of `inputs` in a tf.while_loop.

    Returns (outputs, final_state); outputs are [batch, time, output_size] (time-major when
    `time_major`). Variables live in scope `scope` (default "rnn").
    """
    assert_like_rnncell("cell", cell)
    with variable_scope(scope or "rnn"):
        flat = [convert_to_tensor(x, name="input") for x in nest.flatten(inputs)]
        if not time_major:
            flat = [_transpose_batch_time(x) for x in flat]
        lengths = None if sequence_length is None else as_sequence_lengths(sequence_length)
        batch_size = _batch_size(flat, 1)
        state = _initial_state(cell, initial_state, batch_size, dtype)
        config = _block_lstm_config(cell, flat)
        if config is not None:
            outputs, final_state = run_block_lstm(config, flat[0], state, lengths)
        else:
            outputs, final_state = _dynamic_loop(
                cell, nest.pack_sequence_as(inputs, flat), state, parallel_iterations or 32,
                swap_memory, lengths, _state_dtype(dtype, state), batch_size)
        if not time_major:
            outputs = nest.map_structure(_transpose_batch_time, outputs)
        return outputs, final_state


def _dynamic_loop(cell, inputs, state, parallel_iterations, swap_memory, lengths, dtype,
                  batch_size):
    flat = nest.flatten(inputs)
    for x in flat:
        if x.shape.ndims is not None and x.shape.ndims >= 3 and x.shape[2:].num_elements() \
                is None:
            raise ValueError("Input size (depth of inputs) must be accessible via shape "
                             f"inference, but saw value None: {x}")
    static_steps = next((x.shape[0].value for x in flat if x.shape.ndims), None)
    time_steps = constant(np.int32(static_steps), name="time_steps") \
        if static_steps is not None else array.shape(flat[0])[0]
    static_batch = batch_size if not isinstance(batch_size, Tensor) else None
    zero_output = _zero_output(cell.output_size, batch_size, dtype) \
        if lengths is not None else None
    with name_scope("dynamic_rnn"):
        time = constant(0, dtype=dtypes.int32, name="time")
        input_tas = [TensorArray(x.dtype, size=time_steps, element_shape=x.shape[1:])
                     .unstack(x) for x in flat]
        output_tas = [TensorArray(dtype, size=time_steps,
                                  element_shape=TensorShape([static_batch]).concatenate(
                                      size_as_shape(s)))
                      for s in nest.flatten(cell.output_size)]

    def step(time, output_tas, state):
        x = nest.pack_sequence_as(inputs, [ta.read(time) for ta in input_tas])
        output, new_state = cell(x, state)
        if lengths is not None:
            output, new_state = _masked_step(time, lengths, zero_output, state, output,
                                             new_state)
        return (time + 1, [ta.write(time, out) for ta, out in
                           zip(output_tas, nest.flatten(output))], new_state)

    if lengths is None:
        bound = time_steps
    else:  # at least one step, so that the outputs learn their shape
        bound = math_ops.minimum(time_steps,
                                 math_ops.maximum(1, math_ops.reduce_max(lengths)))
    _, output_tas, final_state = while_loop(
        lambda time, *_: time < bound, step, (time, output_tas, state),
        parallel_iterations=parallel_iterations, swap_memory=swap_memory,
        maximum_iterations=time_steps)
    outputs = []
    for ta, size in zip(output_tas, nest.flatten(cell.output_size)):
        out = ta.stack()
        out.set_shape(TensorShape([static_steps, static_batch]).concatenate(size_as_shape(size)))
        outputs.append(out)
    return nest.pack_sequence_as(cell.output_size, outputs), final_state


def _block_lstm_config(cell, flat_inputs):
    """The cell's block_lstm_config() where dynamic_rnn's loop can be one BlockLSTM op per LSTM
    layer (one input tensor of a known, nonzero number of steps), else None."""
    if len(flat_inputs) != 1 or flat_inputs[0].shape.ndims != 3 or \
            flat_inputs[0].shape[0].value in (None, 0):
        return None
    return block_lstm_config_of(cell)


def run_block_lstm(config, inputs, state, lengths=None, scope=None):
    """(outputs, final_state) of the LSTM layers that `config` (a cell's block_lstm_config())
    describes, as BlockLSTM ops over time-major `inputs`, one layer after the other; with
    `lengths` (see as_sequence_lengths), outputs past a row's length are zeros and each layer's
    final state is the one at the row's last step (the initial state for length 0)."""
    with name_scope("dynamic_rnn"):
        steps = inputs.shape[0].value
        if steps is None:
            steps = array.shape(inputs)[0]
        used = steps if lengths is None else math_ops.minimum(
            math_ops.reduce_max(lengths), steps)
        layers = config.run(inputs, state, array.cast(used, dtypes.int64), scope=scope)
        outputs = layers[-1].hs
        if lengths is not None:
            lengths = math_ops.minimum(lengths, steps)

            def steps_before(ends):  # [time, batch, 1]: 1 where time < ends
                mask = sequence_mask(ends, steps, dtype=outputs.dtype)
                return array.expand_dims(array.transpose(mask), -1)
            before = steps_before(lengths)
            last = before - steps_before(lengths - 1)  # 0 for length 0
            started = array.expand_dims(array.cast(lengths > 0, outputs.dtype), -1)
            kept = array.broadcast_to(before > 0, array.shape(outputs))
            outputs = array.where(kept, outputs, array.zeros_like(outputs))  # +0., as TF

        def final(sequence, initial):
            if lengths is None:
                return sequence[-1]
            return math_ops.reduce_sum(sequence * last, 0) + initial * (1 - started)
        finals = [layer.config.join_state(final(layer.cs, layer.c), final(layer.hs, layer.h))
                  for layer in layers]
        return outputs, nest.pack_sequence_as(config.cell.state_size, nest.flatten(finals))


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None,
               scope=None):
    """Runs `cell` on a Python list of [batch, depth] inputs, one op set per step.

    Returns (list of outputs, final_state).
    """
    assert_like_rnncell("cell", cell)
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with variable_scope(scope or "rnn") as varscope:
        first = [convert_to_tensor(x) for x in nest.flatten(inputs[0])]
        batch_size = _batch_size(first, 0)
        state = _initial_state(cell, initial_state, batch_size, dtype)
        lengths = zero_output = None
        if sequence_length is not None:
            lengths = as_sequence_lengths(sequence_length)
            zero_output = _zero_output(cell.output_size, batch_size,
                                       _state_dtype(dtype, state))
        outputs = []
        for time, x in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()
            output, new_state = cell(x, state)
            if lengths is not None:
                output, new_state = _masked_step(time, lengths, zero_output, state, output,
                                                 new_state)
            state = new_state
            outputs.append(output)
        return outputs, state


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,
                              initial_state_fw=None, initial_state_bw=None, dtype=None,
                              parallel_iterations=None, swap_memory=False, time_major=False,
                              scope=None):
    """A forward and a backward dynamic_rnn over `inputs` (scopes fw/ and bw/ inside
    `scope`, default "bidirectional_rnn"; the backward outputs are reversed back after it).
    Returns ((out_fw, out_bw), (state_fw, state_bw))."""
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            out_fw, state_fw = dynamic_rnn(cell_fw, inputs, sequence_length, initial_state_fw,
                                           dtype, parallel_iterations, swap_memory,
                                           time_major, scope=fw_scope)
        time_axis, batch_axis = (0, 1) if time_major else (1, 0)

        def reverse(x):  # as TF: ReverseV2 on the time axis, ReverseSequence given lengths
            if sequence_length is None:
                return reverse_v2(x, [time_axis])
            return array.reverse_sequence(x, sequence_length, seq_axis=time_axis,
                                          batch_axis=batch_axis)

        with variable_scope("bw") as bw_scope:
            reversed_inputs = nest.map_structure(reverse, inputs)
            tmp, state_bw = dynamic_rnn(cell_bw, reversed_inputs, sequence_length,
                                        initial_state_bw, dtype, parallel_iterations,
                                        swap_memory, time_major, scope=bw_scope)
    # as TF, the backward outputs are turned back outside the scope ("ReverseV2", not
    # "bidirectional_rnn/ReverseV2"): graphs that look them up by name find them
    out_bw = nest.map_structure(reverse, tmp)
    return (out_fw, out_bw), (state_fw, state_bw)


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """mask[..., j] = j < lengths[...], with maxlen columns (default: max of lengths).

    >>> tf.sequence_mask([1, 3, 2], 5)  # [[T,F,F,F,F], [T,T,T,F,F], [T,T,F,F,F]]
    """
    with name_scope(name, "SequenceMask", [lengths]):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            maxlen = math_ops.maximum(constant(0, dtype=lengths.dtype),
                                      math_ops.reduce_max(lengths))
        else:
            maxlen = convert_to_tensor(maxlen)
            if maxlen.shape.ndims not in (None, 0):
                raise ValueError("maxlen must be scalar for sequence_mask")
        row = array.range_(constant(0, dtype=maxlen.dtype), maxlen,
                               constant(1, dtype=maxlen.dtype))
        matrix = array.cast(array.expand_dims(lengths, -1), maxlen.dtype)
        result = math_ops.less(row, matrix)
        dtype = dtypes.as_dtype(dtype)
        return result if dtype is dtypes.bool else array.cast(result, dtype)
