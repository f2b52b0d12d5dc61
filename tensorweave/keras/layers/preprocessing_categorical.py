"""Categorical preprocessing layers of TF 2.15's Keras, in graph mode: CategoryEncoding (ids to
one-hot, multi-hot or count vectors), Discretization (values to bin ids, bins given or learned by
`adapt`) and Hashing (values to hash bins, as tf.strings.to_hash_bucket_fast/_strong give them).

    ids = tf.keras.layers.Hashing(num_bins=8)(strings)          # int64 bins
    hot = tf.keras.layers.CategoryEncoding(8, "multi_hot")(ids)  # float32 [batch, 8]

`sparse=True` (a SparseTensor output) is not supported: tensorweave's Keras tensors are dense.
"""
import numpy as np

from tensorweave.core import errors
from tensorweave.keras import backend as K
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.ops import check_ops, string_ops
from tensorweave.ops import feature_column as fc_ops

INT, ONE_HOT, MULTI_HOT, COUNT = "int", "one_hot", "multi_hot", "count"


def _check_mode(mode, allowed, layer_name):
    if mode not in allowed:
        raise ValueError(f"Unknown value for `output_mode`. Allowed values are: {allowed}. "
                         f"Received: {mode}")


def _check_sparse(sparse, output_mode):
    if sparse and output_mode == INT:
        raise ValueError("`sparse` may only be true if `output_mode` is `\"one_hot\"`, "
                         "`\"multi_hot\"`, or `\"count\"`. Received: sparse=True and "
                         f"output_mode={output_mode}")
    if sparse:
        raise NotImplementedError("sparse=True (SparseTensor outputs) is not supported by "
                                  "tensorweave's Keras preprocessing layers")


def _int_dtype(output_mode, kwargs):
    """The layer dtype TF picks: int64 for integer outputs, floatx otherwise."""
    dtype = kwargs.get("dtype")
    if dtype is None:
        kwargs["dtype"] = "int64" if output_mode == INT else K.floatx()
    elif output_mode == INT and not T.dtypes.as_dtype(dtype).is_integer:
        kwargs["dtype"] = "int64"
    return kwargs


def encode_categorical(ids, output_mode, depth, dtype, count_weights=None):
    """Integer ids as TF's Keras encodes them: cast ids ('int'), or per example vectors of
    `depth` (one_hot, multi_hot, count; ids out of [0, depth) count nowhere)."""
    if output_mode == INT:
        return T.identity(T.cast(ids, dtype))
    shape = ids.shape
    if shape.ndims == 0:
        ids = T.expand_dims(ids, -1)
    if output_mode == ONE_HOT and ids.shape.as_list()[-1] != 1:
        ids = T.expand_dims(ids, -1)
    if ids.shape.ndims > 2:
        raise ValueError(f"When output_mode is not `'int'`, maximum supported output rank is "
                         f"2. Received output_mode {output_mode} and input shape {shape}, "
                         f"which would result in output rank {ids.shape.ndims}.")
    hot = T.one_hot(T.cast(ids, "int64"), depth, dtype=dtype)
    if count_weights is not None:
        hot = T.multiply(hot, T.expand_dims(T.cast(count_weights, dtype), -1))
    axis = ids.shape.ndims - 1
    if output_mode == COUNT:
        return T.reduce_sum(hot, axis=axis)
    return T.reduce_max(hot, axis=axis)


def _encoded_shape(input_shape, output_mode, depth):
    shape = list(T.TensorShape(input_shape).as_list())
    if output_mode == INT:
        return T.TensorShape(shape)
    if not shape:
        return T.TensorShape([depth])
    if output_mode == ONE_HOT and shape[-1] != 1:
        return T.TensorShape(shape + [depth])
    return T.TensorShape(shape[:-1] + [depth])


