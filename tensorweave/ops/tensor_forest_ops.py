"""Extremely randomized online decision trees: the op types under tf.contrib.tensor_forest.

TF 1.15's forest (its V4 kernels) grows each tree online: a batch is routed to the leaves,
each leaf counts its classes (the leaf model), and a leaf with room to grow is *fertile*: the
first `num_splits_to_consider` examples reaching it each draw a candidate split (a random
feature, the example's own value of it as threshold; the leaf's other examples in that batch
are dropped, as TF drops them); the examples of later batches add their classes to every
candidate's left side (value <= threshold) and to the leaf's totals. Once a leaf has seen
`split_after_samples` examples and is not pure, it splits on the candidate with the lowest
weighted smoothed Gini impurity (left plus right; both sides non-empty), its two new leaves
starting from that candidate's counts, until the tree holds `max_nodes` nodes. A tree predicts
the smoothed class distribution of the leaf an example reaches: (count + 1) / (total + C).

Each tree lives in the Session state (made by its `ForestTree` op's first run, so two Sessions
train two forests); its handle names it. Op types: ForestTree (the handle), ForestTreeTrain
(route, count, collect, grow: one batch), ForestTreePredict, ForestTreeSize,
ForestFeatureUsageCounts. None is differentiable.
"""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape

RESOURCE = "tensorweave.tensor_forest.tree"  # the key of trees in state.resources
SPLIT_TYPES = ("less_or_equal", "less")


class DecisionTree:
    """One tree and its fertile-leaf statistics, as arrays indexed by node id."""

    def __init__(self, num_classes, num_features, max_nodes, num_splits_to_consider,
                 split_after_samples, split_type, rng):
        n, s, c = max_nodes, num_splits_to_consider, num_classes
        self.num_classes, self.num_features, self.max_nodes = c, num_features, n
        self.num_splits, self.split_after = s, split_after_samples
        self.strict = split_type == "less"
        self.rng = rng
        self.size = 1
        self.feature = np.full(n, -1, np.int64)  # -1: a leaf
        self.threshold = np.zeros(n, np.float32)
        self.left = np.full(n, -1, np.int64)  # the right child is left + 1
        self.depth = np.zeros(n, np.int32)
        self.counts = np.zeros((n, c), np.float64)  # the leaf models
        # fertile statistics
        self.candidate_feature = np.zeros((n, s), np.int64)
        self.candidate_threshold = np.zeros((n, s), np.float32)
        self.num_candidates = np.zeros(n, np.int64)
        self.left_counts = np.zeros((n, s, c), np.float64)
        self.totals = np.zeros((n, c), np.float64)
        self.weight_sum = np.zeros(n, np.float64)

    def goes_left(self, values, thresholds):
        return values < thresholds if self.strict else values <= thresholds

    def route(self, x):
        """The leaf each row of x reaches (one vectorized step per tree level)."""
        node = np.zeros(len(x), np.int64)
        active = np.arange(len(x))
        while active.size:
            at = node[active]
            features = self.feature[at]
            inner = features >= 0
            active, at, features = active[inner], at[inner], features[inner]
            if not active.size:
                break
            right = ~self.goes_left(x[active, features], self.threshold[at])
            node[active] = self.left[at] + right
        return node

    def predict(self, x):
        counts = self.counts[self.route(x)]
        return ((counts + 1.0) / (counts.sum(1, keepdims=True) + self.num_classes)).astype(
            np.float32)

    def train(self, x, labels):
        """Adds one batch: leaf models, candidate statistics, then the finished leaves split."""
        c, s = self.num_classes, self.num_splits
        leaves = self.route(x)
        self.counts[:self.size] += np.bincount(
            leaves * c + labels, minlength=self.size * c).reshape(self.size, c)
        if self.size + 2 > self.max_nodes or not len(x):
            return  # no room to grow: no leaf is fertile
        order = np.argsort(leaves, kind="stable")
        sorted_leaves = leaves[order]
        fertile, first, count = np.unique(sorted_leaves, return_index=True,
                                          return_counts=True)
        rank = np.arange(len(x)) - np.repeat(first, count)
        need = s - self.num_candidates[sorted_leaves]
        drawing = rank < need
        if drawing.any():  # these examples each draw a candidate split of their leaf
            rows, at = order[drawing], sorted_leaves[drawing]
            slot = self.num_candidates[at] + rank[drawing]
            features = self.rng.integers(0, self.num_features, size=len(rows))
            self.candidate_feature[at, slot] = features
            self.candidate_threshold[at, slot] = x[rows, features]
            self.num_candidates[fertile] += np.minimum(np.maximum(
                s - self.num_candidates[fertile], 0), count)
        adding = need <= 0  # a leaf still drawing at the batch's start drops its other rows
        if adding.any():  # as TF does; the rows of the leaves drawn in full add to the stats
            rows = order[adding]
            compact = np.searchsorted(fertile, sorted_leaves[adding])
            at = fertile[compact]
            k = len(fertile)
            left = self.goes_left(x[rows[:, None], self.candidate_feature[at]],
                                  self.candidate_threshold[at])
            flat = (compact[:, None] * s + np.arange(s)) * c + labels[rows][:, None]
            self.left_counts[fertile] += np.bincount(
                flat[left], minlength=k * s * c).reshape(k, s, c)
            self.totals[fertile] += np.bincount(
                compact * c + labels[rows], minlength=k * c).reshape(k, c)
            self.weight_sum[fertile] += np.bincount(compact, minlength=k)
        finished = fertile[(self.weight_sum[fertile] >= self.split_after)
                           & (self.num_candidates[fertile] == s)
                           & ((self.totals[fertile] > 0).sum(1) > 1)]
        for leaf in finished:
            if self.size + 2 > self.max_nodes:
                break
            self.split(leaf)

    def split(self, leaf):
        left, total = self.left_counts[leaf], self.totals[leaf]
        right = total - left
        score = weighted_gini(left) + weighted_gini(right)
        valid = (left.sum(1) > 0) & (right.sum(1) > 0)
        if valid.any():
            best = int(np.argmin(np.where(valid, score, np.inf)))
            child = self.size
            self.feature[leaf] = self.candidate_feature[leaf, best]
            self.threshold[leaf] = self.candidate_threshold[leaf, best]
            self.left[leaf] = child
            self.depth[child:child + 2] = self.depth[leaf] + 1
            self.counts[child] = left[best]
            self.counts[child + 1] = right[best]
            self.size += 2
        self.num_candidates[leaf] = 0  # a leaf whose candidates all failed draws anew
        self.left_counts[leaf] = 0
        self.totals[leaf] = 0
        self.weight_sum[leaf] = 0

    def feature_usage_counts(self):
        used = self.feature[:self.size]
        return np.bincount(used[used >= 0], minlength=self.num_features).astype(np.int32)


