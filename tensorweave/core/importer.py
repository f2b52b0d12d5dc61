"""tf.import_graph_def: rebuilds the Operations of a `GraphDef` in the default graph.

Each NodeDef becomes an op of its registered type, with its inputs, control inputs, device and
attrs (decoded by graph_def.attr_from_value, and by the op type's attr codec where an attr is
a Python object). The shape rules run again, so a GraphDef whose inputs do not fit its ops
fails with the op's own ValueError. Protobuf loads only when this is called. Every op type is
registered by then: importing this module imports the `tensorweave` package, which imports
`tensorweave.ops`, which imports every op family.

    with tf.Graph().as_default():
        logits, = tf.import_graph_def(graph_def, input_map={"x:0": images},
                                      return_elements=["softmax_linear/add:0"], name="")
"""
import heapq
import inspect

from tensorweave.core import errors
from tensorweave.core import registry
from tensorweave.core import tf_op_signatures
from tensorweave.core.graph import KEPT_INTERNAL_ATTRS, get_default_graph
from tensorweave.core.operation import Tensor, as_operation

# Attrs TensorFlow adds for its own bookkeeping; tensorweave's ops never take them.
_IGNORED_ATTRS = frozenset({"_output_shapes", "_class", "_has_manual_control_dependencies"})


def _tensor_key(name):
    """'op:k' for an input or map key written 'op:k' or 'op'."""
    return name if ":" in name else name + ":0"


def _split_input(name):
    """(op name, output index, is_control) of a NodeDef input string."""
    if name.startswith("^"):
        return name[1:], None, True
    op_name, _, index = name.partition(":")
    return op_name, int(index or 0), False


