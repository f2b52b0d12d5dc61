"""tensorweave's loops, TensorArrays and tf.cond Merges written in TensorFlow 1's forms, so that
TensorFlow loads the graphs tensorweave writes (GraphDefs, .meta files, SavedModels).

A `While` becomes a TF1 frame (tf1_frames reads it back as a While):

  loop variable k   Enter(init, frame) -> Merge(Enter, NextIteration) -> Switch(Merge, LoopCond)
  in the body       its LoopInput -> Identity(Switch:1), under the LoopInput's name
  in the cond       the ops the predicate needs read Merge instead (before the Switch)
  captured values   their LoopInput -> Enter(value, is_constant=True), under its name
  the body's value  NextIteration(output k); after the loop Exit(Switch:0), read as While:k
  the limit         maximum_iterations: a counter variable, LogicalAnd(counter < limit, pred)

The While's own node becomes an IdentityN of the Exits, so `while:k` (a signature's output,
a fetch, a control input on the loop) names the same value in TensorFlow's graph.
Nodes of the frame without inputs wait on its pivot (the Merge of its first variable for the
cond, the Identity for the body), as TensorFlow's do, so they run in the frame.

tensorweave's TensorArrays pass their elements along as the value of their flow; TensorFlow's
share one array through a handle and pass a float flow only to order the ops. Writing, a
`TensorArray` becomes `TensorArrayV3` (its flow read as output 1) and each op on a flow reads
the handle of the TensorArray the flow comes from (entered into each loop frame between
them): TensorArrayWriteV3, ScatterV3, ReadV3, GatherV3, SizeV3.

Graphs holding loop gradients (WhileGrad, the TensorArray gradient helpers) keep tensorweave's
forms for their loops and TensorArrays: TensorFlow's loop gradients are stacks and frames of
another shape.
"""
from tensorweave.core import dtypes
from tensorweave.core.registry import register_tf_form
from tensorweave.core.tf_form import Unsupported
from tensorweave.ops.control.contexts import Context, WhileContext, loop_of

PARALLEL_ITERATIONS = 10  # TensorFlow's default; tensorweave runs iterations one by one
_GRADIENT_TYPES = ("WhileGrad", "TensorArrayPlace", "TensorArrayPick")


def _loops_in_tf_form(t):
    """Whether this graph's loops and TensorArrays are written in TensorFlow's forms: when no
    loop gradient reads them."""
    known = t.shared.get("tf_loops")
    if known is None:
        ops = t.op.graph.get_operations()
        known = not any(op.type in _GRADIENT_TYPES for op in ops) and not any(
            op.outputs[-1].consumers() for op in ops if op.type == "While")
        t.shared["tf_loops"] = known
        t.shared["while_of"] = {op.attrs["body"].context: op for op in ops
                                if op.type == "While"}
    if not known:
        raise Unsupported("loop gradients stay in tensorweave's form")


def _frame_name(while_op):
    name = while_op.name
    return name if name.endswith("/while_context") else name + "/while_context"


def _clear_attrs(node):
    for key in list(node.attr):
        if key != "_output_shapes":
            del node.attr[key]


def _set(node, **attrs):
    from tensorweave.core import graph_def as codec  # protobuf is loaded: a graph is written
    for key, value in attrs.items():
        node.attr[key].CopyFrom(codec.attr_value(value))


def _enter_attrs(frame, dtype, constant):
    return {"T": dtype, "frame_name": frame, "is_constant": constant,
            "parallel_iterations": PARALLEL_ITERATIONS}


def _node_of(t, op):
    nodes = t.written(op)
    if nodes is None:
        raise Unsupported(f"{op.name} is not written")
    return nodes[-1]


def _frame_ops(t, context):
    """The ops whose innermost loop is `context`, in creation order."""
    contexts = t.op.graph.extension(Context, dict)
    return [op for op, c in contexts.items() if loop_of(op)[0] is context]


def _closure(pred, context):
    """The ops of `context` the predicate needs (the cond), down to the LoopInputs."""
    seen, stack = set(), [pred.op]
    while stack:
        op = stack.pop()
        if op in seen or loop_of(op)[0] is not context:
            continue
        seen.add(op)
        if op.type == "LoopInput":
            continue
        stack.extend(i.op for i in op.inputs)
        stack.extend(op.control_inputs)
        if op.type == "While":  # an inner loop in the cond: its captured Enters read here
            stack.extend(li.op for li in op.attrs["body"].capture_inputs)
    return seen


