"""tf.contrib.learn.ExportStrategy: a named export function an Experiment calls after its
evaluations, as TF 1.15's.

    strategy = ExportStrategy("serving", lambda estimator, export_path: ...)

export_fn(estimator, export_path) may also take `checkpoint_path`, `eval_result` (only
together with checkpoint_path) and `strip_default_attrs`; export passes those it takes.
"""
import collections

from tensorweave.estimator.estimator import fn_args

__all__ = ["ExportStrategy"]


class ExportStrategy(collections.namedtuple("ExportStrategy",
                                            ["name", "export_fn", "strip_default_attrs"])):
    """A name and export_fn(estimator, export_path, ...) returning what the export made."""

    def __new__(cls, name, export_fn, strip_default_attrs=None):
        return super().__new__(cls, name, export_fn, strip_default_attrs)

    def export(self, estimator, export_path, checkpoint_path=None, eval_result=None):
        """Calls export_fn with the arguments it accepts; returns its result."""
        args = fn_args(self.export_fn)
        kwargs = {}
        if "checkpoint_path" in args:
            kwargs["checkpoint_path"] = checkpoint_path
        if "eval_result" in args:
            if "checkpoint_path" not in args:
                raise ValueError("An export_fn accepting eval_result must also accept "
                                 "checkpoint_path.")
            kwargs["eval_result"] = eval_result
        if "strip_default_attrs" in args:
            kwargs["strip_default_attrs"] = self.strip_default_attrs
        return self.export_fn(estimator, export_path, **kwargs)
