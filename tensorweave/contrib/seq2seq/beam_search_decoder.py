"""tf.contrib.seq2seq.BeamSearchDecoder: keeps the `beam_width` best partial sequences of each
batch entry, scored by their summed log probabilities (divided by Wu et al.'s length penalty
((5 + length) / 6) ** length_penalty_weight, plus a coverage penalty when asked).

    tiled_memory = tf.contrib.seq2seq.tile_batch(encoder_outputs, multiplier=beam_width)
    ... an AttentionWrapper over tiled_memory, zero_state(batch_size * beam_width, dtype) ...
    decoder = tf.contrib.seq2seq.BeamSearchDecoder(cell, embedding, start_tokens, end_token,
                                                   initial_state, beam_width, output_layer)
    outputs, state, lengths = tf.contrib.seq2seq.dynamic_decode(decoder, maximum_iterations=20)
    ids = outputs.predicted_ids           # [batch, time, beam_width], best beam first
"""
import collections

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape, as_shape
from tensorweave.contrib.seq2seq import decoder
from tensorweave.contrib.seq2seq.attention_wrapper import AttentionWrapperState
from tensorweave.contrib.seq2seq.helper import batch_size_tensor
from tensorweave.contrib.seq2seq.basic_decoder import (check_cell, check_output_layer,
                                                        layer_output_size)
from tensorweave.nn.rnn import sequence_mask
from tensorweave.ops import array, math_ops, nn_ops, norm_ops, scatter_ops, seq2seq_ops
from tensorweave.ops.control.cond import cond
from tensorweave.ops.tensor_array_ops import TensorArray
from tensorweave.platform import tf_logging
from tensorweave.util import nest

__all__ = ["BeamSearchDecoderOutput", "BeamSearchDecoderState", "BeamSearchDecoder",
           "FinalBeamSearchDecoderOutput", "tile_batch", "gather_tree", "gather_tree_from_array"]

gather_tree = seq2seq_ops.gather_tree


class BeamSearchDecoderState(collections.namedtuple(
        "BeamSearchDecoderState", ("cell_state", "log_probs", "finished", "lengths",
                                   "accumulated_attention_probs"))):
    """The beams' cell states, summed log probabilities, finished flags and lengths."""

    __slots__ = ()


class BeamSearchDecoderOutput(collections.namedtuple(
        "BeamSearchDecoderOutput", ("scores", "predicted_ids", "parent_ids"))):
    """One step's beam scores, chosen ids and the beams they continue."""

    __slots__ = ()


class FinalBeamSearchDecoderOutput(collections.namedtuple(
        "FinalBeamDecoderOutput", ["predicted_ids", "beam_search_decoder_output"])):
    """The whole beams ([batch, time, beam], gathered through the parent ids) and the
    step-by-step BeamSearchDecoderOutput."""

    __slots__ = ()


def _static(t):
    value = constant_value(t) if isinstance(t, Tensor) else t
    return None if value is None else int(value)


def _tile_batch(t, multiplier):
    t = convert_to_tensor(t, name="t")
    if t.shape.ndims is None or t.shape.ndims < 1:
        raise ValueError("t must have statically known rank")
    shape_t = array.shape(t)
    tiling = [1] * (t.shape.ndims + 1)
    tiling[1] = multiplier
    tiled = array.tile(array.expand_dims(t, 1), tiling)
    tiled = array.reshape(tiled, array.concat([array.reshape(shape_t[0] * multiplier, [1]),
                                               shape_t[1:]], 0))
    batch = t.shape[0].value
    tiled.set_shape(TensorShape([None if batch is None else batch * multiplier])
                    .concatenate(t.shape[1:]))
    return tiled


def tile_batch(t, multiplier, name=None):
    """Each batch entry of `t` (a tensor or a structure of them) repeated `multiplier` times in
    a row: [batch, ...] -> [batch * multiplier, ...], t[0], t[0], ..., t[1], t[1], ..."""
    flat = nest.flatten(t)
    with name_scope(name, "tile_batch", flat + [multiplier]):
        return nest.map_structure(lambda x: _tile_batch(x, multiplier), t)


