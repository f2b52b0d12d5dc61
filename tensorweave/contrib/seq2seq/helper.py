"""tf.contrib.seq2seq's helpers: what a BasicDecoder feeds its cell at each step and how it
picks the step's sample ids (teacher forcing, greedy or sampled embedding, scheduled
sampling, or functions of your own).

    helper = tf.contrib.seq2seq.TrainingHelper(decoder_inputs, target_lengths)
    helper = tf.contrib.seq2seq.GreedyEmbeddingHelper(embedding, start_tokens, end_token)
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, math_ops, norm_ops, random_ops
from tensorweave.ops.control.cond import cond
from tensorweave.ops.tensor_array_ops import TensorArray
from tensorweave.util import nest

__all__ = ["Helper", "TrainingHelper", "GreedyEmbeddingHelper", "SampleEmbeddingHelper",
           "CustomHelper", "ScheduledEmbeddingTrainingHelper",
           "ScheduledOutputTrainingHelper", "InferenceHelper"]


def _transpose_batch_time(x):
    return array.transpose(x, [1, 0] + list(range(2, x.shape.ndims)))


def _unstack_ta(inp):
    return TensorArray(dtype=inp.dtype, size=array.shape(inp)[0],
                       element_shape=inp.shape[1:]).unstack(inp)


def batch_size_tensor(t):
    """The number of elements of `t` as an int32 tensor, as TF's helpers give `batch_size`
    (`constant_value` knows it where `t`'s shape tells)."""
    return array.size(convert_to_tensor(t))


def _embedding_fn(embedding):
    if callable(embedding):
        return embedding
    return lambda ids: norm_ops.embedding_lookup(embedding, ids)


def bernoulli_sample(probs, sample_shape, seed=None):
    """Booleans [sample_shape...] that are True with probability `probs`."""
    probs = convert_to_tensor(probs, name="probs")
    shape = array.concat([array.reshape(convert_to_tensor(sample_shape), [-1]),
                          array.shape(probs)], 0)
    uniform = random_ops.random_uniform(shape, seed=seed, dtype=probs.dtype)
    return math_ops.less(uniform, probs)


def categorical_sample(logits, seed=None, dtype=dtypes.int32):
    """One class id per row of `logits` [..., classes], drawn from softmax(logits)."""
    depth = array.shape(logits)[-1]
    flat = array.reshape(logits, array.stack([-1, depth]))
    draws = random_ops.multinomial(flat, 1, seed=seed, output_dtype=dtypes.as_dtype(dtype))
    return array.reshape(draws, array.shape(logits)[:-1])


class Helper:
    """The interface BasicDecoder drives: batch_size, sample_ids_shape/dtype,
    initialize() -> (finished, inputs), sample(time, outputs, state) -> sample_ids,
    next_inputs(time, outputs, state, sample_ids) -> (finished, next_inputs, next_state)."""

    @property
    def batch_size(self):
        raise NotImplementedError

    @property
    def sample_ids_shape(self):
        raise NotImplementedError

    @property
    def sample_ids_dtype(self):
        raise NotImplementedError

    def initialize(self, name=None):
        raise NotImplementedError

    def sample(self, time, outputs, state, name=None):
        raise NotImplementedError

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        raise NotImplementedError


class CustomHelper(Helper):
    """A helper made of three functions: initialize_fn() -> (finished, next_inputs),
    sample_fn(time, outputs, state) -> sample_ids and next_inputs_fn(time, outputs, state,
    sample_ids) -> (finished, next_inputs, next_state)."""

    def __init__(self, initialize_fn, sample_fn, next_inputs_fn, sample_ids_shape=None,
                 sample_ids_dtype=None):
        self._initialize_fn = initialize_fn
        self._sample_fn = sample_fn
        self._next_inputs_fn = next_inputs_fn
        self._batch_size = None
        self._sample_ids_shape = TensorShape(sample_ids_shape or [])
        self._sample_ids_dtype = dtypes.as_dtype(sample_ids_dtype or dtypes.int32)

    @property
    def batch_size(self):
        if self._batch_size is None:
            raise ValueError("batch_size accessed before initialize was called")
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return self._sample_ids_shape

    @property
    def sample_ids_dtype(self):
        return self._sample_ids_dtype

    def initialize(self, name=None):
        with name_scope(name, f"{type(self).__name__}Initialize"):
            finished, next_inputs = self._initialize_fn()
            if self._batch_size is None:
                self._batch_size = batch_size_tensor(finished)
        return finished, next_inputs

    def sample(self, time, outputs, state, name=None):
        with name_scope(name, f"{type(self).__name__}Sample", (time, outputs, state)):
            return self._sample_fn(time=time, outputs=outputs, state=state)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, f"{type(self).__name__}NextInputs", (time, outputs, state)):
            return self._next_inputs_fn(time=time, outputs=outputs, state=state,
                                        sample_ids=sample_ids)


