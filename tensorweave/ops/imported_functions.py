"""TensorFlow's functions in GraphDefs it writes (the FunctionDefs of the graph's `library`, which
tf.data's map/filter/interleave and function calls name in `func` attrs), made runnable.

Reading a GraphDef, a rule (registry.register_tf_graph_form) turns each `func` attr that names a
library function into tensorweave's form: a dict holding the function's body as a GraphDef of
its own (its arguments as Placeholders, TensorFlow's `node:output_arg:index` inputs numbered
`node:k`, the library functions it calls in its `library`), the argument names and the output
tensor names. The attr codec imports that body into a Graph of its own as an ImportedFunction,
which op kernels run through a sub-Plan (the `bind` facet's make_plan). PartitionedCall and
StatefulPartitionedCall, TensorFlow's function calls, run so.
"""
from tensorweave.core.graph import Graph
from tensorweave.core.registry import register_attr_codec, register_op, register_tf_graph_form
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import tf_op_outputs

_MARK = "_tensorweave_function"  # the dict key telling tensorweave's form of a function attr


class ImportedFunction:
    """A TensorFlow function imported into a graph of its own: `inputs` (Placeholders, the
    arguments in order), `outputs` (tensors), and `data` (its plain form, written back when
    the graph holding the op is written)."""

    def __init__(self, name, graph, inputs, outputs, data):
        self.name = name
        self.graph = graph
        self.inputs = inputs
        self.outputs = outputs
        self.data = data

    def __repr__(self):
        return f"<ImportedFunction {self.name}>"


class FunctionCall:
    """An ImportedFunction's sub-Plan with its captured values: called on a flat element (the
    leading arguments), it returns the outputs as a tuple (the stage protocol of
    ops/dataset_streams.py: one element at a time)."""

    def __init__(self, plan, captured=()):
        self.plan = plan
        self.captured = list(captured)

    def __call__(self, args):
        return tuple(self.plan.run_raw(list(args) + self.captured))

    def can_batch(self):
        return False


def plan_of(function, make_plan):
    """The sub-Plan that runs `function` (outputs from all its inputs)."""
    return make_plan(list(function.outputs), list(function.inputs))


# --- reading: FunctionDef -> a GraphDef of its body ---------------------------------------------
def _output_index(node, arg, index):
    """The flat output number of TensorFlow's `node:arg:index`."""
    words = tf_op_outputs.OUTPUTS.get(node.op)
    if words is None:
        return index
    flat = 0
    for word in words.split():
        if "*" in word:
            name, count = word.split("*")
            size = node.attr[count].i if count in node.attr else 0
        elif "[" in word:
            name, types = word[:-1].split("[")
            size = len(node.attr[types].list.type) if types in node.attr else 0
        else:
            name, size = word, 1
        if name == arg:
            return flat + index
        flat += size
    raise ValueError(f"node '{node.name}' ({node.op}) has no output argument {arg!r}")


def _tensor_name(text, nodes):
    """A FunctionDef input or ret ('arg', 'node:out:k', '^node') as a GraphDef input."""
    if text.startswith("^"):
        return text
    parts = text.split(":")
    if len(parts) == 1:
        return parts[0] if parts[0] not in nodes else parts[0] + ":0"
    if len(parts) == 2:
        return text
    node = nodes[parts[0]]
    return f"{parts[0]}:{_output_index(node, parts[1], int(parts[2]))}"


def _called(function_def, functions):
    """Names of the library functions `function_def` calls, directly or not."""
    seen, pending = set(), [function_def]
    while pending:
        for node in pending.pop().node_def:
            for value in node.attr.values():
                names = [value.func.name] if value.WhichOneof("value") == "func" else \
                    [f.name for f in value.list.func]
                for name in names:
                    if name in functions and name not in seen:
                        seen.add(name)
                        pending.append(functions[name])
    return seen


def _arg_dtype(arg, bound):
    if arg.type:
        return arg.type
    if arg.type_attr and arg.type_attr in bound:
        return bound[arg.type_attr].type
    raise ValueError(f"function argument {arg.name!r} has no known type")


def body_graph_def(function_def, functions, bound, codec):
    """The GraphDef of a FunctionDef's body, with the library functions it calls."""
    graph_def = codec.graph_pb2.GraphDef()
    nodes = {n.name: n for n in function_def.node_def}
    for arg in function_def.signature.input_arg:
        placeholder = graph_def.node.add(name=arg.name, op="Placeholder")
        placeholder.attr["dtype"].type = _arg_dtype(arg, bound)
        placeholder.attr["shape"].shape.unknown_rank = True
    for node in function_def.node_def:
        copy = graph_def.node.add()
        copy.CopyFrom(node)
        del copy.input[:]
        copy.input.extend(_tensor_name(i, nodes) for i in node.input)
    for name in sorted(_called(function_def, functions)):
        graph_def.library.function.add().CopyFrom(functions[name])
    return graph_def


