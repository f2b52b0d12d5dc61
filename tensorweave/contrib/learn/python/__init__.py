"""TF's module path `tensorflow.contrib.learn.python` (programs import
`tensorflow.contrib.learn.python.learn.datasets.mnist`)."""
