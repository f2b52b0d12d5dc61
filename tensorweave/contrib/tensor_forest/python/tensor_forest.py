"""tf.contrib.tensor_forest.python.tensor_forest: TF 1.15's extremely random forest builder.

    hparams = ForestHParams(num_classes=10, num_features=784, num_trees=10,
                            max_nodes=1000).fill()
    forest = RandomForestGraphs(hparams)
    train_op = forest.training_graph(x, y)          # one batch: every tree grows
    probabilities, _, _ = forest.inference_graph(x)

The trees live in the Session (ops/tensor_forest_ops.py); a Session makes them on first use,
so no initializer is needed (tf.global_variables_initializer and TF 1.15's
`resources.initialize_resources(resources.shared_resources())` run as usual). Dense classification only: regression, sparse features, dict inputs and the
early-finish and pruning strategies are not provided.
"""
import math
import random

from tensorweave import resources, tensor_util
from tensorweave.core import dtypes, seeds
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.ops import math_ops, random_ops, tensor_forest_ops
from tensorweave.ops.array import construct, convert, index, join, shapes
from tensorweave.ops.control import grouping

LEAF_NODE = -1
CLASSIFICATION_LEAF_MODEL_TYPES = ("all_dense", "all_sparse", "sparse_then_dense")
FINISH_TYPES = ("basic", "hoeffding", "bootstrap")
PRUNING_TYPES = ("none", "half", "quarter", "10_percent", "hoeffding")
SPLIT_TYPES = tensor_forest_ops.SPLIT_TYPES


class ForestHParams(object):
    """A forest's hyperparameters; fill() derives the ones left unset, as TF 1.15 does."""

    def __init__(self, num_trees=100, max_nodes=10000, bagging_fraction=1.0,
                 num_splits_to_consider=0, feature_bagging_fraction=1.0, max_fertile_nodes=0,
                 split_after_samples=250, valid_leaf_threshold=1, dominate_method="bootstrap",
                 dominate_fraction=0.99, model_name="all_dense", split_finish_name="basic",
                 split_pruning_name="none", prune_every_samples=0,
                 early_finish_check_every_samples=0, collate_examples=False,
                 checkpoint_stats=False, use_running_stats_method=False,
                 initialize_average_splits=False, inference_tree_paths=False, param_file=None,
                 split_name="less_or_equal", **kwargs):
        self.num_trees = num_trees
        self.max_nodes = max_nodes
        self.bagging_fraction = bagging_fraction
        self.feature_bagging_fraction = feature_bagging_fraction
        self.num_splits_to_consider = num_splits_to_consider
        self.max_fertile_nodes = max_fertile_nodes  # deprecated in TF 1.15, unused
        self.split_after_samples = split_after_samples
        self.valid_leaf_threshold = valid_leaf_threshold
        self.dominate_method = dominate_method
        self.dominate_fraction = dominate_fraction
        self.model_name = model_name
        self.split_finish_name = split_finish_name
        self.split_pruning_name = split_pruning_name
        self.collate_examples = collate_examples
        self.checkpoint_stats = checkpoint_stats
        self.use_running_stats_method = use_running_stats_method
        self.initialize_average_splits = initialize_average_splits
        self.inference_tree_paths = inference_tree_paths
        self.param_file = param_file
        self.split_name = split_name
        self.early_finish_check_every_samples = early_finish_check_every_samples
        self.prune_every_samples = prune_every_samples
        for name, value in kwargs.items():
            setattr(self, name, value)

    def values(self):
        return self.__dict__

    def fill(self):
        """Sets the derived parameters (num_classes and num_features must be set)."""
        _ = self.num_classes, self.num_features  # AttributeError when missing, as in TF
        self.bagged_num_features = int(self.feature_bagging_fraction * self.num_features)
        self.bagged_features = None
        if self.feature_bagging_fraction < 1.0:
            self.bagged_features = [random.sample(range(self.num_features),
                                                  self.bagged_num_features)
                                    for _ in range(self.num_trees)]
        self.regression = getattr(self, "regression", False)
        self.num_outputs = self.num_classes if self.regression else 1
        self.num_output_columns = self.num_classes + 1
        self.num_splits_to_consider = self.num_splits_to_consider or min(
            max(10, math.floor(math.sqrt(self.num_features))), 1000)
        self.base_random_seed = getattr(self, "base_random_seed", 0)
        if self.model_name not in CLASSIFICATION_LEAF_MODEL_TYPES:
            raise KeyError(self.model_name)
        self.leaf_model_type = self.model_name
        self.stats_model_type = self.model_name
        if self.split_finish_name not in FINISH_TYPES:
            raise KeyError(self.split_finish_name)
        self.finish_type = "basic" if self.regression else self.split_finish_name
        if self.split_pruning_name not in PRUNING_TYPES:
            raise KeyError(self.split_pruning_name)
        self.pruning_type = self.split_pruning_name
        if self.pruning_type == "none":
            self.prune_every_samples = 0
        else:
            self.prune_every_samples = (self.prune_every_samples
                                        or int(self.split_after_samples) / 2)
        if self.finish_type == "basic":
            self.early_finish_check_every_samples = 0
        else:
            self.early_finish_check_every_samples = (
                self.early_finish_check_every_samples or int(self.split_after_samples) / 4)
        if self.split_name not in SPLIT_TYPES:
            raise KeyError(self.split_name)
        self.split_type = self.split_name
        return self


