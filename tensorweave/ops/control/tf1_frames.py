"""TensorFlow 1's control flow in GraphDefs TensorFlow wrote (control flow v1), read as
tensorweave's ops.

A TF1 while loop is a *frame*: Enter nodes (one per loop variable, and `is_constant` ones for
the outer values the loop reads) lead into it, a Merge per loop variable joins the initial
value with the NextIteration of the last one, a LoopCond decides, a Switch per variable sends
the value into the body (output 1) or out to an Exit (output 0). tf.import_graph_def first
rewrites each frame, innermost first, into one `While` op (ops/control/while_op.py):

  loop variable k   Merge_k (its Enter and NextIteration inputs)   -> LoopInput `Merge_k`
  inside the loop   Merge_k:0, Switch_k:1, Enter_k                 -> that LoopInput
  loop invariant    Enter(is_constant)                             -> a captured LoopInput
  the cond          LoopCond's input                               -> While's pred
  the body          NextIteration_k's input (and its control inputs) -> While's output k
  after the loop    Exit and the nodes between it and Switch_k:0   -> read While:k outside

NextIteration and LoopCond stay as Identity nodes of their names (so control inputs on them
keep their ops in the body), an Exit becomes an Identity of what it read. The loops of
TensorFlow's gradients are frames too; they read the values the forward loop pushed on stacks
(ops/control/tf1_stacks.py), which the forward While has filled when the gradient's starts, as
its first input is the forward loop's iteration count.

tf.cond in TF1 is Switch and Merge outside frames: TensorFlow's Merge (the first live input)
reads as tensorweave's, whose first input is the guard telling whether any input is live: the
predicate of the Switch that splits the two branches.
"""
from tensorweave.core.registry import (NOT_DIFFERENTIABLE, register_op, register_tf_form,
                                       register_tf_graph_form)

_ENTER = ("Enter", "RefEnter")
_EXIT = ("Exit", "RefExit")
_NEXT = ("NextIteration", "RefNextIteration")
_MERGE = ("Merge", "RefMerge")
_SWITCH = ("Switch", "RefSwitch")


def _split(name):
    """(node name, output index, is_control) of a NodeDef input string."""
    if name.startswith("^"):
        return name[1:], 0, True
    node, _, index = name.partition(":")
    return node, int(index or 0), False


def _key(node, index=0):
    return f"{node}:{index}"


def _text(node, attr):
    value = node.attr[attr].s if attr in node.attr else b""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


# --- which frame each node is in --------------------------------------------------------------
def _order(nodes, by_name):
    """Node names in an order where each follows its inputs (NextIteration -> Merge back edges
    left out); ValueError on another cycle."""
    deps = {}
    for n in nodes:
        names = [_split(i)[0] for i in n.input]
        names = [d for d in names if d in by_name]
        if n.op in _MERGE:
            names = [d for d in names if by_name[d].op not in _NEXT]
        deps[n.name] = names
    readers = {n.name: [] for n in nodes}
    for name, names in deps.items():
        for d in set(names):
            readers[d].append(name)
    pending = {name: len(set(names)) for name, names in deps.items()}
    ready = [n.name for n in nodes if pending[n.name] == 0]
    order = []
    while ready:
        name = ready.pop()
        order.append(name)
        for r in readers[name]:
            pending[r] -= 1
            if pending[r] == 0:
                ready.append(r)
    if len(order) < len(nodes):
        stuck = sorted(name for name, count in pending.items() if count)
        raise ValueError(f"GraphDef has a cycle through nodes {stuck[:5]}")
    return order, deps


def _frames(nodes, by_name):
    """({node name: its frame ('' outside loops)}, {frame: its parent frame})."""
    order, deps = _order(nodes, by_name)
    frame, parent = {}, {}
    for name in order:
        node, names = by_name[name], deps[name]
        if node.op in _ENTER:
            inner = _text(node, "frame_name")
            outer = frame.get(_data_input_node(node), "")
            if parent.setdefault(inner, outer) != outer:
                raise ValueError(f"Node '{name}': frame '{inner}' is entered from two frames")
            frame[name] = inner
        elif node.op in _EXIT:
            source = frame.get(_data_input_node(node), "")
            if source == "":
                raise ValueError(f"Node '{name}' ({node.op}) is not in a while loop")
            frame[name] = parent[source]
        else:
            frame[name] = frame[names[0]] if names else ""
    return frame, parent


