"""The linear-chain CRF of tf.contrib.crf (see the package docstring).

The score of tags y over inputs x [batch, time, num_tags] is sum_t x[t, y_t] + sum_t
transitions[y_t, y_t+1] over each row's first sequence_length steps; the log-likelihood is that
score minus the log of the sum of exp(score) over all tag sequences (crf_log_norm, by the
forward algorithm).
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.nn.functional import scan
from tensorweave.nn.rnn import dynamic_rnn, sequence_mask
from tensorweave.nn.rnn_cell import RNNCell
from tensorweave.ops import array, math_ops, scatter_ops
from tensorweave.ops.control.cond import cond
from tensorweave.variable_scope import get_variable

__all__ = ["crf_sequence_score", "crf_log_norm", "crf_log_likelihood", "crf_unary_score",
           "crf_binary_score", "crf_forward", "viterbi_decode", "crf_decode",
           "crf_multitag_sequence_score", "CrfForwardRnnCell", "CrfDecodeForwardRnnCell",
           "CrfDecodeBackwardRnnCell"]


def _smart_cond(pred, true_fn, false_fn):
    """true_fn() or false_fn() where `pred` is a Python bool, else a tf.cond."""
    if isinstance(pred, (bool, np.bool_)):
        return true_fn() if pred else false_fn()
    return cond(pred, true_fn, false_fn)


def _single_step(inputs):
    """True/False where the time dimension is statically 1 or more, else a boolean tensor."""
    steps = inputs.shape[1].value if inputs.shape.ndims is not None else None
    if steps is not None:
        return steps == 1
    return math_ops.equal(array.shape(inputs)[1], 1)


def _zero_where_empty(values, sequence_lengths):
    return array.where(math_ops.less_equal(sequence_lengths, 0), array.zeros_like(values),
                       values)


def crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params):
    """The unnormalized score [batch] of `tag_indices` [batch, time]: unary plus binary."""
    inputs = convert_to_tensor(inputs)
    tag_indices = convert_to_tensor(tag_indices)
    sequence_lengths = convert_to_tensor(sequence_lengths)

    def single():
        batch = array.shape(inputs, out_type=tag_indices.dtype)[0]
        rows = array.reshape(array.range_(constant(0, tag_indices.dtype), batch), [-1, 1])
        scores = scatter_ops.gather_nd(array.squeeze(inputs, [1]),
                                       array.concat([rows, tag_indices], axis=1))
        return _zero_where_empty(scores, sequence_lengths)

    def multi():
        return crf_unary_score(tag_indices, sequence_lengths, inputs) + \
            crf_binary_score(tag_indices, sequence_lengths, transition_params)
    return _smart_cond(_single_step(inputs), single, multi)


def crf_multitag_sequence_score(inputs, tag_bitmap, sequence_lengths, transition_params):
    """The log of the summed exp-scores [batch] of every tag sequence allowed by `tag_bitmap`
    [batch, time, num_tags] (booleans: which tags each step may take)."""
    inputs = convert_to_tensor(inputs)
    tag_bitmap = convert_to_tensor(tag_bitmap, dtype=dtypes.bool)
    filtered = array.where(tag_bitmap, inputs,
                           array.fill(array.shape(inputs), float("-inf")))

    def single():
        return _zero_where_empty(math_ops.reduce_logsumexp(array.squeeze(filtered, [1]),
                                                           axis=[1]), sequence_lengths)

    def multi():
        return crf_log_norm(filtered, sequence_lengths, transition_params)
    return _smart_cond(_single_step(inputs), single, multi)


def crf_log_norm(inputs, sequence_lengths, transition_params):
    """log of the sum over all tag sequences of exp(score) [batch] (0 for empty rows)."""
    inputs = convert_to_tensor(inputs)
    sequence_lengths = convert_to_tensor(sequence_lengths)
    first = array.squeeze(array.slice_(inputs, [0, 0, 0], [-1, 1, -1]), [1])

    def single():
        return _zero_where_empty(math_ops.reduce_logsumexp(first, [1]), sequence_lengths)

    def multi():
        rest = array.slice_(inputs, [0, 1, 0], [-1, -1, -1])
        alphas = crf_forward(rest, first, transition_params, sequence_lengths)
        return _zero_where_empty(math_ops.reduce_logsumexp(alphas, [1]), sequence_lengths)
    return _smart_cond(_single_step(inputs), single, multi)


def crf_log_likelihood(inputs, tag_indices, sequence_lengths, transition_params=None):
    """(log_likelihood [batch], transition_params): the log-probability of `tag_indices` under
    the CRF; without transition_params, the variable `transitions` [num_tags, num_tags]."""
    inputs = convert_to_tensor(inputs)
    num_tags = inputs.shape[2].value
    if transition_params is None:
        transition_params = get_variable("transitions", [num_tags, num_tags])
    scores = crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params)
    log_norm = crf_log_norm(inputs, sequence_lengths, transition_params)
    return scores - log_norm, transition_params


def crf_unary_score(tag_indices, sequence_lengths, inputs):
    """sum_t inputs[b, t, tag_indices[b, t]] over each row's first sequence_lengths[b] steps."""
    tag_indices = convert_to_tensor(tag_indices)
    inputs = convert_to_tensor(inputs)
    batch_size = array.shape(inputs)[0]
    max_seq_len = array.shape(inputs)[1]
    num_tags = array.shape(inputs)[2]
    flat_inputs = array.reshape(inputs, [-1])
    offsets = array.expand_dims(array.range_(batch_size) * max_seq_len * num_tags, 1)
    offsets += array.expand_dims(array.range_(max_seq_len) * num_tags, 0)
    if tag_indices.dtype is dtypes.int64:
        offsets = array.cast(offsets, dtypes.int64)
    flat_tags = array.reshape(offsets + tag_indices, [-1])
    scores = array.reshape(array.gather(flat_inputs, flat_tags),
                           array.stack([batch_size, max_seq_len]))
    masks = sequence_mask(sequence_lengths, maxlen=array.shape(tag_indices)[1],
                          dtype=inputs.dtype)
    return math_ops.reduce_sum(scores * masks, 1)


