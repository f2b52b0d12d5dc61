"""TF's module path `tensorflow.contrib.slim.python.slim.data`."""