def weighted_gini(counts):
    """The Gini impurity of Laplace-smoothed counts times their sum, row by row (last axis)."""
    smoothed = counts + 1.0
    total = smoothed.sum(-1)
    return total - (smoothed * smoothed).sum(-1) / total


# --- ForestTree: the handle ------------------------------------------------------------------
def _tree_shape(*, num_classes, num_features, max_nodes, num_splits_to_consider,
                split_after_samples, split_type, seed, seed2, container, shared_name):
    for attr, value in (("num_classes", num_classes), ("num_features", num_features),
                        ("num_splits_to_consider", num_splits_to_consider),
                        ("split_after_samples", split_after_samples)):
        if int(value) < 1:
            raise ValueError(f"ForestTree requires {attr} >= 1, got {value}")
    if int(max_nodes) < 1:
        raise ValueError(f"ForestTree requires max_nodes >= 1, got {max_nodes}")
    if split_type not in SPLIT_TYPES:
        raise ValueError(f"ForestTree: unknown split_type {split_type!r} (one of "
                         f"{', '.join(SPLIT_TYPES)})")
    return [(dtypes.resource, TensorShape([]))]


def _tree_kernel(state, op_name, *, num_classes, num_features, max_nodes,
                 num_splits_to_consider, split_after_samples, split_type, seed, seed2,
                 container, shared_name):
    name = shared_name or op_name
    key = (RESOURCE, container, name)
    if key not in state.resources:
        rng = np.random.default_rng([seed, seed2] if (seed or seed2) else None)
        state.resources[key] = DecisionTree(
            int(num_classes), int(num_features), int(max_nodes), int(num_splits_to_consider),
            int(split_after_samples), split_type, rng)
    return np.array(f"{container}/{name}".encode("utf-8"), dtype=object)


