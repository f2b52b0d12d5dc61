"""Writing a TensorFlow inference graph as an ONNX model.

The GraphDef (frozen: variables already constants) is imported into a fresh tensorweave Graph,
which gives every tensor's static shape and dtype and computes the parts that do not depend on
the inputs (weights read through Identity, shapes known while building) once, as constants.
The remaining nodes, from the inputs to the outputs, are written one by one by the converter of
their op type (`tensorweave.onnx.converters.CONVERTERS`). Value names are TensorFlow's tensor
names for the graph's inputs and outputs ('input_1:0').
"""
import copy

import numpy as np

from tensorweave import graph_util
from tensorweave.core import constants
from tensorweave.core import importer
from tensorweave.core import tensorflow_forms
from tensorweave.core.graph import Graph
from tensorweave.core.operation import Tensor
from tensorweave.onnx import context
from tensorweave.onnx import converters
from tensorweave.runtime.session import Session

PLACEHOLDER_OPS = frozenset(["Placeholder", "PlaceholderWithDefault"])
DEFAULT_OPSET = 17  # onnxruntime 1.16 and later run it
MIN_OPSET = 13


def export(graph_def_or_session, inputs, outputs, path=None, opset=DEFAULT_OPSET,
           input_shapes=None):
    """Writes the computation of `outputs` from `inputs` as an ONNX model; returns the
    `onnx.ModelProto` (also saved to `path` when given).

    graph_def_or_session: a frozen `GraphDef` (tensorweave's or TensorFlow's), a Session (its
    graph is exported with the variables' current values as constants), or a Graph without
    variables. inputs, outputs: tensor names ('input:0') or Tensors; the ONNX model's inputs and
    outputs carry these names. opset: the ONNX opset of the default domain (13 or later).
    input_shapes: {input name: shape (None for unknown sizes)} for inputs whose placeholder has
    no shape or a wider one (ONNX inputs need at least their rank).

        model = tensorweave.onnx.export(sess, ["x:0"], ["softmax:0"], "model.onnx")
    """
    onnx = context.require_onnx()
    if not isinstance(opset, int) or not MIN_OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise ValueError(f"opset must be an int from {MIN_OPSET} to "
                         f"{onnx.defs.onnx_opset_version()} (this onnx package), got {opset!r}.")
    input_names, output_names = tensor_names(inputs, "inputs"), tensor_names(outputs, "outputs")
    if not output_names:
        raise ValueError("outputs must name at least one tensor.")
    graph_def = frozen_graph_def(graph_def_or_session, output_names)
    if input_shapes:
        graph_def = with_input_shapes(graph_def, input_shapes, input_names)
    model = GraphExporter(onnx, graph_def, input_names, output_names, opset).model()
    onnx.checker.check_model(model)
    if path is not None:
        onnx.save(model, str(path))
    return model


def tensor_names(tensors, what):
    """'x', 'x:0' or a Tensor (or a list of them) -> ['x:0', ...]."""
    if isinstance(tensors, (str, Tensor)):
        tensors = [tensors]
    names = []
    for t in tensors:
        if isinstance(t, Tensor):
            names.append(t.name)
        elif isinstance(t, str):
            names.append(context.tensor_name(t))
        else:
            raise TypeError(f"{what} must be tensor names or Tensors, got {type(t).__name__}.")
    if len(set(names)) != len(names):
        raise ValueError(f"{what} name a tensor twice: {names}")
    return names


def frozen_graph_def(graph_def_or_session, output_names):
    """The GraphDef to export: a Session's graph with its variables folded to constants."""
    given = graph_def_or_session
    if isinstance(given, Session):
        nodes = sorted({name.rsplit(":", 1)[0] for name in output_names})
        return graph_util.convert_variables_to_constants(given, given.graph_def, nodes)
    if isinstance(given, Graph):
        return given.as_graph_def()
    if type(given).__name__ == "GraphDef":
        return given
    raise TypeError("export() takes a GraphDef, a Session or a Graph, got "
                    f"{type(given).__name__}.")


def with_input_shapes(graph_def, input_shapes, input_names):
    """A copy of `graph_def` whose input placeholders have the shapes `input_shapes` gives."""
    from tensorweave.core import graph_def as graph_def_format
    from tensorweave.core.tensor_shape import TensorShape
    graph_def = copy.deepcopy(graph_def)
    nodes = {node.name: node for node in graph_def.node}
    for name, shape in input_shapes.items():
        name = context.tensor_name(name)
        if name not in input_names:
            raise ValueError(f"input_shapes names {name}, which is not among the inputs.")
        node = nodes.get(name.rsplit(":", 1)[0])
        if node is None or node.op not in PLACEHOLDER_OPS:
            raise ValueError(f"input_shapes: {name} is not the output of a placeholder.")
        node.attr["shape"].shape.CopyFrom(graph_def_format.shape_proto(TensorShape(shape)))
    return graph_def


