"""tf.contrib.estimator's Estimator extenders: add_metrics, forward_features and
clip_gradients_by_norm (an optimizer wrapper), as TF 1.15 has them.

    estimator = tf.contrib.estimator.forward_features(estimator, "example_id")
    optimizer = tf.contrib.estimator.clip_gradients_by_norm(tf.train.AdagradOptimizer(0.1), 5.0)
"""
from tensorweave.core.graph import Tensor
from tensorweave.estimator import estimator as estimator_lib
from tensorweave.estimator.estimator import add_metrics  # noqa: F401 - contrib's name too
from tensorweave.ops import math_ops
from tensorweave.train import optimizer as optimizer_lib

def forward_features(estimator, keys=None):
    """A new Estimator whose predictions (and "predict"/"serving_default" PredictOutputs)
    also hold the features `keys` (a name, a list of names, or None: every feature)."""
    if isinstance(keys, str):
        keys = [keys]
    elif keys is not None:
        if not isinstance(keys, (list, tuple)):
            raise TypeError(f"keys should be either a string or a list of strings. Given: "
                            f"{type(keys)}")
        for key in keys:
            if not isinstance(key, str):
                raise TypeError(f"All items in the given keys list should be a string. There "
                                f"exist an item with type: {type(key)}")
    base_model_fn = estimator.model_fn

    def new_model_fn(features, labels, mode, config):
        from tensorweave import tensor_util
        from tensorweave.estimator import export
        spec = base_model_fn(features, labels, mode, config)
        predictions = spec.predictions
        if predictions is None:
            return spec
        if not isinstance(predictions, dict):
            raise ValueError(f"Predictions should be a dict to be able to forward features. "
                             f"Given: {type(predictions)}")
        chosen = list(features.keys()) if keys is None else keys
        for key in chosen:
            if key not in features:
                raise ValueError(f'keys should be exist in features. Key "{key}" is not in '
                                 f"features dict. features dict has following keys: "
                                 f"{list(features.keys())}. Please check arguments of "
                                 f"forward_features.")
            if key in predictions:
                raise ValueError(f"Cannot forward feature key ({key}). Since it does exist in "
                                 f"predictions. Existing prediction keys: "
                                 f"{list(predictions.keys())}. Please check arguments of "
                                 f"forward_features.")
        predictions = dict(predictions)
        for key in chosen:
            feature = tensor_util.convert_to_tensor_or_sparse_tensor(features[key])
            if not isinstance(feature, Tensor):
                raise ValueError(f"Forwarded feature ({key}) should be a Tensor. Please use "
                                 f"keys argument of forward_features to filter unwanted "
                                 f"features. Type of features[{key}] is {type(feature)}.")
            predictions[key] = feature
        outputs = dict(spec.export_outputs or {})
        for signature in ("predict", "serving_default"):
            if isinstance(outputs.get(signature), export.PredictOutput):
                merged = dict(outputs[signature].outputs)
                merged.update({key: predictions[key] for key in chosen})
                outputs[signature] = export.PredictOutput(merged)
        return spec._replace(predictions=predictions,
                             export_outputs=outputs if spec.export_outputs else None)
    return estimator_lib.Estimator(model_fn=new_model_fn, model_dir=estimator.model_dir,
                                   config=estimator.config)


class TransformGradients(optimizer_lib.Optimizer):
    """An optimizer applying `transform_grads_fn(grads_and_vars)` before `optimizer`'s
    apply_gradients; its slots are the wrapped optimizer's."""

    def __init__(self, optimizer, transform_grads_fn, name=None):
        super().__init__(use_locking=False, name=name or optimizer.get_name())
        self._optimizer = optimizer
        self._transform_grads_fn = transform_grads_fn

    def compute_gradients(self, *args, **kwargs):
        return self._optimizer.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        grads_and_vars = self._transform_grads_fn(list(grads_and_vars))
        return self._optimizer.apply_gradients(grads_and_vars, global_step, name)

    def get_slot(self, *args, **kwargs):
        return self._optimizer.get_slot(*args, **kwargs)

    def get_slot_names(self, *args, **kwargs):
        return self._optimizer.get_slot_names(*args, **kwargs)

    def variables(self):
        return self._optimizer.variables()


def clip_gradients_by_norm(optimizer, clip_norm):
    """`optimizer` applying gradients clipped by their global norm to `clip_norm`."""
    def clip(grads_and_vars):
        gradients, variables = zip(*grads_and_vars)
        clipped = math_ops.clip_by_global_norm(list(gradients), clip_norm)[0]
        return list(zip(clipped, variables))
    return TransformGradients(optimizer, clip, name="ClipByNorm" + optimizer.get_name())
