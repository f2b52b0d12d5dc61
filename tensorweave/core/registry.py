"""The op registry: each op type declares its shape rule, kernel and gradient in one place."""

NOT_DIFFERENTIABLE = "not differentiable"


class OpType:
    """The facets of one registered op type.

    shape(*inputs, **attrs) -> [(dtype, TensorShape), ...]   (inputs are Tensors)
    kernel(*arrays, **attrs) -> array or tuple of arrays       (state first when stateful)
    grad(op, *output_grads) -> [input gradient or None, ...], or NOT_DIFFERENTIABLE
    The other facets are described at register_op.
    """

    __slots__ = ("name", "shape", "kernel", "grad", "stateful", "shares_memory", "ref_inputs",
                 "is_alias", "shape_only_inputs", "forwards", "value", "partial_value", "bind",
                 "foldable", "dead_aware", "makes_dead", "must_feed", "row_wise", "gradient_input",
                 "writes_into", "fed_by_default", "attr_codecs",
                 "to_tf", "statistics")

    def __init__(self, name, shape, kernel, grad, *, stateful, shares_memory, ref_inputs,
                 is_alias, shape_only_inputs, forwards, value, partial_value, bind, foldable,
                 dead_aware, makes_dead, must_feed, row_wise, gradient_input, writes_into,
                 fed_by_default):
        # plain assignments, not a setattr loop: every `import tensorweave` makes ~640 of these
        self.name, self.shape, self.kernel, self.grad = name, shape, kernel, grad
        self.stateful, self.shares_memory, self.ref_inputs = stateful, shares_memory, ref_inputs
        self.is_alias, self.shape_only_inputs, self.forwards = is_alias, shape_only_inputs, forwards
        self.value, self.partial_value, self.bind = value, partial_value, bind
        self.foldable, self.dead_aware, self.makes_dead = foldable, dead_aware, makes_dead
        self.must_feed, self.row_wise, self.gradient_input = must_feed, row_wise, gradient_input
        self.writes_into, self.fed_by_default = writes_into, fed_by_default
        self.attr_codecs = {}  # attr name -> (encode, decode); see register_attr_codec
        self.to_tf = None  # writes the op's NodeDef in TensorFlow's form; see register_tf_form
        self.statistics = {}  # statistic name ("flops") -> rule(op) -> int; see register_statistics

    @property
    def differentiable(self):
        return self.grad is not NOT_DIFFERENTIABLE and self.grad is not None

    def ref_count(self, inputs):
        """How many of an op's first `inputs` (its input tensors) are variable references."""
        return len(inputs) if self.ref_inputs == "all" else self.ref_inputs


_REGISTRY = {}
_TF_READERS = {}  # TensorFlow's op type -> (marker attr, reading rule); see register_tf_form
_TF_RENAMED = {}  # TensorFlow's op type -> tensorweave's, where TensorFlow only renamed it
_TF_GRAPH_READERS = []  # rules for structures of several NodeDefs; see register_tf_graph_form


