"""TensorFlow's clustering kernels, used by k-means: NearestNeighbors, KmeansPlusPlusInitialization
and KMC2ChainInitialization (float32 points, int64 counts and seeds, as TF's kernels).

The two samplers draw from TensorFlow's own stream for their seed (Philox4x32-10 keyed by the
64-bit seed, counter 0, read one 32-bit word at a time as TF's SimplePhilox reads it), so the
same seed picks the same points TensorFlow picks.

    idx, dist = nearest_neighbors(points, centers, 1)   # [n, 1] int64, [n, 1] squared distances
"""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import philox

__all__ = ["nearest_neighbors", "kmeans_plus_plus_initialization", "kmc2_chain_initialization"]

_BLOCK_WORDS = 4 * 64  # words generated per Philox batch


class PhiloxWords:
    """TF's SimplePhilox over PhiloxRandom(seed): 32-bit words in TensorFlow's order."""

    def __init__(self, seed):
        seed = int(seed) & 0xFFFFFFFFFFFFFFFF
        self.key = (seed & 0xFFFFFFFF, seed >> 32)
        self.blocks_done = 0
        self.words = np.zeros(0, np.uint32)
        self.used = 0

    def word(self):
        if self.used == len(self.words):
            n = _BLOCK_WORDS // 4
            index = np.arange(self.blocks_done, self.blocks_done + n, dtype=np.uint64)
            counters = np.zeros((n, 4), np.uint64)
            counters[:, 0] = index & np.uint64(0xFFFFFFFF)
            counters[:, 1] = index >> np.uint64(32)
            self.words = philox.philox(counters, self.key).reshape(-1)
            self.blocks_done += n
            self.used = 0
        value = int(self.words[self.used])
        self.used += 1
        return value

    def uniform64(self, n):
        """A uniform integer in [0, n): Rand64() % n, low word first."""
        low = self.word()
        high = self.word()
        return (low | (high << 32)) % n

    def rand_float(self):
        """A float32 in [0, 1) from 23 mantissa bits of one word."""
        bits = np.uint32((127 << 23) | (self.word() & 0x7FFFFF))
        return np.float32(bits.view(np.float32) - np.float32(1.0))


def _scalar_int64(value, what, op_type):
    if value.dtype is not dtypes.int64:
        raise TypeError(f"{op_type} requires {what} of type int64, got {value.dtype.name}")
    if not value.shape.is_compatible_with(TensorShape([])):
        raise ValueError(f"{op_type} requires {what} to be a scalar, got shape {value.shape}")


def _float_matrix(value, what, op_type):
    if value.dtype is not dtypes.float32:
        raise TypeError(f"{op_type} requires {what} of type float32, got {value.dtype.name}")
    return value.shape.with_rank(2) if value.shape.ndims is not None else TensorShape([None,
                                                                                       None])


def _known_int(tensor):
    value = constant_value(tensor)
    return None if value is None else int(value)


# --- NearestNeighbors ------------------------------------------------------------------------
def _nearest_shape(points, centers, k):
    op_type = "NearestNeighbors"
    if points.shape.ndims not in (None, 2) or centers.shape.ndims not in (None, 2):
        raise ValueError(f"{op_type} requires points and centers to be matrices, got shapes "
                         f"{points.shape} and {centers.shape}")
    p = _float_matrix(points, "points", op_type)
    c = _float_matrix(centers, "centers", op_type)
    _scalar_int64(k, "k", op_type)
    if p[1].value is not None and c[1].value is not None and p[1].value != c[1].value:
        raise ValueError(f"{op_type} requires points and centers of one dimension, got "
                         f"{p[1].value} and {c[1].value}")
    k_value = _known_int(k)
    width = None
    if k_value is not None:
        width = k_value if c[0].value is None else min(k_value, c[0].value)
    shape = TensorShape([p[0].value, width])
    return [(dtypes.int64, shape), (dtypes.float32, shape)]