# --- CategoryEncoding -----------------------------------------------------------------------------
class CategoryEncoding(Layer):
    """Integer ids in [0, num_tokens) to one_hot, multi_hot (default) or count vectors."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        if "max_tokens" in kwargs:
            num_tokens = kwargs.pop("max_tokens")
        kwargs.setdefault("dtype", K.floatx())
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = MULTI_HOT
        _check_mode(output_mode, (COUNT, ONE_HOT, MULTI_HOT), "CategoryEncoding")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens "
                             "is not known beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        _check_sparse(sparse, output_mode)
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def compute_output_shape(self, input_shape):
        return _encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def call(self, inputs, count_weights=None):
        inputs = T.convert_to_tensor(inputs)
        if count_weights is not None and self.output_mode != COUNT:
            raise ValueError("`count_weights` is not used when `output_mode` is not "
                             f"`'count'`. Received `count_weights={count_weights}`.")
        depth = self.num_tokens
        in_range = T.logical_and(
            T.greater(T.cast(depth, inputs.dtype), T.reduce_max(inputs)),
            T.greater_equal(T.reduce_min(inputs), T.cast(0, inputs.dtype)))
        check = check_ops.Assert(in_range, [
            f"Input values must be in the range 0 <= values < num_tokens with "
            f"num_tokens={depth}"])
        with T.control_dependencies([check]):
            return encode_categorical(inputs, self.output_mode, depth, self.dtype,
                                      count_weights)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": self.sparse}


# --- Discretization -------------------------------------------------------------------------------
def _summarize(values, epsilon):
    """A (2, n) summary of sorted values: every `step`-th value with weight `step`."""
    values = np.sort(values.reshape(-1).astype(np.float32))
    increment = int(np.float32(values.size) / np.float32(1.0 / epsilon))
    step = max(increment, 1)
    kept = values[increment::step]
    return np.stack([kept, np.full(kept.shape, np.float32(step), np.float32)])


def _compress(summary, epsilon):
    """Interpolated values at every `epsilon` fraction of the cumulative weight."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    bins = np.interp(percents, fractions, summary[0])
    cumulative = np.interp(percents, fractions, cumulative)
    weights = cumulative - np.concatenate(([0.], cumulative[:-1]))
    return np.stack((bins, weights)).astype(np.float32)


def _merge(new, old, epsilon):
    merged = np.concatenate((new, old), axis=1)
    merged = merged[:, np.argsort(merged[0], kind="stable")]
    return _compress(merged, epsilon)


def _batches(data, batch_size, steps):
    """NumPy batches of an array (32 rows at a time unless told) or of a dataset."""
    if hasattr(data, "make_one_shot_iterator"):
        if batch_size is not None:
            raise ValueError("The `batch_size` argument must not be specified for the given "
                             "input type.")
        next_batch = data.make_one_shot_iterator().get_next()
        session, taken = K.get_session(), 0
        while steps is None or taken < steps:
            try:
                yield np.asarray(session.run(next_batch))
            except errors.OutOfRangeError:
                return
            taken += 1
        return
    if steps is not None:
        raise ValueError("The `steps` argument is not supported with array inputs.")
    if hasattr(data, "op"):
        data = K.get_session().run(data)
    data = np.asarray(data)
    size = batch_size or 32
    for start in range(0, max(len(data), 1), size):
        yield data[start:start + size]


