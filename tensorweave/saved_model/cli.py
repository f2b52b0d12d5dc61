"""`python -m tensorweave.saved_model show|run`: TensorFlow's saved_model_cli for SavedModels.

    python -m tensorweave.saved_model show --dir /tmp/model/1 --all
    python -m tensorweave.saved_model show --dir /tmp/model/1 --tag_set serve
    python -m tensorweave.saved_model show --dir /tmp/model/1 --tag_set serve \\
        --signature_def serving_default
    python -m tensorweave.saved_model run --dir /tmp/model/1 --tag_set serve \\
        --signature_def serving_default --inputs 'x=inputs.npy' --input_exprs 'k=[1, 2]'

--inputs takes `key=file.npy`, `key=file.npz` (its only array, or `key=file.npz[name]`);
--input_exprs takes `key=<Python literal>` (numbers, lists, tuples, strings: read with
ast.literal_eval, never executed) or `key=np.<function>(<literals>)` for a few NumPy array
constructors (zeros, ones, full, arange, linspace, eye, array). Outputs print, or are saved as
<outdir>/<key>.npy with --outdir.
"""
import argparse
import ast
import os
import sys

import numpy as np

_DTYPE_NAMES = {1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 4: "DT_UINT8", 5: "DT_INT16",
                6: "DT_INT8", 7: "DT_STRING", 9: "DT_INT64", 10: "DT_BOOL", 19: "DT_HALF"}
_NUMPY_CONSTRUCTORS = {"zeros": np.zeros, "ones": np.ones, "full": np.full,
                       "arange": np.arange, "linspace": np.linspace, "eye": np.eye,
                       "array": np.array, "asarray": np.asarray}


def _saved_model(directory):
    from tensorweave.saved_model import saved_model_proto
    return saved_model_proto.parse_saved_model(directory)


def _tag_sets(saved_model):
    return [sorted(m.meta_info_def.tags) for m in saved_model.meta_graphs]


def _meta_graph(saved_model, tag_set):
    tags = set(t for t in tag_set.split(",") if t)
    for meta_graph_def in saved_model.meta_graphs:
        if set(meta_graph_def.meta_info_def.tags) == tags:
            return meta_graph_def
    raise RuntimeError(f"MetaGraphDef associated with tag-set {tag_set} could not be found "
                       f"in SavedModel")


def _shape_text(shape):
    if shape.unknown_rank:
        return "unknown_rank"
    return "(" + ", ".join(str(d.size) for d in shape.dim) + ("," if len(shape.dim) == 1
                                                              else "") + ")"


def _tensor_info_lines(tensor_info, indent):
    pad = " " * indent
    dtype = _DTYPE_NAMES.get(tensor_info.dtype, str(tensor_info.dtype))
    lines = [f"{pad}dtype: {dtype}", f"{pad}shape: {_shape_text(tensor_info.tensor_shape)}"]
    if tensor_info.WhichOneof("encoding") == "coo_sparse":
        coo = tensor_info.coo_sparse
        lines.append(f"{pad}sparse values: {coo.values_tensor_name}")
        lines.append(f"{pad}sparse indices: {coo.indices_tensor_name}")
        lines.append(f"{pad}sparse dense_shape: {coo.dense_shape_tensor_name}")
    else:
        lines.append(f"{pad}name: {tensor_info.name}")
    return lines


def signature_lines(signature_def, indent=0):
    """The inputs, outputs and method of a SignatureDef, as saved_model_cli prints them."""
    pad = " " * indent
    lines = [f"{pad}The given SavedModel SignatureDef contains the following input(s):"]
    for key in sorted(signature_def.inputs):
        lines.append(f"{pad}  inputs['{key}'] tensor_info:")
        lines += _tensor_info_lines(signature_def.inputs[key], indent + 6)
    lines.append(f"{pad}The given SavedModel SignatureDef contains the following output(s):")
    for key in sorted(signature_def.outputs):
        lines.append(f"{pad}  outputs['{key}'] tensor_info:")
        lines += _tensor_info_lines(signature_def.outputs[key], indent + 6)
    lines.append(f"{pad}Method name is: {signature_def.method_name}")
    return lines


def show(args, out):
    saved_model = _saved_model(args.dir)
    if args.all:
        for tags in _tag_sets(saved_model):
            tag_set = ",".join(tags)
            meta_graph_def = _meta_graph(saved_model, tag_set)
            out.write(f"\nMetaGraphDef with tag-set: '{tag_set}' contains the following "
                      "SignatureDefs:\n")
            for key in sorted(meta_graph_def.signature_def):
                out.write(f"\nsignature_def['{key}']:\n")
                out.write("\n".join(signature_lines(meta_graph_def.signature_def[key], 2))
                          + "\n")
        return 0
    if not args.tag_set:
        out.write("The given SavedModel contains the following tag-sets:\n")
        for tags in _tag_sets(saved_model):
            out.write(f"'{','.join(tags)}'\n")
        return 0
    meta_graph_def = _meta_graph(saved_model, args.tag_set)
    if not args.signature_def:
        out.write("The given SavedModel MetaGraphDef contains SignatureDefs with the following "
                  "keys:\n")
        for key in sorted(meta_graph_def.signature_def):
            out.write(f'SignatureDef key: "{key}"\n')
        return 0
    if args.signature_def not in meta_graph_def.signature_def:
        raise ValueError(f"Could not find signature \"{args.signature_def}\". Please choose "
                         f"from: {', '.join(sorted(meta_graph_def.signature_def))}")
    out.write("\n".join(signature_lines(meta_graph_def.signature_def[args.signature_def]))
              + "\n")
    return 0


