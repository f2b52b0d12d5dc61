"""TF's module path `tensorflow.contrib.framework.python.framework`."""
