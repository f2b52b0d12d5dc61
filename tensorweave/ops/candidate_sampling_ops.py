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
import math

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.errors import InvalidArgumentError
from tensorweave.core.graph import create_op
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.seeds import seed_attrs
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import philox


# --- the distributions: (probability of ids as float32, one draw from a Philox word reader),
# TensorFlow's RangeSampler classes reading TF's SimplePhilox stream ---------------------------
def _log_uniform(range_max):
    log_range = math.log1p(range_max)

    def probability(ids):
        ids = np.asarray(ids, np.float64)
        logs = np.frompyfunc(math.log, 1, 1)((ids + 2.0) / (ids + 1.0)).astype(np.float64)
        return (logs / log_range).astype(np.float32)

    def sample(words):
        return (int(math.exp(words.double() * log_range)) - 1) % range_max
    return probability, sample


def _uniform(range_max):
    inverse = np.float32(1.0 / range_max)
    return (lambda ids: np.full(np.shape(ids), inverse, np.float32),
            lambda words: words.uniform(range_max, 64))


_DISTRIBUTIONS = {"LogUniformCandidateSampler": _log_uniform,
                  "UniformCandidateSampler": _uniform}


def _draw(words, sample, num_sampled, unique):
    """TF's SampleBatchGetExpectedCount: num_sampled draws (distinct ones in the order first
    drawn when `unique`), and how many draws that took."""
    if not unique:
        return [sample(words) for _ in range(num_sampled)], num_sampled
    seen, picked, tries = set(), [], 0
    while len(picked) < num_sampled:
        tries += 1
        value = sample(words)
        if value not in seen:
            seen.add(value)
            picked.append(value)
    return picked, tries


def _expected_count(p, num_sampled, num_tries):
    """TF's ExpectedCountHelper in float32: p * n, or 1 - (1 - p)^tries when draws were
    repeated for unique ids."""
    if num_tries == num_sampled:
        return p * np.float32(num_sampled)
    # float32 log1p and expm1 (the C library's), as float64 rounded to float32
    log = np.log1p(-p.astype(np.float64)).astype(np.float32)
    return -np.expm1((np.float32(num_tries) * log).astype(np.float64)).astype(np.float32)


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


def _words(state, name, seed, seed2, num_sampled):
    """The op's stream for one run: TF reserves 2048 words per sampled id."""
    return philox.Words(state.random_stream(name, seed, seed2).reserve_words(2048 * num_sampled))


def _sampler_kernel(distribution):
    def kernel(state, name, true_classes, *, num_true, num_sampled, unique, range_max, seed,
               seed2):
        _check_run(true_classes, num_true, num_sampled, unique, range_max)
        probability, sample = distribution(range_max)
        return _sample_ids(_words(state, name, seed, seed2, num_sampled), probability, sample,
                           true_classes, num_sampled, unique)
    return kernel


def _check_run(true_classes, num_true, num_sampled, unique, range_max):
    if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
        raise ValueError(f"true_classes must be a matrix with num_true={num_true} columns, "
                         f"got shape {list(true_classes.shape)}")
    if unique and num_sampled > range_max:
        raise ValueError("Sampler's range is too small.")
    if true_classes.size and (true_classes.min() < 0 or true_classes.max() >= range_max):
        bad = true_classes[(true_classes < 0) | (true_classes >= range_max)][0]
        raise ValueError(f"`true_candidate` out of range [0, {range_max}), received {bad}")


def _sample_ids(words, probability, sample, true_classes, num_sampled, unique):
    picked, tries = _draw(words, sample, num_sampled, unique)
    sampled = np.asarray(picked, np.int64).reshape(num_sampled)
    true_count = _expected_count(probability(true_classes), num_sampled, tries)
    sampled_count = _expected_count(probability(sampled), num_sampled, tries)
    return sampled, true_count.astype(np.float32), sampled_count.astype(np.float32)


for _op_type, _distribution in _DISTRIBUTIONS.items():
    register_op(_op_type, shape=_sampler_shape(_op_type), kernel=_sampler_kernel(_distribution),
                stateful=True, grad=NOT_DIFFERENTIABLE)


def _int64_input(value):
    """A tensor for an int64 input; a tensor of another dtype is left to the shape rule."""
    return value if isinstance(value, Tensor) else convert_to_tensor(value, dtype=dtypes.int64)


def _learned_unigram_kernel(state, name, true_classes, *, num_true, num_sampled, unique,
                            range_max, seed, seed2):
    """TF's UnigramSampler: integer weights that start at 1 per class and grow by 1 each time
    the class is a true class (after the draw); a draw is an unbiased uniform integer below
    the total weight, mapped to its class. The weights live in the session, not in
    checkpoints."""
    _check_run(true_classes, num_true, num_sampled, unique, range_max)
    weights = state.resources.setdefault(("unigram_weights", name),
                                         np.ones(range_max, np.int64))
    total = int(weights.sum())
    cdf = np.cumsum(weights)

    def probability(ids):
        return weights[ids].astype(np.float32) / np.float32(total)

    def sample(words):
        return int(np.searchsorted(cdf, words.uniform(total, 32), side="right"))

    result = _sample_ids(_words(state, name, seed, seed2, num_sampled), probability, sample,
                         true_classes, num_sampled, unique)
    updates = true_classes.ravel()[:max(0, 2 ** 31 - 1 - total)]
    np.add.at(weights, updates, 1)
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
            weights.append(float(np.float32(np.float32(count) ** np.float64(
                np.float32(distortion)))))
        word_id += 1
    weights = np.asarray(weights, dtype=np.float32)
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


def _alias_table(weights):
    """TF's DistributionSampler (Walker's alias method) for float32 weights: (prob, alt)."""
    n = len(weights)
    total = 0.0
    for w in weights:
        total += float(w)
    scaled = (weights * np.float32(n)).astype(np.float64) / total
    pr = scaled.tolist()
    alt = [-1] * n
    high = [i for i in range(n) if pr[i] >= 1.0]
    low = [i for i in range(n) if pr[i] < 1.0]
    while high and low:
        small, large = low.pop(), high.pop()
        alt[small] = large
        pr[large] = pr[large] - (1.0 - pr[small])
        (low if pr[large] < 1.0 else high).append(large)
    prob = np.asarray(pr, np.float64).astype(np.float32)
    for idx in high + low:
        prob[idx], alt[idx] = 1.0, idx
    return prob, alt


def _fixed_unigram_kernel(state, name, true_classes, *, num_true, num_sampled, unique,
                          range_max, seed, seed2, vocab_file, distortion, num_reserved_ids,
                          num_shards, shard, unigrams):
    """TF's FixedUnigramSampler: float32 weights count ** distortion, drawn by the alias
    method (a uniform float and a uniform slot per draw)."""
    _check_run(true_classes, num_true, num_sampled, unique, range_max)
    weights = unigram_weights(range_max, vocab_file, distortion, num_reserved_ids, num_shards,
                              shard, unigrams)
    total = np.float32(0.0)
    for w in weights:
        total = np.float32(total + w)
    prob, alt = _alias_table(weights)
    prob = prob.tolist()

    def probability(ids):
        ids = np.asarray(ids)
        inside = (ids >= 0) & (ids < range_max)
        return np.where(inside, weights[np.clip(ids, 0, range_max - 1)] / total,
                        np.float32(0.0)).astype(np.float32)

    def sample(words):
        r = words.float32()
        idx = words.uniform(range_max, 32)
        return idx if r < prob[idx] else alt[idx]

    return _sample_ids(_words(state, name, seed, seed2, num_sampled), probability, sample,
                       true_classes, num_sampled, unique)


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

