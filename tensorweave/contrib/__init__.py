"""tf.contrib: the parts of TensorFlow 1.x's contrib namespace tensorweave provides.

Sub-packages load on first attribute access (`tf.contrib.rnn`, `tf.contrib.seq2seq`).
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    name: f"tensorweave.contrib.{name}" for name in ("rnn", "seq2seq")})
