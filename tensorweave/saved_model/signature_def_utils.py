"""tf.saved_model.signature_def_utils: SignatureDefs, the named inputs and outputs a served
model offers (predict, classify, regress), as TensorFlow Serving reads them.

    signature = tf.saved_model.signature_def_utils.predict_signature_def(
        inputs={"x": x}, outputs={"y": y})
"""
import os

from tensorweave.core import errors
from tensorweave.core.operation import Operation
from tensorweave.saved_model import signature_constants
from tensorweave.saved_model import utils

_DT_FLOAT, _DT_STRING = 1, 7


def build_signature_def(inputs=None, outputs=None, method_name=None):
    """A SignatureDef from {key: TensorInfo} maps and a method name."""
    signature_def = _signature_def()
    for key, info in (inputs or {}).items():
        signature_def.inputs[key].CopyFrom(info)
    for key, info in (outputs or {}).items():
        signature_def.outputs[key].CopyFrom(info)
    if method_name is not None:
        signature_def.method_name = method_name
    return signature_def


def _signature_def():
    from tensorboard.compat.proto import meta_graph_pb2
    return meta_graph_pb2.SignatureDef()


def _string_examples(examples, kind, message):
    if examples is None:
        raise ValueError(f"{kind} `examples` cannot be None.")
    if not utils.is_graph_element(examples) or isinstance(examples, Operation):
        raise ValueError(message.format(type=type(examples).__name__))
    info = utils.build_tensor_info(examples)
    if info.dtype != _DT_STRING:
        raise ValueError(f"{kind} input tensors must be of type string. Found tensors of "
                         f"type {examples.dtype.name}")
    return info


def regression_signature_def(examples, predictions):
    """The regression SignatureDef: serialized tf.Examples (string) in, float predictions out."""
    info = _string_examples(examples, "Regression", "Expected regression `examples` to be of "
                            "type Tensor. Found `examples` of type {type}.")
    if predictions is None:
        raise ValueError("Regression `predictions` cannot be None.")
    output = utils.build_tensor_info(predictions)
    if output.dtype != _DT_FLOAT:
        raise ValueError(f"Regression output tensors must be of type float. Found tensors of "
                         f"type {predictions.dtype.name}")
    return build_signature_def({signature_constants.REGRESS_INPUTS: info},
                               {signature_constants.REGRESS_OUTPUTS: output},
                               signature_constants.REGRESS_METHOD_NAME)


def classification_signature_def(examples, classes, scores):
    """The classification SignatureDef: serialized tf.Examples in, string classes and/or
    float scores out."""
    if examples is None:
        raise ValueError("Classification `examples` cannot be None.")
    if not utils.is_graph_element(examples) or isinstance(examples, Operation):
        raise ValueError(f"Classification `examples` must be a string Tensor. Found "
                         f"`examples` of type {type(examples).__name__}.")
    if classes is None and scores is None:
        raise ValueError("Classification `classes` and `scores` cannot both be None.")
    info = _string_examples(examples, "Classification", "{type}")
    outputs = {}
    if classes is not None:
        outputs[signature_constants.CLASSIFY_OUTPUT_CLASSES] = utils.build_tensor_info(classes)
        if outputs[signature_constants.CLASSIFY_OUTPUT_CLASSES].dtype != _DT_STRING:
            raise ValueError(f"Classification classes must be of type string Tensor. Found "
                             f"tensors of type {classes.dtype.name}")
    if scores is not None:
        outputs[signature_constants.CLASSIFY_OUTPUT_SCORES] = utils.build_tensor_info(scores)
        if outputs[signature_constants.CLASSIFY_OUTPUT_SCORES].dtype != _DT_FLOAT:
            raise ValueError("Classification scores must be a float Tensor.")
    return build_signature_def({signature_constants.CLASSIFY_INPUTS: info}, outputs,
                               signature_constants.CLASSIFY_METHOD_NAME)


def predict_signature_def(inputs, outputs):
    """The predict SignatureDef of {key: Tensor} inputs and outputs."""
    if not inputs:
        raise ValueError("Prediction `inputs` cannot be None or empty.")
    if not outputs:
        raise ValueError("Prediction `outputs` cannot be None or empty.")
    return build_signature_def(
        {key: utils.build_tensor_info(t) for key, t in inputs.items()},
        {key: utils.build_tensor_info(t) for key, t in outputs.items()},
        signature_constants.PREDICT_METHOD_NAME)


def supervised_train_signature_def(inputs, loss, predictions=None, metrics=None):
    return _supervised_signature_def(signature_constants.SUPERVISED_TRAIN_METHOD_NAME,
                                     inputs, loss, predictions, metrics)


def supervised_eval_signature_def(inputs, loss, predictions=None, metrics=None):
    return _supervised_signature_def(signature_constants.SUPERVISED_EVAL_METHOD_NAME,
                                     inputs, loss, predictions, metrics)


