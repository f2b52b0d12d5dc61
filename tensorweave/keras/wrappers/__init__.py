"""tf.keras.wrappers: scikit-learn's estimator interface around Keras models."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "scikit_learn": "tensorweave.keras.wrappers.scikit_learn",
})