def _on_body(op, var_ops, closure, memo):
    """Whether `op` runs only in iterations the body runs (it reads a loop variable past the
    Switch, through data or control inputs); the others also run when the loop exits."""
    known = memo.get(op)
    if known is not None:
        return known
    memo[op] = False  # cycles do not occur; this guards the recursion
    if op in closure:
        result = False
    elif op in var_ops:
        result = True
    elif op.type == "LoopInput":
        result = False  # a captured value: a constant Enter
    elif not op.inputs and not op.control_inputs:
        result = True  # waits on the body's pivot
    else:
        result = any(_on_body(i.op, var_ops, closure, memo) for i in op.inputs) or any(
            _on_body(c, var_ops, closure, memo) for c in op.control_inputs)
    memo[op] = result
    return result


def _rename_inputs(node, renames):
    inputs = []
    for name in node.input:
        key = name if name.startswith("^") or ":" in name else name + ":0"
        inputs.append(renames.get(key, name))
    del node.input[:]
    node.input.extend(inputs)


def _write_while(t):
    """A While as TensorFlow 1's frame (see the module's docstring)."""
    _loops_in_tf_form(t)
    op, body = t.op, t.op.attrs["body"]
    context = body.context
    n, m = len(body.var_inputs), len(body.capture_inputs)
    var_nodes = [_node_of(t, v.op) for v in body.var_inputs]
    capture_nodes = [_node_of(t, v.op) for v in body.capture_inputs]
    data = [i for i in t.node.input if not i.startswith("^")]
    controls = [i for i in t.node.input if i.startswith("^")]
    frame = _frame_name(op)
    frame_ops = _frame_ops(t, context)
    closure = _closure(body.pred, context)
    var_ops = {v.op for v in body.var_inputs}

    loop_vars = [(v.dtype, init, v) for v, init in zip(body.var_inputs, data[:n])]
    enters, merges = [], []
    counter = None
    if body.has_limit:  # TensorFlow's iteration counter: a loop variable before the others
        start = t.const("iteration_counter", 0, dtypes.int32)
        counter = len(enters)
        enters.append(t.add("Enter", "Enter", [start] + controls,
                            **_enter_attrs(frame, dtypes.int32, False)))
    for dtype, init, _ in loop_vars:
        enters.append(t.add("Enter", "Enter", [init] + controls,
                            **_enter_attrs(frame, dtype, False)))
    kinds = ([dtypes.int32] if counter is not None else []) + [d for d, _, _ in loop_vars]
    merge_names = [t.fresh("Merge") for _ in kinds]
    next_names = [t.fresh("NextIteration") for _ in kinds]
    for enter, merge, nxt, dtype in zip(enters, merge_names, next_names, kinds):
        merges.append(t.add_named("Merge", merge, [enter, nxt], T=dtype, N=2))
    renames = {}  # in the cond, the loop variables are read from the Merges
    offset = 1 if counter is not None else 0
    for k, v in enumerate(body.var_inputs):
        renames[f"{v.op.name}:0"] = merges[offset + k]
        renames[f"^{v.op.name}"] = "^" + merges[offset + k]
    cond_pivot = "^" + merges[0]
    pred = t.name(body.pred)
    if counter is not None:
        limit = t.add("Enter", "maximum_iterations/Enter", [data[n + m]],
                      **_enter_attrs(frame, dtypes.int32, True))
        below = t.add("Less", "Less", [merges[counter], limit], T=dtypes.int32)
        pred = t.add("LogicalAnd", "LogicalAnd", [below, pred])
    loop_cond = t.add("LoopCond", "LoopCond", [pred])
    switches = [t.add("Switch", "Switch", [merge, loop_cond], T=dtype)
                for merge, dtype in zip(merges, kinds)]
    # the body: each LoopInput of a variable is the Identity of its Switch's true side
    for k, (node, (dtype, _, _)) in enumerate(zip(var_nodes, loop_vars)):
        node.op = "Identity"
        del node.input[:]
        node.input.append(f"{switches[offset + k]}:1")
        _clear_attrs(node)
        _set(node, T=dtype)
    body_pivot = "^" + var_nodes[0].name
    if counter is not None:
        identity = t.add("Identity", "Identity", [f"{switches[counter]}:1"], T=dtypes.int32)
        one = t.add("Const", "add/y", ["^" + identity], dtype=dtypes.int32,
                    value=_int32_array(1))
        t.add_named("NextIteration", next_names[counter],
                    [t.add("Add", "add", [identity, one], T=dtypes.int32)], T=dtypes.int32)
        body_pivot = "^" + identity
    for node, value, source in zip(capture_nodes, data[n:n + m], body.capture_inputs):
        node.op = "Enter"
        del node.input[:]
        node.input.append(value)
        _clear_attrs(node)
        _set(node, **_enter_attrs(frame, source.dtype, True))
    memo = {}
    for frame_op in frame_ops:
        pivot = cond_pivot if frame_op in closure else body_pivot
        for node in t.written(frame_op) or []:
            if frame_op in closure:
                _rename_inputs(node, renames)
            if not len(node.input):
                node.input.append(pivot)
    for k, (out, (dtype, _, _)) in enumerate(zip(body.outputs, loop_vars)):
        value = t.name(out)
        if not _on_body(out.op, var_ops, closure, memo):  # runs on the last pass too
            value = t.add("Identity", "NextIteration/value", [value, body_pivot], T=dtype)
        t.add_named("NextIteration", next_names[offset + k], [value], T=dtype)
    exits = []
    for k, (dtype, _, _) in enumerate(loop_vars):
        exits.append(t.add("Exit", "Exit", [f"{switches[offset + k]}:0"], T=dtype))
        t.alias(k, exits[-1])
    t.node.op = "IdentityN"  # 'while:k' names the last value of variable k in TF too
    _clear_attrs(t.node)
    del t.node.input[:]
    t.node.input.extend(exits)
    t.dtypes = [dtype for dtype, _, _ in loop_vars]
    t.set("T", t.dtypes)
    if "_output_shapes" in t.node.attr:
        del t.node.attr["_output_shapes"].list.shape[-1]  # the trace the gradient would read


