"""MultiHeadAttention (Vaswani et al.): query, key and value projected per head by EinsumDense
sublayers named query, key, value; scaled dot-product attention per head over
`attention_axes`; the heads merged by the attention_output sublayer.

    q = tf.keras.Input((8, 16)); v = tf.keras.Input((4, 16))
    out, scores = tf.keras.layers.MultiHeadAttention(num_heads=2, key_dim=2)(
        q, v, return_attention_scores=True)       # (batch, 8, 16), (batch, 2, 8, 4)

Keras tensors given as value, key or attention_mask are packed with the query into one list of
layer inputs, so functional models record, re-run and save them.
"""
import logging
import math
import string

from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras.engine import resolve, session as K
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.keras.layers.attention import MASKED_SCORE_PENALTY, lower_triangular_mask
from tensorweave.keras.layers.core import in_train_phase
from tensorweave.keras.layers.einsum_dense import EinsumDense
from tensorweave.ops import math_ops
from tensorweave.ops.linalg.einsum import einsum

_LETTERS = string.ascii_lowercase


def projection_equation(free_dims, bound_dims, output_dims):
    """(equation, bias axes, output rank) of a projection keeping `free_dims` leading input
    axes, contracting the next `bound_dims` with the kernel and adding `output_dims` axes."""
    free = _LETTERS[:free_dims]
    bound = _LETTERS[free_dims:free_dims + bound_dims]
    new = _LETTERS[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{new}->{free}{new}", new, free_dims + output_dims


def attention_equations(rank, attention_axes):
    """(key-query product equation, scores-value combine equation, scores rank) for projected
    tensors of `rank` axes (batch..., heads, features) attending over `attention_axes`."""
    target = _LETTERS[:rank]
    batch_axes = [i for i in range(rank) if i not in attention_axes and i != rank - 1]
    source, spare = "", rank
    for i in range(rank):
        if i in batch_axes or i == rank - 1:
            source += target[i]
        else:
            source += _LETTERS[spare]
            spare += 1
    product = "".join([target[i] for i in batch_axes] + [target[i] for i in attention_axes] +
                      [source[i] for i in attention_axes])
    return (f"{source},{target}->{product}", f"{product},{source}->{target}", len(product))


def _shape_or_none(shape):
    if shape is None:
        return None
    shape = TensorShape(shape)
    return None if shape.ndims is None else shape.as_list()


class MultiHeadAttention(Layer):
    """Multi-head attention; call(query, value, key=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)."""

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self.dropout = dropout
        self.use_bias = use_bias
        self.output_shape_option = output_shape
        self.kernel_initializer = resolve.initializer(kernel_initializer)
        self.bias_initializer = resolve.initializer(bias_initializer)
        self.kernel_regularizer = resolve.regularizer(kernel_regularizer) \
            if kernel_regularizer is not None else None
        self.bias_regularizer = resolve.regularizer(bias_regularizer) \
            if bias_regularizer is not None else None
        self.kernel_constraint = resolve.constraint(kernel_constraint) \
            if kernel_constraint is not None else None
        self.bias_constraint = resolve.constraint(bias_constraint) \
            if bias_constraint is not None else None
        if attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            attention_axes = (attention_axes,)
        self.attention_axes = attention_axes
        self.built_from_signature = False
        self.query_shape = self.key_shape = self.value_shape = None

    # --- inputs ---------------------------------------------------------------------------
    def __call__(self, query, value=None, key=None, attention_mask=None, **kwargs):
        if value is None and isinstance(query, (list, tuple)):
            inputs = list(query)            # the packed form (a saved model's config replays it)
        else:
            if value is None:
                raise TypeError("MultiHeadAttention.call() missing 1 required positional "
                                "argument: 'value'")
            inputs = [query, value] + ([] if key is None else [key])
            if attention_mask is not None:
                if hasattr(attention_mask, "graph") and K.is_keras_tensor(attention_mask):
                    inputs = inputs + ([value] if key is None else []) + [attention_mask]
                else:
                    kwargs["attention_mask"] = attention_mask
        return super().__call__(inputs, **kwargs)

    @staticmethod
    def _unpack(inputs, attention_mask):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        if len(inputs) > 3:
            attention_mask = inputs[3]
        return query, value, key, attention_mask

    # --- building ---------------------------------------------------------------------------
    def _sublayer_options(self):
        def fresh(kind, obj):
            return None if obj is None else getattr(resolve, kind)(
                resolve.serialize(kind + "s", obj))
        return {"kernel_initializer": fresh("initializer", self.kernel_initializer),
                "bias_initializer": fresh("initializer", self.bias_initializer),
                "kernel_regularizer": self.kernel_regularizer,
                "bias_regularizer": self.bias_regularizer,
                "activity_regularizer": self.activity_regularizer,
                "kernel_constraint": self.kernel_constraint,
                "bias_constraint": self.bias_constraint, "dtype": self.dtype}

    def _projection(self, name, input_rank, bound_dims, last_dims):
        equation, bias_axes, rank = projection_equation(input_rank - 1, bound_dims,
                                                        len(last_dims))
        output_shape = [None] * (rank - 1 - len(last_dims)) + list(last_dims)
        return EinsumDense(equation, output_shape=output_shape,
                           bias_axes=bias_axes if self.use_bias else None, name=name,
                           **self._sublayer_options())

    def build_from_signature(self, query, value, key=None):
        """Makes the sublayers for inputs of these shapes (tensors or shapes)."""
        self.built_from_signature = True
        self.query_shape = TensorShape(getattr(query, "shape", query))
        self.value_shape = TensorShape(getattr(value, "shape", value))
        self.key_shape = self.value_shape if key is None else TensorShape(
            getattr(key, "shape", key))
        heads = self.num_heads
        self.query_dense = self._projection("query", self.query_shape.ndims, 1,
                                            [heads, self.key_dim])
        self.key_dense = self._projection("key", self.key_shape.ndims, 1,
                                          [heads, self.key_dim])
        self.value_dense = self._projection("value", self.value_shape.ndims, 1,
                                            [heads, self.value_dim])
        rank = self.value_shape.ndims + 1
        self.attention_axes = tuple(range(1, rank - 2)) if self.attention_axes is None \
            else tuple(self.attention_axes)
        self.dot_product_equation, self.combine_equation, scores_rank = attention_equations(
            rank, self.attention_axes)
        self.softmax_axes = tuple(range(scores_rank - len(self.attention_axes), scores_rank))
        if self.output_shape_option:
            last = self.output_shape_option
            last = list(last) if isinstance(last, (list, tuple)) else [last]
        else:
            last = [self.query_shape.as_list()[-1]]
        self.output_dense = self._projection("attention_output", self.query_shape.ndims, 2,
                                             last)

    def build(self, input_shape):
        if not self.built_from_signature:
            shapes = list(input_shape)
            self.build_from_signature(shapes[0], shapes[1],
                                      shapes[2] if len(shapes) > 2 else None)
        self.built = True

    # --- calling ------------------------------------------------------------------------------
    def _masked_softmax(self, scores, attention_mask):
        if attention_mask is not None:
            mask = T.cast(attention_mask, scores.dtype)
            axis = -len(self.attention_axes) * 2 - 1
            for _ in range(scores.shape.ndims - mask.shape.ndims):
                mask = T.expand_dims(mask, axis)
            scores = T.add(scores, T.multiply(T.subtract(1.0, mask), -MASKED_SCORE_PENALTY))
        if len(self.softmax_axes) == 1:
            return T.nn_ops.softmax(scores, axis=self.softmax_axes[0])
        shifted = T.subtract(scores, T.stop_gradient(
            T.reduce_max(scores, axis=list(self.softmax_axes), keepdims=True)))
        exps = T.exp(shifted)
        return math_ops.truediv(exps, T.reduce_sum(exps, axis=list(self.softmax_axes),
                                                   keepdims=True))

    def _attention_mask(self, query, value, key, masks, attention_mask, use_causal_mask):
        query_mask, value_mask, key_mask = (list(masks or []) + [None] * 3)[:3]
        if masks and len(masks) == 2:
            key_mask = value_mask
        auto = None
        if query_mask is not None:
            auto = T.expand_dims(T.cast(query_mask, "bool"), 2)
        for mask in (value_mask, key_mask):
            if mask is not None:
                mask = T.expand_dims(T.cast(mask, "bool"), 1)
                auto = mask if auto is None else T.logical_and(auto, mask)
        if use_causal_mask:
            causal = T.expand_dims(lower_triangular_mask(T.shape(query)[1],
                                                         T.shape(value)[1]), 0)
            auto = causal if auto is None else T.logical_and(auto, causal)
        if auto is not None:
            attention_mask = auto if attention_mask is None else T.logical_and(
                T.cast(attention_mask, "bool"), auto)
        return attention_mask

    def call(self, inputs, mask=None, attention_mask=None, return_attention_scores=False,
             training=None, use_causal_mask=False):
        query, value, key, attention_mask = self._unpack(inputs, attention_mask)
        self.returns_scores = bool(return_attention_scores)
        masks = None if mask is None else list(mask)[:3]
        attention_mask = self._attention_mask(query, value, key, masks, attention_mask,
                                              use_causal_mask)
        query = self.query_dense(query)
        key = self.key_dense(key)
        value = self.value_dense(value)
        query = T.multiply(query, 1.0 / math.sqrt(float(self.key_dim)))
        scores = einsum(self.dot_product_equation, key, query)
        scores = self._masked_softmax(scores, attention_mask)
        dropped = scores
        if self.dropout:
            dropped = in_train_phase(lambda: T.nn_ops.dropout(scores, rate=self.dropout),
                                     scores, training)
        output = einsum(self.combine_equation, dropped, value)
        output = self.output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

    def compute_mask(self, inputs, mask=None):
        query_mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        if getattr(self, "returns_scores", False) and query_mask is not None:
            return [query_mask, None]      # as Keras: the mask goes to the first output only
        return query_mask

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None and isinstance(query_shape, (list, tuple)) and \
                query_shape and not isinstance(query_shape[0], (int, type(None))):
            shapes = list(query_shape)
            query_shape, value_shape = shapes[0], shapes[1]
            key_shape = shapes[2] if len(shapes) > 2 else None
        query_shape = TensorShape(query_shape)
        value_shape = TensorShape(value_shape)
        key_shape = value_shape if key_shape is None else TensorShape(key_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(f"The last dimension of `query_shape` and `value_shape` must be "
                             f"equal, but are {query_shape[-1]}, {value_shape[-1]}. Received: "
                             f"query_shape={query_shape}, value_shape={value_shape}")
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"All dimensions of `value` and `key`, except the last one, must "
                             f"be equal. Received {value_shape} and {key_shape}")
        if self.output_shape_option:
            last = self.output_shape_option
            last = list(last) if isinstance(last, (list, tuple)) else [last]
            return query_shape[:-1].concatenate(last)
        return query_shape

    # --- config -------------------------------------------------------------------------------
    def get_config(self):
        config = {"num_heads": self.num_heads, "key_dim": self.key_dim,
                  "value_dim": self.value_dim, "dropout": self.dropout,
                  "use_bias": self.use_bias, "output_shape": self.output_shape_option,
                  "attention_axes": self.attention_axes,
                  "kernel_initializer": resolve.serialize("initializers",
                                                          self.kernel_initializer),
                  "bias_initializer": resolve.serialize("initializers", self.bias_initializer),
                  "kernel_regularizer": resolve.serialize("regularizers",
                                                          self.kernel_regularizer),
                  "bias_regularizer": resolve.serialize("regularizers", self.bias_regularizer),
                  "activity_regularizer": resolve.serialize("regularizers",
                                                            self.activity_regularizer),
                  "kernel_constraint": resolve.serialize("constraints", self.kernel_constraint),
                  "bias_constraint": resolve.serialize("constraints", self.bias_constraint),
                  "query_shape": _shape_or_none(self.query_shape),
                  "key_shape": _shape_or_none(self.key_shape),
                  "value_shape": _shape_or_none(self.value_shape)}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        query_shape = config.pop("query_shape", None)
        key_shape = config.pop("key_shape", None)
        value_shape = config.pop("value_shape", None)
        layer = cls(**config)
        if None in (query_shape, key_shape, value_shape):
            logging.getLogger("tensorweave").warning(
                "One of dimensions of the input shape is missing. It should have been "
                "memorized when the layer was serialized. %s is created without weights.", cls)
        else:
            layer.build_from_signature(query_shape, value_shape, key_shape)
        return layer