def gather_tree_from_array(t, parent_ids, sequence_length):
    """`t` [max_time, batch * beam, ...] reordered so that each beam follows its parents (the
    steps past a beam's length keep their own beam)."""
    max_time = parent_ids.shape[0].value or array.shape(parent_ids)[0]
    batch_size = parent_ids.shape[1].value or array.shape(parent_ids)[1]
    beam_width = parent_ids.shape[2].value or array.shape(parent_ids)[2]
    beam_ids = array.expand_dims(array.expand_dims(array.range_(beam_width), 0), 0)
    beam_ids = array.tile(beam_ids, array.stack([max_time, batch_size, 1]))
    max_lengths = array.cast(math_ops.reduce_max(sequence_length, axis=1), dtypes.int32)
    sorted_ids = gather_tree(beam_ids, parent_ids, max_lengths, beam_width + 1)
    in_bound = array.transpose(sequence_mask(sequence_length, maxlen=max_time), [2, 0, 1])
    sorted_ids = array.where(in_bound, sorted_ids, beam_ids)
    time_ind = array.tile(array.reshape(array.range_(max_time), [-1, 1, 1]),
                          array.stack([1, batch_size, beam_width]))
    batch_ind = array.tile(array.reshape(array.range_(batch_size), [-1, 1, 1]),
                           array.stack([1, max_time, beam_width]))
    batch_ind = array.transpose(batch_ind, [1, 0, 2])
    indices = array.stack([time_ind, batch_ind, sorted_ids], -1)
    final_shape = array.shape(t)
    gather_from = array.reshape(t, array.stack([max_time, batch_size, beam_width, -1]))
    ordered = scatter_ops.gather_nd(gather_from, indices)
    return array.reshape(ordered, final_shape)


def _check_static_batch_beam_maybe(shape, batch_size, beam_width):
    reshaped = TensorShape([batch_size, beam_width, None])
    if batch_size is not None and shape[0].value is not None and \
            shape[0].value != batch_size * beam_width:
        return False
    if batch_size is not None and shape[0].value is not None and \
            not reshaped.is_compatible_with(TensorShape([batch_size, beam_width, None])):
        return False
    return True


