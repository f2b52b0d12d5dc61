"""tf.keras.experimental as TF 1.15 has it: the premade models and the cosine schedules."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "LinearModel": "tensorweave.keras.premade.linear:LinearModel",
    "WideDeepModel": "tensorweave.keras.premade.wide_deep:WideDeepModel",
    **lazy.names_from("tensorweave.keras.optimizer_schedules", "CosineDecay",
                      "CosineDecayRestarts"),
})
