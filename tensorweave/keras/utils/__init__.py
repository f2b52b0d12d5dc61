"""tf.keras.utils: get_file, to_categorical, Sequence, custom objects, Progbar, ...

Names load on first use from the modules of this package.
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "data_utils": "tensorweave.keras.utils.data_utils",
    "generic_utils": "tensorweave.keras.utils.generic_utils",
    "np_utils": "tensorweave.keras.utils.np_utils",
    "io_utils": "tensorweave.keras.utils.io_utils",
    "vis_utils": "tensorweave.keras.utils.vis_utils",
    **lazy.names_from("tensorweave.keras.utils.data_utils", "get_file", "hash_file",
                      "validate_file", "Sequence", "SequenceEnqueuer", "OrderedEnqueuer",
                      "GeneratorEnqueuer"),
    **lazy.names_from("tensorweave.keras.utils.generic_utils", "CustomObjectScope",
                      "custom_object_scope", "get_custom_objects", "Progbar",
                      "serialize_keras_object", "deserialize_keras_object",
                      "register_keras_serializable", "get_registered_name",
                      "get_registered_object", "enable_interactive_logging",
                      "disable_interactive_logging", "is_interactive_logging_enabled"),
    **lazy.names_from("tensorweave.keras.utils.np_utils", "to_categorical", "normalize",
                      "to_ordinal"),
    **lazy.names_from("tensorweave.keras.utils.io_utils", "HDF5Matrix"),
    **lazy.names_from("tensorweave.keras.utils.vis_utils", "plot_model", "model_to_dot"),
    **lazy.names_from("tensorweave.keras.preprocessing.image", "array_to_img",
                      "img_to_array", "load_img", "save_img"),
    **lazy.names_from("tensorweave.keras.preprocessing.sequence", "pad_sequences"),
    "legacy": "tensorweave.keras.utils.legacy",
    "layer_utils": "tensorweave.keras.utils.layer_utils",
    **lazy.names_from("tensorweave.keras.utils.layer_utils", "get_source_inputs"),
})
