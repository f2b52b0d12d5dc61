"""TF's module path `tensorflow.contrib.learn.python.learn.estimators`."""
