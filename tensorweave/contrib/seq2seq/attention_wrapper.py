"""tf.contrib.seq2seq's attention: mechanisms that score a memory (encoder outputs) against a
query (Bahdanau's additive and Luong's multiplicative scores, and their monotonic forms), and
AttentionWrapper, a cell that attends over the memory at every step.

    mechanism = tf.contrib.seq2seq.BahdanauAttention(num_units, encoder_outputs,
                                                     memory_sequence_length=source_lengths)
    cell = tf.contrib.seq2seq.AttentionWrapper(cell, mechanism, attention_layer_size=64)

Variables carry TensorFlow 1.15's names: `memory_layer/kernel` where the mechanism is made,
and inside the wrapper's scope `attention_wrapper/bahdanau_attention/query_layer/kernel`,
`.../attention_v` (and `attention_g`, `attention_b` when normalized), `luong_attention/
attention_g` when scaled, `attention_layer/kernel`.
"""
import collections
import functools
import math

import numpy as np

from tensorweave import init_ops
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.layers.core import Dense
from tensorweave.nn.functional import scan
from tensorweave.nn.rnn import sequence_mask
from tensorweave.nn.rnn_cell import RNNCell, zero_state_tensors
from tensorweave.ops import array, counting_ops, math_ops, nn_ops, random_ops
from tensorweave.ops.tensor_array_ops import TensorArray
from tensorweave.util import nest
from tensorweave.variable_scope import get_variable, variable_scope

__all__ = ["AttentionMechanism", "AttentionWrapper", "AttentionWrapperState", "LuongAttention",
           "BahdanauAttention", "hardmax", "safe_cumprod", "monotonic_attention",
           "BahdanauMonotonicAttention", "LuongMonotonicAttention"]


class AttentionMechanism:
    """The base class of attention mechanisms."""

    @property
    def alignments_size(self):
        raise NotImplementedError

    @property
    def state_size(self):
        raise NotImplementedError


def _static_or_dynamic(t, axis):
    value = t.shape[axis].value if t.shape.ndims is not None else None
    return value if value is not None else array.shape(t)[axis]


def _prepare_memory(memory, memory_sequence_length, check_inner_dims_defined):
    """The memory with the steps at or past each row's length zeroed."""
    memory = nest.map_structure(lambda m: convert_to_tensor(m, name="memory"), memory)
    if memory_sequence_length is not None:
        memory_sequence_length = convert_to_tensor(memory_sequence_length,
                                                   name="memory_sequence_length")
    if check_inner_dims_defined:
        for m in nest.flatten(memory):
            if not m.shape[2:].is_fully_defined():
                raise ValueError(f"Expected memory {m.name} to have fully defined inner dims, "
                                 f"but saw shape: {m.shape}")
    if memory_sequence_length is None:
        return memory
    first = nest.flatten(memory)[0]
    mask = sequence_mask(memory_sequence_length, maxlen=array.shape(first)[1],
                         dtype=first.dtype)
    lengths_batch = memory_sequence_length.shape[0].value

    def masked(m):
        if lengths_batch is not None and m.shape[0].value not in (None, lengths_batch):
            raise ValueError("memory_sequence_length and memory tensor batch sizes do not "
                             "match.")
        extra = m.shape.ndims - 2
        m_mask = mask if extra == 0 else array.reshape(
            mask, array.concat([array.shape(mask), [1] * extra], 0))
        return m * m_mask
    return nest.map_structure(masked, memory)


def _maybe_mask_score(score, memory_sequence_length, score_mask_value):
    if memory_sequence_length is None:
        return score
    mask = sequence_mask(memory_sequence_length, maxlen=array.shape(score)[1])
    return array.where(mask, score, score_mask_value * array.ones_like(score))


