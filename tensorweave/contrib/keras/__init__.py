"""tf.contrib.keras: TF 1.x's alias of tf.keras's modules, kept for older programs.

    import tensorflow.contrib.keras as keras
    model = keras.models.Sequential([keras.layers.Dense(3, input_dim=13)])
"""
from tensorweave.util import lazy

__all__ = ["activations", "applications", "backend", "callbacks", "constraints", "datasets",
           "initializers", "layers", "losses", "metrics", "models", "optimizers",
           "preprocessing", "regularizers", "utils", "wrappers"]

__getattr__ = lazy.attributes(__name__, {name: f"tensorweave.keras.{name}" for name in __all__})
