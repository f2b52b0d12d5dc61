"""TensorFlow's forms of ops in a GraphDef: a graph written in them (to_tensorflow), and a
GraphDef TensorFlow wrote rewritten to tensorweave's forms before import (from_tensorflow).

Each op type declares its form beside its registration (registry.register_tf_form; the rules
forms are made of are in core/tf_form.py): how its NodeDef is written in TensorFlow's form,
and how a NodeDef of TensorFlow's op is read. Op types TF renamed map to tensorweave's
(AddV2 -> Add). Nodes already in tensorweave's form pass as they are; TensorFlow forms with no
rewrite raise ValueError at import, naming the node. Writing also sets the type attrs of
TensorFlow's OpDef (tf_op_signatures.py) and drops attrs it does not declare.
"""
import numpy as np

from tensorweave.core import dtypes as _dtypes
from tensorweave.core import graph_def as codec
from tensorweave.core import registry
from tensorweave.core import tf_op_signatures
from tensorweave.core.tf_form import Unsupported


def renamed_ops():
    """{TensorFlow's op type: tensorweave's} for the op types TensorFlow only renamed."""
    return registry.tf_renamed_ops()


class _Reader:
    """The GraphDef being read: the constants its nodes' inputs name, and attr setting."""

    def __init__(self, graph_def):
        self.nodes = {n.name: n for n in graph_def.node}

    def constant(self, name):
        """The value of input `name` if a Const node makes it, else None."""
        node = self.nodes.get(name.split(":")[0])
        if node is None or node.op != "Const" or ":" in name and not name.endswith(":0"):
            return None
        return codec.tensor_value(node.attr["value"].tensor)

    def take_input(self, node, index):
        """Removes data input `index`; returns its value if constant, else None."""
        name = node.input[index]
        del node.input[index]
        return self.constant(name)

    def set(self, node, key, value):
        node.attr[key].CopyFrom(codec.attr_value(value))


def from_tensorflow(graph_def):
    """A copy of `graph_def` with TensorFlow's op forms rewritten to tensorweave's."""
    rewritten = type(graph_def)()
    rewritten.CopyFrom(graph_def)
    reader = _Reader(rewritten)
    renamed = registry.tf_renamed_ops()
    for node in rewritten.node:
        node.op = renamed.get(node.op, node.op)
        marker, rule = registry.tf_reader(node.op)
        if rule is not None and marker not in node.attr:
            try:
                rule(node, reader)
            except ValueError as e:
                raise ValueError(f"Node '{node.name}': {e}") from None
    return rewritten


# --- tensorweave -> TensorFlow ------------------------------------------------------------------
class TFNode:
    """One op's NodeDef being rewritten to TensorFlow's form, the dtypes of its data inputs,
    and the nodes it needs before it (constants, expansions); see core/tf_form.py."""

    def __init__(self, op, node, writing):
        self.op = op
        self.node = node
        self.dtypes = [t.dtype for t in op.inputs]
        self.before = []
        self.writing = writing
        self.taken = writing.taken  # node names in use
        self.shared = writing.shared  # what the rules of one graph being written share
        self.aliases = {}  # output index -> the input name that stands for it in TF's form

    def alias(self, index, target):
        """Output `index` of this op is read as input `target` in TensorFlow's form (its
        readers are rewired when they are written)."""
        self.aliases[index] = target

    def name(self, tensor):
        """The input name of `tensor` in the graph written so far (aliases applied)."""
        return self.writing.input_name(tensor)

    def written(self, op):
        """The NodeDefs already written for Operation `op` (a rule may rewrite them), or
        None when it is not written (yet)."""
        return self.writing.nodes.get(op)

    def fresh(self, suffix):
        name, k = f"{self.node.name}/{suffix}", 1
        while name in self.taken:
            name, k = f"{self.node.name}/{suffix}_{k}", k + 1
        self.taken.add(name)
        return name

    def set(self, key, value):
        """Sets attr `key` of this op's node."""
        self.node.attr[key].CopyFrom(codec.attr_value(value))

    def add(self, op_type, suffix, inputs=(), **attrs):
        """A new node before this one; returns its name."""
        return self.add_named(op_type, self.fresh(suffix), inputs, **attrs)

    def add_named(self, op_type, name, inputs=(), **attrs):
        """A new node before this one named `name` (from fresh); returns its name."""
        node = self.node.__class__(name=name, op=op_type, device=self.node.device)
        node.input.extend(inputs)
        for key, value in attrs.items():
            node.attr[key].CopyFrom(codec.attr_value(value))
        self.before.append(node)
        return node.name

    def const(self, suffix, value, dtype):
        return self.add("Const", suffix, dtype=dtype,
                        value=np.asarray(value, dtype=dtype.as_numpy_dtype))

    def insert_const(self, index, suffix, value, dtype=_dtypes.int32):
        """A constant data input at `index` (appended when None)."""
        name = self.const(suffix, value, dtype)
        data = [i for i in self.node.input if not i.startswith("^")]
        controls = [i for i in self.node.input if i.startswith("^")]
        index = len(data) if index is None else index
        data.insert(index, name)
        self.dtypes.insert(index, dtype)
        del self.node.input[:]
        self.node.input.extend(data + controls)

    def pop(self, attr):
        value = self.op.attrs.get(attr)
        if attr in self.node.attr:
            del self.node.attr[attr]
        return value

    def rank(self, index=0):
        rank = self.op.inputs[index].shape.ndims
        if rank is None:
            raise Unsupported("needs the input's rank")
        return rank


