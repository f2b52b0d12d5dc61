"""`python -m tensorweave.onnx export|ops`: ONNX models from frozen GraphDefs and SavedModels.

    python -m tensorweave.onnx export --graph_def frozen.pb --inputs input_1:0 \\
        --outputs predictions/Softmax:0 --output model.onnx
    python -m tensorweave.onnx export --saved_model_dir /tmp/model/1 --output model.onnx
    python -m tensorweave.onnx ops        # the op types that have converters

A SavedModel's inputs and outputs default to those of its signature (--signature_def, default
serving_default); --inputs/--outputs take comma-separated tensor names.
"""
import argparse
import sys


def _names(text):
    return [name for name in (text or "").split(",") if name]


def _read_graph_def(path):
    from tensorweave.lib import tf_protos
    graph_def = tf_protos.GraphDef()
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith((".pbtxt", ".txt")):
        from google.protobuf import text_format
        text_format.Parse(data.decode("utf-8"), graph_def)
    else:
        graph_def.ParseFromString(data)
    return graph_def


def export_command(args, out):
    from tensorweave.onnx import exporter
    inputs, outputs = _names(args.inputs), _names(args.outputs)
    if args.graph_def:
        if not inputs or not outputs:
            raise ValueError("--graph_def needs --inputs and --outputs")
        source = _read_graph_def(args.graph_def)
        model = exporter.export(source, inputs, outputs, args.output, opset=args.opset)
    else:
        from tensorweave.core.graph import Graph
        from tensorweave.runtime.session import Session
        from tensorweave.saved_model import loader
        with Graph().as_default() as graph, Session(graph=graph) as sess:
            meta_graph_def = loader.load(sess, args.tag_set.split(","), args.saved_model_dir)
            if args.signature_def not in meta_graph_def.signature_def:
                raise ValueError(f"Could not find signature \"{args.signature_def}\". Please "
                                 "choose from: "
                                 f"{', '.join(sorted(meta_graph_def.signature_def))}")
            signature = meta_graph_def.signature_def[args.signature_def]
            inputs = inputs or [signature.inputs[k].name for k in sorted(signature.inputs)]
            outputs = outputs or [signature.outputs[k].name for k in sorted(signature.outputs)]
            model = exporter.export(sess, inputs, outputs, args.output, opset=args.opset)
    graph = model.graph
    out.write(f"Wrote {args.output}: {len(graph.node)} ONNX nodes, opset {args.opset}, "
              f"inputs {[i.name for i in graph.input]}, outputs "
              f"{[o.name for o in graph.output]}\n")


def parser():
    from tensorweave.onnx.exporter import DEFAULT_OPSET
    p = argparse.ArgumentParser(prog="python -m tensorweave.onnx",
                                description="TensorFlow inference graphs as ONNX models.")
    commands = p.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write an ONNX model")
    source = export.add_mutually_exclusive_group(required=True)
    source.add_argument("--graph_def", help="a frozen GraphDef (.pb, or .pbtxt text)")
    source.add_argument("--saved_model_dir", help="a SavedModel directory")
    export.add_argument("--tag_set", default="serve")
    export.add_argument("--signature_def", default="serving_default")
    export.add_argument("--inputs", help="comma-separated input tensor names")
    export.add_argument("--outputs", help="comma-separated output tensor names")
    export.add_argument("--output", required=True, help="the .onnx file to write")
    export.add_argument("--opset", type=int, default=DEFAULT_OPSET)
    commands.add_parser("ops", help="list the op types that have converters")
    return p


def main(argv=None, out=None):
    out = out or sys.stdout
    args = parser().parse_args(argv)
    if args.command == "ops":
        from tensorweave.onnx.converters import SUPPORTED_OP_TYPES
        out.write("\n".join(SUPPORTED_OP_TYPES) + "\n")
        return 0
    try:
        export_command(args, out)
    except (ValueError, TypeError, ImportError, OSError) as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
    return 0
