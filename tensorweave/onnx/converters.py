"""The converter table: TensorFlow op type (a NodeDef's `op`) -> the function writing it as ONNX
nodes (see tensorweave/onnx/context.py for what a converter gets and returns)."""
from tensorweave.onnx import converters_array, converters_math, converters_nn

CONVERTERS = {**converters_math.CONVERTERS, **converters_nn.CONVERTERS,
              **converters_array.CONVERTERS}
SUPPORTED_OP_TYPES = tuple(sorted(CONVERTERS))
