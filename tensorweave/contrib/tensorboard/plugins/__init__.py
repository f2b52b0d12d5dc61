"""tf.contrib.tensorboard.plugins: the projector plugin's configuration."""
from tensorweave.contrib.tensorboard.plugins import projector  # noqa: F401
