"""TF's module path `tensorflow.contrib.slim.python.slim` (its `learning` and `evaluation`
modules are slim.learning and slim.evaluation)."""
