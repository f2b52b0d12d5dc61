"""tf.contrib.kernel_methods: explicit kernel maps in front of a linear model (TF 1.15).

    mapper = tf.contrib.kernel_methods.RandomFourierFeatureMapper(
        input_dim=784, output_dim=2000, stddev=5.0, name="rffm")
    estimator = tf.contrib.kernel_methods.KernelLinearClassifier(
        n_classes=10, optimizer=tf.train.FtrlOptimizer(50.0, l2_regularization_strength=0.001),
        kernel_mappers={tf.contrib.layers.real_valued_column("images", dimension=784): [mapper]})

RandomFourierFeatureMapper maps x to sqrt(2 / D) * cos(x Omega + b), whose inner products
approximate the Gaussian kernel exp(-|x - y|^2 / (2 stddev^2)) (Rahimi and Recht, 2007).
Omega ~ N(0, 1 / stddev^2) and b ~ U[0, 2 pi) are drawn as TF draws them, with NumPy's global
generator seeded with `seed`, so a mapper gives TF's features. KernelLinearClassifier is
contrib.learn's LinearClassifier over the mapped columns (named '<column>_MAPPED') and the
columns given in feature_columns.
"""
import math

import numpy as np

from tensorweave import losses
from tensorweave.contrib.learn.dnn import classifier_ops
from tensorweave.contrib.learn.estimators import Estimator
from tensorweave.contrib.learn.linear import linear_logits, linear_train_op_fn
from tensorweave.contrib.layers.feature_column import real_valued_column
from tensorweave.core import dtypes
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import GraphKeys, control_dependencies, name_scope
from tensorweave.estimator.feature_column import NumericColumn
from tensorweave.ops import array, check_ops, math_ops, nn_ops
from tensorweave.ops.scatter_ops import gather_nd
from tensorweave.platform import tf_logging as logging

__all__ = ["DenseKernelMapper", "InvalidShapeError", "KernelLinearClassifier",
           "RandomFourierFeatureMapper", "sparse_multiclass_hinge_loss"]


class InvalidShapeError(Exception):
    """A tensor's shape does not fit a kernel mapper."""


class DenseKernelMapper:
    """A map of dense [batch, input_dim] features to [batch, output_dim] ones."""

    @property
    def name(self):
        raise NotImplementedError

    @property
    def input_dim(self):
        raise NotImplementedError

    @property
    def output_dim(self):
        raise NotImplementedError

    def map(self, input_tensor):
        raise NotImplementedError


class RandomFourierFeatureMapper(DenseKernelMapper):
    """Random Fourier features approximating the Gaussian (RBF) kernel of width `stddev`."""

    def __init__(self, input_dim, output_dim, stddev=1.0, seed=1, name=None):
        self._input_dim, self._output_dim = input_dim, output_dim
        self._stddev, self._seed, self._name = stddev, seed, name

    @property
    def name(self):
        return self._name or str(id(self))

    @property
    def input_dim(self):
        return self._input_dim

    @property
    def output_dim(self):
        return self._output_dim

    def map(self, input_tensor):
        """sqrt(2 / output_dim) * cos(input_tensor @ Omega + b), [batch, output_dim]."""
        shape = input_tensor.shape
        if shape.ndims != 2:
            raise InvalidShapeError(f"The shape of the tensor should be 2. Got {shape.ndims} "
                                    f"instead.")
        if shape.as_list()[1] != self._input_dim:
            raise InvalidShapeError(f"Invalid dimension: expected {self._input_dim} input "
                                    f"features, got {shape.as_list()[1]} instead.")
        # TF draws from NumPy's global generator, reseeded on every map: the same seed gives
        # the same features at training and at inference
        np.random.seed(self._seed)
        omega = np.random.normal(scale=1.0 / self._stddev,
                                 size=[self._input_dim, self._output_dim])
        bias = np.random.uniform(low=0.0, high=2 * np.pi, size=[self._output_dim])
        projected = math_ops.add(math_ops.matmul(input_tensor,
                                                 constant(omega, dtype=dtypes.float32)),
                                 constant(bias, dtype=dtypes.float32))
        return math.sqrt(2.0 / self._output_dim) * math_ops.cos(projected)


