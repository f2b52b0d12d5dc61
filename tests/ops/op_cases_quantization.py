"""Op table rows for the quantization ops (tensorweave/ops/quantization_ops.py), with inputs
and TensorFlow's outputs from tests/fixtures/quantization_reference.json.

Fake quantization is a staircase whose gradient is TF's straight-through rule, not its
derivative, so its rows check no finite differences (wrt=()); tests/test_fake_quant.py checks
the gradients against TF's."""
import json
import pathlib

import numpy as np

import tensorweave as tf
from op_case import Case
from tensorweave.ops import quantization_ops as quantization

_DATA = json.loads(pathlib.Path(__file__).parent.parent.joinpath(
    "fixtures", "quantization_reference.json").read_text())


def _first(kind, **match):
    return next(c for c in _DATA["fake_quant"] if c["kind"] == kind
                and all(c[k] == v for k, v in match.items()))


def _f32(values):
    return np.asarray(values, np.float32)


def _quantized(codes, dtype):
    integer = dtype.as_numpy_dtype.fields[dtype.name][0]
    return np.asarray(codes).astype(integer).view(dtype.as_numpy_dtype)


_ARGS = _first("args", min=-1.3, max=2.1, num_bits=4)
_VARS = _first("vars", min=-2.5, max=7.25, num_bits=8, narrow_range=True)
_CHANNEL = next(c for c in _DATA["fake_quant"] if c["kind"] == "per_channel")
_BITS = {"num_bits": _CHANNEL["num_bits"], "narrow_range": _CHANNEL["narrow_range"]}
_QUANTIZE = next(c for c in _DATA["quantize"] if c["T"] == "qint8" and c["mode"] == "SCALED"
                 and c["min"] == -1.0)
_QINT8 = tf.qint8


def _quantize(x, lo, hi):
    return list(quantization.quantize(x, lo, hi, tf.qint8, mode="SCALED"))


def _dequantize(x, lo, hi):
    q = quantization.quantize(x, lo, hi, tf.qint8, mode="SCALED")
    return [quantization.dequantize(q.output, q.output_min, q.output_max, mode="SCALED")]


_CONCAT = _DATA["concat"][0]  # quint8


def _concat(a, b, c):
    """The uint8 codes as quint8 values, each in its own range, concatenated."""
    ranges = _CONCAT["ranges"]
    values = [tf.cast(t, tf.quint8) for t in (a, b, c)]
    return list(quantization.quantized_concat(_CONCAT["dim"], values, [r[0] for r in ranges],
                                    [r[1] for r in ranges]))


CASES = [
    Case("FakeQuantWithMinMaxArgs", [_f32(_ARGS["x"])], lambda x: _f32(_ARGS["out"]),
         attrs={"min": -1.3, "max": 2.1, "num_bits": 4, "narrow_range": False}, wrt=(),
         ref_tol=(0, 0)),
    Case("FakeQuantWithMinMaxArgsGradient", [_f32(_ARGS["dy"]), _f32(_ARGS["x"])],
         lambda dy, x: _f32(_ARGS["grads"][0]),
         attrs={"min": -1.3, "max": 2.1, "num_bits": 4, "narrow_range": False},
         ref_tol=(0, 0)),
    Case("FakeQuantWithMinMaxVars", [_f32(_VARS["x"]), _f32(-2.5), _f32(7.25)],
         lambda x, lo, hi: _f32(_VARS["out"]), attrs={"num_bits": 8, "narrow_range": True},
         wrt=(), ref_tol=(0, 0)),
    Case("FakeQuantWithMinMaxVarsGradient",
         [_f32(_VARS["dy"]), _f32(_VARS["x"]), _f32(-2.5), _f32(7.25)],
         lambda *a: tuple(_f32(g) for g in _VARS["grads"]),
         attrs={"num_bits": 8, "narrow_range": True}, ref_tol=(1e-6, 1e-6)),
    Case("FakeQuantWithMinMaxVarsPerChannel",
         [_f32(_CHANNEL["x"]), _f32(_CHANNEL["min"]), _f32(_CHANNEL["max"])],
         lambda *a: _f32(_CHANNEL["out"]), attrs=_BITS, wrt=(), ref_tol=(0, 0)),
    Case("FakeQuantWithMinMaxVarsPerChannelGradient",
         [_f32(_CHANNEL["dy"]), _f32(_CHANNEL["x"]), _f32(_CHANNEL["min"]),
          _f32(_CHANNEL["max"])],
         lambda *a: tuple(_f32(g) for g in _CHANNEL["grads"]), attrs=_BITS,
         ref_tol=(1e-6, 1e-6)),
    Case("QuantizeV2", [_f32(_QUANTIZE["x"]), _f32(-1.0), _f32(3.0)],
         lambda *a: (_quantized(_QUANTIZE["q"], _QINT8), _f32(_QUANTIZE["q_min"]),
                     _f32(_QUANTIZE["q_max"])), build=_quantize, ref_tol=(0, 0)),
    Case("Dequantize", [_f32(_QUANTIZE["x"]), _f32(-1.0), _f32(3.0)],
         lambda *a: _f32(_QUANTIZE["dq"]), build=_dequantize, ref_tol=(0, 0)),
    Case("QuantizedConcat",
         [np.asarray(v, np.uint8) for v in _CONCAT["values"]],
         lambda *a: (_quantized(_CONCAT["out"], tf.quint8), _f32(_CONCAT["out_min"]),
                     _f32(_CONCAT["out_max"])), build=_concat, ref_tol=(0, 0)),
]