class GraphExporter:
    """One export: the GraphDef cut at the inputs, its constants, and the ONNX graph."""

    def __init__(self, onnx, graph_def, input_names, output_names, opset):
        self.onnx = onnx
        self.input_names, self.output_names = input_names, output_names
        self.inputs = set(input_names)
        self.nodes = {node.name: node for node in graph_def.node}
        for name in input_names + output_names:
            if name.rsplit(":", 1)[0] not in self.nodes:
                raise ValueError(f"Tensor {name} is not in the graph: its node "
                                 f"'{name.rsplit(':', 1)[0]}' is missing.")
        self.builder = context.OnnxGraphBuilder(onnx, opset)
        for name in input_names + output_names:
            self.builder.reserve(name)
        self.graph = self._import(graph_def)
        # tensorweave's own GraphDefs may hold its forms of ops (Pad with attr paddings):
        # convert TensorFlow's forms, written from the imported graph
        written = tensorflow_forms.to_tensorflow(self.graph, add_shapes=False)
        self.nodes = {node.name: node for node in written.node}
        self._written_constants = {
            f"{node.name}:0": context.decode_attr(node.attr["value"])
            for node in written.node if node.op == "Const" and self._operation(node.name) is None}
        self._constant_tensors = {}  # tensor name -> value (None: not computed yet)
        self._find_constants()
        self._values = {}  # TF tensor name -> ONNX value name
        self._initializers = {}  # TF tensor name -> initializer name

    # --- the TensorFlow side ----------------------------------------------------------------
    def _import(self, graph_def):
        needed = graph_util.extract_sub_graph(
            graph_def, sorted({n.rsplit(":", 1)[0] for n in self.output_names}))
        graph = Graph()
        with graph.as_default():
            try:
                importer.import_graph_def(needed, name="")
            except Exception as e:  # the importer names the node and the op type
                missing = self._missing_converters(self._walk(lambda t: False))
                hint = f" {missing}" if missing else ""
                raise context.ExportError(
                    f"ONNX export needs the graph to load in tensorweave: {e}{hint}") from e
        return graph

    def _tensor(self, name):
        try:
            return self.graph.get_tensor_by_name(name)
        except (KeyError, ValueError):
            return None

    def static_shape(self, name):
        if name in self._written_constants:
            return list(self._written_constants[name].shape)
        tensor = self._tensor(name)
        if tensor is None or tensor.shape.ndims is None:
            return None
        return tensor.shape.as_list()

    def dtype(self, name):
        if name in self._written_constants:
            return self._written_constants[name].dtype
        tensor = self._tensor(name)
        if tensor is None:
            raise context.ExportError(f"ONNX export: the dtype of {name} is not known.")
        return np.dtype(tensor.dtype.as_numpy_dtype)

    def _walk(self, stop):
        """The nodes the outputs need, inputs first, not going past input tensors or tensors
        `stop` says are known."""
        order, done = [], set()
        stack = [(t.rsplit(":", 1)[0], False) for t in reversed(self.output_names)
                 if t not in self.inputs and not stop(t)]
        while stack:
            name, expanded = stack.pop()
            if name in done:
                continue
            if expanded:
                done.add(name)
                order.append(self.nodes[name])
                continue
            stack.append((name, True))
            for t in reversed(context.data_inputs(self.nodes[name])):
                source = t.rsplit(":", 1)[0]
                if source not in self.nodes:
                    raise ValueError(f"Node '{name}' reads {t}, which is not in the graph.")
                if t not in self.inputs and not stop(t) and source not in done:
                    stack.append((source, False))
        return order

    def _find_constants(self):
        """Marks the tensors that do not depend on the inputs or on state."""
        self._constant_tensors.update(self._written_constants)
        for node in self._walk(lambda t: False):
            op = self._operation(node.name)
            if op is None:
                continue
            foldable = (not op.op_def.stateful and op.op_def.foldable
                        and not op.op_def.must_feed)
            if foldable and all(t in self._constant_tensors and t not in self.inputs
                                for t in context.data_inputs(node)):
                for out in op.outputs:
                    self._constant_tensors[out.name] = None
                continue
            if op.outputs and op.outputs[0].name not in self.inputs:
                try:
                    known = constants.constant_value(op.outputs[0])
                except Exception:  # a value rule that cannot answer: computed at run time
                    known = None
                if known is not None:
                    self._constant_tensors[op.outputs[0].name] = np.asarray(known)
        for name in self.inputs:
            self._constant_tensors.pop(name, None)

    def _operation(self, name):
        try:
            return self.graph.get_operation_by_name(name)
        except (KeyError, ValueError):
            return None

    def constant(self, name):
        """The value of tensor `name` when it is a constant, else None."""
        if name not in self._constant_tensors:
            return None
        value = self._constant_tensors[name]
        if value is None:
            self._evaluate_constants()
            value = self._constant_tensors[name]
        return value

    def _evaluate_constants(self):
        """Computes every constant tensor the converted nodes or the outputs read, at once."""
        wanted = set(t for t in self.output_names if t in self._constant_tensors)
        for node in self._to_convert:
            wanted.update(t for t in context.data_inputs(node) if t in self._constant_tensors)
        pending = sorted(t for t in wanted if self._constant_tensors[t] is None)
        if not pending:
            return
        with Session(graph=self.graph) as sess:
            values = sess.run(pending)
        for name, value in zip(pending, values):
            self._constant_tensors[name] = np.asarray(value)

    # --- the ONNX side ----------------------------------------------------------------------
    def _missing_converters(self, nodes):
        missing = [(n.op, n.name) for n in nodes if n.op not in converters.CONVERTERS]
        if not missing:
            return ""
        listed = ", ".join(f"{op} (node '{name}')" for op, name in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        hint = ""
        if any(op in graph_util.VARIABLE_OPS for op, _ in missing):
            hint = (" Variables must be constants: pass the Session, or a GraphDef frozen with "
                    "tf.graph_util.convert_variables_to_constants.")
        return (f"ONNX export has no converter for op type {listed}{more}.{hint} Supported op "
                f"types (tensorweave.onnx.SUPPORTED_OP_TYPES): "
                f"{', '.join(converters.SUPPORTED_OP_TYPES)}.")

    def onnx_value(self, name):
        """The ONNX value standing for TF tensor `name`."""
        if name in self.inputs:
            return name
        if name in self._values:
            return self._values[name]
        value = self.constant(name)
        if value is not None:
            if name not in self._initializers:
                self._initializers[name] = self.builder.add_initializer(value, name)
            return self._initializers[name]
        raise context.ExportError(f"ONNX export: no ONNX value stands for {name} (its node's "
                                  "converter does not write that output).")

    def _value_info(self, name, onnx_name=None):
        shape = self.static_shape(name)
        if shape is None:
            what = "input" if name in self.inputs else "output"
            raise context.ExportError(
                f"ONNX export: the rank of {what} {name} is not known, and ONNX needs it"
                + (" (give it with input_shapes={name: [...]})" if what == "input" else ""))
        elem = self.builder.onnx_dtype(self.dtype(name))
        return self.onnx.helper.make_tensor_value_info(onnx_name or name, elem, shape)

    def model(self):
        self._to_convert = self._walk(lambda t: t in self._constant_tensors)
        missing = self._missing_converters(self._to_convert)
        if missing:
            raise context.ExportError(missing)
        for node in self._to_convert:
            ctx = context.NodeContext(self, node)
            produced = converters.CONVERTERS[node.op](ctx)
            if produced is None or isinstance(produced, str):
                produced = [produced]
            for k, value in enumerate(produced):
                if value is not None:
                    self._values[f"{node.name}:{k}"] = value
        inputs = [self._value_info(n) for n in self.input_names]
        outputs = []
        for name in self.output_names:
            value = self.onnx_value(name)
            if value != name:
                self.builder.nodes.append(self.onnx.helper.make_node(
                    "Identity", [value], [name], name=self.builder.fresh(name + "/output")))
            outputs.append(self._value_info(name))
        helper = self.onnx.helper
        graph = helper.make_graph(self.builder.nodes, "tensorweave",
                                  inputs, outputs,
                                  initializer=self.builder.initializers)
        opsets = [helper.make_opsetid("", self.builder.opset)]
        model = helper.make_model(graph, opset_imports=opsets, producer_name="tensorweave",
                                  ir_version=ir_version(self.onnx, self.builder.opset))
        return model


def ir_version(onnx, opset):
    """The lowest ONNX IR version that has `opset` (runtimes refuse IR versions they are older
    than, so the lowest is the most widely readable)."""
    for _release, ir, default_opset, *_ in onnx.helper.VERSION_TABLE:
        if default_opset >= opset:
            return ir
    return onnx.IR_VERSION
