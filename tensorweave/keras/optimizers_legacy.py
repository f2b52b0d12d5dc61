"""tf.keras.optimizers.legacy: the OptimizerV2 classes under their legacy names."""
from tensorweave.keras.optimizers import (SGD, Adadelta, Adagrad, Adam, Adamax,  # noqa: F401
                                          Ftrl, Nadam, Optimizer, RMSprop)
