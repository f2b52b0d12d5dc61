"""TF's module path `tensorflow.contrib.layers.python`."""
