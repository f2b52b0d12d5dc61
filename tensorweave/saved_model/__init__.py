"""tf.saved_model: TensorFlow's SavedModel format (TF 1.15's graph-and-session API): write
with SavedModelBuilder or simple_save, read with loader.load, describe inputs and outputs
with SignatureDefs. `python -m tensorweave.saved_model show|run` mirrors saved_model_cli.

    tf.saved_model.simple_save(sess, "/tmp/model/1", inputs={"x": x}, outputs={"y": y})
    with tf.Session(graph=tf.Graph()) as sess:
        tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING], "/tmp/model/1")

The modules load on first use; protobuf loads when a SavedModel is written or read.
"""
from tensorweave.util import lazy

_MODULE = "tensorweave.saved_model"
_CONSTANTS = ("ASSETS_DIRECTORY", "ASSETS_KEY", "DEBUG_DIRECTORY", "DEBUG_INFO_FILENAME_PB",
              "LEGACY_INIT_OP_KEY", "MAIN_OP_KEY", "SAVED_MODEL_FILENAME_PB",
              "SAVED_MODEL_FILENAME_PBTXT", "SAVED_MODEL_SCHEMA_VERSION", "VARIABLES_DIRECTORY",
              "VARIABLES_FILENAME")
_SIGNATURE_CONSTANTS = (
    "CLASSIFY_INPUTS", "CLASSIFY_METHOD_NAME", "CLASSIFY_OUTPUT_CLASSES",
    "CLASSIFY_OUTPUT_SCORES", "DEFAULT_SERVING_SIGNATURE_DEF_KEY", "PREDICT_INPUTS",
    "PREDICT_METHOD_NAME", "PREDICT_OUTPUTS", "REGRESS_INPUTS", "REGRESS_METHOD_NAME",
    "REGRESS_OUTPUTS")

__getattr__ = lazy.attributes(__name__, {
    **{name: f"{_MODULE}.{name}" for name in (
        "builder", "constants", "loader", "main_op", "signature_constants",
        "signature_def_utils", "tag_constants", "utils")},
    **lazy.names_from(f"{_MODULE}.constants", *_CONSTANTS),
    **lazy.names_from(f"{_MODULE}.signature_constants", *_SIGNATURE_CONSTANTS),
    **lazy.names_from(f"{_MODULE}.tag_constants", "GPU", "SERVING", "TPU", "TRAINING"),
    "Builder": f"{_MODULE}.builder:SavedModelBuilder",
    **lazy.names_from(f"{_MODULE}.signature_def_utils", "build_signature_def",
                      "classification_signature_def", "is_valid_signature",
                      "predict_signature_def", "regression_signature_def"),
    **lazy.names_from(f"{_MODULE}.utils", "build_tensor_info", "get_tensor_from_tensor_info"),
    **lazy.names_from(f"{_MODULE}.loader", "contains_saved_model", "load",
                      "maybe_saved_model_directory"),
    **lazy.names_from(f"{_MODULE}.main_op", "main_op_with_restore"),
    "simple_save": f"{_MODULE}.simple_save:simple_save",
})
