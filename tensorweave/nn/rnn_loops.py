"""More of tf.nn's RNN drivers: raw_rnn (a while loop whose inputs, state and emits a user
loop_fn controls), static_bidirectional_rnn and static_state_saving_rnn (static_rnn with its
state read from and saved to a state saver).

    def loop_fn(time, cell_output, cell_state, loop_state):
        ...  # returns (finished, next_input, next_cell_state, emit_output, next_loop_state)
    emit_ta, final_state, _ = tf.nn.raw_rnn(cell, loop_fn)
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import control_dependencies
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.nn.rnn import static_rnn
from tensorweave.nn.rnn_cell import assert_like_rnncell
from tensorweave.ops import array, math_ops
from tensorweave.ops.control.while_loop import while_loop
from tensorweave.ops.tensor_array_ops import TensorArray
from tensorweave.util import nest
from tensorweave.variable_scope import variable_scope


# --- static bidirectional ----------------------------------------------------------------------
def _reverse_seq(sequence, lengths):
    """A list of time steps reversed (each row's first lengths[b] steps if lengths given)."""
    if lengths is None:
        return list(reversed(sequence))
    lengths = array.cast(convert_to_tensor(lengths), dtypes.int64)
    flat_steps = [nest.flatten(step) for step in sequence]
    reversed_parts = []
    for parts in zip(*flat_steps):
        joined = array.stack(list(parts))
        flipped = array.reverse_sequence(joined, lengths, seq_axis=0, batch_axis=1)
        pieces = array.unstack(flipped)
        for piece, original in zip(pieces, parts):
            piece.set_shape(original.shape)
        reversed_parts.append(pieces)
    steps = list(zip(*reversed_parts))
    return [nest.pack_sequence_as(sequence[0], list(step)) for step in steps]


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None,
                             initial_state_bw=None, dtype=None, sequence_length=None,
                             scope=None):
    """Forward and backward static_rnn over a list of inputs; returns (outputs with the two
    directions concatenated on depth, final forward state, final backward state)."""
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    if not nest.is_sequence(inputs):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype,
                                             sequence_length, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_seq(inputs, sequence_length)
            tmp, state_bw = static_rnn(cell_bw, reversed_inputs, initial_state_bw, dtype,
                                       sequence_length, scope=bw_scope)
    output_bw = _reverse_seq(tmp, sequence_length)
    outputs = []
    for fw, bw in zip(output_fw, output_bw):
        joined = [array.concat([a, b], 1) for a, b in zip(nest.flatten(fw), nest.flatten(bw))]
        outputs.append(nest.pack_sequence_as(fw, joined))
    return outputs, state_fw, state_bw


# --- state saving ------------------------------------------------------------------------------
def static_state_saving_rnn(cell, inputs, state_saver, state_name, sequence_length=None,
                            scope=None):
    """static_rnn whose initial state is state_saver.state(name) and whose final state is
    handed to state_saver.save_state(name, value) before the last output and the state are
    returned (state_name: one name, or a structure of names like cell.state_size)."""
    state_size = cell.state_size
    state_is_tuple = nest.is_sequence(state_size)
    if state_is_tuple != nest.is_sequence(state_name):
        raise ValueError(f"state_name should be the same type as cell.state_size.  "
                         f"state_name: {state_name}, cell.state_size: {state_size}")
    if state_is_tuple:
        names = nest.flatten(state_name)
        sizes = nest.flatten(state_size)
        if len(names) != len(sizes):
            raise ValueError(f"#elems allowed in state_name ({len(names)}) should equal the "
                             f"number of elems in state_size ({len(sizes)})")
        initial_state = nest.pack_sequence_as(state_size, [state_saver.state(n) for n in names])
    else:
        initial_state = state_saver.state(state_name)
    outputs, state = static_rnn(cell, inputs, initial_state=initial_state,
                                sequence_length=sequence_length, scope=scope)
    if state_is_tuple:
        flat_state = nest.flatten(state)
        saves = [state_saver.save_state(n, s) for n, s in zip(nest.flatten(state_name),
                                                              flat_state)]
    else:
        flat_state = [state]
        saves = [state_saver.save_state(state_name, state)]
    with control_dependencies(saves):
        last = outputs[-1]
        outputs[-1] = nest.pack_sequence_as(last, [array.identity(o)
                                                   for o in nest.flatten(last)])
        held = [array.identity(s) for s in flat_state]
        state = nest.pack_sequence_as(state, held) if state_is_tuple else held[0]
    return outputs, state


# --- raw_rnn -------------------------------------------------------------------------------------
def _size_shape(size):
    """A static TensorShape of an emit size (int, TensorShape or list), unknown for a tensor."""
    if isinstance(size, Tensor):
        return TensorShape(None)
    if isinstance(size, TensorShape):
        return size
    return TensorShape([size] if isinstance(size, int) else list(size))