def register_op(name, *, shape, kernel, grad, stateful=False, shares_memory=False,
                ref_inputs=0, is_alias=False, shape_only_inputs=(), forwards=None, value=None,
                partial_value=None, bind=None, foldable=True, dead_aware=False, makes_dead=False,
                must_feed=False, row_wise=None, gradient_input=None, writes_into=None,
                fed_by_default=False):
    """Registers op type `name`. Shape rule, kernel (or `bind`) and gradient are required.

    grad: the gradient rule; NOT_DIFFERENTIABLE (gradients stop here quietly) or None (no
    gradient is defined: tf.gradients raises LookupError when it reaches the op).
    stateful: the kernel takes the session state first.
    shares_memory: the kernel may return an input, a view of one, or stored state, so the
    session copies fetched values of this op before they reach the user.
    ref_inputs: the first `ref_inputs` inputs (or "all") are variable references; the kernel
    receives each variable's key instead of its value.

    is_alias: the op's only output is its first input unchanged (Identity); a Plan gives both
    one slot and runs no step for it.
    shape_only_inputs: indices of inputs whose values the kernel never reads, only their shape
    and dtype (ZerosLike's input); a Plan folds the op to a constant when those shapes are
    fully known while building the graph and its other inputs are constants.
    forwards(op, constants) -> index or None: given the op's inputs known while planning
    ({input index: value}), the index of an input the op outputs unchanged (x * 1), or None;
    a Plan then gives the output that input's slot and runs no step for the op.
    value(op) -> array or None: the op's (first) output when it is known while building the
    graph (a Const's value, a fully defined Shape), else None; `constant_value` asks it.
    partial_value(op) -> list or None: the op's (first) output as nested lists with None for
    each entry not known while building the graph (a Pack's entries one by one), or None;
    `known_values` and `partial_shape_from_tensor` ask it when `value` does not know.

    bind(op, make_plan, is_used) -> kernel: called once by a Plan that runs the op, instead of
    binding `kernel` (which may then be None): make_plan(fetches, feeds, dead_feeds=()) builds
    a sub-Plan of the same graph and session state (While runs its body so), is_used(tensor)
    tells whether the Plan reads that output of the op.
    foldable: False keeps a Plan from evaluating the op while planning even when its inputs are
    known (While). Stateful ops are never folded.
    dead_aware: the kernel takes DEAD inputs itself (Switch, Merge); a Plan wraps the kernels
    of other ops that may see DEAD inputs so that they pass DEAD on. The outputs of a
    dead-aware op may be DEAD when its first input may be (a Merge's guard), or always when it
    also `makes_dead` (a Switch's untaken side).
    must_feed: running the op without feeding its output is an error (Placeholder).
    fed_by_default: the op stands for a value fed when run, its input only a default
    (PlaceholderWithDefault): shape inference does not take its input's value for its own.
    gradient_input: for an optimizer's in-place update (ApplyAdam), the index of its gradient,
    the one input besides the references shaped like the variable (the rest are scalars).
    row_wise(op, batched) -> dict or None: how the op runs on inputs that carry an extra
    leading row dimension (`batched[i]` says which do), as tf.data runs a map function on a
    chunk of elements at once: {} as it is, {"attrs": {...}, "inputs": {i: value}} with those
    changed, or None when it cannot (`ops/_common.py` has the rule of broadcasting ops).
    writes_into(*arrays, out=None, **attrs): the kernel of a one-output op that writes its result
    into `out` when given one (a buffer of the output's shape and dtype, possibly one of the
    arrays), as NumPy's ufuncs take `out=`; a stateful op's takes state, name and keys first, as
    its kernel does (Assign keeps `out` as the variable's value). A Plan with speed variants may
    give it the buffer of an input nothing reads afterwards (runtime/accel/in_place.py).

    Stateful kernels are called as kernel(state, op_name, *ref_keys, *input_arrays, **attrs).
    A kernel returns a tuple when its op has several outputs and the bare array when it has one.
    """
    if name in _REGISTRY:
        raise KeyError(f"Op type {name!r} is already registered.")
    if not callable(shape):
        raise TypeError(f"Op type {name!r} needs a callable shape rule.")
    if not callable(kernel) and not (kernel is None and callable(bind)):
        raise TypeError(f"Op type {name!r} needs a callable kernel rule (or kernel=None and a "
                        f"callable bind rule).")
    if grad is not NOT_DIFFERENTIABLE and grad is not None and not callable(grad):
        raise TypeError(f"Op type {name!r} needs a gradient rule, NOT_DIFFERENTIABLE or None.")
    _REGISTRY[name] = OpType(
        name, shape, kernel, grad, stateful=stateful, shares_memory=shares_memory,
        ref_inputs=ref_inputs, is_alias=is_alias, shape_only_inputs=tuple(shape_only_inputs),
        forwards=forwards, value=value, partial_value=partial_value, bind=bind,
        foldable=foldable and not stateful, dead_aware=dead_aware or makes_dead,
        makes_dead=makes_dead, must_feed=must_feed, row_wise=row_wise,
        gradient_input=gradient_input, writes_into=writes_into, fed_by_default=fed_by_default)
    return _REGISTRY[name]


