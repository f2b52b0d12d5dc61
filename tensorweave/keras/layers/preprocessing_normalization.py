"""Normalization: (inputs - mean) / sqrt(variance) per position of the kept axes, from given
values or learned by `adapt` (TF 2.15's Keras layer, in graph mode)."""
import numpy as np

from tensorweave.core import errors
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras import backend as K
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.variables import Variable


def _listify(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _batches_of(data, batch_size, steps):
    """NumPy batches from an array (batch_size rows at a time) or a dataset."""
    if hasattr(data, "make_one_shot_iterator") or hasattr(data, "make_initializable_iterator"):
        if batch_size is not None:
            raise ValueError("The `batch_size` argument must not be specified for the given "
                             "input type.")
        iterator = data.make_initializable_iterator() if hasattr(
            data, "make_initializable_iterator") else data.make_one_shot_iterator()
        get_next = iterator.get_next()
        session = K.get_session()
        if getattr(iterator, "initializer", None) is not None:
            session.run(iterator.initializer)
        taken = 0
        while steps is None or taken < steps:
            try:
                yield np.asarray(session.run(get_next))
            except errors.OutOfRangeError:
                return
            taken += 1
        return
    if steps is not None:
        raise ValueError("The `steps` argument is not supported with array inputs.")
    if isinstance(data, T.Variable) or hasattr(data, "op"):
        data = K.get_session().run(data)
    data = np.asarray(data)
    size = batch_size or 32
    if data.ndim == 0:
        yield data
        return
    for start in range(0, max(len(data), 1), size):
        yield data[start:start + size]


class Normalization(Layer):
    """Shifts and scales inputs to mean 0 and variance 1 along the kept `axis` (or back with
    invert=True)."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        if isinstance(mean, Variable):
            raise ValueError("Normalization does not support passing a Variable for the "
                             "`mean` init arg.")
        if isinstance(variance, Variable):
            raise ValueError("Normalization does not support passing a Variable for the "
                             "`variance` init arg.")
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             f"set. Got mean: {mean} and variance: {variance}")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert

    def _compute_dtype(self):
        return self.dtype or K.floatx()

    def build(self, input_shape):
        if isinstance(input_shape, (list, tuple)) and input_shape and all(
                isinstance(s, TensorShape) for s in input_shape):
            raise ValueError("Normalization only accepts a single input. If you are passing a "
                             "python list or tuple as a single input, please convert to a numpy "
                             "array or `tf.Tensor`.")
        shape = TensorShape(input_shape).as_list()
        ndim = len(shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("All `axis` values must be in the range [-ndim, ndim). "
                             f"Found ndim: `{ndim}`, axis: {self.axis}")
        self._keep_axis = sorted(d if d >= 0 else d + ndim for d in self.axis)
        for d in self._keep_axis:
            if shape[d] is None:
                raise ValueError("All `axis` values to be kept must have known shape. Got axis: "
                                 f"{self.axis}, input shape: {shape}, with unknown axis at "
                                 f"index: {d}")
        self._reduce_axis = [d for d in range(ndim) if d not in self._keep_axis]
        self._broadcast_shape = [shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        kept = tuple(shape[d] for d in self._keep_axis)
        if self._dtype is None:
            self._dtype = K.floatx()
        if self.input_mean is None:
            self.adapt_mean = self.add_weight("mean", shape=kept, dtype=self._compute_dtype(),
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight("variance", shape=kept,
                                                  dtype=self._compute_dtype(),
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight("count", shape=(), dtype="int64",
                                         initializer="zeros", trainable=False)
        else:
            ones = np.ones(kept)
            self._fixed_mean = (self.input_mean * ones).reshape(self._broadcast_shape)
            self._fixed_variance = (self.input_variance * ones).reshape(self._broadcast_shape)
        self.built = True

    # --- adapt ------------------------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Computes the mean and variance of `data` (a NumPy array or a dataset), batch by
        batch as Keras combines them, and stores them in the layer's weights."""
        if self.input_mean is not None:
            raise ValueError("Cannot `adapt` a Normalization layer that is initialized with "
                             f"static `mean` and `variance`, you passed mean {self.input_mean} "
                             f"and variance {self.input_variance}.")
        mean = variance = None   # the state restarts, as after Keras's reset_state
        count = 0
        dtype = np.dtype(self._compute_dtype())
        for batch in _batches_of(data, batch_size, steps):
            batch = np.asarray(batch).astype(dtype)
            if not self.built:
                if not hasattr(self, "_batch_input_shape"):
                    self._batch_input_shape = (None,) * batch.ndim
                shape = batch.shape if not hasattr(data, "make_one_shot_iterator") \
                    else (None,) + batch.shape[1:]
                with T.name_scope(self.name):
                    self.build(TensorShape(shape))
            reduce = tuple(self._reduce_axis)
            batch_mean = batch.mean(axis=reduce, dtype=np.float64) if reduce else \
                batch.astype(np.float64)
            batch_var = ((batch - batch_mean) ** 2).mean(axis=reduce, dtype=np.float64) \
                if reduce else np.zeros_like(batch_mean)
            batch_count = int(np.prod([batch.shape[d] for d in reduce])) if reduce else 1
            if mean is None:
                mean = np.zeros_like(batch_mean)
                variance = np.ones_like(batch_var)
            total = batch_count + count
            weight = batch_count / total
            total_mean = mean * (1.0 - weight) + batch_mean * weight
            variance = (variance + (mean - total_mean) ** 2) * (1.0 - weight) + \
                (batch_var + (batch_mean - total_mean) ** 2) * weight
            mean, count = total_mean, total
        if mean is None:
            return
        K.batch_set_value([(self.adapt_mean, mean.astype(dtype)),
                           (self.adapt_variance, variance.astype(dtype)),
                           (self.count, np.int64(count))])

    def reset_state(self):
        if self.input_mean is not None or not self.built:
            return
        K.batch_set_value([(self.adapt_mean, np.zeros(self.adapt_mean.shape.as_list())),
                           (self.adapt_variance, np.ones(self.adapt_variance.shape.as_list())),
                           (self.count, np.int64(0))])

    # --- calling ----------------------------------------------------------------------------------
    def _statistics(self):
        dtype = self._compute_dtype()
        if self.input_mean is not None:
            return (T.cast(T.constant(self._fixed_mean), dtype),
                    T.cast(T.constant(self._fixed_variance), dtype))
        mean = T.cast(T.reshape(self.adapt_mean, self._broadcast_shape), dtype)
        variance = T.cast(T.reshape(self.adapt_variance, self._broadcast_shape), dtype)
        return mean, variance

    def call(self, inputs):
        dtype = self._compute_dtype()
        inputs = T.convert_to_tensor(inputs)
        if inputs.dtype.base_dtype.name != dtype:
            inputs = T.cast(inputs, dtype)
        mean, variance = self._statistics()
        scale = T.maximum(T.sqrt(variance), K.epsilon())
        if self.invert:
            return mean + inputs * scale
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "invert": self.invert,
                       "mean": _listify(self.input_mean),
                       "variance": _listify(self.input_variance)})
        return config
