"""Candidate samplers for sampled losses: draw class ids from a fixed distribution over
[0, range_max) and report how often each id is expected to be drawn (TF's
tf.random.log_uniform_candidate_sampler, uniform_candidate_sampler,
learned_unigram_candidate_sampler and tf.nn.compute_accidental_hits).

Each sampler returns (sampled_candidates [num_sampled] int64, true_expected_count
[batch, num_true] float32, sampled_expected_count [num_sampled] float32). With unique=True the
draws are repeated until num_sampled distinct ids are found; the expected count of an id of
probability p after n draws is then 1 - (1 - p)^n, and p * num_sampled otherwise.

    ids, true_count, sampled_count = tf.nn.log_uniform_candidate_sampler(
        labels, num_true=1, num_sampled=64, unique=True, range_max=10000)
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.errors import InvalidArgumentError
from tensorweave.core.graph import create_op
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.seeds import seed_attrs
from tensorweave.core.tensor_shape import TensorShape


# --- the distributions: (probability of ids, draws from uniforms in [0, 1)) ------------------
def _log_uniform_probability(ids, range_max):
    ids = ids.astype(np.float64)
    return (np.log(ids + 2.0) - np.log(ids + 1.0)) / np.log(range_max + 1.0)


def _log_uniform_draw(u, range_max):
    # exp(u * log(range_max + 1)) lies in [1, range_max + 1): minus one gives an id in range
    return np.floor(np.exp(u * np.log(range_max + 1.0))).astype(np.int64) - 1


def _uniform_probability(ids, range_max):
    return np.full(ids.shape, 1.0 / range_max)


def _uniform_draw(u, range_max):
    return np.minimum(np.floor(u * range_max).astype(np.int64), range_max - 1)


_DISTRIBUTIONS = {
    "LogUniformCandidateSampler": (_log_uniform_probability, _log_uniform_draw),
    "UniformCandidateSampler": (_uniform_probability, _uniform_draw),
}


def _draw_unique(rng, draw, num_sampled, range_max):
    """num_sampled distinct ids in the order first drawn, and how many draws that took."""
    draws = np.empty(0, dtype=np.int64)
    while True:
        more = max(2 * num_sampled, 16)
        draws = np.concatenate([draws, draw(rng.random(more), range_max)])
        _, first = np.unique(draws, return_index=True)
        if first.size >= num_sampled:
            first = np.sort(first)[:num_sampled]
            return draws[first], int(first[-1]) + 1


def _expected_count(p, num_sampled, num_tries):
    if num_tries == num_sampled:
        return p * num_sampled
    return -np.expm1(num_tries * np.log1p(-p))  # 1 - (1 - p)^tries, accurate for small p


def _sampler_shape(op_type):
    return lambda true_classes, **attrs: _sampler_outputs(op_type, true_classes, **attrs)


def _sampler_outputs(op_type, true_classes, *, num_true, num_sampled, unique, range_max, seed,
                     seed2):
    shape = true_classes.shape
    if true_classes.dtype is not dtypes.int64:
        raise TypeError(f"{op_type} requires int64 true_classes, got {true_classes.dtype.name}")
    if shape.ndims not in (None, 2):
        raise ValueError(f"{op_type} requires true_classes of rank 2, got shape {shape}")
    if shape.ndims == 2 and shape[1].value not in (None, num_true):
        raise ValueError(f"{op_type} requires true_classes of shape [batch, num_true="
                         f"{num_true}], got {shape}")
    if range_max < 1 or num_sampled < 1 or num_true < 1:
        raise ValueError(f"{op_type} requires num_true, num_sampled and range_max >= 1, got "
                         f"{num_true}, {num_sampled}, {range_max}")
    batch = shape[0].value if shape.ndims == 2 else None
    return [(dtypes.int64, TensorShape([num_sampled])),
            (dtypes.float32, TensorShape([batch, num_true])),
            (dtypes.float32, TensorShape([num_sampled]))]


def _sampler_kernel(probability, draw):
    def kernel(state, name, true_classes, *, num_true, num_sampled, unique, range_max, seed,
               seed2):
        return _sample_ids(state.random_generator(name, seed, seed2), probability, draw,
                           true_classes, num_true, num_sampled, unique, range_max)
    return kernel


def _sample_ids(rng, probability, draw, true_classes, num_true, num_sampled, unique,
                range_max):
    if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
        raise ValueError(f"true_classes must be a matrix with num_true={num_true} columns, "
                         f"got shape {list(true_classes.shape)}")
    if unique and num_sampled > range_max:
        raise ValueError("Sampler's range is too small.")
    if true_classes.size and (true_classes.min() < 0 or true_classes.max() >= range_max):
        bad = true_classes[(true_classes < 0) | (true_classes >= range_max)][0]
        raise ValueError(f"`true_candidate` out of range [0, {range_max}), received {bad}")
    if unique:
        sampled, tries = _draw_unique(rng, draw, num_sampled, range_max)
    else:
        sampled, tries = draw(rng.random(num_sampled), range_max), num_sampled
    true_count = _expected_count(probability(true_classes, range_max), num_sampled, tries)
    sampled_count = _expected_count(probability(sampled, range_max), num_sampled, tries)
    return sampled, true_count.astype(np.float32), sampled_count.astype(np.float32)


for _op_type, (_probability, _draw) in _DISTRIBUTIONS.items():
    register_op(_op_type, shape=_sampler_shape(_op_type),
                kernel=_sampler_kernel(_probability, _draw), stateful=True,
                grad=NOT_DIFFERENTIABLE)


def _int64_input(value):
    """A tensor for an int64 input; a tensor of another dtype is left to the shape rule."""
    return value if isinstance(value, Tensor) else convert_to_tensor(value, dtype=dtypes.int64)


def _learned_unigram_kernel(state, name, true_classes, *, num_true, num_sampled, unique,
                            range_max, seed, seed2):
    """Samples from weights that start at 1 per class and grow by 1 each time the class is a
    true class (after the draw); the weights live in the session, not in checkpoints."""
    weights = state.resources.setdefault(("unigram_weights", name), np.ones(range_max))
    total = weights.sum()
    cdf = np.cumsum(weights) / total
    result = _sample_ids(
        state.random_generator(name, seed, seed2), lambda ids, _: weights[ids] / total,
        lambda u, n: np.minimum(np.searchsorted(cdf, u, side="right"), n - 1), true_classes,
        num_true, num_sampled, unique, range_max)
    np.add.at(weights, true_classes.ravel(), 1.0)
    return result


register_op("LearnedUnigramCandidateSampler",
            shape=_sampler_shape("LearnedUnigramCandidateSampler"),
            kernel=_learned_unigram_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)


def _sample(sampler, true_classes, num_true, num_sampled, unique, range_max, seed, name):
    true_classes = _int64_input(true_classes)
    op = create_op(sampler, [true_classes], name=name or sampler, num_true=int(num_true),
                   num_sampled=int(num_sampled), unique=bool(unique), range_max=int(range_max),
                   **seed_attrs(seed))
    return tuple(op.outputs)


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                  seed=None, name=None):
    """Samples ids with P(k) = (log(k + 2) - log(k + 1)) / log(range_max + 1) (Zipfian, for
    classes sorted by decreasing frequency); returns (sampled_candidates, true_expected_count,
    sampled_expected_count)."""
    return _sample("LogUniformCandidateSampler", true_classes, num_true, num_sampled, unique,
                   range_max, seed, name)


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                              seed=None, name=None):
    """Samples ids uniformly from [0, range_max); returns (sampled_candidates,
    true_expected_count, sampled_expected_count)."""
    return _sample("UniformCandidateSampler", true_classes, num_true, num_sampled, unique,
                   range_max, seed, name)


def learned_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                      seed=None, name=None):
    """Samples ids in proportion to 1 + how often each was a true class in earlier runs of
    this op in the session; returns (sampled_candidates, true_expected_count,
    sampled_expected_count)."""
    return _sample("LearnedUnigramCandidateSampler", true_classes, num_true, num_sampled,
                   unique, range_max, seed, name)


# --- fixed unigram and all-classes samplers -----------------------------------------------------
def unigram_weights(range_max, vocab_file, distortion, num_reserved_ids, num_shards, shard,
                    unigrams):
    """TF's FixedUnigramSampler weights: 0 for this shard's reserved ids, then count **
    distortion for this shard's ids (counts from `unigrams` or the last CSV column of each
    line of vocab_file)."""
    weights = [0.0] * sum(1 for i in range(num_reserved_ids) if i % num_shards == shard)
    if vocab_file:
        with open(vocab_file, encoding="utf-8") as f:
            counts = [float(line.rstrip("\n").split(",")[-1]) for line in f if line.strip()]
    else:
        counts = [float(u) for u in unigrams]
    word_id = len(weights)
    for count in counts:
        if word_id % num_shards == shard:
            weights.append(count ** distortion)
        word_id += 1
    weights = np.asarray(weights, dtype=np.float64)
    if len(weights) != range_max:
        raise InvalidArgumentError(None, None, f"range is {range_max} must be equal to "
                                   f"weights size  {len(weights)}")
    return weights


def _fixed_unigram_shape(true_classes, *, num_true, num_sampled, unique, range_max, seed,
                         seed2, **options):
    if not (options["vocab_file"] or options["unigrams"]):
        raise ValueError("FixedUnigramCandidateSampler requires vocab_file or unigrams")
    if options["vocab_file"] and options["unigrams"]:
        raise ValueError("FixedUnigramCandidateSampler takes vocab_file or unigrams, not both")
    if not 0 <= options["shard"] < options["num_shards"]:
        raise ValueError(f"FixedUnigramCandidateSampler requires 0 <= shard < num_shards, got "
                         f"{options['shard']} and {options['num_shards']}")
    return _sampler_outputs("FixedUnigramCandidateSampler", true_classes, num_true=num_true,
                            num_sampled=num_sampled, unique=unique, range_max=range_max,
                            seed=seed, seed2=seed2)


def _fixed_unigram_kernel(state, name, true_classes, *, num_true, num_sampled, unique,
                          range_max, seed, seed2, vocab_file, distortion, num_reserved_ids,
                          num_shards, shard, unigrams):
    weights = unigram_weights(range_max, vocab_file, distortion, num_reserved_ids, num_shards,
                              shard, unigrams)
    total = weights.sum()
    cdf = np.cumsum(weights) / total

    def probability(ids, n):
        inside = (ids >= 0) & (ids < n)
        return np.where(inside, weights[np.clip(ids, 0, n - 1)] / total, 0.0)

    def draw(u, n):
        return np.minimum(np.searchsorted(cdf, u, side="right"), n - 1)

    return _sample_ids(state.random_generator(name, seed, seed2), probability, draw,
                       true_classes, num_true, num_sampled, unique, range_max)


register_op("FixedUnigramCandidateSampler", shape=_fixed_unigram_shape,
            kernel=_fixed_unigram_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)


def _all_shape(true_classes, *, num_true, num_sampled, unique, seed, seed2):
    return _sampler_outputs("AllCandidateSampler", true_classes, num_true=num_true,
                            num_sampled=num_sampled, unique=unique, range_max=num_sampled,
                            seed=seed, seed2=seed2)


def _all_kernel(state, name, true_classes, *, num_true, num_sampled, unique, seed, seed2):
    """Every class of [0, num_sampled), each expected once."""
    if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
        raise InvalidArgumentError(None, None, f"true_classes must be a matrix with "
                                   f"num_true={num_true} columns, got shape "
                                   f"{list(true_classes.shape)}")
    return (np.arange(num_sampled, dtype=np.int64),
            np.ones(true_classes.shape, dtype=np.float32),
            np.ones(num_sampled, dtype=np.float32))


register_op("AllCandidateSampler", shape=_all_shape, kernel=_all_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


def fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                    vocab_file="", distortion=1.0, num_reserved_ids=0,
                                    num_shards=1, shard=0, unigrams=(), seed=None, name=None):
    """Samples ids in proportion to given counts (`unigrams` or a CSV vocab_file whose last
    column is the count) raised to `distortion`; returns (sampled_candidates,
    true_expected_count, sampled_expected_count)."""
    op = create_op("FixedUnigramCandidateSampler", [_int64_input(true_classes)],
                   name=name or "FixedUnigramCandidateSampler", num_true=int(num_true),
                   num_sampled=int(num_sampled), unique=bool(unique), range_max=int(range_max),
                   vocab_file=str(vocab_file or ""), distortion=float(distortion),
                   num_reserved_ids=int(num_reserved_ids), num_shards=int(num_shards),
                   shard=int(shard), unigrams=[float(u) for u in unigrams], **seed_attrs(seed))
    return tuple(op.outputs)


def all_candidate_sampler(true_classes, num_true, num_sampled, unique, seed=None, name=None):
    """All classes [0, num_sampled) as the sample, each with expected count 1 (for testing
    sampled losses against the full softmax)."""
    op = create_op("AllCandidateSampler", [_int64_input(true_classes)],
                   name=name or "AllCandidateSampler", num_true=int(num_true),
                   num_sampled=int(num_sampled), unique=bool(unique), **seed_attrs(seed))
    return tuple(op.outputs)


# --- accidental hits ----------------------------------------------------------------------------
def _hits_shape(true_classes, sampled, *, num_true, seed, seed2):
    for t, what in ((true_classes, "true_classes"), (sampled, "sampled_candidates")):
        if t.dtype is not dtypes.int64:
            raise TypeError(f"ComputeAccidentalHits requires int64 {what}, got {t.dtype.name}")
    if true_classes.shape.ndims not in (None, 2) or sampled.shape.ndims not in (None, 1):
        raise ValueError(f"ComputeAccidentalHits requires true_classes of rank 2 and "
                         f"sampled_candidates of rank 1, got {true_classes.shape} and "
                         f"{sampled.shape}")
    return [(dtypes.int32, TensorShape([None])), (dtypes.int64, TensorShape([None])),
            (dtypes.float32, TensorShape([None]))]


def _hits_kernel(true_classes, sampled, *, num_true, seed, seed2):
    if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
        raise ValueError("true_candidates must be a batch_size * num_true matrix")
    position = {int(c): i for i, c in enumerate(sampled)}  # the last position of each id
    hits = [(row, position[int(c)]) for row, classes in enumerate(true_classes)
            for c in classes if int(c) in position]
    rows = np.array([r for r, _ in hits], dtype=np.int32)
    positions = np.array([p for _, p in hits], dtype=np.int64)
    return rows, positions, np.full(len(hits), -np.finfo(np.float32).max, dtype=np.float32)


register_op("ComputeAccidentalHits", shape=_hits_shape, kernel=_hits_kernel,
            grad=NOT_DIFFERENTIABLE)


def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """Where a true class of a row is among the sampled candidates: (row indices, positions in
    sampled_candidates (the last, for a repeated id), weights of -FLT_MAX to add to those
    logits), row by row and in the order of the true classes."""
    true_classes = _int64_input(true_classes)
    sampled = _int64_input(sampled_candidates)
    op = create_op("ComputeAccidentalHits", [true_classes, sampled],
                   name=name or "ComputeAccidentalHits", num_true=int(num_true),
                   **seed_attrs(seed))
    return tuple(op.outputs)

