"""TensorFlow's NodeDef form of an op type, declared beside the op (registry.register_tf_form),
and the small rules most forms are made of. core/tensorflow_forms.py runs them when it writes a
graph in TensorFlow's form (GraphDef export for TensorFlow, .meta files) and when it reads one.

Where TensorFlow passes axes, permutations or multiples as input tensors, tensorweave's ops
take attrs (known while building). Reading, a constant input becomes the attr (the input is
dropped); a computed one selects tensorweave's tensor-input form (`Dynamic` + TF's op type,
as DynamicSum, DynamicTile), which is TF's op under another name. Writing reverses it.

A reading rule is rule(node, reader): it rewrites NodeDef `node` in place; reader.constant(name)
is the value of an input a Const node makes (else None), reader.take_input(node, index) drops
data input `index` and returns its constant value, reader.set(node, key, value) sets an attr.
A writing rule is rule(t) on the TFNode `t` of one op (`t.op`, its NodeDef `t.node`, the dtypes
of its data inputs `t.dtypes`): t.pop(attr), t.set(key, value), t.insert_const(index, suffix,
value, dtype), t.add(op_type, suffix, inputs, **attrs), t.const(suffix, value, dtype) and
t.rank(index); t.alias(index, name) when another node's output stands for output `index`,
t.name(tensor) for an input's name as written, t.written(op) for the NodeDefs of an op
written before (which the rule may rewrite), t.shared for what the rules of one graph share.
It raises Unsupported when the op has no TensorFlow form, and the op is then written in
tensorweave's.
"""
from tensorweave.core import dtypes


class Unsupported(Exception):
    """This op has no TensorFlow form here; it is written in tensorweave's."""


def unsupported(why):
    raise Unsupported(why)


def data_inputs(node):
    """How many data (not control) inputs NodeDef `node` has."""
    return sum(1 for i in node.input if not i.startswith("^"))


def int_tuple(value):
    return tuple(int(v) for v in value.reshape(-1))


def scalar(value):
    return int(value.reshape(-1)[0])


# --- reading: TensorFlow's form -> tensorweave's ----------------------------------------------
def attr_from_input(key, index, convert=int_tuple, inputs=2, run_time_form=False):
    """A reading rule moving constant data input `index` (counted from the end if negative)
    into attr `key`; a computed one keeps TF's form as op Dynamic<op> if `run_time_form`."""
    def rule(node, reader):
        count = data_inputs(node)
        if count != inputs and not (inputs is None and count >= 2):
            return
        position = index if index >= 0 else count + index
        if run_time_form and reader.constant(node.input[position]) is None:
            node.op = "Dynamic" + node.op
            return
        value = reader.take_input(node, position)
        if value is None:
            raise ValueError(f"{node.op} with its {key} computed at run time is not supported")
        reader.set(node, key, convert(value))
    return rule


def default_attr(key, value):
    """A reading rule giving TensorFlow's node tensorweave's attr `key` (TF's fixed value)."""
    def rule(node, reader):
        reader.set(node, key, value)
    return rule


def renamed(op_type):
    """A reading rule naming the node's op `op_type` (TF's op is tensorweave's under it)."""
    def rule(node, reader):
        node.op = op_type
    return rule


# --- writing: tensorweave's form -> TensorFlow's ----------------------------------------------
def attr_to_input(attr, index, suffix, convert=lambda v: v, dtype_of=None):
    """A writing rule moving attr `attr` into a constant data input at `index` (appended when
    None), typed int32 or as data input `dtype_of`."""
    def rule(t):
        dtype = t.dtypes[dtype_of] if dtype_of is not None else dtypes.int32
        t.insert_const(index, suffix, convert(t.pop(attr)), dtype)
    return rule


def tensor_input_form(op_type, keepdims=False):
    """A writing rule for Dynamic<op>, which is TensorFlow's <op> with its inputs in TF's order
    (DynamicSum is Sum, ...): the node is named `op_type`."""
    def rule(t):
        t.node.op = op_type
        if keepdims:
            t.set("keep_dims", bool(t.pop("keepdims")))
    return rule


def renamed_to(op_type):
    """A writing rule naming the node's op `op_type`."""
    def rule(t):
        t.node.op = op_type
    return rule