class BeamSearchDecoder(decoder.Decoder):
    """Beam search over `cell` (whose initial_state has batch_size * beam_width rows, e.g.
    from tile_batch'ed encoder states): at each step every beam's continuations are scored and
    the best `beam_width` kept; a finished beam only continues with `end_token`."""

    def __init__(self, cell, embedding, start_tokens, end_token, initial_state, beam_width,
                 output_layer=None, length_penalty_weight=0.0, coverage_penalty_weight=0.0,
                 reorder_tensor_arrays=True):
        check_cell(cell)
        check_output_layer(output_layer)
        self._cell = cell
        self._output_layer = output_layer
        self._reorder_tensor_arrays = reorder_tensor_arrays
        if callable(embedding):
            self._embedding_fn = embedding
        else:
            self._embedding_fn = lambda ids: norm_ops.embedding_lookup(embedding, ids)
        self._start_tokens = convert_to_tensor(start_tokens, dtype=dtypes.int32,
                                               name="start_tokens")
        if self._start_tokens.shape.ndims != 1:
            raise ValueError("start_tokens must be a vector")
        self._end_token = convert_to_tensor(end_token, dtype=dtypes.int32, name="end_token")
        if self._end_token.shape.ndims != 0:
            raise ValueError("end_token must be a scalar")
        self._batch_size = batch_size_tensor(self._start_tokens)
        self._beam_width = beam_width
        self._length_penalty_weight = length_penalty_weight
        self._coverage_penalty_weight = coverage_penalty_weight
        self._initial_cell_state = nest.map_structure(self._maybe_split_batch_beams,
                                                      initial_state, self._cell.state_size)
        self._start_tokens = array.tile(array.expand_dims(self._start_tokens, 1),
                                        [1, self._beam_width])
        self._start_inputs = self._embedding_fn(self._start_tokens)
        self._finished = array.one_hot(array.zeros(array.reshape(self._batch_size, [1]),
                                                   dtype=dtypes.int32),
                                       depth=self._beam_width, on_value=False, off_value=True,
                                       dtype=dtypes.bool)

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def tracks_own_finished(self):
        return True

    def _rnn_output_size(self):
        return layer_output_size(self._output_layer, self._cell.output_size)

    @property
    def output_size(self):
        width = TensorShape([self._beam_width])
        return BeamSearchDecoderOutput(scores=width, predicted_ids=width, parent_ids=width)

    @property
    def output_dtype(self):
        dtype = nest.flatten(self._initial_cell_state)[0].dtype
        return BeamSearchDecoderOutput(
            scores=nest.map_structure(lambda _: dtype, self._rnn_output_size()),
            predicted_ids=dtypes.int32, parent_ids=dtypes.int32)

    def initialize(self, name=None):
        """(finished, start inputs, initial BeamSearchDecoderState): only the first beam of
        each entry is live (log probability 0; the others -inf and finished)."""
        finished, start_inputs = self._finished, self._start_inputs
        dtype = nest.flatten(self._initial_cell_state)[0].dtype
        log_probs = array.one_hot(
            array.zeros(array.reshape(self._batch_size, [1]), dtype=dtypes.int32),
            depth=self._beam_width, on_value=convert_to_tensor(0.0, dtype=dtype),
            off_value=convert_to_tensor(-np.inf, dtype=dtype), dtype=dtype)
        attention_probs = get_attention_probs(self._initial_cell_state,
                                              self._coverage_penalty_weight)
        initial_state = BeamSearchDecoderState(
            cell_state=self._initial_cell_state, log_probs=log_probs, finished=finished,
            lengths=array.zeros(array.stack([self._batch_size, self._beam_width]),
                                dtype=dtypes.int64),
            accumulated_attention_probs=() if attention_probs is None else attention_probs)
        return finished, start_inputs, initial_state

    def finalize(self, outputs, final_state, sequence_lengths):
        """FinalBeamSearchDecoderOutput with the beams gathered through their parents."""
        del sequence_lengths
        max_lengths = array.cast(math_ops.reduce_max(final_state.lengths, axis=1),
                                 dtypes.int32)
        predicted_ids = gather_tree(outputs.predicted_ids, outputs.parent_ids,
                                    max_lengths, self._end_token)
        if self._reorder_tensor_arrays:
            final_state = final_state._replace(cell_state=nest.map_structure(
                lambda t: self._maybe_sort_array_beams(t, outputs.parent_ids,
                                                       final_state.lengths),
                final_state.cell_state))
        return FinalBeamSearchDecoderOutput(beam_search_decoder_output=outputs,
                                            predicted_ids=predicted_ids), final_state

    # --- [batch, beam, ...] <-> [batch * beam, ...] -------------------------------------------
    def _merge_batch_beams(self, t, s=None):
        s = as_shape(s) if not isinstance(s, int) else TensorShape([s])
        static_batch = _static(self._batch_size)
        merged = array.reshape(t, array.concat(
            [array.reshape(self._batch_size * self._beam_width, [1]), array.shape(t)[2:]], 0))
        merged.set_shape(TensorShape([None if static_batch is None else
                                      static_batch * self._beam_width]).concatenate(s))
        return merged

    def _split_batch_beams(self, t, s=None):
        s = as_shape(s) if not isinstance(s, int) else TensorShape([s])
        split = array.reshape(t, array.concat(
            [array.stack([self._batch_size, self._beam_width]), array.shape(t)[1:]], 0))
        expected = TensorShape([_static(self._batch_size), self._beam_width]).concatenate(s)
        if not split.shape.is_compatible_with(expected):
            raise ValueError(f"Unexpected behavior when reshaping between beam width and batch "
                             f"size.  The reshaped tensor has shape: {split.shape}.  We "
                             f"expected it to have shape (batch_size, beam_width, depth) == "
                             f"{expected}.  Perhaps you forgot to create a zero_state with "
                             f"batch_size=encoder_batch_size * beam_width?")
        split.set_shape(expected)
        return split

    def _maybe_split_batch_beams(self, t, s):
        if isinstance(t, TensorArray):
            return t
        if t.shape.ndims is None:
            raise ValueError(f"Expected tensor ({t}) to have known rank, but ndims == None.")
        return self._split_batch_beams(t, s) if t.shape.ndims >= 1 else t

    def _maybe_merge_batch_beams(self, t, s):
        if isinstance(t, TensorArray):
            return t
        if t.shape.ndims is None:
            raise ValueError(f"Expected tensor ({t}) to have known rank, but ndims == None.")
        return self._merge_batch_beams(t, s) if t.shape.ndims >= 2 else t

    def _maybe_sort_array_beams(self, t, parent_ids, sequence_length):
        if not isinstance(t, TensorArray):
            return t
        shape = t.element_shape
        if shape.ndims is None or shape.ndims < 1:
            tf_logging.warn(f"The TensorArray {t.handle.name} in the cell state is not amenable "
                            f"to sorting based on the beam search result. For a TensorArray "
                            f"to be sorted, its elements shape must be defined and have at "
                            f"least a rank of 1, but saw shape: {shape}")
            return t
        if not _check_static_batch_beam_maybe(shape, _static(self._batch_size),
                                              self._beam_width):
            return t
        return gather_tree_from_array(t.stack(), parent_ids, sequence_length)

    def step(self, time, inputs, state, name=None):
        """(BeamSearchDecoderOutput, next BeamSearchDecoderState, next inputs, finished)."""
        with name_scope(name, "BeamSearchDecoderStep", (time, inputs, state)):
            inputs = nest.map_structure(lambda x: self._merge_batch_beams(x, s=x.shape[2:]),
                                        inputs)
            cell_state = nest.map_structure(self._maybe_merge_batch_beams, state.cell_state,
                                            self._cell.state_size)
            cell_outputs, next_cell_state = self._cell(inputs, cell_state)
            cell_outputs = nest.map_structure(
                lambda out: self._split_batch_beams(out, out.shape[1:]), cell_outputs)
            next_cell_state = nest.map_structure(self._maybe_split_batch_beams,
                                                 next_cell_state, self._cell.state_size)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            output, beam_state = _beam_search_step(
                time=time, logits=cell_outputs, next_cell_state=next_cell_state,
                beam_state=state, batch_size=self._batch_size, beam_width=self._beam_width,
                end_token=self._end_token, length_penalty_weight=self._length_penalty_weight,
                coverage_penalty_weight=self._coverage_penalty_weight)
            finished = beam_state.finished
            sample_ids = output.predicted_ids
            next_inputs = cond(math_ops.reduce_all(finished), lambda: self._start_inputs,
                               lambda: self._embedding_fn(sample_ids))
        return output, beam_state, next_inputs, finished