def _int32_array(value):
    import numpy as np
    return np.asarray(value, np.int32)


register_tf_form("While", to_tf=_write_while)


# --- tf.cond: TensorFlow's Merge has no guard ---------------------------------------------------
def _write_merge(t):
    """tensorweave's Merge(guard, values...) as TensorFlow's Merge(values...)."""
    data = [i for i in t.node.input if not i.startswith("^")]
    controls = [i for i in t.node.input if i.startswith("^")]
    del t.node.input[:]
    t.node.input.extend(data[1:] + controls)
    t.dtypes = t.dtypes[1:]
    t.set("N", len(data) - 1)


register_tf_form("Merge", to_tf=_write_merge)


# --- TensorArrays: handles and flows ------------------------------------------------------------
def _array_of(flow, t):
    """The TensorArray op whose flow `flow` carries on; Unsupported when it cannot be found."""
    while_of = t.shared["while_of"]
    seen = set()
    while True:
        op = flow.op
        if op in seen:
            break
        seen.add(op)
        if op.type == "TensorArray":
            return op
        if op.type in ("TensorArrayWrite", "TensorArrayScatter", "Identity", "Switch"):
            flow = op.inputs[0]
        elif op.type == "Merge":
            flow = op.inputs[1]
        elif op.type == "While":
            flow = op.inputs[flow.value_index]
        elif op.type == "LoopInput":
            context = loop_of(op)[0]
            loop = while_of.get(context) if isinstance(context, WhileContext) else None
            if loop is None:
                break
            body = loop.attrs["body"]
            k = _position(flow, body.var_inputs)
            j = _position(flow, body.capture_inputs)
            if k is not None:
                flow = loop.inputs[k]
            elif j is not None:
                flow = context.captured[j]
            else:
                break
        else:
            break
    raise Unsupported(f"cannot find the TensorArray of flow {flow.name}")


def _position(tensor, tensors):
    return next((k for k, x in enumerate(tensors) if x is tensor), None)


def _handle(t, array):
    """The input name of `array`'s handle in the frame of the op being written: entered into
    each loop between them once (shared by the ops of that loop)."""
    outer = loop_of(array)[0]
    chain, context = [], loop_of(t.op)[0]
    while context is not outer:
        if context is None:
            raise Unsupported(f"{t.op.name} is not inside the loop of TensorArray {array.name}")
        chain.append(context)
        context = context.outer.loop if context.outer is not None else None
    name = array.name
    entered = t.shared.setdefault("handles", {})
    for context in reversed(chain):
        key = (array, context)
        if key not in entered:
            frame = _frame_name(t.shared["while_of"][context])
            entered[key] = t.add("Enter", "handle/Enter", [name],
                                 **_enter_attrs(frame, dtypes.resource, True))
        name = entered[key]
    return name