class _BaseAttentionMechanism(AttentionMechanism):
    """What the mechanisms share: the (masked) memory as `values`, the memory layer's keys,
    and a probability function that ignores the steps past each row's memory length."""

    def __init__(self, query_layer, memory, probability_fn, memory_sequence_length=None,
                 memory_layer=None, check_inner_dims_defined=True, score_mask_value=None,
                 custom_key_value_fn=None, name=None):
        if query_layer is not None and not callable(query_layer):
            raise TypeError(f"query_layer is not a Layer: {type(query_layer).__name__}")
        if memory_layer is not None and not callable(memory_layer):
            raise TypeError(f"memory_layer is not a Layer: {type(memory_layer).__name__}")
        self._query_layer = query_layer
        self._memory_layer = memory_layer
        if not callable(probability_fn):
            raise TypeError(f"probability_fn must be callable, saw type: "
                            f"{type(probability_fn).__name__}")
        flat_memory = [convert_to_tensor(m) for m in nest.flatten(memory)]
        if score_mask_value is None:
            score_mask_value = flat_memory[0].dtype.as_numpy_dtype(-np.inf)
        self._probability_fn = lambda score, prev: probability_fn(
            _maybe_mask_score(score, memory_sequence_length, score_mask_value), prev)
        with name_scope(name, "BaseAttentionMechanismInit", flat_memory):
            self._values = _prepare_memory(memory, memory_sequence_length,
                                           check_inner_dims_defined)
            self._keys = self.memory_layer(self._values) if self.memory_layer else self._values
            if custom_key_value_fn is not None:
                self._keys, self._values = custom_key_value_fn(self._keys, self._values)
            self._batch_size = _static_or_dynamic(self._keys, 0)
            self._alignments_size = _static_or_dynamic(self._keys, 1)

    @property
    def memory_layer(self):
        return self._memory_layer

    @property
    def query_layer(self):
        return self._query_layer

    @property
    def values(self):
        return self._values

    @property
    def keys(self):
        return self._keys

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def alignments_size(self):
        return self._alignments_size

    @property
    def state_size(self):
        return self._alignments_size

    @property
    def dtype(self):
        return nest.flatten(self._values)[0].dtype

    def initial_alignments(self, batch_size, dtype):
        """Zeros [batch_size, max_time]."""
        return zero_state_tensors(self._alignments_size, batch_size, dtype)

    def initial_state(self, batch_size, dtype):
        """The mechanism's first state: its initial alignments."""
        return self.initial_alignments(batch_size, dtype)


def _luong_score(query, keys, scale):
    depth, key_units = query.shape[-1].value, keys.shape[-1].value
    if depth != key_units or depth is None:
        raise ValueError(f"Incompatible or unknown inner dimensions between query and keys.  "
                         f"Query ({query}) has units: {depth}.  Keys ({keys}) have units: "
                         f"{key_units}.  Perhaps you need to set num_units to the keys' "
                         f"dimension ({key_units})?")
    score = math_ops.matmul(array.expand_dims(query, 1), keys, transpose_b=True)
    score = array.squeeze(score, [1])
    return score if scale is None else scale * score


def _bahdanau_score(processed_query, keys, normalize):
    dtype = processed_query.dtype
    num_units = _static_or_dynamic(keys, 2)
    processed_query = array.expand_dims(processed_query, 1)
    v = get_variable("attention_v", [num_units], dtype=dtype)
    if normalize:
        g = get_variable("attention_g", dtype=dtype, shape=(),
                         initializer=init_ops.constant_initializer(math.sqrt(1. / num_units)))
        b = get_variable("attention_b", [num_units], dtype=dtype,
                         initializer=init_ops.zeros_initializer())
        normed_v = g * v * math_ops.rsqrt(math_ops.reduce_sum(math_ops.square(v)))
        return math_ops.reduce_sum(normed_v * math_ops.tanh(keys + processed_query + b), [2])
    return math_ops.reduce_sum(v * math_ops.tanh(keys + processed_query), [2])


def _projection(num_units, name, dtype):
    """The bias-free Dense layer `name` (query_layer, memory_layer) of a mechanism."""
    return Dense(num_units, name=name, use_bias=False,
                 dtype=dtypes.float32 if dtype is None else dtype)


def _luong_scale(query, scale):
    """The learned scalar "attention_g" (initially 1) when `scale`, else None."""
    if not scale:
        return None
    return get_variable("attention_g", dtype=query.dtype, shape=(),
                        initializer=init_ops.ones_initializer())


def _softmax_fn(probability_fn):
    fn = nn_ops.softmax if probability_fn is None else probability_fn
    return lambda score, _: fn(score)


