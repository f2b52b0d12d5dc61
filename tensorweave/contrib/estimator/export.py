"""tf.contrib.estimator's SavedModel export per mode: the TRAIN, EVAL and PREDICT graphs of an
Estimator, one or several in one SavedModel (Estimator.export_saved_model's experimental_mode
and experimental_export_all_saved_models).

    receiver = tf.estimator.export.build_raw_supervised_input_receiver_fn(features, labels)
    path = tf.contrib.estimator.export_all_saved_models(
        estimator, "/tmp/export", {tf.estimator.ModeKeys.TRAIN: receiver,
                                   tf.estimator.ModeKeys.PREDICT: serving_fn})

tf.contrib.estimator.SavedModelEstimator (estimator/saved_model_estimator.py) trains,
evaluates and predicts with such a SavedModel.
"""
from tensorweave.estimator.model_fn import ModeKeys


def export_saved_model_for_mode(estimator, export_dir_base, input_receiver_fn,
                                assets_extra=None, as_text=False, checkpoint_path=None,
                                mode=ModeKeys.PREDICT):
    """Exports the graph of one mode as a SavedModel; returns its path (bytes)."""
    return estimator.export_saved_model(export_dir_base, input_receiver_fn,
                                        assets_extra=assets_extra, as_text=as_text,
                                        checkpoint_path=checkpoint_path,
                                        experimental_mode=mode)


def export_all_saved_models(estimator, export_dir_base, input_receiver_fn_map,
                            assets_extra=None, as_text=False, checkpoint_path=None):
    """Exports the graphs of the modes of `input_receiver_fn_map` ({mode: receiver fn}) as one
    SavedModel sharing one set of variables; returns its path (bytes)."""
    return estimator.experimental_export_all_saved_models(
        export_dir_base, input_receiver_fn_map, assets_extra=assets_extra, as_text=as_text,
        checkpoint_path=checkpoint_path)
