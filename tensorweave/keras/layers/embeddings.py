"""Embedding: integer ids -> rows of `embeddings` (input_dim, output_dim)."""
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.keras.layers.base import config_of, options
from tensorweave.keras.engine import resolve


class Embedding(Layer):
    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        if "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,) if input_length else (None,)
        dtype = kwargs.pop("dtype", None) or "float32"
        super().__init__(dtype=dtype, activity_regularizer=resolve.regularizer(
            activity_regularizer) if activity_regularizer is not None else None, **kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        options(self, embeddings_initializer=embeddings_initializer,
                embeddings_regularizer=embeddings_regularizer,
                embeddings_constraint=embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.input_length = input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return T.not_equal(inputs, 0)

    def call(self, inputs):
        if inputs.dtype.base_dtype.name not in ("int32", "int64"):
            inputs = T.cast(inputs, "int32")
        return T.gather(self.embeddings, inputs)

    def compute_output_shape(self, input_shape):
        return TensorShape(TensorShape(input_shape).as_list() + [self.output_dim])

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                **config_of(self, "embeddings_initializer", "embeddings_regularizer"),
                "activity_regularizer": resolve.serialize("regularizers",
                                                          self.activity_regularizer),
                **config_of(self, "embeddings_constraint"), "mask_zero": self.mask_zero,
                "input_length": self.input_length}