def _data_input_node(node):
    data = [i for i in node.input if not i.startswith("^")]
    return _split(data[0])[0] if data else None


# --- one frame as a While ---------------------------------------------------------------------
class _GraphRewrite:
    """The GraphDef being rewritten: nodes by name, each node's frame, the While bodies."""

    def __init__(self, graph_def):
        self.graph_def = graph_def
        self.nodes = {n.name: n for n in graph_def.node}
        self.frame, self.parent = _frames(list(graph_def.node), self.nodes)
        self.removed = set()
        self.bodies = {}  # While node name -> its body (data), captured filled in at the end
        self._bypass_ref_enters()

    def _bypass_ref_enters(self):
        """Nodes in loops read the variables that constant RefEnters bring in directly (a
        While's body runs in the graph, and an op taking a variable reference needs the
        variable itself, as in loops tensorweave builds)."""
        source = {}
        for node in self.graph_def.node:
            if node.op == "RefEnter" and node.attr["is_constant"].b:
                source[node.name] = _data_inputs(node)[0]
        if not source:
            return

        def root(name):
            while _split(name)[0] in source and _split(name)[1] == 0:
                name = source[_split(name)[0]]
            return name
        for node in self.graph_def.node:
            inputs = []
            for name in node.input:
                op_name, index, control = _split(name)
                if op_name not in source or index:
                    inputs.append(name)
                elif not control:
                    inputs.append(root(op_name))
            del node.input[:]
            node.input.extend(inputs)
        self.removed.update(source)

    def fresh(self, name):
        candidate, k = name, 1
        while candidate in self.nodes:
            candidate, k = f"{name}_{k}", k + 1
        return candidate

    def add(self, name, op, inputs, frame):
        node = self.graph_def.node.add(name=name, op=op)
        node.input.extend(inputs)
        self.nodes[name] = node
        self.frame[name] = frame
        return node

    def members(self, frame):
        return [n for n in self.graph_def.node
                if self.frame.get(n.name) == frame and n.name not in self.removed]

    def depth(self, frame):
        depth = 0
        while frame:
            frame, depth = self.parent[frame], depth + 1
        return depth


def _loop_input(node, dtype_enum, shape_attr):
    """Turns `node` into a LoopInput of that dtype (and TF's recorded shape, if any)."""
    node.op = "LoopInput"
    del node.input[:]
    shape = None
    if shape_attr is not None and len(shape_attr.list.shape) >= 1:  # Merge: (value, index)
        shape = shape_attr.list.shape[0]
    for key in list(node.attr):
        del node.attr[key]
    node.attr["dtype"].type = dtype_enum
    if shape is not None:
        node.attr["shape"].shape.CopyFrom(shape)
    else:
        node.attr["shape"].shape.unknown_rank = True


def _base_type(node):
    value = node.attr["T"].type
    return value - 100 if value > 100 else value  # a ref dtype's base