class _IdSamplingHelper(Helper):
    """A helper of `self._batch_size` entries whose sample ids are int32 scalars."""

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return TensorShape([])

    @property
    def sample_ids_dtype(self):
        return dtypes.int32


class TrainingHelper(_IdSamplingHelper):
    """Teacher forcing: step t reads inputs[:, t] (inputs[t] when time_major); entry b is
    finished once t + 1 >= sequence_length[b]; sample ids are the argmax of the outputs."""

    def __init__(self, inputs, sequence_length, time_major=False, name=None):
        with name_scope(name, "TrainingHelper", [inputs, sequence_length]):
            inputs = nest.map_structure(lambda x: convert_to_tensor(x, name="inputs"), inputs)
            self._inputs = inputs
            if not time_major:
                inputs = nest.map_structure(_transpose_batch_time, inputs)
            self._input_tas = nest.map_structure(_unstack_ta, inputs)
            self._sequence_length = convert_to_tensor(sequence_length, name="sequence_length")
            if self._sequence_length.shape.ndims != 1:
                raise ValueError(f"Expected sequence_length to be a vector, but received "
                                 f"shape: {self._sequence_length.shape}")
            self._zero_inputs = nest.map_structure(lambda x: array.zeros_like(x[0, :]), inputs)
            self._batch_size = batch_size_tensor(self._sequence_length)

    @property
    def inputs(self):
        return self._inputs

    @property
    def sequence_length(self):
        return self._sequence_length

    def _read_or_zeros(self, finished, time):
        return cond(math_ops.reduce_all(finished), lambda: self._zero_inputs,
                    lambda: nest.map_structure(lambda ta: ta.read(time), self._input_tas))

    def initialize(self, name=None):
        with name_scope(name, "TrainingHelperInitialize"):
            finished = math_ops.equal(0, self._sequence_length)
            return finished, self._read_or_zeros(finished, 0)

    def sample(self, time, outputs, name=None, **unused_kwargs):
        with name_scope(name, "TrainingHelperSample", [time, outputs]):
            return array.cast(math_ops.argmax(outputs, axis=-1), dtypes.int32)

    def next_inputs(self, time, outputs, state, name=None, **unused_kwargs):
        with name_scope(name, "TrainingHelperNextInputs", [time, outputs, state]):
            next_time = time + 1
            finished = math_ops.greater_equal(next_time, self._sequence_length)
            return finished, self._read_or_zeros(finished, next_time), state