def _write_tensor_array(t):
    _loops_in_tf_form(t)
    attrs = t.op.attrs
    t.node.op = "TensorArrayV3"
    _clear_attrs(t.node)
    t.set("dtype", attrs["dtype"])
    t.set("element_shape", attrs["element_shape"])
    t.set("dynamic_size", bool(attrs["dynamic_size"]))
    t.set("clear_after_read", False)  # tensorweave's elements can be read again
    t.set("identical_element_shapes", False)
    t.set("tensor_array_name", "")
    if "_output_shapes" in t.node.attr:
        del t.node.attr["_output_shapes"]
    t.alias(0, f"{t.node.name}:1")


def _handle_op(op_type, flow_last=True, **attr_names):
    """A writing rule for an op on a flow: TensorFlow's `op_type`, the handle first and the
    flow last; attr_names {TensorFlow's attr: tensorweave's attr, or a callable of the TFNode}."""
    def rule(t):
        _loops_in_tf_form(t)
        handle = _handle(t, _array_of(t.op.inputs[0], t))
        data = [i for i in t.node.input if not i.startswith("^")]
        controls = [i for i in t.node.input if i.startswith("^")]
        values = {key: (source(t) if callable(source) else t.op.attrs[source])
                  for key, source in attr_names.items()}
        t.node.op = op_type
        _clear_attrs(t.node)
        for key, value in values.items():
            t.set(key, value)
        del t.node.input[:]
        t.node.input.extend([handle] + data[1:] + data[:1] + controls)
        t.dtypes = []
    return rule


def _value_dtype(t):
    return t.op.inputs[2].dtype


register_tf_form("TensorArray", to_tf=_write_tensor_array)
register_tf_form("TensorArrayWrite", to_tf=_handle_op("TensorArrayWriteV3", T=_value_dtype))
register_tf_form("TensorArrayScatter", to_tf=_handle_op("TensorArrayScatterV3", T=_value_dtype))
register_tf_form("TensorArrayRead", to_tf=_handle_op("TensorArrayReadV3", dtype="dtype"))
register_tf_form("TensorArrayGather", to_tf=_handle_op("TensorArrayGatherV3", dtype="dtype",
                                                       element_shape="element_shape"))
register_tf_form("TensorArraySize", to_tf=_handle_op("TensorArraySizeV3"))


# --- TensorFlow's handle ops read back: their `T` is the value's dtype, or none -----------------
def _typed_by(index):
    """A writing rule for TensorFlow's own handle ops (imported, written again): attr `T` is
    the dtype of data input `index`, or absent when None (a NodeDef's default T is the first
    input's, here the handle's)."""
    def rule(t):
        if "T" in t.node.attr:
            del t.node.attr["T"]
        if index is not None:
            t.set("T", t.dtypes[index])
    return rule


for _op_type, _index in (("TensorArrayV3", None), ("TensorArrayGradV3", None),
                         ("TensorArrayWriteV3", 2), ("TensorArrayScatterV3", 2),
                         ("TensorArraySplitV3", 1), ("TensorArrayReadV3", None),
                         ("TensorArrayGatherV3", None), ("TensorArrayConcatV3", None),
                         ("TensorArraySizeV3", None), ("TensorArrayCloseV3", None),
                         ("StackV2", None), ("StackPushV2", 1), ("StackPopV2", None),
                         ("StackCloseV2", None)):
    register_tf_form(_op_type, to_tf=_typed_by(_index))


# --- ZerosLikeValue (a cond's gradient on the branch not taken) ---------------------------------
def _write_zeros_like_value(t):
    """TensorFlow's ZerosLike, except for a TensorArray's flow (a gradient of its elements)."""
    t.shared.setdefault("while_of", {op.attrs["body"].context: op
                                     for op in t.op.graph.get_operations() if op.type == "While"})
    try:
        _array_of(t.op.inputs[0], t)
    except Unsupported:
        t.node.op = "ZerosLike"
        return
    raise Unsupported("the zero gradient of a TensorArray")


register_tf_form("ZerosLikeValue", to_tf=_write_zeros_like_value)