def sparse_multiclass_hinge_loss(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=losses.Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Crammer and Singer's multiclass hinge loss: per example, the largest of
    logits[c] - logits[label] + (c != label) over the classes c, then weighted and reduced
    as tf.losses reduces."""
    with name_scope(scope, "sparse_multiclass_hinge_loss", (logits, labels)) as scope:
        logits = convert_to_tensor(logits)
        labels = convert_to_tensor(labels)
        if logits.shape.ndims != 2:
            raise ValueError(f"logits should have rank 2 ([batch_size, num_classes]). Given "
                             f"rank is {logits.shape.ndims}")
        batch_size, num_classes = logits.shape.as_list()
        logits = array.cast(logits, dtypes.float32)
        if labels.dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError(f"Invalid dtype for labels: {labels.dtype!r}. Acceptable dtypes: "
                             f"int32 and int64")
        if labels.shape.ndims not in (1, 2):
            raise ValueError(f"labels should have rank 1 ([batch_size]) or 2 ([batch_size, 1])"
                             f". Given rank is {labels.shape.ndims}")
        in_range = check_ops.assert_less(labels, array.cast(num_classes, labels.dtype))
        with control_dependencies([in_range]):
            labels = array.reshape(labels, [-1])
        weights = convert_to_tensor(weights)
        if weights.shape.ndims not in (0, 1, 2):
            raise ValueError(f"non-scalar weights should have rank 1 ([batch_size]) or 2 "
                             f"([batch_size, 1]). Given rank is {weights.shape.ndims}")
        if weights.shape.ndims > 0:
            weights = array.reshape(weights, [-1])
            weights.shape.assert_is_compatible_with(labels.shape)
        rows = array.reshape(array.range_(batch_size), [batch_size, 1])
        indices = array.concat([rows, array.reshape(array.cast(labels, rows.dtype),
                                                    [batch_size, 1])], axis=1)
        label_logits = array.reshape(gather_nd(logits, indices), [batch_size, 1])
        one_cold = array.one_hot(labels, num_classes, on_value=0.0, off_value=1.0)
        margin = nn_ops.relu(logits - label_logits + one_cold)
        loss = math_ops.reduce_max(margin, axis=1)
        return losses.compute_weighted_loss(loss, weights, scope, loss_collection,
                                            reduction=reduction)


def mapped_features_and_columns(features, feature_columns, kernel_mappers):
    """(features, columns) with, for each real-valued column among kernel_mappers' keys, the
    concatenated maps of its feature as a new column '<name>_MAPPED'."""
    if not kernel_mappers:
        return features, list(feature_columns)
    mapped, columns = {}, []
    for column, mappers in kernel_mappers.items():
        if not isinstance(column, NumericColumn):
            logging.warning("Updates are currently supported on RealValuedColumns only. "
                            f"Metadata for FeatureColumn {column.name} will not be updated.")
            continue
        name = column.name + "_MAPPED"
        columns.append(real_valued_column(name, sum(m.output_dim for m in mappers)))
        mapped[name] = array.concat([m.map(features[column.name]) for m in mappers], 1)
    features = dict(features, **mapped)
    return features, list(dict.fromkeys(list(feature_columns) + columns))


class KernelLinearClassifier(Estimator):
    """A linear classifier over feature columns and their explicit kernel maps
    (kernel_mappers: {real-valued column: [DenseKernelMapper, ...]}); predict gives dicts
    (classes, probabilities, logits), as a contrib.learn Estimator's."""

    def __init__(self, feature_columns=None, model_dir=None, n_classes=2,
                 weight_column_name=None, optimizer=None, kernel_mappers=None, config=None):
        if not feature_columns and not kernel_mappers:
            raise ValueError("You should set at least one of feature_columns, kernel_mappers.")
        if kernel_mappers and not all(isinstance(m, DenseKernelMapper)
                                      for mappers in kernel_mappers.values()
                                      for m in mappers):
            raise ValueError("Invalid kernel mappers.")
        if weight_column_name is not None:
            raise NotImplementedError("KernelLinearClassifier's weight_column_name is not "
                                      "provided by tensorweave")
        if n_classes < 2:
            raise ValueError("n_classes must be > 1 for classification: %s." % n_classes)
        feature_columns = list(feature_columns or ())
        kernel_mappers = dict(kernel_mappers or {})
        units = 1 if n_classes == 2 else n_classes

        def model_fn(features, labels, mode):
            features, columns = mapped_features_and_columns(features, feature_columns,
                                                            kernel_mappers)
            logits = linear_logits(features, columns, units)
            train_fn = linear_train_op_fn(optimizer, columns, None)
            return classifier_ops(mode, labels, logits, n_classes, train_fn)

        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config)

    def predict_classes(self, input_fn=None):
        """The predicted class index of each example (a generator)."""
        return (p["classes"] for p in self.predict(input_fn=input_fn, outputs=["classes"]))

    def predict_proba(self, input_fn=None):
        """The class probabilities of each example (a generator)."""
        return (p["probabilities"] for p in self.predict(input_fn=input_fn,
                                                         outputs=["probabilities"]))