class ScheduledEmbeddingTrainingHelper(TrainingHelper):
    """Teacher forcing where, with probability `sampling_probability` per entry and step, the
    next input is instead the embedding of an id sampled from the outputs (sample id -1
    where not sampled)."""

    def __init__(self, inputs, sequence_length, embedding, sampling_probability,
                 time_major=False, seed=None, scheduling_seed=None, name=None):
        with name_scope(name, "ScheduledEmbeddingSamplingWrapper",
                        [embedding, sampling_probability]):
            self._embedding_fn = _embedding_fn(embedding)
            self._sampling_probability = convert_to_tensor(sampling_probability,
                                                           name="sampling_probability")
            if self._sampling_probability.shape.ndims not in (0, 1):
                raise ValueError(f"sampling_probability must be either a scalar or a vector. "
                                 f"saw shape: {self._sampling_probability.shape}")
            self._seed = seed
            self._scheduling_seed = scheduling_seed
            super().__init__(inputs, sequence_length, time_major=time_major, name=name)

    def initialize(self, name=None):
        return super().initialize(name=name)

    def sample(self, time, outputs, state, name=None):
        with name_scope(name, "ScheduledEmbeddingTrainingHelperSample",
                        [time, outputs, state]):
            select = bernoulli_sample(self._sampling_probability, self.batch_size,
                                      seed=self._scheduling_seed)
            if self._sampling_probability.shape.ndims == 0:
                select = array.reshape(select, array.reshape(self.batch_size, [1]))
            sampled = categorical_sample(outputs, seed=self._seed)
            return array.where(select, sampled, array.fill([self.batch_size], -1))

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, "ScheduledEmbeddingTrainingHelperNextInputs",
                        [time, outputs, state]):
            finished, base_next_inputs, state = super().next_inputs(
                time=time, outputs=outputs, state=state, sample_ids=sample_ids, name=name)

            def maybe_sample():
                sampling = math_ops.greater(sample_ids, -1)
                safe_ids = array.where(sampling, sample_ids, array.zeros_like(sample_ids))
                embedded = self._embedding_fn(safe_ids)
                return array.where(sampling, embedded, base_next_inputs)
            next_inputs = cond(math_ops.reduce_all(finished), lambda: base_next_inputs,
                               maybe_sample)
            return finished, next_inputs, state


class ScheduledOutputTrainingHelper(TrainingHelper):
    """Teacher forcing where, with probability `sampling_probability`, the next input is the
    step's output itself (through `next_inputs_fn`, joined with `auxiliary_inputs`); sample
    ids are booleans telling where that happened."""

    def __init__(self, inputs, sequence_length, sampling_probability, time_major=False,
                 seed=None, next_inputs_fn=None, auxiliary_inputs=None, name=None):
        with name_scope(name, "ScheduledOutputTrainingHelper",
                        [inputs, auxiliary_inputs, sampling_probability]):
            self._sampling_probability = convert_to_tensor(sampling_probability,
                                                           name="sampling_probability")
            if self._sampling_probability.shape.ndims not in (0, 1):
                raise ValueError(f"sampling_probability must be either a scalar or a vector. "
                                 f"saw shape: {self._sampling_probability.shape}")
            if auxiliary_inputs is None:
                maybe_concatenated = inputs
            else:
                inputs = convert_to_tensor(inputs, name="inputs")
                auxiliary_inputs = convert_to_tensor(auxiliary_inputs, name="auxiliary_inputs")
                maybe_concatenated = array.concat([inputs, auxiliary_inputs], -1)
                if not time_major:
                    auxiliary_inputs = _transpose_batch_time(auxiliary_inputs)
            self._auxiliary_input_tas = None if auxiliary_inputs is None else \
                nest.map_structure(_unstack_ta, auxiliary_inputs)
            self._seed = seed
            self._next_inputs_fn = next_inputs_fn
            super().__init__(maybe_concatenated, sequence_length, time_major=time_major,
                             name=name)

    @property
    def sample_ids_shape(self):
        return TensorShape([])

    @property
    def sample_ids_dtype(self):
        return dtypes.bool

    def initialize(self, name=None):
        return super().initialize(name=name)

    def sample(self, time, outputs, state, name=None):
        with name_scope(name, "ScheduledOutputTrainingHelperSample", [time, outputs, state]):
            select = bernoulli_sample(self._sampling_probability, self.batch_size,
                                      seed=self._seed)
            if self._sampling_probability.shape.ndims == 0:
                select = array.reshape(select, array.reshape(self.batch_size, [1]))
            return select

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, "ScheduledOutputTrainingHelperNextInputs",
                        [time, outputs, state, sample_ids]):
            finished, base_next_inputs, state = super().next_inputs(
                time=time, outputs=outputs, state=state, sample_ids=sample_ids, name=name)
            sample_ids = array.cast(sample_ids, dtypes.bool)

            def maybe_sample():
                if self._next_inputs_fn is None:
                    sampled = outputs
                else:
                    sampled = self._next_inputs_fn(outputs)
                if self._auxiliary_input_tas is not None:
                    aux = nest.map_structure(lambda ta: ta.read(time + 1),
                                             self._auxiliary_input_tas)
                    sampled = array.concat([sampled, aux], -1)
                return array.where(sample_ids, sampled, base_next_inputs)
            next_inputs = cond(
                math_ops.logical_or(math_ops.reduce_all(finished),
                                    math_ops.logical_not(math_ops.reduce_any(sample_ids))),
                lambda: base_next_inputs, maybe_sample)
            return finished, next_inputs, state


