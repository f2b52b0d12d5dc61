"""tf.contrib.stateless: TF 1.15's contrib names for the stateless random ops (the same
functions as tf.random.stateless_*: values a pure function of the seed)."""
from tensorweave.util import lazy

__all__ = ["stateless_random_uniform", "stateless_random_normal", "stateless_truncated_normal",
           "stateless_multinomial"]

__getattr__ = lazy.attributes(__name__, lazy.names_from("tensorweave.ops.random_distributions",
                                                        *__all__))