class LuongAttention(_BaseAttentionMechanism):
    """Multiplicative attention: score = query . (memory W) (times a learned scalar g when
    `scale`), alignments = probability_fn(score) (softmax)."""

    def __init__(self, num_units, memory, memory_sequence_length=None, scale=False,
                 probability_fn=None, score_mask_value=None, dtype=None,
                 custom_key_value_fn=None, name="LuongAttention"):
        super().__init__(query_layer=None,
                         memory_layer=_projection(num_units, "memory_layer", dtype),
                         memory=memory, probability_fn=_softmax_fn(probability_fn),
                         memory_sequence_length=memory_sequence_length,
                         score_mask_value=score_mask_value,
                         custom_key_value_fn=custom_key_value_fn, name=name)
        self._num_units = num_units
        self._scale = scale
        self._name = name

    def __call__(self, query, state):
        """(alignments [batch, max_time], next state) for `query` [batch, num_units]."""
        with variable_scope(None, "luong_attention", [query]):
            score = _luong_score(query, self._keys, _luong_scale(query, self._scale))
        alignments = self._probability_fn(score, state)
        return alignments, alignments


class BahdanauAttention(_BaseAttentionMechanism):
    """Additive attention: score = v . tanh(memory W1 + query W2) (weight-normalized v with
    a bias when `normalize`), alignments = probability_fn(score) (softmax)."""

    def __init__(self, num_units, memory, memory_sequence_length=None, normalize=False,
                 probability_fn=None, score_mask_value=None, dtype=None,
                 custom_key_value_fn=None, name="BahdanauAttention"):
        super().__init__(query_layer=_projection(num_units, "query_layer", dtype),
                         memory_layer=_projection(num_units, "memory_layer", dtype),
                         memory=memory, probability_fn=_softmax_fn(probability_fn),
                         memory_sequence_length=memory_sequence_length,
                         score_mask_value=score_mask_value,
                         custom_key_value_fn=custom_key_value_fn, name=name)
        self._num_units = num_units
        self._normalize = normalize
        self._name = name

    def __call__(self, query, state):
        """(alignments [batch, max_time], next state) for `query` [batch, depth]."""
        with variable_scope(None, "bahdanau_attention", [query]):
            processed = self.query_layer(query) if self.query_layer else query
            score = _bahdanau_score(processed, self._keys, self._normalize)
        alignments = self._probability_fn(score, state)
        return alignments, alignments


# --- monotonic attention ------------------------------------------------------------------------
def safe_cumprod(x, *args, **kwargs):
    """cumprod(x, ...) computed as exp(cumsum(log(x))) with x clipped to [tiny, 1]."""
    with name_scope(None, "SafeCumprod", [x]):
        x = convert_to_tensor(x, name="x")
        tiny = np.finfo(x.dtype.as_numpy_dtype).tiny
        return math_ops.exp(counting_ops.cumsum(
            math_ops.log(math_ops.clip_by_value(x, tiny, 1)), *args, **kwargs))


def monotonic_attention(p_choose_i, previous_attention, mode):
    """The expected monotonic alignments [batch, max_time] given the choosing probabilities and
    the previous step's alignments, by mode "recursive" (a scan), "parallel" (cumulative
    products) or "hard" (0/1 choices)."""
    p_choose_i = convert_to_tensor(p_choose_i, name="p_choose_i")
    previous_attention = convert_to_tensor(previous_attention, name="previous_attention")
    if mode == "recursive":
        batch_size = _static_or_dynamic(p_choose_i, 0)
        shifted = array.concat([array.ones(array.stack([batch_size, 1]), p_choose_i.dtype),
                                1 - p_choose_i[:, :-1]], 1)
        q = scan(lambda x, yz: array.reshape(yz[0] * x + yz[1], array.stack([batch_size])),
                 [array.transpose(shifted), array.transpose(previous_attention)],
                 array.zeros(array.stack([batch_size]), p_choose_i.dtype))
        return p_choose_i * array.transpose(q)
    if mode == "parallel":
        cumprod_1mp = safe_cumprod(1 - p_choose_i, axis=1, exclusive=True)
        return p_choose_i * cumprod_1mp * counting_ops.cumsum(
            previous_attention / math_ops.clip_by_value(cumprod_1mp, 1e-10, 1.), axis=1)
    if mode == "hard":
        p_choose_i = p_choose_i * counting_ops.cumsum(previous_attention, axis=1)
        return p_choose_i * counting_ops.cumprod(1 - p_choose_i, axis=1, exclusive=True)
    raise ValueError("mode must be 'recursive', 'parallel', or 'hard'.")