class _Frame:
    """The parts of one frame: its loop variables, invariants, LoopCond and the While it
    becomes."""

    def __init__(self, rewrite, name):
        self.rewrite = rewrite
        self.name = name
        nodes = rewrite.nodes
        members = rewrite.members(name)
        conds = [n for n in members if n.op == "LoopCond"]
        if len(conds) != 1:
            raise ValueError(f"while loop frame '{name}' has {len(conds)} LoopCond nodes")
        self.loop_cond = conds[0]
        self.vars = []  # (Merge, Enter, NextIteration, [Switch])
        for node in members:
            if node.op not in _MERGE:
                continue
            data = [nodes[_split(i)[0]] for i in node.input if not i.startswith("^")]
            nexts = [d for d in data if d.op in _NEXT]
            enters = [d for d in data if d.op in _ENTER]
            if not nexts:
                continue  # a tf.cond's Merge inside the loop
            if len(data) != 2 or len(nexts) != 1 or len(enters) != 1:
                raise ValueError(f"Node '{node.name}' (Merge) of while loop frame '{name}' "
                                 "does not join one Enter with one NextIteration")
            self.vars.append((node, enters[0], nexts[0], []))
        var_enters = {enter.name for _, enter, _, _ in self.vars}
        by_merge = {merge.name: switches for merge, _, _, switches in self.vars}
        for node in members:
            if node.op in _SWITCH and _split(node.input[1])[0] == self.loop_cond.name:
                merge = _split(node.input[0])[0]
                if merge not in by_merge:
                    raise ValueError(f"Node '{node.name}' (Switch) of while loop frame "
                                     f"'{name}' does not switch a loop variable")
                by_merge[merge].append(node)
        self.invariants = [n for n in members if n.op in _ENTER and n.name not in var_enters]
        self.members = members
        self.exits = [n for n in rewrite.graph_def.node
                      if n.op in _EXIT and n.name not in rewrite.removed
                      and rewrite.frame.get(_data_input_node(n)) == name]

    def inside_map(self):
        """{input 'node:k' or '^node' inside the loop: what it reads in the While's body}."""
        mapping = {}
        for merge, enter, _, switches in self.vars:
            loop_input = _key(merge.name)
            mapping[_key(enter.name)] = loop_input
            for name in [merge.name, enter.name] + [s.name for s in switches]:
                mapping["^" + name] = ""  # a LoopInput is there when an iteration starts
            for switch in switches:
                mapping[_key(switch.name, 1)] = loop_input
                mapping[_key(switch.name, 0)] = None  # the exit side
        for enter in self.invariants:
            mapping["^" + enter.name] = ""
        return mapping

    def exit_map(self, while_name):
        """{input inside the frame: what it reads after the loop}, for the nodes the Exits read."""
        mapping = {}
        for k, (merge, _, _, switches) in enumerate(self.vars):
            mapping[_key(merge.name)] = _key(while_name, k)
            for switch in switches:
                mapping[_key(switch.name, 0)] = _key(while_name, k)
        for enter in self.invariants:
            mapping[_key(enter.name)] = enter.input[0]
        return mapping


def _as_ref(key):
    node, index = key.rsplit(":", 1)
    return node if index == "0" else key


def _remap_inputs(node, mapping, what):
    """Rewrites `node`'s inputs through `mapping` ('node:k'/'^node' keys; to '' drops one)."""
    new = []
    for name in node.input:
        op_name, index, control = _split(name)
        key = "^" + op_name if control else _key(op_name, index)
        if key in mapping:
            target = mapping[key]
            if target is None:
                raise ValueError(f"Node '{node.name}' ({node.op}) reads {name}, the value that "
                                 f"leaves the loop, {what}")
            if target:
                new.append(target if control else _as_ref(target))
        else:
            new.append(name)
    del node.input[:]
    node.input.extend(new)


def _ancestors(rewrite, starts, members):
    """Names of the frame's nodes that the nodes `starts` read (data and control), themselves
    included, stopping at LoopInputs."""
    seen, stack = set(), list(starts)
    while stack:
        name = stack.pop()
        if name in seen or name not in members:
            continue
        seen.add(name)
        node = rewrite.nodes[name]
        if node.op != "LoopInput":
            stack.extend(_split(i)[0] for i in node.input)
    return seen


def _rebuild_frame(rewrite, frame_name):
    frame = _Frame(rewrite, frame_name)
    parent = rewrite.parent[frame_name]
    while_name = rewrite.fresh(frame_name)
    # after the loop: the nodes between Switch_k:0 and the Exits read the While's outputs
    after = _AfterLoop(rewrite, frame, frame.exit_map(while_name), parent)
    for node in frame.exits:
        source, index, _ = _split(_data_inputs(node)[0])
        target = after.value(_key(source, index))
        dtype = _base_type(node)
        del node.input[:]
        node.input.append(_as_ref(target))
        node.op = "Identity"
        for key in list(node.attr):
            del node.attr[key]
        node.attr["T"].type = dtype
    # inside the loop
    inside = frame.inside_map()
    for node in frame.members:
        if node.name not in after.moved:
            _remap_inputs(node, inside, "inside the loop")
    controls = []
    for merge, enter, nxt, switches in frame.vars:
        _loop_input(merge, _base_type(merge), merge.attr.get("_output_shapes"))
        controls += [i for i in enter.input if i.startswith("^")]
        rewrite.removed.add(enter.name)
        rewrite.removed.update(s.name for s in switches)
        nxt.op = "Identity"
        nxt.attr["T"].type = _base_type(nxt)
    for node in frame.members:
        if node.op == "ControlTrigger":  # never DEAD: guarded by a value every iteration has
            node.input.insert(0, frame.vars[0][0].name)
    captured = []
    for enter in frame.invariants:
        captured.append(_data_inputs(enter)[0])
        controls += [i for i in enter.input if i.startswith("^")]
        _loop_input(enter, _base_type(enter), enter.attr.get("_output_shapes"))
    cond = frame.loop_cond
    cond.op = "Identity"
    cond.attr["T"].type = _DT_BOOL
    inits = [_data_inputs(enter)[0] for _, enter, _, _ in frame.vars]
    rewrite.add(while_name, "While", inits + captured + sorted(set(controls)), parent)
    rewrite.bodies[while_name] = {
        "name": frame_name.rsplit("/while_context", 1)[0] or frame_name,
        "var_inputs": [_key(merge.name) for merge, _, _, _ in frame.vars],
        "pred": _key(cond.name),
        "outputs": [_key(nxt.name) for _, _, nxt, _ in frame.vars],
        "capture_inputs": [_key(enter.name) for enter in frame.invariants],
        "n_vars": len(frame.vars)}


