"""TF's module path `tensorflow.contrib.layers.python.layers`: the layers, initializers,
regularizers, optimizers and summaries of tf.contrib.layers (its modules are the same
modules under their old names)."""
from tensorweave.contrib.layers import *  # noqa: F401,F403