class GreedyEmbeddingHelper(_IdSamplingHelper):
    """Inference: the next input is the embedding of the argmax of the outputs; an entry is
    finished once it emits `end_token`."""

    def __init__(self, embedding, start_tokens, end_token):
        self._embedding_fn = _embedding_fn(embedding)
        self._start_tokens = convert_to_tensor(start_tokens, dtype=dtypes.int32,
                                               name="start_tokens")
        self._end_token = convert_to_tensor(end_token, dtype=dtypes.int32, name="end_token")
        if self._start_tokens.shape.ndims != 1:
            raise ValueError("start_tokens must be a vector")
        self._batch_size = batch_size_tensor(self._start_tokens)
        if self._end_token.shape.ndims != 0:
            raise ValueError("end_token must be a scalar")
        self._start_inputs = self._embedding_fn(self._start_tokens)

    def initialize(self, name=None):
        finished = array.tile([False], array.reshape(self._batch_size, [1]))
        return finished, self._start_inputs

    def sample(self, time, outputs, state, name=None):
        if not isinstance(outputs, Tensor):
            raise TypeError(f"Expected outputs to be a single Tensor, got: {type(outputs)}")
        return math_ops.argmax(outputs, axis=-1, output_type=dtypes.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        finished = math_ops.equal(sample_ids, self._end_token)
        next_inputs = cond(math_ops.reduce_all(finished), lambda: self._start_inputs,
                           lambda: self._embedding_fn(sample_ids))
        return finished, next_inputs, state


class SampleEmbeddingHelper(GreedyEmbeddingHelper):
    """Inference: the next input is the embedding of an id sampled from softmax(outputs /
    softmax_temperature)."""

    def __init__(self, embedding, start_tokens, end_token, softmax_temperature=None,
                 seed=None):
        super().__init__(embedding, start_tokens, end_token)
        self._softmax_temperature = softmax_temperature
        self._seed = seed

    def sample(self, time, outputs, state, name=None):
        if not isinstance(outputs, Tensor):
            raise TypeError(f"Expected outputs to be a single Tensor, got: {type(outputs)}")
        logits = outputs if self._softmax_temperature is None else \
            outputs / self._softmax_temperature
        return categorical_sample(logits, seed=self._seed)


class InferenceHelper(Helper):
    """Inference without embeddings: sample_fn(outputs) gives the sample ids, which (through
    next_inputs_fn) are the next inputs; end_fn(sample_ids) tells which entries finished."""

    def __init__(self, sample_fn, sample_shape, sample_dtype, start_inputs, end_fn,
                 next_inputs_fn=None):
        self._sample_fn = sample_fn
        self._end_fn = end_fn
        self._sample_shape = TensorShape(sample_shape)
        self._sample_dtype = dtypes.as_dtype(sample_dtype)
        self._next_inputs_fn = next_inputs_fn
        self._start_inputs = convert_to_tensor(start_inputs, name="start_inputs")
        self._batch_size = self._start_inputs.shape[0].value if \
            self._start_inputs.shape.ndims and self._start_inputs.shape[0].value is not None \
            else array.shape(self._start_inputs)[0]

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return self._sample_shape

    @property
    def sample_ids_dtype(self):
        return self._sample_dtype

    def initialize(self, name=None):
        finished = array.tile([False], array.reshape(self._batch_size, [1]))
        return finished, self._start_inputs

    def sample(self, time, outputs, state, name=None):
        return self._sample_fn(outputs)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        next_inputs = sample_ids if self._next_inputs_fn is None else \
            self._next_inputs_fn(sample_ids)
        return self._end_fn(sample_ids), next_inputs, state