_DT_BOOL = 10


def _data_inputs(node):
    return [i for i in node.input if not i.startswith("^")]


class _AfterLoop:
    """The nodes of a frame an Exit reads, rebuilt after the loop (reading the While's outputs
    where they read a loop variable's last value): moved, or copied when the loop runs them
    too. Their control inputs are dropped (inside the loop they only order its nodes)."""

    def __init__(self, rewrite, frame, mapping, parent):
        self.rewrite = rewrite
        self.frame = frame
        self.mapping = mapping
        self.parent = parent
        self.members = {n.name for n in frame.members}
        ends = [frame.loop_cond.name] + [nxt.name for _, _, nxt, _ in frame.vars]
        self.in_loop = _ancestors(rewrite, ends, self.members)
        self.moved = set()
        self.target = {}  # node name -> the name of its node after the loop

    def value(self, key):
        """What input `key` ('node:k', inside the frame) reads after the loop."""
        if key in self.mapping:
            return self.mapping[key]
        name, index = key.rsplit(":", 1)
        if name not in self.members:
            return key
        if name not in self.target:
            self._rebuild(name)
        return f"{self.target[name]}:{index}"

    def _rebuild(self, name):
        node = self.rewrite.nodes[name]
        if node.op in _ENTER + _NEXT + _SWITCH + _MERGE + ("LoopCond",):
            raise ValueError(f"Node '{name}' ({node.op}) of while loop frame "
                             f"'{self.frame.name}' is read after the loop; only the last "
                             "values of the loop variables are")
        if name in self.in_loop:  # the loop runs it too: a copy after the loop
            target = self.rewrite.add(self.rewrite.fresh(name + "/after_loop"), node.op, [],
                                      self.parent)
            target.attr.MergeFrom(node.attr)
            target.device = node.device
        else:
            target = node
            self.moved.add(name)
            self.rewrite.frame[name] = self.parent
        self.target[name] = target.name
        inputs = [_as_ref(self.value(_key(*_split(i)[:2]))) for i in _data_inputs(node)]
        del target.input[:]
        target.input.extend(inputs)


def rebuild_frames(graph_def):
    """`graph_def` with each TF1 while-loop frame rebuilt as a While op (itself when it has
    none); ValueError naming the node for a frame it cannot rebuild."""
    if not any(n.op in _ENTER for n in graph_def.node):
        return graph_def
    rewritten = type(graph_def)()
    rewritten.CopyFrom(graph_def)
    rewrite = _GraphRewrite(rewritten)
    for frame in sorted(rewrite.parent, key=rewrite.depth, reverse=True):
        _rebuild_frame(rewrite, frame)
    _write_bodies(rewrite)
    kept = [n for n in rewritten.node if n.name not in rewrite.removed]
    del rewritten.node[:]
    rewritten.node.extend(kept)
    return rewritten


