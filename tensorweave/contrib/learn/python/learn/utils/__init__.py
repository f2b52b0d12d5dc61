"""TF's module path `tensorflow.contrib.learn.python.learn.utils`: its `inspect_checkpoint`,
`input_fn_utils` (InputFnOps, serving input_fns) and `saved_model_export_utils`
(make_export_strategy)."""
from tensorweave.contrib.learn.python.learn.utils import input_fn_utils  # noqa: F401
from tensorweave.contrib.learn.python.learn.utils import inspect_checkpoint  # noqa: F401
from tensorweave.contrib.learn.python.learn.utils import saved_model_export_utils  # noqa: F401
