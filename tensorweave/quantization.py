"""tf.quantization: fake quantization for quantization-aware training, and conversion between
float32 and TF's quantized dtypes."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    **lazy.names_from("tensorweave.ops.quantization_ops", "dequantize",
                      "fake_quant_with_min_max_args", "fake_quant_with_min_max_args_gradient",
                      "fake_quant_with_min_max_vars", "fake_quant_with_min_max_vars_gradient",
                      "fake_quant_with_min_max_vars_per_channel",
                      "fake_quant_with_min_max_vars_per_channel_gradient", "quantize",
                      "quantized_concat"),
})