def _write_bodies(rewrite):
    """Each While's `body` attr, in the form the While's attr codec reads."""
    from tensorweave.core import graph_def as codec  # protobuf loads here
    Attr = codec.attr_value_pb2.AttrValue

    def tensor(name):
        return Attr(func=codec.attr_value_pb2.NameAttrList(
            name="tensorweave.Tensor", attr={"name": Attr(s=name.encode("utf-8"))}))

    def tensors(names):
        return Attr(func=codec.attr_value_pb2.NameAttrList(
            name="tensorweave.list", attr={str(k): tensor(n) for k, n in enumerate(names)}))

    for name, body in rewrite.bodies.items():
        node = rewrite.nodes[name]
        data = [i for i in node.input if not i.startswith("^")]
        captured = [i if ":" in i else i + ":0" for i in data[body["n_vars"]:]]
        fields = {"name": Attr(s=body["name"].encode("utf-8")),
                  "var_inputs": tensors(body["var_inputs"]), "pred": tensor(body["pred"]),
                  "outputs": tensors(body["outputs"]), "captured": tensors(captured),
                  "capture_inputs": tensors(body["capture_inputs"]),
                  "saved": Attr(list=Attr.ListValue()), "back_prop": Attr(b=True),
                  "has_limit": Attr(b=False)}
        node.attr["body"].func.name = "tensorweave.dict"
        for key, value in fields.items():
            node.attr["body"].func.attr[key].CopyFrom(value)


register_tf_graph_form(rebuild_frames)


def _leftover_frame_node(node, reader):
    """Frame nodes rebuild_frames did not turn into a While (it rebuilds every frame)."""
    raise ValueError(f"{node.op} is part of a TensorFlow 1 while loop frame that could not be "
                     "rebuilt as a While op")


register_tf_form("While", from_tf=_leftover_frame_node, marker="_tensorweave_loop",
                 reads=_ENTER + _EXIT + _NEXT + ("LoopCond",))


# --- tf.cond: TensorFlow's Merge ----------------------------------------------------------------
def _switches_behind(start, nodes):
    """{(Switch node, output index)} that input `start` depends on (through data and control
    inputs, and past each Switch through the value it switches)."""
    found, seen, stack = set(), set(), [start]
    while stack:
        name, index, _ = _split(stack.pop())
        node = nodes.get(name)
        if node is None:
            continue
        if node.op in _SWITCH:
            if (name, index) not in found:
                found.add((name, index))
                stack.append(node.input[0])
            continue
        if name in seen:
            continue
        seen.add(name)
        stack.extend(node.input)
    return found


def _read_tf_merge(node, reader):
    """TensorFlow's Merge(false value, true value) of a tf.cond as tensorweave's Merge, whose
    first input is the guard: the predicate of the Switches the false branch leaves by output
    0 and the true branch by output 1 (live exactly when one of the values is)."""
    if "N" not in node.attr:
        return  # tensorweave's form: the guard is already there
    data = [i for i in node.input if not i.startswith("^")]
    if len(data) != 2:
        raise ValueError(f"a Merge of {len(data)} inputs outside a while loop is not supported "
                         "(tf.cond's Merge has two)")
    false_side = _switches_behind(data[0], reader.nodes)
    true_side = _switches_behind(data[1], reader.nodes)
    false_preds = {reader.nodes[name].input[1] for name, index in false_side if index == 0}
    preds = sorted(false_preds & {reader.nodes[name].input[1] for name, index in true_side
                                  if index == 1})
    if not preds:
        raise ValueError("cannot find the tf.cond predicate this Merge joins the branches of")
    node.input.insert(0, preds[0])
    del node.attr["N"]


register_tf_form("Merge", from_tf=_read_tf_merge, marker="_tensorweave_guard",
                 renamed_from=("RefMerge",))
register_tf_form("Switch", renamed_from=("RefSwitch",))


# --- ControlTrigger -----------------------------------------------------------------------------
def _control_trigger_kernel(guard):
    return ()


register_op("ControlTrigger", shape=lambda guard: [], kernel=_control_trigger_kernel,
            grad=NOT_DIFFERENTIABLE, dead_aware=True)


def _read_control_trigger(node, reader):
    """TensorFlow's ControlTrigger runs once its control inputs are done, taken or not (a
    gradient loop's sync after the pops of both sides of a tf.cond). In a loop it reads the
    loop's first variable as its guard (rebuild_frames adds it), so a Plan never finds it
    DEAD; outside loops it is a NoOp."""
    if not any(not i.startswith("^") for i in node.input):
        node.op = "NoOp"


register_tf_form("ControlTrigger", from_tf=_read_control_trigger, marker="_tensorweave_guard")
