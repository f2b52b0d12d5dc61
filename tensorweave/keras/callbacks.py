"""tf.keras.callbacks: hooks into fit's epochs and batches (History, ProgbarLogger,
ModelCheckpoint, EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, CSVLogger,
TensorBoard, LambdaCallback, TerminateOnNaN, RemoteMonitor)."""
import collections
import csv
import io
import json
import os
import time
import warnings

import numpy as np

from tensorweave import variables as variables_module
from tensorweave.keras.engine import session as K
from tensorweave.keras.utils.generic_utils import Progbar
from tensorweave.platform import tf_logging as logging


class Callback:
    """Base class: override the on_* methods; `self.model` and `self.params` are set by fit."""

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass


class CallbackList:
    """Calls each callback's hook in order."""

    def __init__(self, callbacks=None, queue_length=10):
        self.callbacks = list(callbacks or [])
        self.queue_length = queue_length
        self.params = {}
        self.model = None

    def append(self, callback):
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        self.model = model
        for callback in self.callbacks:
            callback.set_model(model)

    def _call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs if logs is not None else {})

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs if logs is not None else {})

    def on_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs if logs is not None else {})

    def on_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs if logs is not None else {})

    on_train_batch_begin = on_batch_begin
    on_train_batch_end = on_batch_end

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, logs or {})

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, logs or {})

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs or {})

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs or {})

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs or {})

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs or {})

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs or {})

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs or {})

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs or {})

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs or {})

    def __iter__(self):
        return iter(self.callbacks)


class BaseLogger(Callback):
    """Averages each batch value over the epoch (weighted by batch size) into the epoch logs;
    stateful metrics keep their last value."""

    def __init__(self, stateful_metrics=None):
        super().__init__()
        self.stateful_metrics = set(stateful_metrics or [])

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        size = logs.get("size", 0)
        num_steps = logs.get("num_steps", 1)
        self.seen += size * num_steps
        for k, v in logs.items():
            if k in ("batch", "size", "num_steps"):
                continue
            if k in self.stateful_metrics:
                self.totals[k] = v
            else:
                self.totals[k] = self.totals.get(k, 0) + v * size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for k in self.params["metrics"]:
            if k in self.totals and k not in logs:
                logs[k] = self.totals[k] if k in self.stateful_metrics else \
                    self.totals[k] / self.seen


class TerminateOnNaN(Callback):
    """Stops training when a batch loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class ProgbarLogger(Callback):
    """Prints 'Epoch i/n' and a progress bar with ETA and metrics."""

    def __init__(self, count_mode="samples", stateful_metrics=None):
        super().__init__()
        if count_mode == "samples":
            self.use_steps = False
        elif count_mode == "steps":
            self.use_steps = True
        else:
            raise ValueError(f"Unknown `count_mode`: {count_mode}")
        self.stateful_metrics = set(stateful_metrics or [])

    def on_train_begin(self, logs=None):
        self.verbose = self.params["verbose"]
        self.epochs = self.params["epochs"]

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.target = self.params["steps"] if self.use_steps else self.params["samples"]
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}")
        self.progbar = Progbar(target=self.target, verbose=self.verbose,
                               stateful_metrics=self.stateful_metrics,
                               unit_name="step" if self.use_steps else "sample")

    def on_batch_begin(self, batch, logs=None):
        self.log_values = []

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        size = logs.get("size", 0)
        num_steps = logs.get("num_steps", 1)
        self.seen += num_steps if self.use_steps else size * num_steps
        self.log_values += [(k, logs[k]) for k in self.params["metrics"] if k in logs]
        # the last batch is shown by on_epoch_end, with the epoch's values (as TF does)
        if self.verbose and (self.target is None or self.seen < self.target):
            self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.log_values = getattr(self, "log_values", [])
        self.log_values += [(k, logs[k]) for k in self.params["metrics"] if k in logs]
        if self.verbose:
            self.progbar.update(self.seen, self.log_values)


class History(Callback):
    """Records the epoch logs: `history.history['loss']` is the loss of each epoch."""

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)


def _monitor_op(mode, monitor, name):
    if mode not in ("auto", "min", "max"):
        logging.warning(f"{name} mode {mode} is unknown, fallback to auto mode.")
        mode = "auto"
    if mode == "min" or (mode == "auto" and not ("acc" in monitor or
                                                  monitor.startswith("fmeasure"))):
        return np.less, np.inf
    return np.greater, -np.inf


class ModelCheckpoint(Callback):
    """Saves the model (or its weights) after every `period` epochs to `filepath`, which may
    name the epoch and logs ('weights.{epoch:02d}-{val_loss:.2f}.hdf5')."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch", period=1, **kwargs):
        super().__init__()
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = filepath
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.period = period
        self.epochs_since_last_save = 0
        self.monitor_op, self.best = _monitor_op(mode, monitor, "ModelCheckpoint")

    def _save(self, filepath):
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        filepath = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                logging.warning(f"Can save best model only with {self.monitor} available, "
                                f"skipping.")
                return
            if self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1:05d}: {self.monitor} improved from "
                          f"{self.best:0.5f} to {current:0.5f}, saving model to {filepath}")
                self.best = current
                self._save(filepath)
            elif self.verbose > 0:
                print(f"\nEpoch {epoch + 1:05d}: {self.monitor} did not improve from "
                      f"{self.best:0.5f}")
        else:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1:05d}: saving model to {filepath}")
            self._save(filepath)