def _nearest_kernel(points, centers, k):
    if points.ndim != 2:
        raise errors.InvalidArgumentError(None, None, "Input points should be a matrix.")
    if centers.ndim != 2:
        raise errors.InvalidArgumentError(None, None, "Input centers should be a matrix.")
    if np.ndim(k) != 0:
        raise errors.InvalidArgumentError(None, None, "Input k should be a scalar.")
    if points.shape[0] <= 0:
        raise errors.InvalidArgumentError(None, None, "Expected points.rows() > 0.")
    if points.shape[1] != centers.shape[1]:
        raise errors.InvalidArgumentError(
            None, None, f"Expected point_dimensions == center_dimensions: {points.shape[1]} "
                        f"vs {centers.shape[1]}.")
    if k < 0:
        raise errors.InvalidArgumentError(None, None, "Expected k >= 0.")
    k = min(int(k), centers.shape[0])
    n = points.shape[0]
    if k == 0:
        return np.zeros((n, 0), np.int64), np.zeros((n, 0), np.float32)
    half = np.float32(0.5)
    points_half = half * np.einsum("ij,ij->i", points, points)
    centers_half = half * np.einsum("ij,ij->i", centers, centers)
    partial = centers_half[None, :] - points @ centers.T      # float32, as TF's kernel
    # ascending partial distance, ties to the lower center index
    order = np.argsort(partial, axis=1, kind="stable")[:, :k]
    nearest = np.take_along_axis(partial, order, axis=1)
    distances = np.float32(2.0) * (points_half[:, None] + nearest)
    return order.astype(np.int64), distances.astype(np.float32)


register_op("NearestNeighbors", shape=_nearest_shape, kernel=_nearest_kernel,
            grad=NOT_DIFFERENTIABLE)


def nearest_neighbors(points, centers, k, name=None):
    """(indices, squared distances) of the `k` centers nearest to each row of `points`."""
    points = convert_to_tensor(points, dtypes.float32, name="points")
    centers = convert_to_tensor(centers, dtypes.float32, name="centers")
    k = convert_to_tensor(k, dtypes.int64, name="k")
    op = create_op("NearestNeighbors", [points, centers, k], name=name or "NearestNeighbors")
    return tuple(op.outputs)


# --- KmeansPlusPlusInitialization --------------------------------------------------------------
def _kmeans_pp_shape(points, num_to_sample, seed, num_retries_per_sample):
    op_type = "KmeansPlusPlusInitialization"
    if points.shape.ndims not in (None, 2):
        raise ValueError(f"{op_type} requires points to be a matrix, got shape {points.shape}")
    p = _float_matrix(points, "points", op_type)
    for value, what in ((num_to_sample, "num_to_sample"), (seed, "seed"),
                        (num_retries_per_sample, "num_retries_per_sample")):
        _scalar_int64(value, what, op_type)
    return [(dtypes.float32, TensorShape([_known_int(num_to_sample), p[1].value]))]


def _half_squared_distances(points, points_half, index):
    y = points[index]
    return (points_half - points @ y) + points_half[index]


