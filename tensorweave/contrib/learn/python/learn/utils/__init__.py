"""TF's module path `tensorflow.contrib.learn.python.learn.utils`: its `inspect_checkpoint`,
`input_fn_utils` (InputFnOps, serving input_fns) and `saved_model_export_utils`
(make_export_strategy)."""
