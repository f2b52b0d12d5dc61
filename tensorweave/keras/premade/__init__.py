"""TF 2.15's premade Keras models: LinearModel and WideDeepModel (tf.keras.experimental)."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "LinearModel": "tensorweave.keras.premade.linear:LinearModel",
    "WideDeepModel": "tensorweave.keras.premade.wide_deep:WideDeepModel",
})