def _zeros(batch_size, size, dtype):
    if isinstance(size, Tensor):
        shape = array.concat([array.reshape(convert_to_tensor(batch_size), [1]), size], 0)
        return array.zeros(shape, dtype=dtype)
    return array.zeros([batch_size] + _size_shape(size).as_list(), dtype=dtype)


def raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory=False, scope=None):
    """An RNN whose loop is driven by loop_fn(time, cell_output, cell_state, loop_state) ->
    (finished, next_input, next_cell_state, emit_output, next_loop_state) (called first
    with time 0 and None outputs and states). Runs until every row is finished; returns
    (emit TensorArray(s) of [time, batch, ...], final state, final loop state)."""
    assert_like_rnncell("cell", cell)
    if not callable(loop_fn):
        raise TypeError("loop_fn must be a callable")
    parallel_iterations = parallel_iterations or 32
    with variable_scope(scope or "rnn"):
        time = constant(0, dtype=dtypes.int32)
        finished, next_input, initial_state, emit_structure, init_loop_state = loop_fn(
            time=time, cell_output=None, cell_state=None, loop_state=None)
        flat_input = [convert_to_tensor(x) for x in nest.flatten(next_input)]
        next_input = nest.pack_sequence_as(next_input, flat_input)
        loop_state = init_loop_state if init_loop_state is not None else \
            constant(0, dtype=dtypes.int32)
        static_batch = None
        for x in flat_input:
            if x.shape.ndims:
                dim = x.shape[0].value
                if static_batch is not None and dim is not None and dim != static_batch:
                    raise ValueError(f"Dimensions {static_batch} and {dim} are not compatible")
                static_batch = static_batch if dim is None else dim
        batch_size = static_batch if static_batch is not None else \
            array.shape(flat_input[0])[0]
        nest.assert_same_structure(initial_state, cell.state_size)
        flat_state = [convert_to_tensor(s) for s in nest.flatten(initial_state)]
        state = nest.pack_sequence_as(initial_state, flat_state)
        if emit_structure is not None:
            flat_emit = nest.flatten(emit_structure)
            flat_sizes = [e.shape if e.shape.is_fully_defined() else array.shape(e)
                          for e in flat_emit]
            flat_dtypes = [e.dtype for e in flat_emit]
        else:
            emit_structure = cell.output_size
            flat_sizes = nest.flatten(emit_structure)
            flat_dtypes = [flat_state[0].dtype] * len(flat_sizes)
        flat_tas = [TensorArray(dtype=d, size=0, dynamic_size=True,
                                element_shape=TensorShape([static_batch]).concatenate(
                                    _size_shape(s)))
                    for d, s in zip(flat_dtypes, flat_sizes)]
        emit_ta = nest.pack_sequence_as(emit_structure, flat_tas)
        zero_emit = nest.pack_sequence_as(
            emit_structure, [_zeros(batch_size, s, d) for s, d in zip(flat_sizes, flat_dtypes)])

        def condition(unused_time, elements_finished, *_):
            return math_ops.logical_not(math_ops.reduce_all(elements_finished))

        def body(time, elements_finished, current_input, emit_ta, state, loop_state):
            next_output, cell_state = cell(current_input, state)
            nest.assert_same_structure(state, cell_state)
            nest.assert_same_structure(cell.output_size, next_output)
            next_time = time + 1
            next_finished, next_input, next_state, emit_output, next_loop_state = loop_fn(
                next_time, next_output, cell_state, loop_state)
            nest.assert_same_structure(state, next_state)
            nest.assert_same_structure(current_input, next_input)
            nest.assert_same_structure(emit_ta, emit_output)
            loop_state = loop_state if next_loop_state is None else next_loop_state

            def copy_some_through(current, candidate):
                def copy(cur, cand):
                    if isinstance(cur, TensorArray) or cur.shape.ndims == 0:
                        return cand
                    return array.where(elements_finished, cur, cand)
                return nest.map_structure(copy, current, candidate)

            emit_output = copy_some_through(zero_emit, emit_output)
            next_state = copy_some_through(state, next_state)
            emit_ta = nest.map_structure(lambda ta, emit: ta.write(time, emit), emit_ta,
                                         emit_output)
            elements_finished = math_ops.logical_or(elements_finished, next_finished)
            return (next_time, elements_finished, next_input, emit_ta, next_state, loop_state)

        returned = while_loop(condition, body,
                              loop_vars=[time, finished, next_input, emit_ta, state,
                                         loop_state],
                              parallel_iterations=parallel_iterations, swap_memory=swap_memory)
        emit_ta, final_state, final_loop_state = returned[-3:]
        if init_loop_state is None:
            final_loop_state = None
        return emit_ta, final_state, final_loop_state