def register_attr_codec(op_type, attr, *, encode, decode):
    """Declares how attr `attr` of op type `op_type`, a Python object rather than plain data,
    is written to and rebuilt from a NodeDef (GraphDef export and tf.import_graph_def).

    encode(value) -> plain data: None, bools, numbers, strings, DTypes, TensorShapes, arrays,
    Tensors, Operations, and lists, tuples and str-keyed dicts of those.
    decode(data, inputs) -> the attr value, given that data with Tensors and Operations
    resolved in the importing graph and the op's input tensors there.
    """
    lookup(op_type).attr_codecs[attr] = (encode, decode)


def register_tf_form(op_type, *, to_tf=None, from_tf=None, marker=None, reads=None,
                     renamed_from=()):
    """Declares TensorFlow's NodeDef form of op type `op_type`, beside its registration
    (core/tf_form.py describes the rules and holds the common ones).

    to_tf(t): rewrites the op's NodeDef to TensorFlow's form when a graph is written in it.
    from_tf(node, reader): rewrites a NodeDef of TensorFlow's op type(s) `reads` (default
    `op_type`) to tensorweave's form, when it lacks attr `marker` (tensorweave's form has it).
    renamed_from: TensorFlow's other names of the op type (AddV2 for Add), read as it.
    """
    op = lookup(op_type)
    if to_tf is not None:
        if op.to_tf is not None:
            raise KeyError(f"Op type {op_type!r} already has a TensorFlow form.")
        op.to_tf = to_tf
    if from_tf is not None:
        for tf_op_type in reads or (op_type,):
            if tf_op_type in _TF_READERS:
                raise KeyError(f"TensorFlow's op type {tf_op_type!r} is already read.")
            _TF_READERS[tf_op_type] = (marker, from_tf)
    for tf_op_type in renamed_from:
        _TF_RENAMED[tf_op_type] = op_type


def register_tf_graph_form(rule):
    """Declares how a structure of several NodeDefs TensorFlow writes (TensorFlow 1's while-loop
    frames) is read: rule(graph_def) returns the GraphDef with it rewritten to tensorweave's
    ops, or graph_def itself when it has none. tf.import_graph_def runs these rules first."""
    _TF_GRAPH_READERS.append(rule)


def tf_graph_readers():
    """The rules of register_tf_graph_form, in registration order."""
    return list(_TF_GRAPH_READERS)


def register_statistics(op_type, statistic, rule):
    """Declares how to count `statistic` (TensorFlow's "flops") for ops of type `op_type`, as
    TensorFlow's RegisterStatistics does: rule(op) -> int, raising ValueError when the op's
    shapes are not known well enough. Registering one statistic twice raises KeyError."""
    statistics = lookup(op_type).statistics
    if statistic in statistics:
        raise KeyError(f"Statistic {statistic!r} of op type {op_type!r} is already registered.")
    statistics[statistic] = rule


def statistics_for(op, statistic):
    """The registered `statistic` of Operation `op`, or None when its type has no rule for it;
    ValueError (from the rule) when the op's shapes are not known well enough."""
    rule = op.op_def.statistics.get(statistic)
    return None if rule is None else rule(op)


def tf_reader(tf_op_type):
    """(marker attr, reading rule) for NodeDefs of TensorFlow's op type, or (None, None)."""
    return _TF_READERS.get(tf_op_type, (None, None))


def tf_renamed_ops():
    """{TensorFlow's op type: tensorweave's} for the op types TensorFlow only renamed."""
    return dict(_TF_RENAMED)


def lookup(name):
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"Op type {name!r} is not registered.") from None


def registered_op_types():
    return dict(_REGISTRY)
