"""tf.keras.utils.legacy: the (de)serialization helpers under their legacy names."""
from tensorweave.keras.utils.generic_utils import (deserialize_keras_object,  # noqa: F401
                                                   serialize_keras_object)
