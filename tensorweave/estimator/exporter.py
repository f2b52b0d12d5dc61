"""Exporters: what train_and_evaluate's EvalSpec(exporters=...) does after each evaluation,
writing SavedModels under <model_dir>/export/<exporter name>/<timestamp>.

    exporter = tf.estimator.BestExporter(serving_input_receiver_fn=receiver_fn,
                                         exports_to_keep=2)
    eval_spec = tf.estimator.EvalSpec(input_fn, exporters=exporter)
"""
import glob
import os
import shutil

from tensorweave.core.graph import GraphKeys
from tensorweave.platform import tf_logging as logging


class Exporter:
    """The interface: a `name` (its export directory) and export(estimator, export_path,
    checkpoint_path, eval_result, is_the_final_export), returning the export's path or None."""

    @property
    def name(self):
        raise NotImplementedError

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        raise NotImplementedError


class _SavedModelExporter(Exporter):
    def __init__(self, name, serving_input_receiver_fn, assets_extra=None, as_text=False):
        self._name = name
        self._serving_input_receiver_fn = serving_input_receiver_fn
        self._assets_extra = assets_extra
        self._as_text = as_text

    @property
    def name(self):
        return self._name

    def _save(self, estimator, export_path, checkpoint_path):
        return estimator.export_saved_model(export_path, self._serving_input_receiver_fn,
                                            assets_extra=self._assets_extra,
                                            as_text=self._as_text,
                                            checkpoint_path=checkpoint_path)


def _check_keep(exports_to_keep):
    if exports_to_keep is not None and exports_to_keep <= 0:
        raise ValueError("`exports_to_keep`, if provided, must be a positive number. Got "
                         f"{exports_to_keep}")
    return exports_to_keep


def garbage_collect_exports(export_path, exports_to_keep):
    """Deletes all but the newest `exports_to_keep` timestamped exports under export_path
    (None keeps all); also contrib.learn's saved_model_export_utils.garbage_collect_exports."""
    export_path = os.fsdecode(export_path)  # contrib.learn's Experiment passes bytes
    if exports_to_keep is None or not os.path.isdir(export_path):
        return
    stamps = sorted(int(d) for d in os.listdir(export_path) if d.isdigit() and
                    os.path.isdir(os.path.join(export_path, d)))
    for stamp in stamps[:-exports_to_keep]:
        path = os.path.join(export_path, str(stamp))
        logging.info("Deleting export: %s", path)
        shutil.rmtree(path, ignore_errors=True)


class FinalExporter(_SavedModelExporter):
    """Exports once, after the final evaluation of train_and_evaluate."""

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        if not is_the_final_export:
            return None
        logging.info("Performing the final export in the end of training.")
        return self._save(estimator, export_path, checkpoint_path)


class LatestExporter(_SavedModelExporter):
    """Exports after every evaluation, keeping the newest `exports_to_keep` exports."""

    def __init__(self, name, serving_input_receiver_fn, assets_extra=None, as_text=False,
                 exports_to_keep=5):
        super().__init__(name, serving_input_receiver_fn, assets_extra, as_text)
        self._exports_to_keep = _check_keep(exports_to_keep)

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        path = self._save(estimator, export_path, checkpoint_path)
        garbage_collect_exports(export_path, self._exports_to_keep)
        return path


def _loss_smaller(best_eval_result, current_eval_result):
    """TF's default compare_fn: True when the current evaluation's 'loss' is smaller."""
    key = "loss"
    if not best_eval_result or key not in best_eval_result:
        raise ValueError("best_eval_result cannot be empty or no loss is found in it.")
    if not current_eval_result or key not in current_eval_result:
        raise ValueError("current_eval_result cannot be empty or no loss is found in it.")
    return best_eval_result[key] > current_eval_result[key]


def _check_compare_fn(compare_fn):
    import inspect
    if not callable(compare_fn):
        raise ValueError("`compare_fn` must be callable.")
    names = set(inspect.signature(compare_fn).parameters)
    if "best_eval_result" not in names:
        raise ValueError(f"compare_fn ({compare_fn}) must include best_eval_result argument.")
    if "current_eval_result" not in names:
        raise ValueError(f"compare_fn ({compare_fn}) must include current_eval_result "
                         f"argument.")
    extra = names - {"best_eval_result", "current_eval_result"}
    if extra:
        raise ValueError(f"compare_fn ({compare_fn}) has following not expected args: "
                         f"{sorted(extra)}")


class BestExporter(_SavedModelExporter):
    """Exports when an evaluation beats the best so far by `compare_fn` (smaller loss by
    default); the best so far starts from the eval summaries matching event_file_pattern
    under model_dir, so restarts keep it."""

    def __init__(self, name="best_exporter", serving_input_receiver_fn=None,
                 event_file_pattern="eval/*.tfevents.*", compare_fn=_loss_smaller,
                 assets_extra=None, as_text=False, exports_to_keep=5):
        if not serving_input_receiver_fn:
            raise ValueError("`serving_input_receiver_fn` must be specified.")
        _check_compare_fn(compare_fn)
        super().__init__(name, serving_input_receiver_fn, assets_extra, as_text)
        self._compare_fn = compare_fn
        self._event_file_pattern = event_file_pattern
        self._model_dir = None
        self._best_eval_result = None
        self._exports_to_keep = _check_keep(exports_to_keep)

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        path = None
        if self._model_dir != estimator.model_dir and self._event_file_pattern:
            logging.info("Loading best metric from event files.")
            self._model_dir = estimator.model_dir
            pattern = os.path.join(self._model_dir, self._event_file_pattern)
            self._best_eval_result = self._best_in_event_files(pattern)
        if self._best_eval_result is None or self._compare_fn(
                best_eval_result=self._best_eval_result, current_eval_result=eval_result):
            logging.info("Performing best model export.")
            path = self._save(estimator, export_path, checkpoint_path)
            garbage_collect_exports(export_path, self._exports_to_keep)
            self._best_eval_result = eval_result
        return path

    def _best_in_event_files(self, pattern):
        """The best evaluation written to the event files matching `pattern` (scalars by
        tag and step), or None."""
        from tensorweave.summary.summary_iterator import summary_iterator
        best = None
        for path in glob.glob(pattern):
            for event in summary_iterator(path):
                if not event.HasField("summary"):
                    continue
                result = {GraphKeys.GLOBAL_STEP: event.step}
                for value in event.summary.value:
                    if value.HasField("simple_value"):
                        result[value.tag] = value.simple_value
                if len(result) > 1 and (best is None or self._compare_fn(
                        best_eval_result=best, current_eval_result=result)):
                    best = result
        return best