def _ordered(nodes, referenced):
    """The nodes in an order where each comes after the nodes it reads (by data, control or
    attr references), keeping the GraphDef's order where it allows; ValueError for unknown
    inputs and cycles."""
    index = {n.name: i for i, n in enumerate(nodes)}
    waits_for = []
    for node in nodes:
        deps = set()
        for name in list(node.input) + referenced(node):
            op_name = _split_input(name)[0]
            if op_name not in index:
                raise ValueError(f"Node '{node.name}': Unknown input node '{name}'")
            deps.add(index[op_name])
        waits_for.append(deps)
    readers = [[] for _ in nodes]
    for i, deps in enumerate(waits_for):
        for d in deps:
            readers[d].append(i)
    pending = [len(deps) for deps in waits_for]
    ready = [i for i, n in enumerate(pending) if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(nodes[i])
        for r in readers[i]:
            pending[r] -= 1
            if pending[r] == 0:
                heapq.heappush(ready, r)
    if len(order) < len(nodes):
        stuck = sorted(nodes[i].name for i, n in enumerate(pending) if n)
        raise ValueError(f"GraphDef has a cycle through nodes {stuck[:5]}")
    return order


def _expected_inputs(words, node):
    """The dtype attr naming each input TensorFlow's OpDef expects ('-' for a fixed dtype),
    from its signature words and the node's N and list attrs; None where an attr is absent."""
    expected = []
    for word in words:
        if word.startswith("["):
            attr = node.attr.get(word[1:-1])
            if attr is None or attr.WhichOneof("value") != "list":
                return None
            expected.extend(("list", k, word[1:-1]) for k in range(len(attr.list.type)))
        elif "*" in word:
            type_attr, number_attr = word.split("*")
            if number_attr not in node.attr or node.attr[number_attr].WhichOneof("value") != "i":
                return None
            expected.extend([("type", 0, type_attr)] * node.attr[number_attr].i)
        else:
            expected.append(("type", 0, word))
    return expected


def check_signature(node, input_dtypes, renamed_op=None):
    """TensorFlow's checks of a NodeDef in its form against its OpDef: as many data inputs as
    the OpDef takes, and dtype attrs (`T`, ...) that agree with the inputs' dtypes; ValueError
    naming the node. Nodes in tensorweave's form (attrs TensorFlow's op lacks) pass."""
    signature = tf_op_signatures.SIGNATURES.get(node.op) or \
        tf_op_signatures.SIGNATURES.get(renamed_op)
    if signature is None:
        return
    declared = set(signature[1].split())
    if any(k not in declared and not k.startswith("_") for k in node.attr):
        return
    expected = _expected_inputs(signature[0].split(), node)
    if expected is None:
        return
    if len(expected) != len(input_dtypes):
        raise ValueError(f"Node '{node.name}' ({node.op}): NodeDef expected "
                         f"{len(expected)} inputs, but {len(input_dtypes)} inputs are "
                         "specified")
    data_inputs = [i for i in node.input if not i.startswith("^")]
    for index, ((kind, position, attr), dtype) in enumerate(zip(expected, input_dtypes)):
        value = node.attr.get(attr)
        if attr == "-" or value is None:
            continue
        enum = value.list.type[position] if kind == "list" else value.type
        if kind == "type" and value.WhichOneof("value") != "type":
            continue
        wanted = _codec().dtype_from_enum(enum)
        if wanted is not dtype:
            raise ValueError(f"Input {index} of node {node.name} was passed {dtype.name} from "
                             f"{_tensor_key(data_inputs[index])} incompatible with expected "
                             f"{wanted.name}.")


def _codec():
    from tensorweave.core import graph_def  # protobuf loads here
    return graph_def


_ACCEPTED = {}


def _keywords(fn):
    """The keyword parameters `fn` takes, or True if it takes any keyword."""
    params = inspect.signature(fn).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return True
    return {p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}


def _accepts(op_def, attr):
    """True if the op type's shape rule and kernel both take attr `attr` as a keyword."""
    rules = _ACCEPTED.get(op_def.name)
    if rules is None:
        kernel = _keywords(op_def.kernel) if op_def.kernel is not None else True  # bound
        rules = _ACCEPTED[op_def.name] = (_keywords(op_def.shape), kernel)
    return all(r is True or attr in r for r in rules)


class _Importer:
    """The state of one import: the new names and ops, the input map."""

    def __init__(self, graph, graph_def_module, prefix, input_map, originals, renamed,
                 unique=None):
        self.graph = graph
        self.codec = graph_def_module
        self.prefix = prefix
        self.unique = unique or {}  # node name -> the name it takes (names the graph has)
        self.input_map = input_map
        self.originals = originals  # node name -> NodeDef as given (before it is rewritten)
        self.renamed = renamed  # TensorFlow's op type -> tensorweave's, where only renamed
        self.ops = {}  # GraphDef node name -> new Operation

    def tensor(self, name, reader=None):
        """The tensor input `name` of node `reader` stands for."""
        key = _tensor_key(name)
        if key in self.input_map:
            return self.input_map[key]
        op_name, index, _ = _split_input(key)
        op = self.ops[op_name]
        if index >= len(op.outputs):
            raise ValueError(f"Node '{reader or op_name}': Connecting to invalid output {index} "
                             f"of source node {op_name} which has {len(op.outputs)} outputs.")
        return op.outputs[index]

    def operation(self, name):
        key = "^" + name
        if key in self.input_map:
            return as_operation(self.input_map[key])
        return self.ops[name]

    def resolve(self, name, is_tensor):
        return self.tensor(name) if is_tensor else self.operation(name.split(":")[0])

    def create(self, node):
        try:
            op_def = registry.lookup(node.op)
        except KeyError:
            raise errors.NotFoundError(
                None, None, f"Node '{node.name}': Op type not registered '{node.op}' in "
                "tensorweave (the op types it runs are listed by "
                "tensorweave.core.registry.registered_op_types())") from None
        source = self.originals.get(node.name, node)
        check_signature(source, [self.tensor(i, source.name).dtype for i in source.input
                                 if not i.startswith("^")], self.renamed.get(source.op))
        inputs, controls = [], []
        for name in node.input:
            if name.startswith("^"):
                controls.append(self.operation(name[1:]))
            else:
                inputs.append(self.tensor(name, node.name))
        try:
            attrs = self.attrs(node, op_def, inputs)
        except ValueError as e:
            raise ValueError(f"Node '{node.name}' ({node.op}): {e}") from None
        name = self.new_name(node.name)
        try:
            op = self.graph.create_op(node.op, inputs, attrs, name=name + "/")
        except TypeError as e:
            raise ValueError(f"Node '{node.name}' ({node.op}) cannot be rebuilt: {e}") from None
        for c in controls:
            op.add_control_input(c)
        if node.device:
            op.device = node.device
        self.ops[node.name] = op
        return op

    def new_name(self, node_name):
        """The name node `node_name` of the GraphDef takes in the graph."""
        return self.prefix + self.unique.get(node_name, node_name)

    def attrs(self, node, op_def, inputs):
        attrs = {}
        codecs = op_def.attr_codecs
        for key, value in node.attr.items():
            if key in _IGNORED_ATTRS or not (_accepts(op_def, key)
                                             or key in KEPT_INTERNAL_ATTRS):
                continue
            data = self.codec.attr_from_value(value, self.resolve)
            attrs[key] = codecs[key][1](data, inputs) if key in codecs else data
        return attrs


def _check_input_map(input_map, graph):
    checked = {}
    for key, value in (input_map or {}).items():
        if not isinstance(key, str):
            raise TypeError(f"input_map keys must be strings, got {key!r}")
        if key.startswith("^"):
            checked[key] = graph.as_graph_element(value, allow_tensor=False)
            continue
        if not isinstance(value, Tensor):
            raise TypeError(f"input_map values must be Tensors (or Operations for '^' keys), "
                            f"got {value!r} for {key!r}")
        if value.graph is not graph:
            raise ValueError(f"input_map value {value.name} is not in the importing graph")
        checked[_tensor_key(key)] = value
    return checked


def _mark_names_used(graph, name):
    """Later ops and name scopes of the same names get fresh ones ('name_1')."""
    parts = name.split("/")
    for i in range(1, len(parts) + 1):
        graph._names_in_use.setdefault("/".join(parts[:i]).lower(), 1)


def _unique_names(nodes, graph):
    """TensorFlow's uniquify_names for an import without a prefix: a node named as an op of
    the graph, or as a name scope of its ops, takes name_1 (name_2, ... past the names the
    graph and the GraphDef hold); {old name: new name} for those renamed."""
    existing = set()
    for op in graph.get_operations():
        parts = op.name.split("/")
        existing.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    given = {n.name for n in nodes}
    unique = {}
    for node in nodes:
        if node.name in existing:
            count = 1
            while f"{node.name}_{count}" in existing or f"{node.name}_{count}" in given:
                count += 1
            unique[node.name] = f"{node.name}_{count}"
    return unique


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None,
                     op_dict=None, producer_op_list=None):
    """Imports the ops of `graph_def` into the default graph (TF's tf.import_graph_def).

    input_map: {name in graph_def ('x:0', 'x', or '^x' for a control input): Tensor (or
    Operation) of this graph} to use instead. return_elements: names of ops or tensors of
    graph_def to return, in the new graph. name: the prefix of the new ops' names (default
    'import', made unique; '' for none, when a node named as an op or name scope of the graph
    takes name_1 as in TensorFlow). Returns the list of return elements, or None.

    Raises NotFoundError for unknown op types (as TensorFlow); ValueError for inputs naming
    missing nodes or outputs, input_map keys or return_elements graph_def does not have, a
    number of inputs or dtype attrs (`T`) TensorFlow's OpDef refuses, and attrs or inputs the
    op types refuse; each names the node.
    """
    from tensorweave.core import graph_def as codec  # protobuf loads here
    from tensorweave.core import tensorflow_forms
    graph = get_default_graph()
    given = _as_graph_def(graph_def, codec)
    for rule in registry.tf_graph_readers():  # structures of several nodes (TF1 loop frames)
        given = rule(given)
    originals = {n.name: n for n in given.node}
    graph_def = tensorflow_forms.from_tensorflow(given)
    input_map = _check_input_map(input_map, graph)
    if return_elements is not None and not isinstance(return_elements, (list, tuple)):
        raise TypeError("return_elements must be a list of strings.")
    if any(not isinstance(e, str) for e in return_elements or ()):
        raise TypeError("return_elements must be a list of strings.")
    nodes = list(graph_def.node)
    names = {n.name for n in nodes}
    missing = sorted(k for k in input_map if _split_input(k.lstrip("^"))[0] not in names)
    if missing:
        raise ValueError("Attempted to map inputs that were not found in graph_def: "
                         f"[{', '.join(missing)}]")
    for element in return_elements or ():
        if _split_input(element)[0] not in names:
            raise ValueError(f"Requested return_element {element!r} not found in graph_def.")

    def referenced(node):  # attr references, and inputs the rewrite turned into attrs
        return [ref for v in node.attr.values() for ref in codec.attr_references(v)] + \
            list(originals[node.name].input)

    ordered = _ordered(nodes, referenced)
    with graph.as_default(), graph.name_scope(_scope_name(name)) as scope, \
            graph.control_dependencies(None):
        unique = _unique_names(nodes, graph) if scope == "" else None
        importer = _Importer(graph, codec, scope, input_map, originals,
                             tensorflow_forms.renamed_ops(), unique)
        for node in ordered:
            new_name = importer.new_name(node.name)
            if new_name in graph._ops_by_name:
                raise ValueError(f"Duplicate node name in graph: '{new_name}'")
            _mark_names_used(graph, new_name)
            importer.create(node)
    if return_elements is None:
        return None
    return [importer.tensor(e) if ":" in e else importer.ops[e] for e in return_elements]


def _scope_name(name):
    return "" if name == "" else (name or "import")


def _as_graph_def(graph_def, codec):
    if isinstance(graph_def, codec.graph_pb2.GraphDef):
        return graph_def
    if hasattr(graph_def, "SerializeToString") and hasattr(graph_def, "node"):
        converted = codec.graph_pb2.GraphDef()
        converted.ParseFromString(graph_def.SerializeToString())
        return converted
    raise TypeError(f"graph_def must be a GraphDef proto, got {type(graph_def).__name__}")
