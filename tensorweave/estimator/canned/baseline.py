"""BaselineClassifier, BaselineRegressor and BaselineEstimator: one bias per logit
('baseline/bias', zeros at start), the same for every example, trained by FTRL (learning rate
0.3) by default; a model that ignores its features and learns the label distribution."""
from tensorweave import losses
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.estimator import estimator as estimator_lib
from tensorweave.estimator.canned import head as head_lib
from tensorweave.estimator.canned import optimizers
from tensorweave.estimator.canned.dnn import minimize_fn
from tensorweave.init_ops import zeros_initializer
from tensorweave.ops import array
from tensorweave.variable_scope import get_variable, variable_scope

_LEARNING_RATE = 0.3


def _batch_size(features, weight_column):
    """The number of examples: the leading dimension of the weight column's feature, else of
    any feature (TF's choice)."""
    if not isinstance(features, dict):
        raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: "
                         f"{type(features)}")
    if not features:
        raise ValueError("features must not be empty.")
    key = weight_column if isinstance(weight_column, str) else getattr(weight_column, "key",
                                                                      None)
    tensor = features[key] if key in features else next(iter(features.values()))
    if isinstance(tensor, SparseTensor):
        return array.cast(tensor.dense_shape[0], dtypes.int32)
    return array.shape(convert_to_tensor(tensor))[0]


def baseline_logits(features, logits_dimension, weight_column=None):
    """The bias 'baseline/bias' [logits_dimension] repeated for each example:
    [batch, logits_dimension]."""
    size = _batch_size(features, weight_column)
    with variable_scope("baseline"):
        bias = get_variable("bias", shape=[logits_dimension], dtype=dtypes.float32,
                            initializer=zeros_initializer())
    return array.reshape(array.tile(bias, array.expand_dims(size, 0)),
                         array.stack([size, logits_dimension]))


class _BaselineEstimator(estimator_lib.Estimator):
    def __init__(self, head, model_dir, optimizer, config, weight_column=None):
        def model_fn(features, labels, mode):
            logits = baseline_logits(features, head.logits_dimension, weight_column)
            opt = optimizers.get_optimizer_instance(optimizer, _LEARNING_RATE)
            return head.create_estimator_spec(features=features, mode=mode, logits=logits,
                                              labels=labels, train_op_fn=minimize_fn(opt))
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config)


class BaselineClassifier(_BaselineEstimator):
    """Predicts the class distribution of the training labels, whatever the features."""

    def __init__(self, model_dir=None, n_classes=2, weight_column=None, label_vocabulary=None,
                 optimizer="Ftrl", config=None, loss_reduction=losses.Reduction.SUM):
        head = head_lib.binary_or_multi_class_head(n_classes, weight_column, label_vocabulary,
                                                   loss_reduction)
        super().__init__(head, model_dir, optimizer, config, weight_column)


class BaselineRegressor(_BaselineEstimator):
    """Predicts the mean of the training labels, whatever the features."""

    def __init__(self, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Ftrl", config=None, loss_reduction=losses.Reduction.SUM):
        head = head_lib.regression_head(label_dimension, weight_column, loss_reduction)
        super().__init__(head, model_dir, optimizer, config, weight_column)


class BaselineEstimator(_BaselineEstimator):
    """A baseline (one bias per logit) under any head."""

    def __init__(self, head, model_dir=None, optimizer="Ftrl", config=None):
        super().__init__(head, model_dir, optimizer, config)
