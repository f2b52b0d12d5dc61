"""Dot-product (Luong) and additive (Bahdanau) attention over [query, value(, key)] inputs.

    query = tf.keras.Input((4, 8)); value = tf.keras.Input((6, 8))
    out = tf.keras.layers.Attention()([query, value])                 # (batch, 4, 8)
    out, scores = tf.keras.layers.AdditiveAttention()(
        [query, value], return_attention_scores=True)                 # scores (batch, 4, 6)
"""
import logging

from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.keras.layers.core import in_train_phase
from tensorweave.ops import math_ops

# What a masked-out score loses before the softmax (float32; Keras's own constant).
MASKED_SCORE_PENALTY = 1.0e9


def lower_triangular_mask(query_length, value_length):
    """A (query_length, value_length) bool mask: position i sees positions j <= i."""
    rows = T.expand_dims(T.range(query_length), 1)
    cols = T.expand_dims(T.range(value_length), 0)
    return T.greater_equal(rows, cols)


def _merge_masks(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return T.logical_and(a, b)


class BaseDenseAttention(Layer):
    """Shared by Attention and AdditiveAttention: subclasses give `_calculate_scores`; this
    class masks, normalizes (softmax over the value steps), drops out and weighs the values."""

    def __init__(self, dropout=0.0, **kwargs):
        if "causal" in kwargs:
            logging.getLogger("tensorweave").warning(
                "`causal` argument is deprecated. Please use `use_causal_mask` in call() "
                "method to specify causal masking.")
        self.causal = kwargs.pop("causal", False)
        super().__init__(**kwargs)
        self.dropout = dropout
        self.supports_masking = True

    def _calculate_scores(self, query, key):
        raise NotImplementedError

    def _apply_scores(self, scores, value, scores_mask=None, training=None):
        if scores_mask is not None:
            hidden = T.cast(math_ops.logical_not(scores_mask), scores.dtype)
            scores = T.subtract(scores, T.multiply(MASKED_SCORE_PENALTY, hidden))
        weights = T.nn_ops.softmax(scores)
        if self.dropout > 0:
            kept = weights
            weights = in_train_phase(lambda: T.nn_ops.dropout(kept, rate=self.dropout),
                                     kept, training)
        return T.matmul(weights, value), weights

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_call_args(inputs, mask)
        self.returns_scores = bool(return_attention_scores)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query=query, key=key)
        if value_mask is not None:
            value_mask = T.expand_dims(T.cast(value_mask, "bool"), -2)
        causal_mask = None
        if self.causal or use_causal_mask:
            shape = T.shape(scores)
            causal_mask = lower_triangular_mask(shape[-2], shape[-1])
        result, weights = self._apply_scores(scores, value,
                                             _merge_masks(value_mask, causal_mask), training)
        if query_mask is not None:
            result = T.multiply(result, T.cast(T.expand_dims(query_mask, -1), result.dtype))
        if return_attention_scores:
            return result, weights
        return result

    def compute_mask(self, inputs, mask=None):
        self._validate_call_args(inputs, mask)
        query_mask = T.convert_to_tensor(mask[0]) if mask and mask[0] is not None else None
        if getattr(self, "returns_scores", False) and query_mask is not None:
            return [query_mask, None]      # as Keras: the mask goes to the first output only
        return query_mask

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape[0])

    def _validate_call_args(self, inputs, mask):
        kind = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{kind} layer must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]. Received: {inputs}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f"{kind} layer accepts inputs list of length 2 or 3, namely "
                             f"[query, value] or [query, value, key]. Received length: "
                             f"{len(inputs)}.")
        if mask:
            if not isinstance(mask, list):
                raise ValueError(f"{kind} layer mask must be a list, namely "
                                 f"[query_mask, value_mask]. Received: {mask}.")
            if len(mask) < 2 or len(mask) > len(inputs):
                raise ValueError(f"{kind} layer mask must be a list of length 2, namely "
                                 f"[query_mask, value_mask]. Received length: {len(mask)}.")

    def get_config(self):
        return {**super().get_config(), "dropout": self.dropout}


class Attention(BaseDenseAttention):
    """Dot-product attention: scores = query . key (times `scale` when use_scale), or with
    score_mode="concat" the sum over features of tanh(query + key)."""

    def __init__(self, use_scale=False, score_mode="dot", **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        if score_mode not in ("dot", "concat"):
            raise ValueError(f'Received: score_mode={score_mode}. Acceptable values are: '
                             f'["dot", "concat"]')

    def build(self, input_shape):
        self.scale = self.add_weight("scale", shape=(), initializer="ones",
                                     dtype=self.dtype) if self.use_scale else None
        self.concat_score_weight = self.add_weight(
            "concat_score_weight", shape=(), initializer="ones",
            dtype=self.dtype) if self.score_mode == "concat" else None
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = T.matmul(query, key, transpose_b=True)
            return scores if self.scale is None else T.multiply(scores, self.scale)
        pairs = T.add(T.expand_dims(query, -2), T.expand_dims(key, -3))
        if self.scale is not None:
            pairs = T.multiply(self.scale, pairs)
        return T.multiply(self.concat_score_weight, T.reduce_sum(T.tanh(pairs), axis=-1))

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode}


class AdditiveAttention(BaseDenseAttention):
    """Additive attention: scores = sum over features of scale * tanh(query + key), `scale` a
    learned vector of the value's feature size (when use_scale)."""

    def __init__(self, use_scale=True, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale

    def build(self, input_shape):
        dim = TensorShape(input_shape[1]).as_list()[-1]
        self.scale = self.add_weight("scale", shape=[dim], initializer="glorot_uniform",
                                     dtype=self.dtype) if self.use_scale else None
        self.built = True

    def _calculate_scores(self, query, key):
        pairs = T.tanh(T.add(T.expand_dims(query, -2), T.expand_dims(key, -3)))
        if self.use_scale:
            pairs = T.multiply(self.scale, pairs)
        return T.reduce_sum(pairs, axis=-1)

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale}
