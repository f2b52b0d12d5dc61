"""SavedModelEstimator (TF 1.15's tf.contrib.estimator.SavedModelEstimator): an Estimator whose
model is a SavedModel written by export_all_saved_models / export_saved_model: each mode
imports the MetaGraph tagged for it ("train", "eval", "serve") with input_fn's features and
labels in place of its receiver tensors, and trains, evaluates or predicts with the loss,
train op, metrics and predictions of its SignatureDef. Without a checkpoint in model_dir the
variables start from the SavedModel's.

    estimator = SavedModelEstimator("/tmp/export/1546300800", model_dir="/tmp/continued")
    estimator.train(input_fn, steps=100)
"""
import os

from tensorweave.core.graph import get_default_graph
from tensorweave.estimator import estimator as estimator_lib
from tensorweave.estimator.export import (SINGLE_FEATURE_DEFAULT_NAME,
                                          SINGLE_LABEL_DEFAULT_NAME)
from tensorweave.estimator.model_fn import EstimatorSpec, ModeKeys
from tensorweave.platform import tf_logging as logging
from tensorweave.saved_model import builder as builder_lib
from tensorweave.saved_model import constants, loader, signature_constants, tag_constants
from tensorweave.train import monitored_session, training_util

_TAGS = {ModeKeys.TRAIN: [tag_constants.TRAINING], ModeKeys.EVAL: [tag_constants.EVAL],
         ModeKeys.PREDICT: [tag_constants.SERVING]}
_METHODS = {ModeKeys.TRAIN: signature_constants.SUPERVISED_TRAIN_METHOD_NAME,
            ModeKeys.EVAL: signature_constants.SUPERVISED_EVAL_METHOD_NAME}


class SavedModelEstimator(estimator_lib.Estimator):
    """An Estimator over the TRAIN, EVAL and PREDICT MetaGraphs of a SavedModel."""

    def __init__(self, saved_model_dir, model_dir=None):
        super().__init__(model_fn=self._model_fn_from_saved_model, model_dir=model_dir)
        self.saved_model_dir = os.fsdecode(saved_model_dir)
        self.saved_model_loader = loader.SavedModelLoader(self.saved_model_dir)
        self._available_modes = self._extract_available_modes()

    def _extract_available_modes(self):
        logging.info("Checking available modes for SavedModelEstimator.")
        available = []
        for mode in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT):
            try:
                self._meta_graph_def(mode)
            except RuntimeError:
                logging.warning("%s mode not found in SavedModel.", mode)
                continue
            if self._signature_def(mode) is not None:
                available.append(mode)
        logging.info("Available modes for Estimator: %s", available)
        return available

    def _meta_graph_def(self, mode):
        return self.saved_model_loader.get_meta_graph_def_from_tags(_TAGS[mode])

    def _signature_def(self, mode):
        key = (signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
               if mode == ModeKeys.PREDICT else mode)
        signatures = self._meta_graph_def(mode).signature_def
        if key not in signatures:
            logging.warning('Metagraph for mode %s was found, but SignatureDef with key "%s" is '
                            'missing.', mode, key)
            return None
        return signatures[key]

    def create_global_step(self, graph):
        """None: the global step comes with the SavedModel's graph."""
        return None

    def _model_fn_from_saved_model(self, features, labels, mode):
        if mode not in self._available_modes:
            raise RuntimeError(f"{mode} mode is not available in the SavedModel. Use "
                               f"saved_model_cli to check that the Metagraph for this mode has "
                               f"been exported.")
        graph = get_default_graph()
        if training_util.get_global_step(graph) is not None:
            raise RuntimeError("Graph must not contain a global step tensor before the "
                               "SavedModel is loaded. Please make sure that the input function "
                               "does not create a global step.")
        signature_def = self._signature_def(mode)
        meta_graph_def = self._meta_graph_def(mode)
        if loader.get_asset_tensors(self.saved_model_dir, meta_graph_def):
            raise NotImplementedError("SavedModelEstimator over a SavedModel with assets")
        output_names = [info.name for info in signature_def.outputs.values()]
        saver, tensors = self.saved_model_loader.load_graph(
            graph, _TAGS[mode], input_map=_input_map(signature_def, features, labels),
            return_elements=output_names)
        by_name = dict(zip(output_names, tensors))
        outputs = {key: by_name[info.name] for key, info in signature_def.outputs.items()}
        init_fn = None
        if not super().latest_checkpoint():
            def init_fn(scaffold, session):
                scaffold.saver.restore(session, self._saved_model_checkpoint())
        scaffold = monitored_session.Scaffold(
            local_init_op=loader.get_init_op(meta_graph_def), saver=saver, init_fn=init_fn)
        training_util.assert_global_step(training_util.get_global_step(graph))
        loss, predictions, metrics = _outputs_of(mode, outputs, signature_def.method_name)
        train_ops = graph.get_collection(constants.TRAIN_OP_KEY)
        if len(train_ops) > 1:
            raise RuntimeError("Multiple ops found in the train_op collection.")
        for key in (constants.ASSETS_KEY, constants.LEGACY_INIT_OP_KEY,
                    constants.MAIN_OP_KEY, constants.TRAIN_OP_KEY):
            graph.clear_collection(key)
        return EstimatorSpec(mode, loss=loss, train_op=train_ops[0] if train_ops else None,
                             predictions=predictions, eval_metric_ops=metrics,
                             scaffold=scaffold)

    def _saved_model_checkpoint(self):
        if not os.path.exists(os.path.join(builder_lib.get_variables_dir(self.saved_model_dir),
                                           "variables.index")):
            raise ValueError(f"Directory provided has an invalid SavedModel format: "
                             f"{self.saved_model_dir}")
        return builder_lib.get_variables_path(self.saved_model_dir)

    def latest_checkpoint(self):
        """The newest checkpoint of model_dir, else the SavedModel's variables."""
        return super().latest_checkpoint() or self._saved_model_checkpoint()


