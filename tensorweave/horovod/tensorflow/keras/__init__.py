"""`import horovod.tensorflow.keras as hvd`: Horovod's Keras API for tf.keras, the same as
horovod.keras here (tensorweave has one Keras, tf.keras; see tensorweave.horovod.keras)."""
from tensorweave.horovod.keras import *  # noqa: F401,F403
from tensorweave.horovod.keras import __all__  # noqa: F401
from tensorweave.horovod.keras import allreduce_gradients, callbacks  # noqa: F401