def _beam_search_step(time, logits, next_cell_state, beam_state, batch_size, beam_width,
                      end_token, length_penalty_weight, coverage_penalty_weight):
    """One step of beam search: every live beam's continuations are scored, the best
    `beam_width` per entry chosen, and the states gathered from their parent beams."""
    static_batch = _static(batch_size)
    lengths = beam_state.lengths
    previously_finished = beam_state.finished
    not_finished = math_ops.logical_not(previously_finished)
    step_log_probs = _mask_probs(nn_ops.log_softmax(logits), end_token, previously_finished)
    total_probs = array.expand_dims(beam_state.log_probs, 2) + step_log_probs
    vocab_size = logits.shape[-1].value or array.shape(logits)[-1]
    lengths_to_add = array.one_hot(array.fill(array.stack([batch_size, beam_width]), end_token),
                                   depth=vocab_size, on_value=np.int64(0),
                                   off_value=np.int64(1), dtype=dtypes.int64)
    lengths_to_add *= array.expand_dims(array.cast(not_finished, dtypes.int64), 2)
    new_lengths = lengths_to_add + array.expand_dims(lengths, 2)
    accumulated = None
    attention_probs = get_attention_probs(next_cell_state, coverage_penalty_weight)
    if attention_probs is not None:
        attention_probs *= array.expand_dims(array.cast(not_finished, attention_probs.dtype), 2)
        accumulated = beam_state.accumulated_attention_probs + attention_probs
    scores = _get_scores(total_probs, new_lengths, length_penalty_weight,
                         coverage_penalty_weight, previously_finished, accumulated)
    time = convert_to_tensor(time, name="time")
    scores_flat = array.reshape(scores, array.stack([batch_size, -1]))
    next_beam_scores, word_indices = nn_ops.top_k(
        scores_flat, k=convert_to_tensor(beam_width, dtype=dtypes.int32, name="beam_width"))
    next_beam_scores.set_shape([static_batch, beam_width])
    word_indices.set_shape([static_batch, beam_width])
    next_beam_probs = _tensor_gather_helper(word_indices, total_probs, batch_size,
                                            beam_width * vocab_size, [-1],
                                            name="next_beam_probs")
    next_word_ids = array.cast(math_ops.mod(word_indices, vocab_size,
                                            name="next_beam_word_ids"), dtypes.int32)
    next_beam_ids = array.cast(math_ops.floordiv(word_indices, vocab_size), dtypes.int32,
                               name="next_beam_parent_ids")
    previously_finished = _tensor_gather_helper(next_beam_ids, previously_finished,
                                                batch_size, beam_width, [-1])
    next_finished = math_ops.logical_or(previously_finished,
                                        math_ops.equal(next_word_ids, end_token),
                                        name="next_beam_finished")
    next_lengths = _tensor_gather_helper(next_beam_ids, beam_state.lengths, batch_size,
                                         beam_width, [-1])
    next_lengths += array.cast(math_ops.logical_not(previously_finished), dtypes.int64)
    next_accumulated = ()
    if accumulated is not None:
        next_accumulated = _tensor_gather_helper(
            next_beam_ids, accumulated, batch_size, beam_width,
            [batch_size * beam_width, -1], name="next_accumulated_attention_probs")
    next_cell_state = nest.map_structure(
        lambda gather_from: _maybe_tensor_gather_helper(
            next_beam_ids, gather_from, batch_size, beam_width,
            [batch_size * beam_width, -1]), next_cell_state)
    next_state = BeamSearchDecoderState(cell_state=next_cell_state, log_probs=next_beam_probs,
                                        lengths=next_lengths, finished=next_finished,
                                        accumulated_attention_probs=next_accumulated)
    output = BeamSearchDecoderOutput(scores=next_beam_scores, predicted_ids=next_word_ids,
                                     parent_ids=next_beam_ids)
    return output, next_state