def _supervised_signature_def(method_name, inputs, loss=None, predictions=None, metrics=None):
    if not inputs:
        raise ValueError(f"{method_name} `inputs` cannot be None or empty.")
    outputs = {}
    for group in (loss, predictions, metrics):
        for key, tensor in (group or {}).items():
            outputs[key] = utils.build_tensor_info(tensor)
    return build_signature_def({k: utils.build_tensor_info(t) for k, t in inputs.items()},
                               outputs, method_name)


def op_signature_def(op, key):
    """A SignatureDef whose one output names the operation `op` (the init and train ops)."""
    return build_signature_def(outputs={key: utils.build_tensor_info_from_op(op)})


def load_op_from_signature_def(signature_def, key, import_scope=None):
    """The operation stored by op_signature_def; NotFoundError if the key is missing."""
    if key not in signature_def.outputs:
        raise errors.NotFoundError(None, None, f"The key \"{key}\" could not be found in the "
                                   f"signature def. Available keys: "
                                   f"{list(signature_def.outputs)}")
    return utils.get_element_from_tensor_info(signature_def.outputs[key],
                                              import_scope=import_scope)


def is_valid_signature(signature_def):
    """True if `signature_def` is a well-formed predict, classify or regress SignatureDef."""
    if signature_def is None:
        return False
    return (_valid_classification(signature_def) or _valid_regression(signature_def)
            or _valid_predict(signature_def))


def _valid_predict(s):
    return (s.method_name == signature_constants.PREDICT_METHOD_NAME and bool(s.inputs.keys())
            and bool(s.outputs.keys()))


def _valid_regression(s):
    c = signature_constants
    return (s.method_name == c.REGRESS_METHOD_NAME
            and set(s.inputs.keys()) == {c.REGRESS_INPUTS}
            and s.inputs[c.REGRESS_INPUTS].dtype == _DT_STRING
            and set(s.outputs.keys()) == {c.REGRESS_OUTPUTS}
            and s.outputs[c.REGRESS_OUTPUTS].dtype == _DT_FLOAT)


def _valid_classification(s):
    c = signature_constants
    allowed = {c.CLASSIFY_OUTPUT_CLASSES, c.CLASSIFY_OUTPUT_SCORES}
    if (s.method_name != c.CLASSIFY_METHOD_NAME or set(s.inputs.keys()) != {c.CLASSIFY_INPUTS}
            or s.inputs[c.CLASSIFY_INPUTS].dtype != _DT_STRING or not s.outputs.keys()
            or set(s.outputs.keys()) - allowed):
        return False
    if (c.CLASSIFY_OUTPUT_CLASSES in s.outputs
            and s.outputs[c.CLASSIFY_OUTPUT_CLASSES].dtype != _DT_STRING):
        return False
    return not (c.CLASSIFY_OUTPUT_SCORES in s.outputs
                and s.outputs[c.CLASSIFY_OUTPUT_SCORES].dtype != _DT_FLOAT)


class MethodNameUpdater:
    """Changes the method_name of SignatureDefs in an existing SavedModel, then writes it.

        updater = MethodNameUpdater(export_dir)
        updater.replace_method_name("serving_default", "tensorflow/serving/regress")
        updater.save()
    """

    def __init__(self, export_dir):
        from tensorweave.saved_model import saved_model_proto
        self._export_dir = os.fspath(export_dir)
        self._saved_model = saved_model_proto.parse_saved_model(self._export_dir)

    def replace_method_name(self, signature_key, method_name, tags=None):
        """Sets `method_name` of the SignatureDef `signature_key` in every meta graph (or
        in those whose tags equal `tags`); ValueError when nothing matched."""
        if not signature_key:
            raise ValueError("`signature_key` must be defined.")
        if not method_name:
            raise ValueError("`method_name` must be defined.")
        if tags is not None and not isinstance(tags, (list, tuple, set)):
            tags = [tags]
        found = False
        for meta_graph_def in self._saved_model.meta_graphs:
            if tags is not None and set(tags) != set(meta_graph_def.meta_info_def.tags):
                continue
            if signature_key not in meta_graph_def.signature_def:
                raise ValueError(f"MetaGraphDef associated with tags {tags} does not have a "
                                 f"signature_def with key: '{signature_key}'. This means "
                                 "either you specified the wrong signature key or forgot to "
                                 "put the signature_def with the corresponding key in your "
                                 "SavedModel.")
            meta_graph_def.signature_def[signature_key].method_name = method_name
            found = True
        if not found:
            raise ValueError(f"MetaGraphDef associated with tags {tags} could not be found in "
                             "SavedModel. This means either you specified invalid tags or "
                             "your SavedModel does not have a MetaGraphDef with the specified "
                             "tags")

    def save(self, new_export_dir=None):
        """Writes the SavedModel (saved_model.pb) to new_export_dir, default the original."""
        from tensorweave.saved_model import saved_model_proto
        target = os.fspath(new_export_dir) if new_export_dir is not None else self._export_dir
        os.makedirs(target, exist_ok=True)
        saved_model_proto.write(self._saved_model, target)