def _input_map(signature_def, features, labels):
    """{signature input tensor name: the feature or label of the same key} (and ^name: its
    op)."""
    if not isinstance(features, dict):
        features = {SINGLE_FEATURE_DEFAULT_NAME: features}
    if labels is not None and not isinstance(labels, dict):
        labels = {SINGLE_LABEL_DEFAULT_NAME: labels}
    mapped = {}
    for key, info in signature_def.inputs.items():
        name = info.name.split(":")[0]
        if key in features:
            tensor = features[key]
        elif labels is not None and key in labels:
            tensor = labels[key]
        else:
            raise ValueError(f'Key "{key}" not found in features or labels passed in to the '
                             f"model function. All required keys: {list(signature_def.inputs)}")
        _check_dtype_and_shape(tensor, info, key)
        mapped[name] = tensor
        mapped["^" + name] = tensor.op  # control inputs on the receiver wait on the feature
    return mapped


def _check_dtype_and_shape(tensor, info, key):
    from tensorweave.core import graph_def
    from tensorweave.core.tensor_shape import TensorShape
    want_dtype = graph_def.dtype_from_enum(info.dtype)
    want_shape = TensorShape(None if info.tensor_shape.unknown_rank else
                             [d.size if d.size >= 0 else None for d in info.tensor_shape.dim])
    bad_dtype = tensor.dtype is not want_dtype
    bad_shape = not tensor.shape.is_compatible_with(want_shape)
    if bad_dtype or bad_shape:
        message = f"Tensor shape and/or dtype validation failed for input {key}:"
        if bad_dtype:
            message += f"\n\tExpected dtype: {want_dtype}, Got: {tensor.dtype}"
        if bad_shape:
            message += f"\n\tExpected shape: {want_shape}, Got: {tensor.shape}"
        raise ValueError(message)


def _outputs_of(mode, outputs, method_name):
    """(loss, predictions, metrics {name: (value, update op)}) of a signature's outputs."""
    if mode == ModeKeys.PREDICT:
        return None, outputs, None
    if method_name != _METHODS[mode]:
        raise RuntimeError(f"Invalid SignatureDef method name for mode {mode}.\n\tExpected: "
                           f"{_METHODS[mode]}\n\tGot: {method_name}\nPlease ensure that the "
                           f"SavedModel was exported with "
                           f"`tf.estimator.experimental_export_all_saved_models()`.")
    metrics = {}
    for key, tensor in outputs.items():
        parts = key.split("/")
        if parts[0] == "metrics" and parts[-1] == "value":
            name = "/".join(parts[:-1])
            if f"{name}/update_op" in outputs:
                metrics[name] = (tensor, outputs[f"{name}/update_op"])
    predictions = {k: v for k, v in outputs.items() if k.split("/")[0] == "predictions"}
    return outputs["loss"], predictions, metrics
