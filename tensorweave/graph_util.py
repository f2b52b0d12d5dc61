"""tf.graph_util: rewriting GraphDef protos (freezing variables into constants, cutting out
the subgraph outputs need, removing training-only nodes).

    frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["softmax"])
    tf.io.write_graph(frozen, "model_dir", "frozen.pb", as_text=False)

These work on GraphDefs (TensorFlow's NodeDef names: `node.op` is TF's op name) and need the
protobuf messages of the `tensorboard` extra. The op names below are TensorFlow's, as they
appear in GraphDefs written by TensorFlow or by tensorweave.
"""
import copy
import re

from tensorweave.core import graph_def as graph_def_format
from tensorweave.core.importer import import_graph_def  # noqa: F401 - tf.graph_util's alias
from tensorweave.core.operation import Operation
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.platform import tf_logging as logging

# TensorFlow's variable ops in a GraphDef (reference and resource variables).
VARIABLE_OPS = frozenset(["Variable", "VariableV2", "AutoReloadVariable", "VarHandleOp",
                          "_VarHandlesOp"])
# Nodes that only check or pass values on during training (remove_training_nodes).
TRAINING_CHECK_OPS = frozenset(["CheckNumerics"])
PASS_THROUGH_OPS = frozenset(["Identity"])


def _node_name(input_name):
    """'^a', 'a:1' -> 'a'."""
    return input_name.lstrip("^").split(":")[0]


def _check_graph_def(graph_def):
    if type(graph_def).__name__ != "GraphDef":
        raise TypeError("graph_def must be a graph_pb2.GraphDef proto.")


def extract_sub_graph(graph_def, dest_nodes):
    """The GraphDef of the nodes `dest_nodes` need (themselves included), in their order."""
    _check_graph_def(graph_def)
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be a list.")
    by_name = {node.name: node for node in graph_def.node}
    for name in dest_nodes:
        if name not in by_name:
            raise AssertionError(f"{name} is not in graph")
    needed, pending = set(), list(dest_nodes)
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        needed.add(name)
        pending.extend(_node_name(i) for i in by_name[name].input)
    out = type(graph_def)()
    out.node.extend(copy.deepcopy(node) for node in graph_def.node if node.name in needed)
    out.library.CopyFrom(graph_def.library)
    out.versions.CopyFrom(graph_def.versions)
    return out


def convert_variables_to_constants(sess, input_graph_def, output_node_names,
                                   variable_names_whitelist=None,
                                   variable_names_blacklist=None):
    """A GraphDef computing `output_node_names` with every variable they read replaced by a
    Const node holding its value in `sess` (a frozen graph)."""
    graph = extract_sub_graph(input_graph_def, output_node_names)
    chosen = [node.name for node in graph.node if node.op in VARIABLE_OPS
              and (variable_names_whitelist is None or node.name in variable_names_whitelist)
              and not (variable_names_blacklist and node.name in variable_names_blacklist)]
    values = dict(zip(chosen, sess.run([f"{name}:0" for name in chosen]))) if chosen else {}
    out = type(graph)()
    for node in graph.node:
        if node.name in values:
            frozen = out.node.add(name=node.name, op="Const")
            dtype = node.attr["dtype"]
            frozen.attr["dtype"].CopyFrom(dtype)
            frozen.attr["value"].tensor.CopyFrom(graph_def_format.tensor_proto(
                values[node.name], graph_def_format.dtype_from_enum(dtype.type)))
            if node.device:
                frozen.device = node.device
        elif node.op == "ReadVariableOp" and _node_name(node.input[0]) in values:
            read = out.node.add(name=node.name, op="Identity", input=list(node.input))
            read.attr["T"].CopyFrom(node.attr["dtype"])
        else:
            out.node.add().CopyFrom(node)
    out.library.CopyFrom(graph.library)
    out.versions.CopyFrom(graph.versions)
    logging.info("Froze %d variables.", len(values))
    logging.info("Converted %d variables to const ops.", len(values))
    return out


def remove_training_nodes(input_graph, protected_nodes=None):
    """The GraphDef without numeric checks, and with Identity nodes spliced out (their
    consumers read the Identity's input), except `protected_nodes` and Identities that take
    or give control dependencies."""
    protected = set(protected_nodes or [])
    dropped = {node.name for node in input_graph.node
               if node.op in TRAINING_CHECK_OPS and node.name not in protected}
    kept = []
    for node in input_graph.node:
        if node.name in dropped:
            continue
        node = copy.deepcopy(node)
        inputs = [i for i in node.input if _control_free(i) not in dropped]
        del node.input[:]
        node.input.extend(inputs)
        kept.append(node)
    control_sources = {i[1:] for node in kept for i in node.input if i.startswith("^")}
    with_control_inputs = {node.name for node in kept
                           if any(i.startswith("^") for i in node.input)}
    spliced = {node.name: node.input[0] for node in kept
               if node.op in PASS_THROUGH_OPS and node.name not in protected
               and node.name not in with_control_inputs and node.name not in control_sources}
    out = type(input_graph)()
    for node in kept:
        if node.name in spliced:
            continue
        inputs = []
        for full in node.input:
            while _control_free(full) in spliced:
                full = spliced[_control_free(full)]
            inputs.append(full)
        del node.input[:]
        node.input.extend(inputs)
        out.node.add().CopyFrom(node)
    return out


def _control_free(input_name):
    return re.sub(r"^\^", "", input_name)


def must_run_on_cpu(node, pin_variables_on_cpu=False):
    """True for nodes TensorFlow keeps on the CPU: int32 and string constants, int32 stitching
    and casts from int32, and variables when `pin_variables_on_cpu`."""
    node_def = graph_def_format.node_def(node) if isinstance(node, Operation) else node
    int32, string = 3, 7  # TensorFlow's DataType enum values
    if pin_variables_on_cpu and node_def.op in VARIABLE_OPS:
        return True
    attr = {"Const": "dtype", "DynamicStitch": "T", "ParallelDynamicStitch": "T",
            "Cast": "SrcT"}.get(node_def.op)
    if attr is None:
        return False
    cpu_types = (int32, string) if node_def.op == "Const" else (int32,)
    return node_def.attr[attr].type in cpu_types


def tensor_shape_from_node_def_name(graph, input_name):
    """The static shape of the tensor `input_name` ('op' means 'op:0') in `graph`."""
    name = input_name if ":" in input_name else f"{input_name}:0"
    shape = graph.get_tensor_by_name(name).shape
    return TensorShape(shape.as_list() if shape.ndims is not None else None)
