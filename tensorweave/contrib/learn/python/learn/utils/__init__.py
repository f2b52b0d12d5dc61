"""TF's module path `tensorflow.contrib.learn.python.learn.utils` (programs import its
`inspect_checkpoint`)."""