class ForestStats(object):
    """Per-tree statistics and their averages."""

    def __init__(self, tree_stats, params):
        self.tree_stats = tree_stats
        self.params = params

    def get_average(self, thing):
        return sum(getattr(t, thing) for t in self.tree_stats) / self.params.num_trees


class TreeStats(object):
    def __init__(self, num_nodes, num_leaves):
        self.num_nodes = num_nodes
        self.num_leaves = num_leaves


class InferenceResult(tuple):
    """inference_graph's (probabilities, tree_paths, variance), as TF 1.15 returns it. Used
    where a tensor is wanted (tf.argmax(result, 1)), it is the probabilities, as the single
    tensor TF 1.0-1.3 returned: programs written for either version run."""

    @property
    def probabilities(self):
        return self[0]


tensor_util.register_tensor_conversion_function(
    InferenceResult,
    lambda value, dtype=None, name=None, as_ref=False: convert_to_tensor(value[0], dtype))


def _check_params(params):
    if getattr(params, "regression", False):
        raise NotImplementedError("tensor_forest regression is not implemented by tensorweave")
    for attr, supported in (("split_finish_name", "basic"), ("split_pruning_name", "none")):
        if getattr(params, attr, supported) != supported:
            raise NotImplementedError(f"tensor_forest {attr}={getattr(params, attr)!r} is not "
                                      f"implemented by tensorweave (only {supported!r})")
    for attr in ("num_classes", "num_features", "num_splits_to_consider"):
        if not hasattr(params, attr):
            raise ValueError(f"ForestHParams.{attr} is not set: call .fill() first")


class TreeVariables(object):
    """One tree's handle (its state lives in the Session)."""

    def __init__(self, params, tree_num, training=True, tree_config="", tree_stat=""):
        seed = params.base_random_seed
        graph_seed, op_seed = seeds.get_seed(seed + tree_num if seed else None)
        self.tree = tensor_forest_ops.tree_variable(
            params.num_classes,
            params.bagged_num_features if params.bagged_features else params.num_features,
            params.max_nodes, params.num_splits_to_consider, params.split_after_samples,
            getattr(params, "split_type", params.split_name), graph_seed or 0, op_seed or 0,
            name=self.get_tree_name("tree", tree_num))
        self.stats = self.tree  # TF keeps the fertile statistics in a second resource
        # a tree is made by whichever of its ops runs first: always there to be used
        resources.register_resource(self.tree, self.tree.op, constant(True))

    def get_tree_name(self, name, num):
        return "{0}-{1}".format(name, num)


class ForestVariables(object):
    """The trees' variables, indexed by tree number."""

    def __init__(self, params, device_assigner=None, training=True,
                 tree_variables_class=TreeVariables, tree_configs=None, tree_stats=None):
        self.variables = [tree_variables_class(params, i, training)
                          for i in range(params.num_trees)]

    def __setitem__(self, t, val):
        self.variables[t] = val

    def __getitem__(self, t):
        return self.variables[t]


def _dense_input(input_data, what):
    if isinstance(input_data, dict):
        raise NotImplementedError(f"tensor_forest {what} with a dict of features is not "
                                  f"implemented by tensorweave (pass one dense tensor)")
    if isinstance(input_data, SparseTensor):
        raise NotImplementedError(f"tensor_forest {what} with sparse features is not "
                                  f"implemented by tensorweave")
    data = convert_to_tensor(input_data)
    if data.dtype.is_floating or data.dtype.is_integer:
        if data.dtype != dtypes.float32:
            data = convert.cast(data, dtypes.float32)
        return data
    raise TypeError(f"tensor_forest {what}: input_data must be numeric, got {data.dtype.name}")


def _labels(input_labels):
    labels = convert_to_tensor(input_labels)
    if not (labels.dtype.is_integer or labels.dtype.is_floating):
        raise TypeError(f"tensor_forest labels must be class ids (integers), got "
                        f"{labels.dtype.name}")
    shape = labels.shape
    if shape.ndims == 2 and shape[1] is not None and int(shape[1]) == 1:
        labels = shapes.squeeze(labels, axis=[1])
    elif shape.ndims is not None and shape.ndims != 1:
        raise ValueError(f"tensor_forest labels must be class ids of shape [batch] (or "
                         f"[batch, 1]), got shape {shape}")
    if labels.dtype != dtypes.int32:
        labels = convert.cast(labels, dtypes.int32)  # TF reads float labels as class ids too
    return labels