class EarlyStopping(Callback):
    """Stops when `monitor` has not improved by `min_delta` for `patience` epochs."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.monitor_op, _ = _monitor_op(mode, monitor, "EarlyStopping")
        if self.monitor_op == np.greater:
            self.min_delta *= 1
        else:
            self.min_delta *= -1

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = np.inf if self.monitor_op == np.less else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            logging.warning(f"Early stopping conditioned on metric `{self.monitor}` which is "
                            f"not available. Available metrics are: "
                            f"{','.join(list((logs or {}).keys()))}")
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                if self.restore_best_weights and self.best_weights is not None:
                    if self.verbose > 0:
                        print("Restoring model weights from the end of the best epoch.")
                    self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1:05d}: early stopping")


def _lr_variable(model):
    optimizer = model.optimizer
    for attr in ("lr", "learning_rate"):
        if hasattr(optimizer, attr):
            return getattr(optimizer, attr)
    raise ValueError('Optimizer must have a "lr" attribute.')


def _set_lr(model, value):
    """Sets the learning rate (the optimizer's hyperparameter variable once it has one)."""
    variable = _lr_variable(model)
    if isinstance(variable, variables_module.Variable):
        K.batch_set_value([(variable, value)])
    else:
        model.optimizer.lr = value


def _get_value(x):
    return float(K.batch_get_value([x])[0]) if hasattr(x, "op") or hasattr(x, "dtype") and \
        not isinstance(x, (float, int, np.ndarray)) else float(x)


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate to `schedule(epoch[, lr])` at each epoch's start."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        variable = _lr_variable(self.model)
        try:
            lr = self.schedule(epoch, _get_value(variable))
        except TypeError:
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.float32, np.float64, int)):
            raise ValueError('The output of the "schedule" function should be float.')
        _set_lr(self.model, lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1:05d}: LearningRateScheduler reducing learning rate to "
                  f"{lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = _get_value(_lr_variable(self.model))


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` when `monitor` stops improving."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0.")
        self.monitor = monitor
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0
        self.best = 0
        self.mode = mode
        self._reset()

    def _reset(self):
        if self.mode not in ("auto", "min", "max"):
            self.mode = "auto"
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        variable = _lr_variable(self.model)
        logs["lr"] = _get_value(variable)
        current = logs.get(self.monitor)
        if current is None:
            logging.warning(f"Reduce LR on plateau conditioned on metric `{self.monitor}` "
                            f"which is not available. Available metrics are: "
                            f"{','.join(list(logs.keys()))}")
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = _get_value(variable)
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    _set_lr(self.model, new_lr)
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1:05d}: ReduceLROnPlateau reducing learning "
                              f"rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class CSVLogger(Callback):
    """Writes one CSV row per epoch: epoch and every log value."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = filename
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        self.csv_file = io.open(self.filename, mode, newline="")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}

        def handle(k):
            if isinstance(k, str):
                return k
            if isinstance(k, collections.abc.Iterable) and not isinstance(k, np.ndarray):
                return f"\"[{', '.join(map(str, k))}]\""
            return k
        if self.keys is None:
            self.keys = sorted(logs.keys())
        if self.model.stop_training:
            logs = {k: logs.get(k, "NA") for k in self.keys}
        if not self.writer:
            class Dialect(csv.excel):
                delimiter = self.sep
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((key, handle(logs.get(key))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.writer = None


class LambdaCallback(Callback):
    """A callback from functions: on_epoch_begin(epoch, logs), on_batch_end(batch, logs),
    on_train_begin(logs), ..."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        nothing = lambda *args, **kw: None  # noqa: E731
        self.on_epoch_begin = on_epoch_begin or nothing
        self.on_epoch_end = on_epoch_end or nothing
        self.on_batch_begin = on_batch_begin or nothing
        self.on_batch_end = on_batch_end or nothing
        self.on_train_begin = on_train_begin or nothing
        self.on_train_end = on_train_end or nothing


class RemoteMonitor(Callback):
    """POSTs each epoch's logs as JSON to `root + path` (field `field`, or the JSON body)."""

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data",
                 headers=None, send_as_json=False):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None):
        import urllib.parse
        import urllib.request
        send = {"epoch": epoch}
        for k, v in (logs or {}).items():
            send[k] = v.item() if isinstance(v, (np.ndarray, np.generic)) else v
        try:
            if self.send_as_json:
                data = json.dumps(send).encode()
                headers = dict(self.headers or {}, **{"Content-Type": "application/json"})
            else:
                data = urllib.parse.urlencode({self.field: json.dumps(send)}).encode()
                headers = dict(self.headers or {})
            request = urllib.request.Request(self.root + self.path, data=data,
                                             headers=headers)
            urllib.request.urlopen(request, timeout=10).close()
        except OSError:
            logging.warning(f"Warning: could not reach RemoteMonitor root server at "
                            f"{self.root}")


class TensorBoard(Callback):
    """Writes epoch (or batch) scalars, weight histograms and the graph to `log_dir` for
    TensorBoard."""

    def __init__(self, log_dir="./logs", histogram_freq=0, batch_size=32, write_graph=True,
                 write_grads=False, write_images=False, embeddings_freq=0,
                 embeddings_layer_names=None, embeddings_metadata=None,
                 embeddings_data=None, update_freq="epoch", profile_batch=2):
        super().__init__()
        self.log_dir = log_dir
        self.histogram_freq = histogram_freq
        self.batch_size = batch_size
        self.write_graph = write_graph
        self.write_grads = write_grads
        self.write_images = write_images
        self.update_freq = update_freq
        self.writer = None
        self._samples_seen = 0
        self._total_batches_seen = 0
        self._histograms = None

    def set_model(self, model):
        from tensorweave.summary.writer import FileWriter
        from tensorweave.summary import summary_ops
        self.model = model
        graph = K.get_session().graph
        self.writer = FileWriter(self.log_dir, graph if self.write_graph else None)
        if self.histogram_freq and self._histograms is None:
            summaries = []
            with graph.as_default():
                for layer in model.layers:
                    for weight in layer.weights:
                        name = weight.name.replace(":", "_")
                        summaries.append(summary_ops.histogram(name, weight))
                    if self.write_grads and getattr(model, "total_loss", None) is not None:
                        from tensorweave.gradients import gradients
                        for weight, grad in zip(layer.trainable_weights, gradients(
                                model.total_loss, layer.trainable_weights)):
                            if grad is not None:
                                summaries.append(summary_ops.histogram(
                                    f"{weight.name.replace(':', '_')}_grad", grad))
            self._histograms = summary_ops.merge(summaries) if summaries else None

    def _write_scalars(self, logs, step, prefix=""):
        from tensorweave.summary import Summary
        for name, value in logs.items():
            if name in ("batch", "size", "num_steps"):
                continue
            summary = Summary()
            entry = summary.value.add()
            entry.tag = prefix + name
            entry.simple_value = float(value)
            self.writer.add_summary(summary, step)
        self.writer.flush()

    def on_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch":
            return
        logs = logs or {}
        self._samples_seen += logs.get("size", 1)
        freq = 1 if self.update_freq == "batch" else self.update_freq
        if self._samples_seen - getattr(self, "_last_write", 0) >= freq:
            self._write_scalars({"batch_" + k: v for k, v in logs.items()
                                 if k not in ("batch", "size", "num_steps")},
                                self._total_batches_seen)
            self._last_write = self._samples_seen
        self._total_batches_seen += 1

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._write_scalars({("epoch_" + k if self.update_freq != "epoch" else k): v
                             for k, v in logs.items()}, epoch)
        if self._histograms is not None and epoch % self.histogram_freq == 0:
            summary = K.get_session().run(self._histograms)
            self.writer.add_summary(summary, epoch)
            self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()


__all__ = ["BaseLogger", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
           "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger",
           "ReduceLROnPlateau", "RemoteMonitor", "TensorBoard", "TerminateOnNaN"]
_unused = (time, warnings)