def crf_binary_score(tag_indices, sequence_lengths, transition_params):
    """sum_t transition_params[y_t, y_t+1] over each row's first sequence_lengths[b] - 1
    transitions."""
    tag_indices = convert_to_tensor(tag_indices)
    transition_params = convert_to_tensor(transition_params)
    num_tags = transition_params.shape[0].value
    if num_tags is None:
        num_tags = array.shape(transition_params)[0]
    num_transitions = array.shape(tag_indices)[1] - 1
    starts = array.slice_(tag_indices, [0, 0], array.stack([-1, num_transitions]))
    ends = array.slice_(tag_indices, [0, 1], array.stack([-1, num_transitions]))
    flat_indices = starts * num_tags + ends
    scores = array.gather(array.reshape(transition_params, [-1]), flat_indices)
    masks = sequence_mask(sequence_lengths, maxlen=array.shape(tag_indices)[1],
                          dtype=transition_params.dtype)
    return math_ops.reduce_sum(scores * array.slice_(masks, [0, 1], [-1, -1]), 1)


def crf_forward(inputs, state, transition_params, sequence_lengths):
    """The forward algorithm's log alphas [batch, num_tags] at each row's last step, from
    `state` (the first step's scores) over `inputs` [batch, time - 1, num_tags]."""
    inputs = convert_to_tensor(inputs)
    sequence_lengths = convert_to_tensor(sequence_lengths)
    last = math_ops.maximum(constant(0, dtype=sequence_lengths.dtype), sequence_lengths - 1)
    inputs = array.transpose(inputs, [1, 0, 2])
    transitions = array.expand_dims(convert_to_tensor(transition_params), 0)

    def step(alphas, x):
        return x + math_ops.reduce_logsumexp(array.expand_dims(alphas, 2) + transitions, [1])
    all_alphas = array.transpose(scan(step, inputs, state), [1, 0, 2])
    all_alphas = array.concat([array.expand_dims(state, 1), all_alphas], 1)  # for length 1
    rows = array.range_(constant(0, last.dtype), array.shape(last, out_type=last.dtype)[0])
    return scatter_ops.gather_nd(all_alphas, array.stack([rows, last], axis=1))