def _fit_signature(t):
    """Sets the type attrs of TensorFlow's OpDef from the input dtypes and drops attrs the
    OpDef does not declare; leaves the node alone when its inputs do not fit the OpDef."""
    node, dtypes = t.node, t.dtypes
    signature = tf_op_signatures.SIGNATURES.get(node.op)
    if signature is None or dtypes is None:
        return
    words, declared = signature[0].split(), set(signature[1].split())
    if any(k not in declared and k != "T" and not k.startswith("_") for k in node.attr):
        return  # tensorweave attrs TensorFlow's op lacks: not its form
    counts = _input_counts(words, node, len(dtypes))
    if counts is None:
        return
    position, typed = 0, {}
    for word, count in zip(words, counts):
        taken = dtypes[position:position + count]
        position += count
        if not word.startswith("[") and word.split("*")[0] != "-":
            typed.setdefault(word.split("*")[0], set()).update(taken)
    if any(len(kinds) > 1 for kinds in typed.values()):
        return  # inputs one type attr types differ (tensorweave's Merge reads its predicate)
    position = 0
    for word, count in zip(words, counts):
        taken = dtypes[position:position + count]
        position += count
        if word.startswith("["):
            t.set(word[1:-1], list(taken))
        elif "*" in word:
            type_attr, number_attr = word.split("*")
            t.set(number_attr, count)
            if type_attr != "-" and taken:
                t.set(type_attr, taken[0])
        elif word != "-":
            t.set(word, taken[0])
    for key in list(node.attr):
        if key not in declared and not key.startswith("_"):
            del node.attr[key]


def _input_counts(words, node, total):
    """How many inputs each word of an OpDef's signature takes: one for a plain input; for a
    list, its number attr (N) when the node has it, else whatever the other words leave (one
    list at most); None when the inputs do not fit."""
    counts, open_list = [], None
    for index, word in enumerate(words):
        number = word.split("*")[1] if "*" in word else None
        known = number is not None and number in node.attr and \
            node.attr[number].WhichOneof("value") == "i"
        if known:
            counts.append(int(node.attr[number].i))
        elif number is not None or word.startswith("["):
            if open_list is not None:
                return None
            open_list = index
            counts.append(0)
        else:
            counts.append(1)
    if open_list is not None:
        counts[open_list] = total - sum(counts)
        if counts[open_list] < 0:
            return None
    return counts if sum(counts) == total else None


class _Writing:
    """One graph being written in TensorFlow's form: names in use, the NodeDefs written per op,
    the aliases of op outputs and what the rules share."""

    def __init__(self, graph, add_shapes):
        self.taken = {op.name for op in graph.get_operations()}
        self.add_shapes = add_shapes
        self.nodes = {}  # op -> its NodeDefs
        self.aliases = {}  # (op name, output index) -> input name in TensorFlow's form
        self.shared = {}

    def input_name(self, tensor):
        alias = self.aliases.get((tensor.op.name, tensor.value_index))
        return alias if alias is not None else codec.input_name(tensor)

    def _rewire(self, node, op):
        data = [self.input_name(t) for t in op.inputs]
        controls = [i for i in node.input if i.startswith("^")]
        del node.input[:]
        node.input.extend(data + controls)

    def write(self, op):
        """The NodeDefs that stand for `op` in TensorFlow's form (nodes it needs first, then its
        own, under its name); tensorweave's form where there is no TensorFlow form."""
        node = codec.node_def(op, self.add_shapes)
        self._rewire(node, op)
        rule = op.op_def.to_tf
        t = TFNode(op, node, self)
        if rule is not None:
            try:
                rule(t)
            except Unsupported:
                node = codec.node_def(op, self.add_shapes)
                self._rewire(node, op)
                t = TFNode(op, node, self)
        _fit_signature(t)
        for index, target in t.aliases.items():
            self.aliases[(op.name, index)] = target
        nodes = self.nodes[op] = t.before + [node]
        return nodes


def tensorflow_node_defs(op, taken, add_shapes=False):
    """The NodeDefs that stand for `op` alone in TensorFlow's form (see _Writing.write)."""
    writing = _Writing(op.graph, add_shapes)
    writing.taken.update(taken)
    nodes = writing.write(op)
    taken.update(writing.taken)
    return nodes


def to_tensorflow(graph, add_shapes=True, ops=None):
    """`graph` (or only its `ops`) as a GraphDef in TensorFlow's op forms where tensorweave
    has them (what a .meta file holds, so TensorFlow can import it); from_tensorflow reverses
    it. Rules run in op order and may rewrite the nodes of ops written before (a While writes
    its body's LoopInputs as TensorFlow 1's frame nodes)."""
    graph_def = codec.graph_pb2.GraphDef()
    graph_def.versions.producer = codec.GRAPH_DEF_PRODUCER
    writing = _Writing(graph, add_shapes)
    nodes = []
    for op in graph.get_operations() if ops is None else ops:
        nodes.extend(writing.write(op))
    graph_def.node.extend(nodes)
    return graph_def
