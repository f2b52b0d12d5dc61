"""tf.contrib.tensor_forest.python: the forest graph builder (tensor_forest.py)."""
