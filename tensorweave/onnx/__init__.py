"""tensorweave.onnx: TensorFlow inference graphs as ONNX models (the `onnx` extra).

    import tensorweave.onnx
    tensorweave.onnx.export(sess, ["x:0"], ["softmax:0"], "model.onnx")

`export` takes a frozen GraphDef (ours or one TensorFlow wrote), a Session (its variables are
folded to constants) or a Graph without variables. The `onnx` package loads only when `export`
runs. Command line: `python -m tensorweave.onnx export --help`. See docs/onnx.md.
"""
from tensorweave.onnx.context import ExportError
from tensorweave.onnx.converters import SUPPORTED_OP_TYPES
from tensorweave.onnx.exporter import DEFAULT_OPSET, export

__all__ = ["export", "ExportError", "SUPPORTED_OP_TYPES", "DEFAULT_OPSET"]
