"""DenseFeatures: tf.feature_column dense columns as a Keras layer (TF's
`tf.keras.layers.DenseFeatures`): a dict of features to one float32 [batch, n] tensor, each
column's values flattened per example and concatenated in order of column name.

    columns = [tf.feature_column.numeric_column("age"),
               tf.feature_column.embedding_column(
                   tf.feature_column.categorical_column_with_identity("city", 100), 8)]
    net = tf.keras.layers.DenseFeatures(columns)(features)   # [batch, 9]

Columns speak TF 1.x's feature column protocol (name, _var_scope_name, _variable_shape,
_transform_feature, _get_dense_tensor); their variables are made under
`<layer>/<column>/...` (dense_features/city_embedding/embedding_weights:0) and become the
layer's weights. Configs carry the columns as objects: a config read back from a file cannot
rebuild columns here (tf.feature_column lives above Keras in tensorweave's floors).
"""
import numpy as np

from tensorweave.core.operation import Tensor
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.variable_scope import AUTO_REUSE, variable_scope
from tensorweave.variables import global_variables


class FeatureBuilder:
    """Each raw feature and each column transformed once per call (TF's transformation
    cache): `get("key")` is the feature (rank 1 made [batch, 1]), `get(column)` the column's
    transform."""

    def __init__(self, features):
        self.features = dict(features)
        self.cache = {}

    def get(self, key):
        if key not in self.cache:
            if isinstance(key, str):
                self.cache[key] = self.raw(key)
            elif hasattr(key, "_transform_feature"):
                self.cache[key] = key._transform_feature(self)
            else:
                raise TypeError(f"Key must be a string or a feature column, got {key!r}")
        return self.cache[key]

    def raw(self, key):
        if key not in self.features:
            raise ValueError(f"Feature {key} is not in features dictionary.")
        tensor = self.features[key]
        if not isinstance(tensor, Tensor):
            tensor = T.convert_to_tensor(np.asarray(tensor))
        if tensor.shape.ndims == 0:
            raise ValueError(f"Feature (key: {key}) cannot have rank 0. Given: {tensor}")
        return T.expand_dims(tensor, -1) if tensor.shape.ndims == 1 else tensor


def _column_config(value):
    """A JSON-friendly description of a column (its class and fields)."""
    if hasattr(value, "_fields"):
        return {"class_name": type(value).__name__.lstrip("_"),
                "config": {f: _column_config(getattr(value, f)) for f in value._fields}}
    if isinstance(value, (list, tuple)):
        return [_column_config(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "name") and isinstance(getattr(value, "name"), str):
        return value.name
    return repr(value)


class DenseFeatures(Layer):
    """The dense input of a model from feature columns (numeric, bucketized, embedding,
    indicator, ...)."""

    def __init__(self, feature_columns, trainable=True, name=None, partitioner=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if hasattr(feature_columns, "_transform_feature"):
            feature_columns = [feature_columns]
        if isinstance(feature_columns, dict):
            raise ValueError("Expected feature_columns to be iterable, found dict.")
        columns = list(feature_columns)
        if not columns:
            raise ValueError("feature_columns must not be empty.")
        seen = {}
        for column in columns:
            if not hasattr(column, "_get_dense_tensor"):
                raise ValueError(f"Items of feature_columns must be a DenseColumn. You can "
                                 f"wrap a categorical column with an embedding_column or "
                                 f"indicator_column. Given: {column}")
            if column.name in seen:
                raise ValueError(f"Duplicate feature column name found for columns: "
                                 f"{seen[column.name]} and {column}. This usually means that "
                                 f"these columns refer to same base feature. Either one must "
                                 f"be discarded or a duplicated but renamed item must be "
                                 f"inserted in features dict.")
            seen[column.name] = column
        self._feature_columns = sorted(columns, key=lambda c: c.name)
        self.partitioner = partitioner
        self.supports_masking = False

    @property
    def feature_columns(self):
        return list(self._feature_columns)

    def build(self, input_shape):
        self.built = True

    def call(self, features, cols_to_output_tensors=None, training=None):
        if not isinstance(features, dict):
            raise ValueError(f"We expected a dictionary here. Instead we got: {features}")
        builder = FeatureBuilder(features)
        before = {id(v) for v in global_variables()}
        outputs = []
        with variable_scope(self.name, reuse=AUTO_REUSE):
            for column in self._feature_columns:
                with T.name_scope(column.name), \
                        variable_scope(column._var_scope_name, reuse=AUTO_REUSE):
                    dense = column._get_dense_tensor(builder, trainable=self.trainable)
                    width = int(np.prod(column._variable_shape))
                    outputs.append(self._flat(dense, width, column))
                if cols_to_output_tensors is not None:
                    cols_to_output_tensors[column] = outputs[-1]
        self._track_new_variables(before)
        self._check_batch_sizes(outputs)
        return T.concat(outputs, 1)

    def _track_new_variables(self, before):
        for variable in global_variables():
            if id(variable) in before:
                continue
            if variable.trainable:
                self._trainable_weights.append(variable)
            else:
                self._non_trainable_weights.append(variable)

    @staticmethod
    def _flat(tensor, width, column):
        dims = tensor.shape.as_list() if tensor.shape.ndims is not None else None
        if dims is not None and None not in dims[1:] and int(np.prod(dims[1:])) != width:
            raise ValueError(f"Feature column {column.name!r} expects {width} values per "
                             f"example, got a tensor of shape {tensor.shape}")
        return T.reshape(tensor, T.stack([T.shape(tensor)[0], width]))

    def _check_batch_sizes(self, tensors):
        first = None
        for tensor, column in zip(tensors, self._feature_columns):
            size = tensor.shape.as_list()[0] if tensor.shape.ndims else None
            if size is None:
                continue
            if first is None:
                first = (column, size)
            elif size != first[1]:
                raise ValueError(f"Batch size (first dimension) of each feature must be same. "
                                 f"Batch size of columns ({first[0].name}, {column.name}): "
                                 f"({first[1]}, {size})")

    def compute_output_shape(self, input_shape):
        batch = None
        if isinstance(input_shape, dict) and input_shape:
            batch = T.TensorShape(next(iter(input_shape.values()))).as_list()[0]
        width = sum(int(np.prod(c._variable_shape)) for c in self._feature_columns)
        return T.TensorShape([batch, width])

    def get_config(self):
        return {**super().get_config(),
                "feature_columns": [_column_config(c) for c in self._feature_columns],
                "partitioner": None}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        columns = config.pop("feature_columns")
        if any(isinstance(c, dict) for c in columns):
            raise NotImplementedError("DenseFeatures.from_config needs the feature column "
                                      "objects; columns described in a saved config cannot "
                                      "be rebuilt by tensorweave's Keras. Rebuild the layer "
                                      "with its columns.")
        return cls(columns, **config)
