"""tf.contrib.learn's serving input functions (deprecated in TF 1.x for
tf.estimator.export's receivers): what a contrib Estimator's export_savedmodel calls.

    def serving_input_fn():
        inputs = {"image": tf.placeholder(tf.float32, [None, 28, 28])}
        return input_fn_utils.InputFnOps(inputs, None, inputs)
"""
import collections

from tensorweave.core import dtypes
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops.array.inputs import placeholder

__all__ = ["InputFnOps", "build_parsing_serving_input_fn", "build_default_serving_input_fn"]


class InputFnOps(collections.namedtuple("InputFnOps", ["features", "labels",
                                                       "default_inputs"])):
    """A serving input_fn's result: the model's `features` (and `labels`, unused in serving),
    and `default_inputs`, the {name: tensor} a serving request feeds."""


def build_parsing_serving_input_fn(feature_spec, default_batch_size=None):
    """An input_fn taking serialized tf.Examples (the string placeholder
    "input_example_tensor", fed as "examples") parsed by `feature_spec`."""
    from tensorweave.ops.example_parsing import parse_example

    def input_fn():
        examples = placeholder(dtypes.string, shape=[default_batch_size],
                               name="input_example_tensor")
        return InputFnOps(parse_example(examples, feature_spec), None,
                          {"examples": examples})
    return input_fn


def build_default_serving_input_fn(features, default_batch_size=None):
    """An input_fn feeding a placeholder like each tensor of `features` (named after its op,
    its batch dimension `default_batch_size`), the same dict as features and inputs."""
    def input_fn():
        placeholders = {}
        for name, tensor in features.items():
            dims = tensor.get_shape().as_list()
            dims[0] = default_batch_size
            placeholders[name] = placeholder(tensor.dtype, shape=TensorShape(dims),
                                             name=tensor.op.name)
        return InputFnOps(placeholders, None, placeholders)
    return input_fn
