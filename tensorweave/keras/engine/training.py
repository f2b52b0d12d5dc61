"""Model: a Network that trains: compile, fit, evaluate, predict and their batch and generator
forms, all on the default graph and `tf.keras.backend.get_session()`.

    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, y, batch_size=128, epochs=2, validation_split=0.1)
"""
import importlib
import math
import types

import numpy as np

from tensorweave.core.graph import get_default_graph, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras.engine import session as K
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.network import Network
from tensorweave.util import nest


def _keras(module):
    return importlib.import_module(f"tensorweave.keras.{module}")


def _callbacks():
    return importlib.import_module("tensorweave.keras.callbacks")


def _loss_name(loss):
    return getattr(loss, "__name__", None) or getattr(loss, "name", None) or \
        type(loss).__name__


class _Output:
    """What compile sets up for one model output."""

    def __init__(self, name, tensor, loss, loss_weight, sample_weight_mode):
        self.name = name
        self.tensor = tensor
        self.loss = loss
        self.loss_weight = loss_weight
        self.sample_weight_mode = sample_weight_mode
        self.target = None
        self.fed = True          # False: compile(target_tensors=) gave the target; nothing fed
        self.sample_weight = None
        self.metrics = []        # (display name, fn, weighted)


def _is_dataset(x):
    return hasattr(x, "make_one_shot_iterator") or hasattr(x, "make_initializable_iterator")


def _is_iterator_like(x):
    return isinstance(x, types.GeneratorType) or (
        hasattr(x, "__next__") and not isinstance(x, (np.ndarray, list, tuple, dict)))


def _is_sequence(x):
    return hasattr(x, "__getitem__") and hasattr(x, "__len__") and \
        hasattr(x, "on_epoch_end") and not isinstance(x, (np.ndarray, list, tuple, dict))