# --- inputs ------------------------------------------------------------------------------------
def _split_assignments(text, separator=";"):
    """'a=x;b=y' -> {a: x, b: y}; ValueError for a part without '='."""
    result = {}
    for part in (p for p in text.split(separator) if p.strip()) if text else ():
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            raise ValueError(f"--inputs/--input_exprs take key=value pairs separated by "
                             f"'{separator}'; got {part!r}")
        result[key.strip()] = value.strip()
    return result


def load_input_file(spec):
    """The array in `file.npy`, or in `file.npz` (its one array, or `file.npz[name]`)."""
    name = None
    if spec.endswith("]") and "[" in spec:
        spec, name = spec[:-1].split("[", 1)
    if not os.path.isfile(spec):
        raise ValueError(f"Input file {spec} does not exist")
    loaded = np.load(spec, allow_pickle=False)  # never unpickle data from a file
    if isinstance(loaded, np.ndarray):
        return loaded
    with loaded:
        if name is None:
            if len(loaded.files) != 1:
                raise ValueError(f"{spec} holds arrays {loaded.files}; name one as "
                                 f"{spec}[<name>]")
            name = loaded.files[0]
        return loaded[name]


def _literal(node):
    return ast.literal_eval(node)


def evaluate_expression(text):
    """The value of an --input_exprs expression: a Python literal, or np.<constructor>(...)
    with literal arguments. Nothing else runs: names, attributes and calls beyond those are
    refused with ValueError."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ValueError(f"Cannot read input expression {text!r}: {e.msg}") from None
    body = tree.body
    if isinstance(body, ast.Call):
        func = body.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id in ("np", "numpy") and func.attr in _NUMPY_CONSTRUCTORS):
            allowed = "|".join(sorted(_NUMPY_CONSTRUCTORS))
            raise ValueError(f"Input expression {text!r}: only np.<{allowed}>(literals) calls "
                             "are allowed")
        try:
            args = [_literal(a) for a in body.args]
            kwargs = {k.arg: _literal(k.value) for k in body.keywords if k.arg}
        except ValueError:
            raise ValueError(f"Input expression {text!r}: arguments must be literals") from None
        if len(kwargs) != len(body.keywords):
            raise ValueError(f"Input expression {text!r}: ** arguments are not allowed")
        return np.asarray(_NUMPY_CONSTRUCTORS[func.attr](*args, **kwargs))
    try:
        return np.asarray(_literal(body))
    except ValueError:
        raise ValueError(f"Input expression {text!r} is not a literal (numbers, strings, "
                         "lists, tuples) nor an np.<constructor>(literals) call") from None


def run(args, out):
    from tensorweave.core.graph import Graph
    from tensorweave.runtime.session import Session
    from tensorweave.saved_model import loader
    feeds = {key: load_input_file(value) for key, value in
             _split_assignments(args.inputs).items()}
    for key, value in _split_assignments(args.input_exprs).items():
        if key in feeds:
            raise ValueError(f"Input {key!r} is given by both --inputs and --input_exprs")
        feeds[key] = evaluate_expression(value)
    with Graph().as_default() as graph, Session(graph=graph) as sess:
        meta_graph_def = loader.load(sess, args.tag_set.split(","), args.dir)
        if args.signature_def not in meta_graph_def.signature_def:
            raise ValueError(f"Could not find signature \"{args.signature_def}\". Please "
                             f"choose from: {', '.join(sorted(meta_graph_def.signature_def))}")
        signature = meta_graph_def.signature_def[args.signature_def]
        unknown = set(feeds) - set(signature.inputs)
        if unknown:
            raise ValueError(f"\"{', '.join(sorted(unknown))}\" is not a valid input key. "
                             f"Please choose from {', '.join(sorted(signature.inputs))}")
        feed_dict = {signature.inputs[key].name: value for key, value in feeds.items()}
        keys = sorted(signature.outputs)
        values = sess.run([signature.outputs[k].name for k in keys], feed_dict)
    for key, value in zip(keys, values):
        if args.outdir:
            os.makedirs(args.outdir, exist_ok=True)
            path = os.path.join(args.outdir, key + ".npy")
            if os.path.exists(path) and not args.overwrite:
                raise RuntimeError(f"Output file {path} already exists. Add \"--overwrite\" "
                                   "to overwrite the existing output files.")
            np.save(path, np.asarray(value), allow_pickle=False)
            out.write(f"Output {key} is saved to {path}\n")
        else:
            out.write(f"Result for output key {key}:\n{value}\n")
    return 0


def parser():
    top = argparse.ArgumentParser(prog="python -m tensorweave.saved_model",
                                  description="Inspect and run SavedModels (saved_model_cli).")
    commands = top.add_subparsers(dest="command", required=True)
    show_parser = commands.add_parser("show", help="show the tag-sets and SignatureDefs")
    show_parser.add_argument("--dir", required=True)
    show_parser.add_argument("--all", action="store_true")
    show_parser.add_argument("--tag_set")
    show_parser.add_argument("--signature_def")
    run_parser = commands.add_parser("run", help="run a SignatureDef on given inputs")
    run_parser.add_argument("--dir", required=True)
    run_parser.add_argument("--tag_set", required=True)
    run_parser.add_argument("--signature_def", required=True)
    run_parser.add_argument("--inputs", default="")
    run_parser.add_argument("--input_exprs", default="")
    run_parser.add_argument("--outdir")
    run_parser.add_argument("--overwrite", action="store_true")
    return top


def main(argv=None, out=None):
    out = out or sys.stdout
    args = parser().parse_args(argv)
    try:
        return show(args, out) if args.command == "show" else run(args, out)
    except (IOError, RuntimeError, ValueError) as e:
        sys.stderr.write(f"{type(e).__name__}: {e}\n")
        return 1