def _monotonic_probability_fn(score, previous_alignments, sigmoid_noise, mode, seed=None):
    if sigmoid_noise > 0:
        score = score + sigmoid_noise * random_ops.random_normal(
            array.shape(score), dtype=score.dtype, seed=seed)
    if mode == "hard":
        p_choose_i = array.cast(math_ops.greater(score, 0), score.dtype)
    else:
        p_choose_i = math_ops.sigmoid(score)
    return monotonic_attention(p_choose_i, previous_alignments, mode)


class _BaseMonotonicAttentionMechanism(_BaseAttentionMechanism):
    """A mechanism whose score plus a learned scalar bias `attention_score_bias` becomes
    monotonic alignments (Raffel et al. 2017)."""

    def __init__(self, query_layer, memory_layer, memory, memory_sequence_length,
                 score_mask_value, sigmoid_noise, sigmoid_noise_seed, score_bias_init, mode,
                 name):
        super().__init__(query_layer=query_layer, memory_layer=memory_layer, memory=memory,
                         probability_fn=functools.partial(
                             _monotonic_probability_fn, sigmoid_noise=sigmoid_noise, mode=mode,
                             seed=sigmoid_noise_seed),
                         memory_sequence_length=memory_sequence_length,
                         score_mask_value=score_mask_value, name=name)
        self._score_bias_init = score_bias_init
        self._name = name

    def _with_score_bias(self, score):
        return score + get_variable("attention_score_bias", dtype=score.dtype,
                                    initializer=np.asarray(self._score_bias_init,
                                                           score.dtype.as_numpy_dtype))

    def initial_alignments(self, batch_size, dtype):
        """All attention on the first memory step: one_hot(0) rows [batch_size, max_time]."""
        return array.one_hot(array.zeros(array.stack([batch_size]), dtype=dtypes.int32),
                             self._alignments_size, dtype=dtype)


class BahdanauMonotonicAttention(_BaseMonotonicAttentionMechanism):
    """Bahdanau's score plus a learned scalar bias `attention_score_bias`, turned into
    monotonic alignments (Raffel et al. 2017)."""

    def __init__(self, num_units, memory, memory_sequence_length=None, normalize=False,
                 score_mask_value=None, sigmoid_noise=0., sigmoid_noise_seed=None,
                 score_bias_init=0., mode="parallel", dtype=None,
                 name="BahdanauMonotonicAttention"):
        super().__init__(_projection(num_units, "query_layer", dtype),
                         _projection(num_units, "memory_layer", dtype), memory,
                         memory_sequence_length, score_mask_value, sigmoid_noise,
                         sigmoid_noise_seed, score_bias_init, mode, name)
        self._num_units = num_units
        self._normalize = normalize

    def __call__(self, query, state):
        with variable_scope(None, "bahdanau_monotonic_attention", [query]):
            processed = self.query_layer(query) if self.query_layer else query
            score = self._with_score_bias(
                _bahdanau_score(processed, self._keys, self._normalize))
        alignments = self._probability_fn(score, state)
        return alignments, alignments


class LuongMonotonicAttention(_BaseMonotonicAttentionMechanism):
    """Luong's score plus a learned scalar bias `attention_score_bias`, turned into monotonic
    alignments."""

    def __init__(self, num_units, memory, memory_sequence_length=None, scale=False,
                 score_mask_value=None, sigmoid_noise=0., sigmoid_noise_seed=None,
                 score_bias_init=0., mode="parallel", dtype=None,
                 name="LuongMonotonicAttention"):
        super().__init__(None, _projection(num_units, "memory_layer", dtype), memory,
                         memory_sequence_length, score_mask_value, sigmoid_noise,
                         sigmoid_noise_seed, score_bias_init, mode, name)
        self._num_units = num_units
        self._scale = scale

    def __call__(self, query, state):
        with variable_scope(None, "luong_monotonic_attention", [query]):
            score = self._with_score_bias(
                _luong_score(query, self._keys, _luong_scale(query, self._scale)))
        alignments = self._probability_fn(score, state)
        return alignments, alignments


def hardmax(logits, name=None):
    """One-hot vectors of the argmax of `logits` over its last axis, in logits' dtype."""
    with name_scope(name, "Hardmax", [logits]):
        logits = convert_to_tensor(logits, name="logits")
        depth = _static_or_dynamic(logits, -1)
        return array.one_hot(math_ops.argmax(logits, -1), depth, dtype=logits.dtype)


