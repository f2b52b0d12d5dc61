"""TF's module path `tensorflow.contrib.rnn.python.ops.core_rnn_cell`: the three wrappers TF 1.x
keeps there (`from ...core_rnn_cell import *` gives these)."""
from tensorweave.contrib.rnn.cells import (  # noqa: F401
    EmbeddingWrapper, InputProjectionWrapper, OutputProjectionWrapper)

__all__ = ["EmbeddingWrapper", "InputProjectionWrapper", "OutputProjectionWrapper"]