def _rewrite_library_functions(graph_def):
    """tf.import_graph_def's rule: func attrs naming library functions become tensorweave's
    form (a dict with the function body); the GraphDef itself when it has no library."""
    functions = {f.signature.name: f for f in graph_def.library.function}
    if not functions:
        return graph_def
    from tensorweave.core import graph_def as codec  # protobuf: only while importing
    rewritten = type(graph_def)()
    rewritten.CopyFrom(graph_def)
    del rewritten.library.function[:]
    by_name = {n.name: n for n in rewritten.node}
    for node in rewritten.node:
        for key, value in node.attr.items():
            if value.WhichOneof("value") != "func" or value.func.name not in functions:
                continue
            function_def = functions[value.func.name]
            body = body_graph_def(function_def, functions, value.func.attr, codec)
            data = {_MARK: value.func.name, "graph": body.SerializeToString(),
                    "args": [a.name for a in function_def.signature.input_arg],
                    "outputs": [_tensor_name(function_def.ret[a.name],
                                             {n.name: n for n in function_def.node_def})
                                for a in function_def.signature.output_arg],
                    "element_shapes": _element_shapes(node, by_name, codec)}
            node.attr[key].CopyFrom(codec.attr_value(data))
    return rewritten


def _element_shapes(node, by_name, codec):
    """The element shapes of a dataset op's input dataset (its function's leading arguments),
    from that node's output_shapes attr; [] when there is none."""
    data = [i for i in node.input if not i.startswith("^")]
    source = by_name.get(data[0].split(":")[0]) if data else None
    if source is None or "output_shapes" not in source.attr:
        return []
    return [codec.shape_from_proto(s) for s in source.attr["output_shapes"].list.shape]


register_tf_graph_form(_rewrite_library_functions)


def import_function(data, inputs, first_capture):
    """The ImportedFunction of a function attr in tensorweave's form. Its leading arguments
    take `data["element_shapes"]`; the next ones, captured values, the shapes of the op's
    `inputs` from `first_capture` on."""
    if isinstance(data, ImportedFunction):
        return data
    from tensorweave.core import graph_def as codec  # protobuf: only while importing
    from tensorweave.core import importer
    raw = data["graph"]
    body = codec.graph_pb2.GraphDef.FromString(raw if isinstance(raw, bytes)
                                               else raw.encode("utf-8"))
    args = list(data["args"])
    shapes = list(data.get("element_shapes") or [])
    shapes += [t.shape for t in inputs[first_capture:first_capture + len(args) - len(shapes)]]
    placeholders = {n.name: n for n in body.node if n.op == "Placeholder"}
    for name, shape in zip(args, shapes):
        if isinstance(shape, TensorShape) and shape.ndims is not None:
            placeholders[name].attr["shape"].CopyFrom(codec.attr_value(shape))
    graph = Graph()
    with graph.as_default():
        found = importer.import_graph_def(body, name="", return_elements=[
            a + ":0" for a in args] + list(data["outputs"]))
    return ImportedFunction(data[_MARK], graph, found[:len(args)], found[len(args):],
                            dict(data))


def _encode(function):
    return function.data if isinstance(function, ImportedFunction) else function


def function_codec(op_type, attr, first_capture):
    """Registers the codec of function attr `attr` of `op_type` (captured inputs from input
    `first_capture` on)."""
    register_attr_codec(op_type, attr, encode=_encode,
                        decode=lambda data, inputs: import_function(data, inputs,
                                                                    first_capture))


def require_function(op, attr):
    """The op's ImportedFunction `attr`; ValueError naming the op when it has none."""
    function = op.attrs.get(attr)
    if not isinstance(function, ImportedFunction):
        raise ValueError(f"{op.type} '{op.name}' has no imported function {attr!r}")
    return function


# --- PartitionedCall / StatefulPartitionedCall: TensorFlow's function calls ---------------------
def _call_shape(*args, f, Tout=(), **attrs):
    if not isinstance(f, ImportedFunction):
        raise ValueError("PartitionedCall needs its function `f` from the GraphDef's library")
    if len(args) != len(f.inputs):
        raise ValueError(f"PartitionedCall of {f.name} takes {len(f.inputs)} arguments, got "
                         f"{len(args)}")
    return [(t.dtype, t.shape) for t in f.outputs]


def _bind_call(op, make_plan, is_used):
    plan = plan_of(op.attrs["f"], make_plan)

    def run(*args):
        values = plan.run_raw(list(args))
        return values[0] if len(values) == 1 else tuple(values)
    return run


for _op_type in ("PartitionedCall", "StatefulPartitionedCall"):
    register_op(_op_type, shape=_call_shape, kernel=None, bind=_bind_call, foldable=False,
                shares_memory=True, grad=None)
    function_codec(_op_type, "f", 0)
