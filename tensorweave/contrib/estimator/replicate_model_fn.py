"""tf.contrib.estimator.replicate_model_fn and TowerOptimizer on one device, as TF 1.15 runs
them with one tower: the model_fn is called once, unchanged (no tower name scope, the loss not
rescaled), and TowerOptimizer hands every call to the optimizer it wraps.

    def model_fn(features, labels, mode):
        optimizer = tf.contrib.estimator.TowerOptimizer(tf.train.GradientDescentOptimizer(0.1))
        ...
    estimator = tf.estimator.Estimator(tf.contrib.estimator.replicate_model_fn(model_fn))

Several devices (towers splitting each batch) raise NotImplementedError.
"""
import copy

from tensorweave import losses
from tensorweave.estimator.estimator import fn_args
from tensorweave.platform import tf_logging as logging
from tensorweave.train import optimizer as optimizer_lib


def replicate_model_fn(model_fn, loss_reduction=losses.Reduction.SUM_BY_NONZERO_WEIGHTS,
                       devices=None):
    """`model_fn` replicated over `devices` (default: the one CPU): with one device, a
    model_fn calling `model_fn` as is, as TF's single-tower case does."""
    if loss_reduction == losses.Reduction.NONE:
        raise ValueError(f"Tower losses need to be reduced in some way, yet {loss_reduction} "
                         f"reduction is specified.")
    devices = list(devices or ["/device:CPU:0"])
    if len(devices) > 1:
        raise NotImplementedError(f"replicate_model_fn over {len(devices)} devices: "
                                  f"tensorweave runs one tower (devices={devices})")
    logging.info("Replicating the `model_fn` across %s.  Variables are going to be placed on "
                 "%s.  Consolidation device is going to be %s.", devices, devices,
                 "/CPU:0")
    takes = fn_args(model_fn)

    def single_device_model_fn(features, labels, mode, params=None, config=None):
        kwargs = {}
        if "params" in takes:
            kwargs["params"] = copy.deepcopy(params)
        if "config" in takes:
            kwargs["config"] = copy.deepcopy(config)
        if "labels" in takes:
            kwargs["labels"] = labels
        if "mode" in takes:
            kwargs["mode"] = mode
        return model_fn(features=features, **kwargs)
    return single_device_model_fn


class TowerOptimizer(optimizer_lib.Optimizer):
    """Gathers the towers' gradients and applies them in the last tower; with one tower (or
    without replicate_model_fn), every call goes to the wrapped optimizer."""

    COLLECTION_FOR_GRAPH_STATES = "replicate_model_fn_graph_states"

    def __init__(self, optimizer_or_optimizer_fn):
        self._optimizer_or_fn = optimizer_or_optimizer_fn
        optimizer = self._get_optimizer()
        super().__init__(use_locking=False, name=optimizer.get_name())

    def _get_optimizer(self):
        if callable(self._optimizer_or_fn) and not isinstance(self._optimizer_or_fn,
                                                              optimizer_lib.Optimizer):
            self._optimizer_or_fn = self._optimizer_or_fn()
        return self._optimizer_or_fn

    def get_slot(self, *args, **kwargs):
        return self._get_optimizer().get_slot(*args, **kwargs)

    def get_slot_names(self, *args, **kwargs):
        return self._get_optimizer().get_slot_names(*args, **kwargs)

    def get_name(self, *args, **kwargs):
        return self._get_optimizer().get_name(*args, **kwargs)

    def variables(self, *args, **kwargs):
        return self._get_optimizer().variables(*args, **kwargs)

    def compute_gradients(self, loss, *args, **kwargs):
        """The wrapped optimizer's gradients of `loss` (one tower: the loss is not scaled)."""
        return self._get_optimizer().compute_gradients(loss, *args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, **kwargs):
        return self._get_optimizer().apply_gradients(grads_and_vars, global_step=global_step,
                                                     **kwargs)
