"""TF's module path `tensorflow.contrib.slim.python.slim.summaries`:
this old path is `tensorweave.contrib.slim.summaries` itself."""
import sys

from tensorweave.contrib.slim import summaries as _moved

sys.modules[__name__] = _moved
