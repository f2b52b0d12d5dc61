"""tf.contrib.tensor_forest: TF 1.15's extremely randomized forests (python/tensor_forest.py)."""