register_op("ForestTree", shape=_tree_shape, kernel=_tree_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


def _tree(state, handle):
    container, _, name = handle.item().decode("utf-8").partition("/")
    tree = state.resources.get((RESOURCE, container, name))
    if tree is None:
        raise errors.NotFoundError(None, None, f"Resource {name} (a forest tree) does not exist")
    return tree


def _tree_attr(handle, attr):
    """An attr of the ForestTree op that made `handle`, or None if another op made it."""
    return handle.op.attrs.get(attr) if handle.op.type == "ForestTree" else None


def _check_handle(op_type, handle):
    if handle.dtype != dtypes.resource:
        raise TypeError(f"{op_type} requires a tree handle (resource), got {handle.dtype.name}")


def _check_data(op_type, handle, data):
    if data.dtype != dtypes.float32:
        raise TypeError(f"{op_type} requires float32 input_data, got {data.dtype.name}")
    if data.shape.ndims not in (None, 2):
        raise ValueError(f"Shape must be rank 2 but is rank {data.shape.ndims} for '{op_type}' "
                         f"(input_data) with input shape {data.shape}")
    wanted = _tree_attr(handle, "num_features")
    got = data.shape.as_list()[1] if data.shape.ndims == 2 else None
    if wanted is not None and got is not None and int(got) != int(wanted):
        raise ValueError(f"{op_type}: input_data has {got} features but the forest was built "
                         f"for num_features={wanted}")


def _run_data(tree, data):
    data = np.asarray(data, np.float32)
    if data.ndim != 2 or data.shape[1] != tree.num_features:
        raise errors.InvalidArgumentError(
            None, None, f"input_data must be [batch, {tree.num_features}], got shape "
            f"{list(data.shape)}")
    return data


# --- ForestTreeTrain -------------------------------------------------------------------------
def _train_shape(handle, input_data, input_labels):
    _check_handle("ForestTreeTrain", handle)
    _check_data("ForestTreeTrain", handle, input_data)
    if input_labels.dtype != dtypes.int32:
        raise TypeError(f"ForestTreeTrain requires int32 input_labels, got "
                        f"{input_labels.dtype.name}")
    if input_labels.shape.ndims not in (None, 1):
        raise ValueError(f"Shape must be rank 1 but is rank {input_labels.shape.ndims} for "
                         f"'ForestTreeTrain' (input_labels) with input shape "
                         f"{input_labels.shape}")
    rows = input_data.shape.as_list()[0] if input_data.shape.ndims else None
    n = input_labels.shape.as_list()[0] if input_labels.shape.ndims == 1 else None
    if rows is not None and n is not None and int(rows) != int(n):
        raise ValueError(f"ForestTreeTrain: input_data has {rows} rows but input_labels has {n}")
    return []


def _train_kernel(state, op_name, handle, input_data, input_labels):
    tree = _tree(state, handle)
    data = _run_data(tree, input_data)
    labels = np.asarray(input_labels).astype(np.int64).reshape(-1)
    if len(labels) != len(data):
        raise errors.InvalidArgumentError(
            None, None, f"input_data has {len(data)} rows but input_labels has {len(labels)}")
    if labels.size and (labels.min() < 0 or labels.max() >= tree.num_classes):
        bad = labels[(labels < 0) | (labels >= tree.num_classes)][0]
        raise errors.InvalidArgumentError(
            None, None, f"Got label {bad} outside [0, {tree.num_classes}): is "
            f"params.num_classes set correctly?")
    tree.train(data, labels)
    return ()


register_op("ForestTreeTrain", shape=_train_shape, kernel=_train_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


# --- ForestTreePredict, ForestTreeSize, ForestFeatureUsageCounts -----------------------------
def _predict_shape(handle, input_data):
    _check_handle("ForestTreePredict", handle)
    _check_data("ForestTreePredict", handle, input_data)
    rows = input_data.shape.as_list()[0] if input_data.shape.ndims else None
    classes = _tree_attr(handle, "num_classes")
    return [(dtypes.float32, TensorShape([rows, classes]))]


def _predict_kernel(state, op_name, handle, input_data):
    tree = _tree(state, handle)
    return tree.predict(_run_data(tree, input_data))


register_op("ForestTreePredict", shape=_predict_shape, kernel=_predict_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


def _size_shape(handle):
    _check_handle("ForestTreeSize", handle)
    return [(dtypes.int32, TensorShape([]))]


def _size_kernel(state, op_name, handle):
    return np.array(_tree(state, handle).size, np.int32)


register_op("ForestTreeSize", shape=_size_shape, kernel=_size_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


def _usage_shape(handle):
    _check_handle("ForestFeatureUsageCounts", handle)
    features = _tree_attr(handle, "num_features")
    return [(dtypes.int32, TensorShape([features]))]


def _usage_kernel(state, op_name, handle):
    return _tree(state, handle).feature_usage_counts()


register_op("ForestFeatureUsageCounts", shape=_usage_shape, kernel=_usage_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


# --- builders (tensorweave/contrib/tensor_forest checks the arguments and names the ops) ------
def tree_variable(num_classes, num_features, max_nodes, num_splits_to_consider,
                  split_after_samples, split_type, seed, seed2, name):
    """The handle of a new tree (made in a Session by the handle op's first run)."""
    return create_op("ForestTree", [], name=name, num_classes=int(num_classes),
                     num_features=int(num_features), max_nodes=int(max_nodes),
                     num_splits_to_consider=int(num_splits_to_consider),
                     split_after_samples=int(split_after_samples), split_type=split_type,
                     seed=int(seed), seed2=int(seed2), container="",
                     shared_name="").outputs[0]


def train_tree(handle, input_data, input_labels, name=None):
    return create_op("ForestTreeTrain", [handle, input_data, input_labels],
                     name=name or "ForestTreeTrain")


def tree_predictions(handle, input_data, name=None):
    return create_op("ForestTreePredict", [handle, input_data],
                     name=name or "ForestTreePredict").outputs[0]


def tree_size(handle, name=None):
    return create_op("ForestTreeSize", [handle], name=name or "ForestTreeSize").outputs[0]


def feature_usage_counts(handle, name=None):
    return create_op("ForestFeatureUsageCounts", [handle],
                     name=name or "ForestFeatureUsageCounts").outputs[0]