def viterbi_decode(score, transition_params):
    """(best tag sequence as a list of ints, its score) for one sequence, in NumPy: `score`
    [time, num_tags], `transition_params` [num_tags, num_tags]."""
    score = np.asarray(score)
    trellis = np.zeros_like(score)
    backpointers = np.zeros_like(score, dtype=np.int32)
    trellis[0] = score[0]
    for t in range(1, score.shape[0]):
        v = np.expand_dims(trellis[t - 1], 1) + transition_params
        trellis[t] = score[t] + np.max(v, 0)
        backpointers[t] = np.argmax(v, 0)
    viterbi = [np.argmax(trellis[-1])]
    for bp in reversed(backpointers[1:]):
        viterbi.append(bp[viterbi[-1]])
    viterbi.reverse()
    return viterbi, np.max(trellis[-1])


class _TransitionCell(RNNCell):
    """A cell over `num_tags` tag scores stepping through `transition_params` [tags, tags]."""

    def __init__(self, transition_params):
        super().__init__()
        self._transition_params = array.expand_dims(convert_to_tensor(transition_params), 0)
        self._num_tags = convert_to_tensor(transition_params).shape[0].value

    @property
    def state_size(self):
        return self._num_tags

    @property
    def output_size(self):
        return self._num_tags


class CrfForwardRnnCell(_TransitionCell):
    """One step of the forward algorithm: alphas' = inputs + logsumexp(alphas + transitions)."""

    def __call__(self, inputs, state, scope=None):
        scores = array.expand_dims(state, 2) + self._transition_params
        new_alphas = inputs + math_ops.reduce_logsumexp(scores, [1])
        return new_alphas, new_alphas


class CrfDecodeForwardRnnCell(_TransitionCell):
    """One Viterbi step: the best scores so far, and the back pointers (as outputs)."""

    def __call__(self, inputs, state, scope=None):
        scores = array.expand_dims(state, 2) + self._transition_params
        new_state = inputs + math_ops.reduce_max(scores, [1])
        backpointers = array.cast(math_ops.argmax(scores, 1), dtypes.int32)
        return backpointers, new_state


class CrfDecodeBackwardRnnCell(RNNCell):
    """One step back through the back pointers: the tag [batch, 1] they point to."""

    def __init__(self, num_tags):
        super().__init__()
        self._num_tags = num_tags

    @property
    def state_size(self):
        return 1

    @property
    def output_size(self):
        return 1

    def __call__(self, inputs, state, scope=None):
        state = array.squeeze(state, axis=[1])
        rows = array.range_(array.shape(inputs)[0])
        indices = array.stack([rows, state], axis=1)
        new_tags = array.expand_dims(scatter_ops.gather_nd(inputs, indices), axis=-1)
        return new_tags, new_tags


def crf_decode(potentials, transition_params, sequence_length):
    """(decode_tags [batch, time] int32, best_score [batch]): the Viterbi path of each row
    (over its first sequence_length steps) in the graph."""
    potentials = convert_to_tensor(potentials)
    sequence_length = convert_to_tensor(sequence_length)

    def single():
        squeezed = array.squeeze(potentials, [1])
        tags = array.expand_dims(math_ops.argmax(squeezed, axis=1), 1)
        return array.cast(tags, dtypes.int32), math_ops.reduce_max(squeezed, axis=1)

    def multi():
        num_tags = potentials.shape[2].value
        forward = CrfDecodeForwardRnnCell(transition_params)
        initial = array.squeeze(array.slice_(potentials, [0, 0, 0], [-1, 1, -1]), axis=[1])
        inputs = array.slice_(potentials, [0, 1, 0], [-1, -1, -1])
        lengths_less_one = math_ops.maximum(constant(0, dtype=sequence_length.dtype),
                                            sequence_length - 1)
        backpointers, last_score = dynamic_rnn(forward, inputs=inputs,
                                               sequence_length=lengths_less_one,
                                               initial_state=initial, time_major=False,
                                               dtype=dtypes.int32)
        backpointers = array.reverse_sequence(backpointers, lengths_less_one, seq_axis=1)
        backward = CrfDecodeBackwardRnnCell(num_tags)
        initial = array.expand_dims(array.cast(math_ops.argmax(last_score, axis=1),
                                               dtypes.int32), axis=-1)
        tags, _ = dynamic_rnn(backward, inputs=backpointers, sequence_length=lengths_less_one,
                              initial_state=initial, time_major=False, dtype=dtypes.int32)
        tags = array.squeeze(tags, axis=[2])
        tags = array.concat([initial, tags], axis=1)
        tags = array.reverse_sequence(tags, sequence_length, seq_axis=1)
        return tags, math_ops.reduce_max(last_score, axis=1)
    return _smart_cond(_single_step(potentials), single, multi)
