"""tf.keras (TF 1.15's Keras in graph mode): modules and names load on first use.

    model = tf.keras.Sequential([tf.keras.layers.Dense(10, input_shape=(784,))])
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    # modules
    "activations": "tensorweave.keras.activations",
    "applications": "tensorweave.keras.applications",
    "backend": "tensorweave.keras.backend",
    "callbacks": "tensorweave.keras.callbacks",
    "constraints": "tensorweave.keras.constraints",
    "datasets": "tensorweave.keras.datasets",
    "estimator": "tensorweave.estimator.keras",
    "experimental": "tensorweave.keras.experimental",
    "initializers": "tensorweave.keras.initializers",
    "layers": "tensorweave.keras.layers",
    "losses": "tensorweave.keras.losses",
    "metrics": "tensorweave.keras.metrics",
    "models": "tensorweave.keras.models",
    "optimizers": "tensorweave.keras.optimizers",
    "preprocessing": "tensorweave.keras.preprocessing",
    "regularizers": "tensorweave.keras.regularizers",
    "saving": "tensorweave.keras.saving",
    "utils": "tensorweave.keras.utils",
    "wrappers": "tensorweave.keras.wrappers",
    # names
    "Input": "tensorweave.keras.engine.input_layer:Input",
    "Model": "tensorweave.keras.models:Model",
    "Sequential": "tensorweave.keras.models:Sequential",
})

__version__ = "2.2.4-tf"
