"""TensorFlow's python/tools that programs import (`from tensorflow.python.tools import
inspect_checkpoint`)."""
