"""TF's module path `tensorflow.contrib.framework.python.framework.checkpoint_utils`:
this old path is `tensorweave.train.checkpoint_utils` itself (list_variables, load_variable,
load_checkpoint, init_from_checkpoint)."""
import sys

from tensorweave.train import checkpoint_utils as _moved

sys.modules[__name__] = _moved