def attention_probs_from_attn_state(attention_state):
    """The alignments of an AttentionWrapperState (averaged over several mechanisms)."""
    probs = attention_state.alignments
    if isinstance(probs, tuple):
        probs = math_ops.reduce_mean(array.concat([array.expand_dims(p, -1) for p in probs],
                                                  -1), -1)
    return probs


def get_attention_probs(next_cell_state, coverage_penalty_weight):
    """The attention probabilities [batch, beam, max_time] of the attentional cell states, or
    None when the coverage penalty is off."""
    if coverage_penalty_weight == 0.0:
        return None
    per_layer = []
    if isinstance(next_cell_state, AttentionWrapperState):
        per_layer = [attention_probs_from_attn_state(next_cell_state)]
    elif isinstance(next_cell_state, tuple):
        per_layer = [attention_probs_from_attn_state(s) for s in next_cell_state
                     if isinstance(s, AttentionWrapperState)]
    if not per_layer:
        raise ValueError("coverage_penalty_weight must be 0.0 if no cell is attentional.")
    if len(per_layer) == 1:
        return per_layer[0]
    return math_ops.reduce_mean(array.concat([array.expand_dims(p, -1) for p in per_layer],
                                             -1), -1)


def _get_scores(log_probs, sequence_lengths, length_penalty_weight, coverage_penalty_weight,
                finished, accumulated_attention_probs):
    penalty = array.cast(_length_penalty(sequence_lengths, length_penalty_weight),
                         log_probs.dtype) \
        if not _is_zero(length_penalty_weight) else 1.0
    scores = log_probs / penalty
    weight = convert_to_tensor(coverage_penalty_weight, name="coverage_penalty_weight")
    if weight.shape.ndims != 0:
        raise ValueError(f"coverage_penalty_weight should be a scalar, but saw shape: "
                         f"{weight.shape}")
    if _is_zero(weight):
        return scores
    if accumulated_attention_probs is None:
        raise ValueError("accumulated_attention_probs can be None only if coverage penalty "
                         "is disabled.")
    probs = array.where(math_ops.equal(accumulated_attention_probs, 0.0),
                        array.ones_like(accumulated_attention_probs),
                        accumulated_attention_probs)
    coverage = math_ops.reduce_sum(math_ops.log(math_ops.minimum(probs, 1.0)), 2)
    coverage *= array.cast(finished, dtypes.float32)
    return scores + array.expand_dims(coverage * weight, 2)


