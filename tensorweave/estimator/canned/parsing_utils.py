"""classifier_parse_example_spec and regressor_parse_example_spec: the tf.parse_example spec
of the feature columns plus the label (and weight) feature, for input_fns that read
tf.Examples.

    spec = tf.estimator.classifier_parse_example_spec(columns, label_key="label")
    features = tf.parse_example(serialized, spec); labels = features.pop("label")
"""
from tensorweave.core import dtypes
from tensorweave.estimator import feature_column as fc
from tensorweave.ops import example_parsing


def _add_label_and_weight(spec, label_key, label_spec, weight_column):
    if label_key in spec:
        raise ValueError(f"label should not be used as feature. label_key: {label_key}, "
                         f"features: {list(spec)}")
    spec[label_key] = label_spec
    if weight_column is None:
        return spec
    if isinstance(weight_column, str):
        weight_column = fc.numeric_column(weight_column)
    for key, value in fc.make_parse_example_spec([weight_column]).items():
        if key in spec:
            raise ValueError(f"weight column should not be used as feature. weight_column: "
                             f"{weight_column.key}, features: {list(spec)}")
        spec[key] = value
    return spec


def classifier_parse_example_spec(feature_columns, label_key, label_dtype=dtypes.int64,
                                  label_default=None, weight_column=None):
    """make_parse_example_spec(feature_columns) plus {label_key: FixedLenFeature((1,),
    label_dtype, label_default)} and the weight column's spec."""
    spec = fc.make_parse_example_spec(feature_columns)
    label = example_parsing.FixedLenFeature((1,), dtypes.as_dtype(label_dtype), label_default)
    return _add_label_and_weight(spec, label_key, label, weight_column)


def regressor_parse_example_spec(feature_columns, label_key, label_dtype=dtypes.float32,
                                 label_default=None, label_dimension=1, weight_column=None):
    """make_parse_example_spec(feature_columns) plus {label_key: FixedLenFeature(
    (label_dimension,), label_dtype, label_default)} and the weight column's spec."""
    spec = fc.make_parse_example_spec(feature_columns)
    label = example_parsing.FixedLenFeature((label_dimension,), dtypes.as_dtype(label_dtype),
                                            label_default)
    return _add_label_and_weight(spec, label_key, label, weight_column)