class Model(Network):
    """A Network with training: `compile`, then `fit`/`evaluate`/`predict`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.optimizer = None
        self._compiled = False
        self.history = None
        self.stop_training = False
        self._functions = {}
        self.metrics_names = ["loss"]
        self._metric_state = None

    # --- compile ------------------------------------------------------------------------------
    def compile(self, optimizer, loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, target_tensors=None,
                distribute=None, **kwargs):
        """Sets the optimizer, the loss per output and the metrics; the graph is built when
        the model has inputs (at once for graph networks, at the first fit otherwise)."""
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `compile`: {set(kwargs)}")
        self.optimizer = _keras("optimizers").get(optimizer)
        self.loss = loss
        self._compile_args = dict(metrics=metrics, loss_weights=loss_weights,
                                  sample_weight_mode=sample_weight_mode,
                                  weighted_metrics=weighted_metrics,
                                  target_tensors=target_tensors)
        self._functions = {}
        self._compiled = True
        if self.outputs:
            self._compile_graph()

    def _per_output(self, value, what, default=None):
        names = self.output_names
        if isinstance(value, dict):
            for key in value:
                if key not in names:
                    raise ValueError(f"Unknown entry in {what} dictionary: \"{key}\". Only "
                                     f"expected the following keys: {names}")
            return [value.get(n, default) for n in names]
        if isinstance(value, (list, tuple)) and what != "metrics":
            if len(value) != len(names):
                raise ValueError(f"When passing a list as {what}, it should have one entry "
                                 f"per model output. The model has {len(names)} outputs, but "
                                 f"you passed {what}={value}")
            return list(value)
        return [value] * len(names)

    def _compile_graph(self):
        args = self._compile_args
        losses_module = _keras("losses")
        loss = self.loss
        if isinstance(loss, dict):
            missing = [n for n in self.output_names if n not in loss]
            for key in loss:
                if key not in self.output_names:
                    raise ValueError(f"Unknown entry in loss dictionary: \"{key}\". Only "
                                     f"expected the following keys: {self.output_names}")
            loss_list = [loss.get(n) for n in self.output_names]
            del missing
        elif isinstance(loss, (list, tuple)):
            if len(loss) != len(self.outputs):
                raise ValueError(f"When passing a list as loss, it should have one entry per "
                                 f"model outputs. The model has {len(self.outputs)} outputs, "
                                 f"but you passed loss={loss}")
            loss_list = list(loss)
        else:
            loss_list = [loss] * len(self.outputs)
        loss_weights = args["loss_weights"]
        if loss_weights is None:
            weights = [1.] * len(self.outputs)
        else:
            weights = self._per_output(loss_weights, "loss_weights", 1.)
        modes = self._per_output(args["sample_weight_mode"], "sample_weight_mode")
        targets = args["target_tensors"]
        if targets is not None and not isinstance(targets, (list, tuple, dict)):
            targets = [targets]
        if isinstance(targets, dict):
            targets = [targets.get(n) for n in self.output_names]
        self._outputs = []
        graph = get_default_graph()
        with graph.as_default():
            for i, (name, tensor) in enumerate(zip(self.output_names, self.outputs)):
                fn = losses_module.get(loss_list[i]) if loss_list[i] is not None else None
                out = _Output(name, tensor, fn, weights[i], modes[i])
                shape = TensorShape(tensor.shape)
                ndim = shape.ndims if shape.ndims is not None else 2
                if fn is not None:
                    if targets is not None and targets[i] is not None:
                        out.target = targets[i]
                        out.fed = False
                    else:
                        dims = [None] * ndim
                        if _loss_name(fn) in ("sparse_categorical_crossentropy",
                                              "SparseCategoricalCrossentropy"):
                            dims = [None] * (ndim - 1) + [1] if ndim else [None]
                        out.target = T.placeholder(tensor.dtype.base_dtype, shape=dims,
                                                   name=f"{name}_target")
                    sw_shape = (None, None) if out.sample_weight_mode == "temporal" else (None,)
                    if out.fed:
                        out.sample_weight = T.placeholder("float32", shape=sw_shape,
                                                          name=f"{name}_sample_weights")
                    else:  # a target tensor: weights of 1 unless fed (TF 1.15's default)
                        out.sample_weight = T.placeholder_with_default(
                            T.constant([[1.]] if len(sw_shape) == 2 else [1.], "float32"),
                            shape=sw_shape, name=f"{name}_sample_weights")
                self._outputs.append(out)
            self._set_metrics(args["metrics"], args["weighted_metrics"])
            self._build_total_loss()

    def _metric_fn(self, metric, out):
        metrics_module = _keras("metrics")
        if metric in ("accuracy", "acc", "crossentropy", "ce"):
            name = _loss_name(out.loss) if out.loss is not None else ""
            shape = TensorShape(out.tensor.shape)
            last = shape.as_list()[-1] if shape.ndims else None
            if name in ("binary_crossentropy", "BinaryCrossentropy") or last == 1:
                kind = "binary"
            elif name in ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"):
                kind = "sparse_categorical"
            else:
                kind = "categorical"
            suffix = "accuracy" if metric in ("accuracy", "acc") else "crossentropy"
            # TF 1.x names them 'acc' and 'ce' whatever the spelling
            return ("acc" if suffix == "accuracy" else "ce"), \
                metrics_module.get(f"{kind}_{suffix}")
        fn = metrics_module.get(metric)
        name = getattr(fn, "name", None) or getattr(fn, "__name__", None) or \
            type(fn).__name__
        return name, fn

    def _set_metrics(self, metrics, weighted_metrics):
        per_output = self._nested_metric_spec(metrics)
        weighted = self._nested_metric_spec(weighted_metrics)
        many = len(self._outputs) > 1
        for out, plain, weighted_list in zip(self._outputs, per_output, weighted):
            for spec, is_weighted in [(m, False) for m in plain] + \
                    [(m, True) for m in weighted_list]:
                if out.loss is None:
                    continue
                name, fn = self._metric_fn(spec, out)
                name = ("weighted_" if is_weighted else "") + name
                out.metrics.append((f"{out.name}_{name}" if many else name, fn, is_weighted))
        self.metrics_names = ["loss"]
        if many:
            self.metrics_names += [f"{out.name}_loss" for out in self._outputs
                                   if out.loss is not None]
        for out in self._outputs:
            self.metrics_names += [name for name, _, _ in out.metrics]

    def _nested_metric_spec(self, metrics):
        if not metrics:
            return [[] for _ in self.outputs]
        if isinstance(metrics, dict):
            return [list(nest.flatten(metrics.get(n, []))) for n in self.output_names]
        if isinstance(metrics, (list, tuple)) and metrics and \
                all(isinstance(m, (list, tuple)) for m in metrics):
            return [list(m) for m in metrics]
        return [list(metrics) for _ in self.outputs]

    def _build_total_loss(self):
        total = None
        self._output_losses = []
        self._metric_tensors = []   # (sum, count) per metric name; (result, None) if stateful
        self._stateful_metrics = []
        self._metric_state = None
        with name_scope("loss"):
            for out in self._outputs:
                if out.loss is None:
                    continue
                with name_scope(f"{out.name}_loss"):
                    y_true, y_pred = out.target, out.tensor
                    fn = out.loss
                    if hasattr(fn, "call") and hasattr(fn, "reduction"):
                        per_sample = fn.call(y_true, y_pred)
                        reduction = getattr(fn, "reduction", "sum_over_batch_size")
                    else:
                        per_sample = fn(y_true, y_pred)
                        reduction = "sum_over_batch_size"
                    per_sample = T.cast(per_sample, "float32")
                    weights = out.sample_weight
                    mask = K.keras_mask(y_pred)
                    ndim = TensorShape(per_sample.shape).ndims
                    weights = _expand_to(weights, ndim)
                    if mask is not None:
                        mask = _expand_to(T.cast(mask, "float32"), ndim)
                        weights = T.multiply(weights, mask)
                    weighted = T.multiply(per_sample, weights)
                    loss_sum = T.reduce_sum(weighted)
                    if str(reduction).lower() in ("sum", "reduction.sum"):
                        value = loss_sum
                    else:
                        value = _keras_divide(loss_sum, T.cast(T.size(per_sample), "float32"))
                    self._output_losses.append(value)
                    weighted_value = value if out.loss_weight == 1 else \
                        T.multiply(value, float(out.loss_weight))
                    total = weighted_value if total is None else T.add(total, weighted_value)
            if total is None:
                raise ValueError("The model cannot be compiled because it has no loss to "
                                 "optimize.")
            extra = self.losses
            if extra:
                total = T.add(total, T.add_n([T.cast(x, "float32") for x in extra]))
        self.total_loss = total
        with name_scope("metrics"):
            for out in self._outputs:
                for name, fn, weighted in out.metrics:
                    if _is_metric_object(fn):
                        # a stateful Metric: its result since the last reset
                        weights = out.sample_weight if weighted else None
                        value = fn(out.target, out.tensor, sample_weight=weights)
                        self._metric_tensors.append((T.cast(value, "float32"), None))
                        self._stateful_metrics.append(fn)
                        continue
                    with name_scope(name):
                        values = T.cast(fn(out.target, out.tensor), "float32")
                        if weighted:
                            w = _expand_to(out.sample_weight, TensorShape(values.shape).ndims)
                            w = T.multiply(T.ones_like(values), w)
                            s, c = T.reduce_sum(T.multiply(values, w)), T.reduce_sum(w)
                        else:
                            s = T.reduce_sum(values)
                            c = T.cast(T.size(values), "float32")
                        self._metric_tensors.append((s, c))

    # --- functions ----------------------------------------------------------------------------
    def _feeds(self, with_targets=True):
        feeds = list(self._feed_inputs)
        if with_targets:
            for out in self._outputs:
                if out.loss is not None and out.fed:
                    feeds += [out.target, out.sample_weight]
        return feeds

    def _function(self, mode):
        if mode in self._functions:
            return self._functions[mode]
        graph = get_default_graph()
        phase = K.learning_phase_placeholder()
        if mode == "predict":
            fetches = list(self.outputs)
            feeds = list(self._feed_inputs)
        else:
            if not self._compiled:
                raise RuntimeError("You must compile your model before using it.")
            feeds = self._feeds()
            fetches = [self.total_loss]
            if len(self._output_losses) > 1:
                fetches += self._output_losses
            for s, c in self._metric_tensors:
                fetches += [s] if c is None else [s, c]
            if mode == "train":
                with graph.name_scope("training"):
                    params = self._collected_trainable_weights = self.trainable_weights
                    with T.control_dependencies([self.total_loss]):
                        updates = self.optimizer.get_updates(loss=self.total_loss,
                                                             params=params)
                        updates = list(nest.flatten(updates)) + list(self.updates)
                        update_op = T.group(*updates) if updates else T.no_op()
                fetches = fetches + [update_op]
        session = K.get_session()
        feed_list = feeds + ([phase] if phase is not None else [])
        runner = session.make_callable(fetches, feed_list)
        value = 1 if mode == "train" else 0

        def run(arrays):
            args = list(arrays) + ([bool(value)] if phase is not None else [])
            out = runner(*args)
            return out[:-1] if mode == "train" else out
        self._functions[mode] = run
        return run

    # --- data ---------------------------------------------------------------------------------
    def _ensure_inputs(self, x):
        """Builds a subclassed model on the first data it sees (placeholders from x)."""
        if self.inputs:
            return
        arrays = x if isinstance(x, (list, tuple)) else [x]
        inputs = []
        for i, array in enumerate(arrays):
            array = np.asarray(array)
            dtype = "float32" if array.dtype.kind == "f" else array.dtype.name
            if array.dtype.kind == "f":
                dtype = "float32"
            inputs.append(T.placeholder(dtype, shape=(None,) + array.shape[1:],
                                        name=f"input_{i + 1}"))
        self._set_inputs(inputs if len(inputs) > 1 else inputs[0])

    def _set_inputs(self, inputs):
        flat = nest.flatten(inputs)
        with name_scope(self.name):  # the layers' weights: mlp/dense/kernel (as TF 1.15)
            outputs = self.call(inputs if len(flat) > 1 else flat[0])
        self.built = True
        self.inputs = flat
        self._feed_inputs = flat
        self.input_names = [f"input_{i + 1}" for i in range(len(flat))]
        self._feed_input_names = list(self.input_names)
        self._nested_outputs = outputs
        self.outputs = list(nest.flatten(outputs))
        self.output_names = [f"output_{i + 1}" for i in range(len(self.outputs))]
        if self._compiled:
            self._compile_graph()

    def _standardize(self, data, names, tensors, what):
        if data is None:
            return None
        if isinstance(data, dict):
            for key in data:
                if key not in names:
                    raise ValueError(f"No data provided for \"{key}\". Need data for each key "
                                     f"in: {names}")
            arrays = [data[n] for n in names]
        elif isinstance(data, (list, tuple)):
            # one input given as a plain list of numbers is one array (TF's
            # standardize_input_data), not one array per number
            one = len(names) == 1 and data and isinstance(data[0], (float, int))
            arrays = [np.asarray(data)] if one else list(data)
        else:
            arrays = [data]
        if len(arrays) != len(names):
            raise ValueError(f"Error when checking model {what}: the list of Numpy arrays that "
                             f"you are passing to your model is not the size the model "
                             f"expected. Expected to see {len(names)} array(s), but instead "
                             f"got the following list of {len(arrays)} arrays: "
                             f"{str(arrays)[:200]}...")
        out = []
        for name, tensor, array in zip(names, tensors, arrays):
            array = np.asarray(array)
            shape = TensorShape(tensor.shape)
            if array.ndim == 1 and shape.ndims is not None and shape.ndims > 1:
                array = np.expand_dims(array, 1)
            if shape.ndims is not None:
                expected = shape.as_list()
                if array.ndim != len(expected):
                    raise ValueError(f"Error when checking {what}: expected {name} to have "
                                     f"{len(expected)} dimensions, but got array with shape "
                                     f"{array.shape}")
                for dim, ref in zip(array.shape[1:], expected[1:]):
                    if ref is not None and dim != ref:
                        raise ValueError(f"Error when checking {what}: expected {name} to "
                                         f"have shape {tuple(expected[1:])} but got array "
                                         f"with shape {array.shape}")
            out.append(array.astype(tensor.dtype.as_numpy_dtype, copy=False))
        return out

    def _standardize_user_data(self, x, y=None, sample_weight=None, class_weight=None,
                               check_targets=True):
        self._ensure_inputs(x)
        xs = self._standardize(x, self._feed_input_names, self._feed_inputs, "input")
        if not check_targets:
            return xs, None, None
        if y is None:
            raise ValueError("You must provide target data (`y`) to train or evaluate.")
        outs = [o for o in self._outputs if o.loss is not None and o.fed]
        ys = self._standardize(y, [o.name for o in outs], [o.target for o in outs], "target")
        counts = {len(a) for a in xs + ys}
        if len(counts) > 1:
            raise ValueError(f"Input arrays should have the same number of samples as target "
                             f"arrays. Found {len(xs[0])} input samples and {len(ys[0])} "
                             f"target samples.")
        sws = []
        weights = sample_weight
        if weights is not None and not isinstance(weights, (list, tuple, dict)):
            weights = [weights]
        if isinstance(weights, dict):
            weights = [weights.get(o.name) for o in outs]
        for i, (out, target) in enumerate(zip(outs, ys)):
            given = None if weights is None else weights[i]
            cw = class_weight.get(out.name, class_weight) if isinstance(class_weight, dict) \
                and out.name in class_weight else class_weight
            sws.append(_sample_weights(target, given, cw, out.sample_weight_mode))
        return xs, ys, sws

    @staticmethod
    def _interleave(ys, sws):
        out = []
        for y, w in zip(ys, sws):
            out += [y, w]
        return out

    # --- one batch ------------------------------------------------------------------------------
    # Everything after the total loss is kept as TF 1.15 keeps its stateful metrics until a
    # reset (each epoch, each evaluate, after train/test_on_batch): the per-output losses as
    # means over batches, the compile metrics as (sum, count), Metric objects by their result.
    def _logs_from(self, values):
        self._metric_state = self._metric_totals(values[1:], self._metric_state)
        return [float(values[0])] + self._metric_results(self._metric_state)

    def _metric_totals(self, values, totals):
        """Adds a batch's fetches (after the total loss) to totals [sum, count, kind]."""
        if totals is None:
            totals = [[0., 0., "batch"] for _ in range(self._n_losses() - 1)]
            totals += [[0., 0., "sum"] if c is not None else [0., 0., "result"]
                       for _, c in self._metric_tensors]
        i = 0
        for entry in totals:
            if entry[2] == "result":
                entry[0] = values[i]
                i += 1
            elif entry[2] == "batch":
                entry[0] += float(np.float32(values[i]))
                entry[1] += 1.
                i += 1
            else:
                entry[0] += float(values[i])
                entry[1] += float(values[i + 1])
                i += 2
        return totals

    @staticmethod
    def _metric_results(totals):
        """Metric values as TF's float32 Mean metrics give them."""
        out = []
        for s, c, kind in totals or []:
            if kind == "result":
                out.append(float(np.float32(s)))
            else:
                out.append(float(np.float32(s) / np.float32(c)) if c else 0.)
        return out

    def _reset_metric_states(self):
        self._metric_state = None
        objects = getattr(self, "_stateful_metrics", [])
        if objects:
            K.batch_set_value([(v, np.zeros(v.shape.as_list(), v.dtype.as_numpy_dtype))
                               for m in objects for v in m.weights])

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       reset_metrics=True):
        """One gradient step on this batch; the loss (and metrics) before the step."""
        xs, ys, sws = self._standardize_user_data(x, y, sample_weight, class_weight)
        values = self._function("train")(xs + self._interleave(ys, sws))
        results = self._logs_from(values)
        if reset_metrics:
            self._reset_metric_states()
        return results[0] if len(results) == 1 else results

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True):
        xs, ys, sws = self._standardize_user_data(x, y, sample_weight)
        values = self._function("test")(xs + self._interleave(ys, sws))
        results = self._logs_from(values)
        if reset_metrics:
            self._reset_metric_states()
        return results[0] if len(results) == 1 else results

    def predict_on_batch(self, x):
        xs, _, _ = self._standardize_user_data(x, check_targets=False)
        outs = self._function("predict")(xs)
        return outs[0] if len(outs) == 1 else outs

    # --- loops --------------------------------------------------------------------------------
    def _accumulate(self, values, size, totals):
        """Adds a batch's fetched values: the total loss weighted by the batch size to totals
        [sum, samples], the rest to the model's metric state."""
        if not totals:
            totals.extend([0., 0.])
        totals[0] += float(values[0]) * size
        totals[1] += size
        self._metric_state = self._metric_totals(values[1:], self._metric_state)

    def _n_losses(self):
        return 1 + (len(self._output_losses) if len(self._output_losses) > 1 else 0)

    def _averages(self, totals):
        return [totals[0] / (totals[1] or 1.)] + self._metric_results(self._metric_state)

    def _batch_logs(self, values, totals):
        """Logs for a batch: its total loss and the running values of the rest."""
        logs = {"loss": float(values[0])}
        for name, value in zip(self.metrics_names[1:],
                               self._metric_results(self._metric_state)):
            logs[name] = value
        return logs

    def _batches(self, data, batch_size, steps, shuffle, what):
        """A function epoch -> iterator of (xs, ys, sws, size) for arrays, datasets, generators
        and Sequences, and the number of steps (None: until the data ends) and samples."""
        kind = data["kind"]
        if kind == "tensors":  # the model reads its own input and target tensors
            if steps is None:
                raise ValueError(f"When using data tensors as input to a model, you should "
                                 f"specify the `{what}` argument.")

            def epoch_iter(epoch):
                for _ in range(steps):
                    yield [], 1
            return epoch_iter, steps, None
        if kind == "arrays":
            arrays = data["arrays"]
            n = len(arrays[0])
            if steps is not None and batch_size is None:
                batch_size = int(math.ceil(n / steps)) if steps else n

            def epoch_iter(epoch):
                index = np.arange(n)
                if shuffle == "batch":
                    batches = np.array_split(index, range(batch_size, n, batch_size))
                    order = np.random.permutation(len(batches))
                    index = np.concatenate([batches[i] for i in order]) if n else index
                elif shuffle:
                    np.random.shuffle(index)
                for start in range(0, n, batch_size):
                    ids = index[start:start + batch_size]
                    if shuffle or shuffle == "batch":
                        yield [a[ids] for a in arrays], len(ids)
                    else:
                        yield [a[start:start + batch_size] for a in arrays], len(ids)
            return epoch_iter, int(math.ceil(n / batch_size)) if n else 0, n
        if kind == "dataset":
            get_next = data["next"]
            session = K.get_session()

            def epoch_iter(epoch):
                from tensorweave.core import errors
                taken = 0
                while steps is None or taken < steps:
                    try:
                        element = session.run(get_next)
                    except errors.OutOfRangeError:
                        if steps is not None:
                            data["reset"]()
                            element = session.run(get_next)
                        else:
                            data["reset"]()
                            return
                    taken += 1
                    yield data["convert"](element)
            return epoch_iter, steps, None
        # generators and Sequences
        source = data["source"]

        def epoch_iter(epoch):
            if _is_sequence(source):
                order = list(range(len(source)))
                if shuffle:
                    np.random.shuffle(order)
                count = steps if steps is not None else len(source)
                for i in range(count):
                    yield data["convert"](source[order[i % len(order)]])
                source.on_epoch_end()
            else:
                taken = 0
                while steps is None or taken < steps:
                    try:
                        item = next(source)
                    except StopIteration:
                        return
                    taken += 1
                    yield data["convert"](item)
        if steps is None and _is_sequence(source):
            steps = len(source)
        if steps is None:
            raise ValueError(f"`steps_per_epoch=None` is only valid for a generator based on "
                             f"the `keras.utils.Sequence` class. Please specify "
                             f"`{what}` or use the `keras.utils.Sequence` class.")
        return epoch_iter, steps, None

    def _fed_by_tensors(self):
        """True when every input is an Input(tensor=) and every target a target tensor."""
        return bool(self.inputs) and not self._feed_inputs and all(
            not o.fed for o in getattr(self, "_outputs", []) if o.loss is not None)

    def _prepare(self, x, y, sample_weight, class_weight, with_targets=True):
        """The data description `_batches` reads."""
        if x is None and y is None and self._fed_by_tensors():
            return {"kind": "tensors"}
        if _is_dataset(x):
            dataset = x
            iterator = dataset.make_initializable_iterator() if hasattr(
                dataset, "make_initializable_iterator") else dataset.make_one_shot_iterator()
            get_next = iterator.get_next()
            session = K.get_session()
            initializer = getattr(iterator, "initializer", None)
            if initializer is not None:
                session.run(initializer)

            def reset():
                if initializer is not None:
                    session.run(initializer)
            return {"kind": "dataset", "next": get_next, "reset": reset,
                    "convert": lambda e: self._convert_element(e, class_weight, with_targets)}
        if _is_iterator_like(x) or _is_sequence(x):
            return {"kind": "generator", "source": x,
                    "convert": lambda e: self._convert_element(e, class_weight, with_targets)}
        if with_targets:
            xs, ys, sws = self._standardize_user_data(x, y, sample_weight, class_weight)
            arrays = xs + self._interleave(ys, sws)
        else:
            xs, _, _ = self._standardize_user_data(x, check_targets=False)
            arrays = xs
        return {"kind": "arrays", "arrays": arrays}

    def _convert_element(self, element, class_weight, with_targets):
        if isinstance(element, tuple) and len(element) in (2, 3) and with_targets:
            x, y = element[0], element[1]
            sw = element[2] if len(element) == 3 else None
            xs, ys, sws = self._standardize_user_data(x, y, sw, class_weight)
            return xs + self._interleave(ys, sws), len(xs[0])
        if isinstance(element, tuple) and not with_targets and len(element) in (1, 2, 3):
            element = element[0]
        xs, _, _ = self._standardize_user_data(element, check_targets=False)
        return xs, len(xs[0])

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0., validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_freq=1, max_queue_size=10, workers=1, use_multiprocessing=False,
            **kwargs):
        """Trains for `epochs` epochs; returns the History callback."""
        if kwargs:
            if "nb_epoch" in kwargs:
                epochs = kwargs.pop("nb_epoch")
            if kwargs:
                raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
        if x is None and not self._fed_by_tensors():
            raise ValueError("Please provide as model inputs either a single array or a list "
                             "of arrays.")
        if batch_size is None and steps_per_epoch is None:
            batch_size = 32
        is_arrays = x is not None and not (_is_dataset(x) or _is_iterator_like(x) or
                                           _is_sequence(x))
        if is_arrays and validation_split and validation_data is None:
            if not 0. < validation_split < 1.:
                raise ValueError("validation_split must be in (0, 1)")
            self._ensure_inputs(x)
            xs, ys, sws = self._standardize_user_data(x, y, sample_weight, class_weight)
            split_at = int(len(xs[0]) * (1. - validation_split))
            train = {"kind": "arrays",
                     "arrays": [a[:split_at] for a in xs + self._interleave(ys, sws)]}
            val = {"kind": "arrays",
                   "arrays": [a[split_at:] for a in xs + self._interleave(ys, sws)]}
        else:
            train = self._prepare(x, y, sample_weight, class_weight)
            val = None
            if validation_data is not None:
                val = self._validation(validation_data)
        return self._fit_loop(train, val, batch_size, epochs, verbose, callbacks, shuffle,
                              initial_epoch, steps_per_epoch, validation_steps,
                              validation_freq)

    def _validation(self, validation_data):
        if _is_dataset(validation_data) or _is_iterator_like(validation_data) or \
                _is_sequence(validation_data):
            return self._prepare(validation_data, None, None, None)
        if isinstance(validation_data, (list, tuple)) and len(validation_data) in (2, 3):
            vx, vy = validation_data[0], validation_data[1]
            vsw = validation_data[2] if len(validation_data) == 3 else None
            return self._prepare(vx, vy, vsw, None)
        raise ValueError(f"When passing validation_data, it must contain 2 (x_val, y_val) or "
                         f"3 (x_val, y_val, val_sample_weights) items, however it contains "
                         f"{len(validation_data)} items")

    def _fit_loop(self, train, val, batch_size, epochs, verbose, callbacks, shuffle,
                  initial_epoch, steps_per_epoch, validation_steps, validation_freq,
                  what="steps_per_epoch"):
        cbks = _callbacks()
        train_fn = self._function("train")
        epoch_iter, steps, samples = self._batches(train, batch_size, steps_per_epoch, shuffle,
                                                   what)
        use_steps = train["kind"] != "arrays" or steps_per_epoch is not None
        self.history = cbks.History()
        callback_list = [cbks.BaseLogger(stateful_metrics=self.metrics_names[1:])] + \
            list(callbacks or []) + [self.history]
        progbar = cbks.ProgbarLogger("steps" if use_steps else "samples",
                                     stateful_metrics=self.metrics_names[1:])
        if verbose:
            callback_list.append(progbar)
        callback_list = cbks.CallbackList(callback_list)
        out_labels = list(self.metrics_names)
        val_labels = ["val_" + n for n in out_labels] if val is not None else []
        callback_list.set_model(self)
        params = {
            "batch_size": batch_size, "epochs": epochs, "steps": steps if use_steps else None,
            "samples": samples if not use_steps else None, "verbose": verbose,
            "do_validation": val is not None, "metrics": out_labels + val_labels}
        callback_list.set_params(params)
        self.stop_training = False
        if verbose and train["kind"] in ("arrays", "dataset"):
            unit = "samples" if train["kind"] == "arrays" else "steps"
            message = f"Train on {samples if unit == 'samples' else steps} {unit}"
            if val is not None:
                count = len(val["arrays"][0]) if val["kind"] == "arrays" else validation_steps
                if count:
                    message += f", validate on {count} {unit}"
            print(message)
        callback_list.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            self._reset_metric_states()
            callback_list.on_epoch_begin(epoch)
            totals = []
            epoch_logs = {}
            batch_index = -1
            for batch_index, (arrays, size) in enumerate(epoch_iter(epoch)):
                batch_logs = {"batch": batch_index, "size": size}
                callback_list.on_batch_begin(batch_index, batch_logs)
                values = train_fn(arrays)
                self._accumulate(values, size, totals)
                batch_logs.update(self._batch_logs(values, totals))
                callback_list.on_batch_end(batch_index, batch_logs)
                if self.stop_training:
                    break
            if steps is None and use_steps and train["kind"] == "dataset" and batch_index >= 0 \
                    and not self.stop_training:
                # the dataset ran out: now its length is known, as TF's fit loop learns it
                steps = params["steps"] = batch_index + 1
                if verbose:
                    progbar.target = progbar.progbar.target = steps
            if totals:
                for name, value in zip(out_labels, self._averages(totals)):
                    epoch_logs[name] = value
            if val is not None and (epoch + 1) % validation_freq == 0 \
                    if isinstance(validation_freq, int) else (epoch + 1) in validation_freq:
                results = self._test_loop(val, batch_size or 32, validation_steps,
                                          what="validation_steps")
                for name, value in zip(val_labels, results):
                    epoch_logs[name] = value
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callback_list.on_train_end()
        return self.history

    def _test_loop(self, data, batch_size, steps, verbose=0, callbacks=None, what="steps"):
        test_fn = self._function("test")
        epoch_iter, steps, samples = self._batches(data, batch_size, steps, False, what)
        self._reset_metric_states()
        totals = []
        progbar = None
        if verbose == 1:
            from tensorweave.keras.utils.generic_utils import Progbar
            progbar = Progbar(target=samples if data["kind"] == "arrays" and steps is None
                              or data["kind"] == "arrays" else steps,
                              stateful_metrics=self.metrics_names[1:],
                              unit_name="sample" if data["kind"] == "arrays" else "step")
        seen = 0
        for arrays, size in epoch_iter(0):
            values = test_fn(arrays)
            self._accumulate(values, size, totals)
            seen += size if data["kind"] == "arrays" else 1
            if progbar is not None:
                logs = self._batch_logs(values, totals)
                progbar.update(seen, [(n, logs[n]) for n in self.metrics_names])
        if not totals:
            raise ValueError("The evaluation data produced no batches.")
        return self._averages(totals)

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False):
        """The loss (and metrics) over the data: a scalar, or a list `metrics_names` labels."""
        if batch_size is None and steps is None:
            batch_size = 32
        data = self._prepare(x, y, sample_weight, None)
        results = self._test_loop(data, batch_size, steps, verbose, callbacks)
        return results[0] if len(results) == 1 else results

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        """The model's outputs for `x`, batch by batch, concatenated."""
        if batch_size is None and steps is None:
            batch_size = 32
        data = self._prepare(x, None, None, None, with_targets=False)
        predict_fn = self._function("predict")
        epoch_iter, steps, samples = self._batches(data, batch_size, steps, False, "steps")
        chunks = None
        for arrays, _ in epoch_iter(0):
            outs = predict_fn(arrays)
            if chunks is None:
                chunks = [[] for _ in outs]
            for chunk, out in zip(chunks, outs):
                chunk.append(out)
        if chunks is None:
            return []
        results = [np.concatenate(c) for c in chunks]
        return results[0] if len(results) == 1 else results

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1,
                      callbacks=None, validation_data=None, validation_steps=None,
                      validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """fit on a Python generator or keras.utils.Sequence yielding (x, y[, weights])."""
        train = {"kind": "generator", "source": generator,
                 "convert": lambda e: self._convert_element(e, class_weight, True)}
        val = None if validation_data is None else self._validation(validation_data)
        return self._fit_loop(train, val, None, epochs, verbose, callbacks, shuffle,
                              initial_epoch, steps_per_epoch, validation_steps,
                              validation_freq)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        data = {"kind": "generator", "source": generator,
                "convert": lambda e: self._convert_element(e, None, True)}
        results = self._test_loop(data, None, steps, verbose)
        return results[0] if len(results) == 1 else results

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        return self.predict(generator, steps=steps)

    def reset_metrics(self):
        """Zeroes the state of the stateful metrics given to compile (the others are summed
        per call)."""
        self._reset_metric_states()

    @property
    def metrics(self):
        return [fn for out in getattr(self, "_outputs", []) for _, fn, _ in out.metrics]

    def build(self, input_shape):
        """Builds a subclassed model for inputs of `input_shape` (batch axis included)."""
        if self._is_graph_network:
            self.built = True
            return
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        holders = [T.placeholder(K.floatx(), shape=tuple(TensorShape(s).as_list()),
                                 name=f"input_{i + 1}") for i, s in enumerate(shapes)]
        self._set_inputs(holders if len(holders) > 1 else holders[0])