def _is_zero(value):
    known = constant_value(value) if isinstance(value, Tensor) else value
    return known is not None and float(known) == 0


def _length_penalty(sequence_lengths, penalty_factor):
    """((5 + length) / 6) ** penalty_factor (Wu et al., 2016); 1 for a factor of 0."""
    penalty_factor = convert_to_tensor(penalty_factor, name="penalty_factor")
    penalty_factor.set_shape(())
    if _is_zero(penalty_factor):
        return 1.0
    return math_ops.div((5. + array.cast(sequence_lengths, dtypes.float32)) ** penalty_factor,
                        (5. + 1.) ** penalty_factor)


def _mask_probs(probs, eos_token, finished):
    """The rows of finished beams replaced by 0 at `eos_token` and the dtype's minimum
    elsewhere."""
    vocab_size = array.shape(probs)[2]
    finished_row = array.one_hot(eos_token, vocab_size, dtype=probs.dtype,
                                 on_value=convert_to_tensor(0., dtype=probs.dtype),
                                 off_value=probs.dtype.min)
    finished_probs = array.tile(array.reshape(finished_row, [1, 1, -1]),
                                array.concat([array.shape(finished), [1]], 0))
    finished_mask = array.tile(array.expand_dims(finished, 2),
                               array.stack([1, 1, vocab_size]))
    return array.where(finished_mask, finished_probs, probs)


def _maybe_tensor_gather_helper(gather_indices, gather_from, batch_size, range_size,
                                gather_shape):
    if isinstance(gather_from, TensorArray):
        return gather_from
    if gather_from.shape.ndims >= len(gather_shape):
        return _tensor_gather_helper(gather_indices, gather_from, batch_size, range_size,
                                     gather_shape)
    return gather_from


def _tensor_gather_helper(gather_indices, gather_from, batch_size, range_size, gather_shape,
                          name=None):
    """gather_from's entries [b, gather_indices[b, k], ...] (flattened as gather_shape)."""
    with name_scope(name, "tensor_gather_helper"):
        offsets = array.expand_dims(array.range_(batch_size) * range_size, 1)
        indices = array.reshape(gather_indices + offsets, [-1])
        flat_shape = array.stack(gather_shape) if any(isinstance(s, Tensor)
                                                      for s in gather_shape) else gather_shape
        output = array.gather(array.reshape(gather_from, flat_shape), indices)
        final_shape = array.shape(gather_from)[:1 + len(gather_shape)]
        static = TensorShape([_static(batch_size)]).concatenate(
            gather_from.shape[1:1 + len(gather_shape)])
        output = array.reshape(output, final_shape, name="output")
        output.set_shape(static)
        return output