def _kmeans_pp_kernel(points, num_to_sample, seed, num_retries_per_sample):
    for value, what in ((num_to_sample, "num_to_sample"), (seed, "seed"),
                        (num_retries_per_sample, "num_retries_per_sample")):
        if np.ndim(value) != 0:
            raise errors.InvalidArgumentError(None, None, f"Input {what} should be a scalar.")
    if points.ndim != 2:
        raise errors.InvalidArgumentError(None, None, "Input points should be a matrix.")
    num_points = points.shape[0]
    num_to_sample = int(num_to_sample)
    retries = int(num_retries_per_sample)
    if retries < 0:
        retries = 2 + int(np.log(num_to_sample)) if num_to_sample > 0 else 2
    if num_points <= 0:
        raise errors.InvalidArgumentError(None, None, "Expected points.rows() > 0.")
    if num_to_sample <= 0:
        raise errors.InvalidArgumentError(None, None, "Expected num_to_sample > 0.")
    if num_to_sample > num_points:
        raise errors.InvalidArgumentError(
            None, None, f"Expected num_to_sample <= points.rows(). {num_to_sample} vs "
                        f"{num_points}.")
    points = np.asarray(points, np.float32)
    points_half = np.float32(0.5) * np.einsum("ij,ij->i", points, points)
    rng = PhiloxWords(seed)
    chosen, chosen_set = [], set()
    min_distances = np.full(num_points, np.inf, np.float32)
    cumsum = np.zeros(num_points, np.float32)

    def draw():
        if not chosen_set:
            return rng.uniform64(num_points)
        while True:
            total = cumsum[-1]
            if not total > 0:
                index = rng.uniform64(num_points)
            else:
                target = np.float32(rng.rand_float() * total)
                index = min(int(np.searchsorted(cumsum, target, side="right")), num_points - 1)
            if index not in chosen_set:
                return index

    for i in range(num_to_sample):
        if i > 0:
            cumsum = np.cumsum(min_distances, dtype=np.float32)
        best, best_potential, best_distances = 0, np.float32(np.inf), None
        for _ in range(1 + retries):
            index = draw()
            new = np.minimum(min_distances, _half_squared_distances(points, points_half, index))
            potential = new.sum(dtype=np.float32)
            if retries == 0 or best_distances is None or potential < best_potential:
                best, best_potential, best_distances = index, potential, new
        min_distances = best_distances
        chosen.append(best)
        chosen_set.add(best)
    return points[np.array(chosen, np.int64)]


register_op("KmeansPlusPlusInitialization", shape=_kmeans_pp_shape, kernel=_kmeans_pp_kernel,
            grad=NOT_DIFFERENTIABLE)


def kmeans_plus_plus_initialization(points, num_to_sample, seed, num_retries_per_sample,
                                    name=None):
    """`num_to_sample` rows of `points` chosen by k-means++ (each new row drawn in proportion
    to its squared distance from the rows already chosen, best of 1 + retries draws)."""
    inputs = [convert_to_tensor(points, dtypes.float32, name="points")]
    inputs += [convert_to_tensor(v, dtypes.int64, name=n) for v, n in (
        (num_to_sample, "num_to_sample"), (seed, "seed"),
        (num_retries_per_sample, "num_retries_per_sample"))]
    op = create_op("KmeansPlusPlusInitialization", inputs,
                   name=name or "KmeansPlusPlusInitialization")
    return op.outputs[0]


# --- KMC2ChainInitialization -----------------------------------------------------------------
def _kmc2_shape(distances, seed):
    op_type = "KMC2ChainInitialization"
    if distances.dtype is not dtypes.float32:
        raise TypeError(f"{op_type} requires distances of type float32, got "
                        f"{distances.dtype.name}")
    if distances.shape.ndims not in (None, 1):
        raise ValueError(f"{op_type} requires distances to be a vector, got shape "
                         f"{distances.shape}")
    _scalar_int64(seed, "seed", op_type)
    return [(dtypes.int64, TensorShape([]))]


def _kmc2_kernel(distances, seed):
    if distances.ndim != 1:
        raise errors.InvalidArgumentError(None, None, "Input distances should be a vector.")
    if np.ndim(seed) != 0:
        raise errors.InvalidArgumentError(None, None, "Input seed should be a scalar.")
    if distances.shape[0] <= 0:
        raise errors.InvalidArgumentError(None, None, "Expected distances_tensor.size() > 0.")
    rng = PhiloxWords(seed)
    selected = 0
    selected_distance = np.float32(distances[0])
    for i in range(1, distances.shape[0]):
        candidate = np.float32(distances[i])
        if candidate > np.float32(rng.rand_float() * selected_distance):
            selected, selected_distance = i, candidate
    return np.int64(selected)


register_op("KMC2ChainInitialization", shape=_kmc2_shape, kernel=_kmc2_kernel,
            grad=NOT_DIFFERENTIABLE)


def kmc2_chain_initialization(distances, seed, name=None):
    """The index a k-MC2 Markov chain over `distances` ends at (one new center)."""
    distances = convert_to_tensor(distances, dtypes.float32, name="distances")
    seed = convert_to_tensor(seed, dtypes.int64, name="seed")
    op = create_op("KMC2ChainInitialization", [distances, seed],
                   name=name or "KMC2ChainInitialization")
    return op.outputs[0]