# --- the wrapper ----------------------------------------------------------------------------------
class AttentionWrapperState(collections.namedtuple(
        "AttentionWrapperState", ("cell_state", "attention", "time", "alignments",
                                  "alignment_history", "attention_state"))):
    """The state of an AttentionWrapper: the wrapped cell's state, the last attention vector,
    the step, the alignments (one per mechanism), their history (TensorArrays, with
    alignment_history=True) and the mechanisms' states."""

    __slots__ = ()

    def clone(self, **kwargs):
        """A copy with the fields in `kwargs` replaced (tensors keep the old static shapes)."""
        def with_same_shape(old, new):
            if isinstance(old, Tensor) and isinstance(new, Tensor):
                new.set_shape(old.shape)
            return new
        return nest.map_structure(with_same_shape, self, self._replace(**kwargs))


def compute_attention(attention_mechanism, cell_output, attention_state, attention_layer):
    """(attention, alignments, next attention state): the context vector (the alignments'
    weighted sum of the memory), through `attention_layer` on [cell_output, context] if
    given."""
    alignments, next_attention_state = attention_mechanism(cell_output, state=attention_state)
    context = math_ops.matmul(array.expand_dims(alignments, 1), attention_mechanism.values)
    context = array.squeeze(context, [1])
    if attention_layer is not None:
        attention = attention_layer(array.concat([cell_output, context], 1))
    else:
        attention = context
    return attention, alignments, next_attention_state


def _last_dim(t):
    return t.shape[-1].value