def _is_metric_object(fn):
    return hasattr(fn, "update_state") and hasattr(fn, "result") and \
        hasattr(fn, "reset_states")


def _expand_to(weights, ndim):
    if ndim is None or ndim == 0:
        return T.reduce_mean(weights) if ndim == 0 else weights
    w_ndim = TensorShape(weights.shape).ndims
    while w_ndim is not None and w_ndim < ndim:
        weights = T.expand_dims(weights, -1)
        w_ndim += 1
    return weights


def _keras_divide(total, count):
    return total / count


def _sample_weights(target, given, class_weight, mode):
    n = len(target)
    if given is not None:
        weights = np.asarray(given, dtype="float32")
        if mode != "temporal" and weights.ndim != 1:
            raise ValueError(f"Found a sample_weight array with shape {weights.shape}. In "
                             f"order to use timestep-wise sample weights, you should specify "
                             f"sample_weight_mode=\"temporal\" in compile(). If you just mean "
                             f"to use sample-wise weights, make sure your sample_weight array "
                             f"is 1D.")
        if len(weights) != n:
            raise ValueError(f"Found a sample_weight array with shape {weights.shape} for an "
                             f"input with shape {target.shape}. sample_weight cannot be "
                             f"broadcast.")
        return weights
    if class_weight:
        if target.ndim == 2 and target.shape[1] > 1:
            classes = np.argmax(target, axis=1)
        elif target.ndim == 2 and target.shape[1] == 1:
            classes = np.reshape(target, (-1,))
        else:
            classes = target
        weights = np.asarray([class_weight.get(int(c), 1.) for c in classes], dtype="float32")
        return weights
    if mode == "temporal":
        return np.ones(target.shape[:2], dtype="float32")
    return np.ones((n,), dtype="float32")