class RandomForestGraphs(object):
    """Builds the graphs that train a random forest and run it."""

    def __init__(self, params, tree_configs=None, tree_stats=None, device_assigner=None,
                 variables=None, tree_variables_class=TreeVariables, tree_graphs=None,
                 training=True):
        _check_params(params)
        self.params = params
        self.device_assigner = device_assigner
        self.variables = variables or ForestVariables(
            params, device_assigner=device_assigner, training=training,
            tree_variables_class=tree_variables_class)
        tree_graph_class = tree_graphs or RandomTreeGraphs
        self.trees = [tree_graph_class(self.variables[i], params, i)
                      for i in range(params.num_trees)]

    def _bag_features(self, tree_num, input_data):
        return index.gather(input_data, self.params.bagged_features[tree_num], axis=1)

    def get_all_resource_handles(self):
        return ([self.variables[i].tree for i in range(len(self.trees))]
                + [self.variables[i].stats for i in range(len(self.trees))])

    def training_graph(self, input_data, input_labels, num_trainers=1, trainer_id=0,
                       **tree_kwargs):
        """The op that adds one batch to every tree (of this trainer's share)."""
        data = _dense_input(input_data, "training")
        labels = _labels(input_labels)
        per_trainer = self.params.num_trees / num_trainers
        start, end = int(trainer_id * per_trainer), int((trainer_id + 1) * per_trainer)
        ops = []
        for i in range(start, end):
            seed = self.params.base_random_seed
            if seed != 0:
                seed += i
            tree_data, tree_labels = data, labels
            if self.params.bagging_fraction < 1.0:
                batch_size = index.strided_slice(shapes.shape(data), [0], [1])
                r = random_ops.random_uniform(batch_size, seed=seed)
                keep = math_ops.less(r, construct.ones_like(r) * self.params.bagging_fraction)
                rows = shapes.squeeze(index.where(keep), axis=[1])
                tree_data = index.gather(data, rows)
                tree_labels = index.gather(labels, rows)
            if self.params.bagged_features:
                tree_data = self._bag_features(i, tree_data)
            ops.append(self.trees[i].training_graph(tree_data, tree_labels, seed,
                                                    **tree_kwargs))
        return grouping.group(*ops, name="train")

    def inference_graph(self, input_data, **inference_args):
        """(probabilities [batch, num_classes], tree_paths [batch, num_trees] (empty
        strings: tree paths are not recorded), variance [batch, num_classes])."""
        data = _dense_input(input_data, "inference")
        probabilities = []
        for i in range(self.params.num_trees):
            tree_data = self._bag_features(i, data) if self.params.bagged_features else data
            probabilities.append(self.trees[i].inference_graph(tree_data, **inference_args))
        all_predict = construct.stack(probabilities, axis=1)
        average = math_ops.div(math_ops.reduce_sum(all_predict, 1), self.params.num_trees,
                               name="probabilities")
        with name_scope("tree_paths"):
            rows = index.strided_slice(shapes.shape(data), [0], [1])
            paths = construct.fill(join.concat([rows, [self.params.num_trees]], 0), "")
        expected_squares = math_ops.div(math_ops.reduce_sum(all_predict * all_predict, 1),
                                        self.params.num_trees)
        variance = math_ops.maximum(0., expected_squares - average * average)
        return InferenceResult((average, paths, variance))

    def average_size(self):
        """The mean number of nodes over the trees (float32)."""
        sizes = [tree.size() for tree in self.trees]
        return math_ops.reduce_mean(convert.cast(construct.stack(sizes), dtypes.float32))

    def training_loss(self, features, labels, name="training_loss"):
        """TF's stand-in loss: minus the average tree size (it falls as the trees grow)."""
        return math_ops.negative(self.average_size(), name=name)

    def validation_loss(self, features, labels):
        return math_ops.negative(self.average_size())

    def feature_importances(self):
        """How often each feature is used in a split, as a fraction of all splits."""
        counts = [tree.feature_usage_counts() for tree in self.trees]
        total = math_ops.reduce_sum(construct.stack(counts, 0), 0)
        return total / math_ops.reduce_sum(total)

    def get_stats(self, session):
        return ForestStats([tree.get_stats(session) for tree in self.trees], self.params)


def _refuse(**arguments):
    """NotImplementedError naming the first of `arguments` given (not None)."""
    for name, value in arguments.items():
        if value is not None:
            raise NotImplementedError(f"tensor_forest {name} are not implemented by tensorweave")


class RandomTreeGraphs(object):
    """Builds one tree's training and inference graphs."""

    def __init__(self, variables, params, tree_num):
        self.variables = variables
        self.params = params
        self.tree_num = tree_num

    def training_graph(self, input_data, input_labels, random_seed=None, data_spec=None,
                       sparse_features=None, input_weights=None):
        _refuse(sparse_features=sparse_features, input_weights=input_weights)
        return tensor_forest_ops.train_tree(self.variables.tree, input_data, input_labels)

    def inference_graph(self, input_data, data_spec=None, sparse_features=None):
        _refuse(sparse_features=sparse_features)
        return tensor_forest_ops.tree_predictions(self.variables.tree, input_data)

    def size(self):
        return tensor_forest_ops.tree_size(self.variables.tree)

    def feature_usage_counts(self):
        return tensor_forest_ops.feature_usage_counts(self.variables.tree)

    def get_stats(self, session):
        num_nodes = int(session.run(self.size()))
        return TreeStats(num_nodes, (num_nodes + 1) // 2)