class AttentionWrapper(RNNCell):
    """A cell that, at each step, feeds cell_input_fn(inputs, previous attention) to `cell`,
    scores the memory against the cell's output and returns the new attention vector (or the
    cell output when output_attention=False) with an AttentionWrapperState."""

    _default_name = "attention_wrapper"

    def __init__(self, cell, attention_mechanism, attention_layer_size=None,
                 alignment_history=False, cell_input_fn=None, output_attention=True,
                 initial_cell_state=None, name=None, attention_layer=None, attention_fn=None):
        super().__init__(name=name)
        if not (callable(cell) and hasattr(cell, "state_size") and
                hasattr(cell, "output_size")):
            raise TypeError(f"The argument 'cell' ({cell}) is not an RNNCell: 'output_size', "
                            f"'state_size', 'zero_state' or '__call__' is missing.")
        if isinstance(attention_mechanism, (list, tuple)):
            self._is_multi = True
            mechanisms = tuple(attention_mechanism)
            for m in mechanisms:
                if not isinstance(m, AttentionMechanism):
                    raise TypeError(f"attention_mechanism must contain only instances of "
                                    f"AttentionMechanism, saw type: {type(m).__name__}")
        else:
            self._is_multi = False
            if not isinstance(attention_mechanism, AttentionMechanism):
                raise TypeError(f"attention_mechanism must be an AttentionMechanism or list of "
                                f"multiple AttentionMechanism instances, saw type: "
                                f"{type(attention_mechanism).__name__}")
            mechanisms = (attention_mechanism,)
        if cell_input_fn is None:
            def cell_input_fn(inputs, attention):
                return array.concat([inputs, attention], -1)
        elif not callable(cell_input_fn):
            raise TypeError(f"cell_input_fn must be callable, saw type: "
                            f"{type(cell_input_fn).__name__}")
        if attention_layer_size is not None and attention_layer is not None:
            raise ValueError("Only one of attention_layer_size and attention_layer should be "
                             "set")
        if attention_layer_size is not None:
            sizes = tuple(attention_layer_size if isinstance(attention_layer_size, (list, tuple))
                          else (attention_layer_size,))
            if len(sizes) != len(mechanisms):
                raise ValueError(f"If provided, attention_layer_size must contain exactly one "
                                 f"integer per attention_mechanism, saw: {len(sizes)} vs "
                                 f"{len(mechanisms)}")
            self._attention_layers = tuple(
                Dense(size, name="attention_layer", use_bias=False, dtype=m.dtype)
                for size, m in zip(sizes, mechanisms))
            self._attention_layer_size = sum(sizes)
        elif attention_layer is not None:
            self._attention_layers = tuple(attention_layer if isinstance(attention_layer,
                                                                         (list, tuple))
                                           else (attention_layer,))
            if len(self._attention_layers) != len(mechanisms):
                raise ValueError(f"If provided, attention_layer must contain exactly one layer "
                                 f"per attention_mechanism, saw: {len(self._attention_layers)} "
                                 f"vs {len(mechanisms)}")
            self._attention_layer_size = sum(layer.units for layer in self._attention_layers)
        else:
            self._attention_layers = None
            self._attention_layer_size = sum(_last_dim(m.values) for m in mechanisms)
        self._attention_fn = compute_attention if attention_fn is None else attention_fn
        self._cell = cell
        self._attention_mechanisms = mechanisms
        self._cell_input_fn = cell_input_fn
        self._output_attention = output_attention
        self._alignment_history = alignment_history
        with name_scope(name, "AttentionWrapperInit"):
            self._initial_cell_state = None if initial_cell_state is None else \
                nest.map_structure(lambda s: array.identity(s, name="check_initial_cell_state"),
                                   initial_cell_state)

    def _item_or_tuple(self, seq):
        t = tuple(seq)
        return t if self._is_multi else t[0]

    @property
    def output_size(self):
        return self._attention_layer_size if self._output_attention else \
            self._cell.output_size

    @property
    def state_size(self):
        ms = self._attention_mechanisms
        return AttentionWrapperState(
            cell_state=self._cell.state_size, time=TensorShape([]),
            attention=self._attention_layer_size,
            alignments=self._item_or_tuple(m.alignments_size for m in ms),
            attention_state=self._item_or_tuple(m.state_size for m in ms),
            alignment_history=self._item_or_tuple(
                m.alignments_size if self._alignment_history else () for m in ms))

    def zero_state(self, batch_size, dtype):
        """The initial AttentionWrapperState (the wrapped cell's zero state, or
        initial_cell_state when given)."""
        with name_scope(type(self).__name__ + "ZeroState",
                        values=[batch_size] if isinstance(batch_size, Tensor) else None):
            cell_state = self._initial_cell_state if self._initial_cell_state is not None \
                else self._cell.zero_state(batch_size, dtype)
            cell_state = nest.map_structure(
                lambda s: array.identity(s, name="checked_cell_state"), cell_state)
            alignments = [m.initial_alignments(batch_size, dtype)
                          for m in self._attention_mechanisms]
            return AttentionWrapperState(
                cell_state=cell_state, time=array.zeros([], dtype=dtypes.int32),
                attention=zero_state_tensors(self._attention_layer_size, batch_size, dtype),
                alignments=self._item_or_tuple(alignments),
                attention_state=self._item_or_tuple(
                    m.initial_state(batch_size, dtype) for m in self._attention_mechanisms),
                alignment_history=self._item_or_tuple(
                    TensorArray(dtype, size=0, dynamic_size=True, element_shape=a.shape)
                    if self._alignment_history else () for a in alignments))

    def call(self, inputs, state):
        if not isinstance(state, AttentionWrapperState):
            raise TypeError(f"Expected state to be instance of AttentionWrapperState. "
                            f"Received type {type(state)} instead.")
        cell_inputs = self._cell_input_fn(inputs, state.attention)
        cell_output, next_cell_state = self._cell(cell_inputs, state.cell_state)
        cell_output = array.identity(cell_output, name="checked_cell_output")
        if self._is_multi:
            previous_states, previous_histories = state.attention_state, \
                state.alignment_history
        else:
            previous_states, previous_histories = [state.attention_state], \
                [state.alignment_history]
        alignments, attentions, states, histories = [], [], [], []
        for i, mechanism in enumerate(self._attention_mechanisms):
            attention, alignment, next_state = self._attention_fn(
                mechanism, cell_output, previous_states[i],
                self._attention_layers[i] if self._attention_layers else None)
            history = previous_histories[i].write(state.time, alignment) \
                if self._alignment_history else ()
            alignments.append(alignment)
            attentions.append(attention)
            states.append(next_state)
            histories.append(history)
        attention = array.concat(attentions, 1)
        next_state = AttentionWrapperState(
            time=state.time + 1, cell_state=next_cell_state, attention=attention,
            attention_state=self._item_or_tuple(states),
            alignments=self._item_or_tuple(alignments),
            alignment_history=self._item_or_tuple(histories))
        return (attention if self._output_attention else cell_output), next_state

    def _all_variables(self):
        found = list(self._variables) + list(self._cell.variables)
        for m in self._attention_mechanisms:
            for layer in (m.memory_layer, m.query_layer):
                if layer is not None:
                    found += layer.variables
        for layer in self._attention_layers or ():
            found += layer.variables
        return found
