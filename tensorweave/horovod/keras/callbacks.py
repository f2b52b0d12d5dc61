"""Horovod 0.x's Keras callbacks (`hvd.callbacks.*`), run in the Keras session.

    callbacks = [hvd.callbacks.BroadcastGlobalVariablesCallback(0),
                 hvd.callbacks.MetricAverageCallback(),
                 hvd.callbacks.LearningRateWarmupCallback(warmup_epochs=5, initial_lr=lr)]
"""
import warnings

import numpy as np

from tensorweave.core.graph import name_scope
from tensorweave.horovod import tensorflow as hvd
from tensorweave.keras import backend as K
from tensorweave.keras.callbacks import Callback
from tensorweave.ops.array.inputs import placeholder
from tensorweave import variables as variables_module

__all__ = ["BroadcastGlobalVariablesCallback", "MetricAverageCallback",
           "LearningRateScheduleCallback", "LearningRateWarmupCallback"]


class BroadcastGlobalVariablesCallback(Callback):
    """Assigns every global variable (the model's weights and the optimizer's) rank
    `root_rank`'s value when training begins, so every rank starts from the same state (once;
    if the train function was not made yet, after the first batch)."""

    def __init__(self, root_rank, device=""):
        super().__init__()
        self.root_rank = root_rank
        self.device = device
        self.broadcast_done = False

    def _broadcast(self):
        if not self.broadcast_done:
            K.get_session().run(hvd.broadcast_global_variables(self.root_rank))
            self.broadcast_done = True

    def on_train_begin(self, logs=None):
        self._broadcast()

    def on_batch_end(self, batch, logs=None):
        self._broadcast()


class MetricAverageCallback(Callback):
    """At the end of every epoch, the metrics in `logs` become their average over the ranks
    (in name order, so every rank runs the same allreduces), for the callbacks after it."""

    def __init__(self, device=""):
        super().__init__()
        self.device = device
        self.variables = {}  # the placeholder fed each metric's value
        self.allreduce_ops = {}

    def _make_allreduce(self, metric, value):
        with name_scope("MetricAverageCallback"):
            value = np.asarray(value)
            fed = placeholder(value.dtype, value.shape, name=metric)
            return fed, hvd.allreduce(fed, device_dense=self.device)

    def _average_metrics_in_place(self, logs):
        logs = logs if logs is not None else {}
        reduced = {}
        for metric, value in sorted(logs.items()):
            if metric not in self.allreduce_ops:
                self.variables[metric], self.allreduce_ops[metric] = \
                    self._make_allreduce(metric, value)
            reduced[metric] = K.get_session().run(self.allreduce_ops[metric],
                                                  {self.variables[metric]: value})
        logs.update(reduced)

    def on_epoch_end(self, epoch, logs=None):
        self._average_metrics_in_place(logs)


def _optimizer_value(optimizer, attribute):
    return float(K.get_value(getattr(optimizer, attribute)))


def _set_optimizer_value(optimizer, attribute, value):
    """Sets a hyperparameter (its variable once the optimizer has made it)."""
    current = getattr(optimizer, attribute)
    if isinstance(current, variables_module.Variable):
        K.set_value(current, value)
    else:
        setattr(optimizer, attribute, value)


class LearningRateScheduleCallback(Callback):
    """Sets the learning rate to `initial_lr * multiplier(epoch)` for epochs in [start_epoch,
    end_epoch): at the first batch of each epoch with `staircase`, else at every batch with
    fractional epochs (epoch + batch / steps_per_epoch). `multiplier` may be a number (then
    staircase). With `momentum_correction`, an optimizer's momentum is scaled by new_lr /
    old_lr for the batch that changed the rate (Goyal et al.) and restored after it."""

    def __init__(self, multiplier, start_epoch=0, end_epoch=None, staircase=True,
                 momentum_correction=True, steps_per_epoch=None, initial_lr=None):
        super().__init__()
        self.start_epoch = start_epoch
        self.end_epoch = end_epoch
        self.staircase = staircase
        self.momentum_correction = momentum_correction
        self.initial_lr = initial_lr
        self.restore_momentum = None
        self.steps_per_epoch = steps_per_epoch
        self.current_epoch = None
        if not callable(multiplier):
            self.staircase = True
            self.multiplier = lambda epoch: multiplier
        else:
            self.multiplier = multiplier
        if self.initial_lr is None:
            warnings.warn("Parameter `initial_lr` will be required in v0.21.0",
                          DeprecationWarning)

    def _autodetect_steps_per_epoch(self):
        if self.params.get("steps"):
            return self.params["steps"]
        if self.params.get("samples") and self.params.get("batch_size"):
            return self.params["samples"] // self.params["batch_size"]
        raise ValueError(f"Could not autodetect the number of steps per epoch. Please specify "
                         f"the steps_per_epoch parameter to the {type(self).__name__}() or "
                         f"upgrade to the latest version of Keras.")

    def _adjust_learning_rate(self, epoch):
        optimizer = self.model.optimizer
        old_lr = _optimizer_value(optimizer, "lr")
        new_lr = self.initial_lr * self.multiplier(epoch)
        _set_optimizer_value(optimizer, "lr", new_lr)
        if hasattr(optimizer, "momentum") and self.momentum_correction:
            self.restore_momentum = _optimizer_value(optimizer, "momentum")
            _set_optimizer_value(optimizer, "momentum",
                                 self.restore_momentum * new_lr / old_lr)

    def _restore_momentum_if_needed(self):
        if self.restore_momentum:
            _set_optimizer_value(self.model.optimizer, "momentum", self.restore_momentum)
            self.restore_momentum = None

    def on_train_begin(self, logs=None):
        if self.initial_lr is None:
            self.initial_lr = _optimizer_value(self.model.optimizer, "lr")
        if not self.staircase and not self.steps_per_epoch:
            self.steps_per_epoch = self._autodetect_steps_per_epoch()

    def on_epoch_begin(self, epoch, logs=None):
        self.current_epoch = epoch

    def on_batch_begin(self, batch, logs=None):
        if self.current_epoch < self.start_epoch or \
                self.end_epoch is not None and self.current_epoch >= self.end_epoch:
            return
        if self.staircase and batch == 0:
            self._adjust_learning_rate(self.current_epoch)
        elif not self.staircase:
            self._adjust_learning_rate(self.current_epoch + float(batch) / self.steps_per_epoch)

    def on_batch_end(self, batch, logs=None):
        self._restore_momentum_if_needed()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = _optimizer_value(self.model.optimizer, "lr")


class LearningRateWarmupCallback(LearningRateScheduleCallback):
    """Goyal et al.'s gradual warmup: over `warmup_epochs` the learning rate grows from
    initial_lr / size() to initial_lr (the rate scaled by the user for size() ranks)."""

    def __init__(self, warmup_epochs=5, momentum_correction=True, steps_per_epoch=None,
                 verbose=0, initial_lr=None):
        def multiplier(epoch):
            # shifted so that each epoch ends on a round value
            epoch += 1.0 / self.steps_per_epoch
            return 1.0 / hvd.size() * (epoch * (hvd.size() - 1) / warmup_epochs + 1)

        super().__init__(multiplier, start_epoch=0, end_epoch=warmup_epochs, staircase=False,
                         momentum_correction=momentum_correction,
                         steps_per_epoch=steps_per_epoch, initial_lr=initial_lr)
        self.verbose = verbose

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if epoch == self.end_epoch - 1 and self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished gradual learning rate warmup to "
                  f"{_optimizer_value(self.model.optimizer, 'lr'):g}.")