class Discretization(Layer):
    """Values to the index of their bin: bins (-inf, b0), [b0, b1), ..., [bn, inf) from
    `bin_boundaries`, or `num_bins` quantile bins learned by `adapt`."""

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, **kwargs):
        if "bins" in kwargs:
            bins = kwargs.pop("bins")
            if isinstance(bins, int) and num_bins is None:
                num_bins = bins
            elif bin_boundaries is None:
                bin_boundaries = bins
        super().__init__(**_int_dtype(output_mode, kwargs))
        if output_mode == INT and not T.dtypes.as_dtype(self.dtype).is_integer:
            raise ValueError(f"When `output_mode='int'`, `dtype` should be an integer type. "
                             f"Received: dtype={kwargs['dtype']}")
        _check_mode(output_mode, (INT, ONE_HOT, MULTI_HOT, COUNT), "Discretization")
        _check_sparse(sparse, output_mode)
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. You passed "
                             f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Both `num_bins` and `bin_boundaries` should not be set. You "
                             f"passed `num_bins={num_bins}` and "
                             f"`bin_boundaries={bin_boundaries}`")
        if bin_boundaries is not None:
            bin_boundaries = np.asarray(bin_boundaries).tolist()
        self.input_bin_boundaries = bin_boundaries
        self.bin_boundaries = bin_boundaries if bin_boundaries is not None else []
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None

    def adapt(self, data, batch_size=None, steps=None):
        """Learns `num_bins` quantile bins of `data` (an array or a dataset) as TF 2's Keras
        does: each batch summarized, merged and compressed to `epsilon`. (TF 1.x graph-mode
        Keras refuses adapt; this gives TF 2's boundaries.)"""
        if self.input_bin_boundaries is not None:
            raise ValueError(f"Cannot adapt a Discretization layer that has been initialized "
                             f"with `bin_boundaries`, use `num_bins` instead. You passed "
                             f"`bin_boundaries={self.input_bin_boundaries}`.")
        summary = np.zeros((2, 0), np.float32)
        for batch in _batches(data, batch_size, steps):
            summary = _merge(_summarize(np.asarray(batch, np.float32), self.epsilon), summary,
                             self.epsilon)
        self.summary = summary
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self):
        if self.input_bin_boundaries is None:
            self.summary = None
            self.bin_boundaries = []

    def compute_output_shape(self, input_shape):
        return _encoded_shape(input_shape, self.output_mode, len(self.bin_boundaries) + 1)

    def call(self, inputs):
        ids = fc_ops.bucketize(inputs, self.bin_boundaries)
        return encode_categorical(ids, self.output_mode, len(self.bin_boundaries) + 1,
                                  self.dtype)

    def get_config(self):
        # An adapted layer records its learned boundaries, so that it saves and loads.
        learned = self.input_bin_boundaries is None and self.summary is not None
        return {**super().get_config(),
                "bin_boundaries": list(self.bin_boundaries) if learned
                else self.input_bin_boundaries,
                "num_bins": None if learned else self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse}


# --- Hashing --------------------------------------------------------------------------------------
class Hashing(Layer):
    """Strings or integers to bins in [0, num_bins): FarmHash fingerprint64 modulo num_bins
    (to_hash_bucket_fast), or keyed SipHash with `salt` (to_hash_bucket_strong); with
    `mask_value` that value goes to bin 0 and the others to 1..num_bins-1."""

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        super().__init__(**_int_dtype(output_mode, kwargs))
        if output_mode == INT and not T.dtypes.as_dtype(self.dtype).is_integer:
            raise ValueError(f"When `output_mode=\"int\"`, `dtype` should be an integer type. "
                             f"Received: dtype={kwargs['dtype']}")
        _check_mode(output_mode, (INT, ONE_HOT, MULTI_HOT, COUNT), "Hashing")
        _check_sparse(sparse, output_mode)
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = list(salt)
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError(f"The `salt` argument for `Hashing` can only be a tuple of "
                                 f"size 2 integers, or a single integer. Received: "
                                 f"salt={salt}.")

    def hash_to_bins(self, values):
        """The int64 bin of every value of `values`."""
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = T.equal(values, T.cast(T.constant(self.mask_value), values.dtype)) \
                if values.dtype.is_integer else T.equal(values, self.mask_value)
        if values.dtype.is_integer:
            values = string_ops.as_string(values)
        if self.strong_hash:
            ids = string_ops.string_to_hash_bucket_strong(values, bins, self.salt, name="hash")
        else:
            ids = string_ops.string_to_hash_bucket_fast(values, bins, name="hash")
        if mask is not None:
            ids = T.add(ids, T.ones_like(ids))
            ids = T.where(mask, T.zeros_like(ids), ids)
        return ids

    def call(self, inputs):
        return encode_categorical(self.hash_to_bins(T.convert_to_tensor(inputs)),
                                  self.output_mode, self.num_bins, self.dtype)

    def compute_output_shape(self, input_shape):
        return _encoded_shape(input_shape, self.output_mode, self.num_bins)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}
