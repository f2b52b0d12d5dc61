"""tfprof's model analysis: graph nodes with their statistics, organized by a view.

A `ProfileData` holds one node per graph op: its registered float operations (ops/flops.py,
through the op log), its parameters (the `shape` attr of a variable), its types (op type,
device, the op log's types such as `_trainable_variables`) and, per profiled step, its
execution time and memory read from a traced run's RunMetadata. The views follow TensorFlow's
tfprof: 'scope' (name scopes as a tree), 'graph' (inputs as a tree), 'op' (op types as a list)
and 'code' (the user's source lines). Each returns TF's proto and formats TF's text.
"""
import linecache
import os
import re

from tensorweave.profiler import protos

ROOT = "_TFProfRoot"
STATS = ("run_count", "exec_micros", "accelerator_exec_micros", "cpu_exec_micros",
         "requested_bytes", "peak_bytes", "residual_bytes", "output_bytes", "parameters",
         "float_ops")
# option name -> the total it bounds from below (ShouldShow); params and flops bound the node's
# own statistic, as in TensorFlow.
_MINIMA = (("min_bytes", "total_requested_bytes"), ("min_peak_bytes", "total_peak_bytes"),
           ("min_residual_bytes", "total_residual_bytes"),
           ("min_output_bytes", "total_output_bytes"), ("min_micros", "total_exec_micros"),
           ("min_accelerator_micros", "total_accelerator_exec_micros"),
           ("min_cpu_micros", "total_cpu_exec_micros"), ("min_params", "parameters"),
           ("min_float_ops", "float_ops"), ("min_occurrence", "run_count"))
_ORDER_BY = {"bytes": "total_requested_bytes", "peak_bytes": "total_peak_bytes",
             "residual_bytes": "total_residual_bytes", "output_bytes": "total_output_bytes",
             "micros": "total_exec_micros", "accelerator_micros": "total_accelerator_exec_micros",
             "cpu_micros": "total_cpu_exec_micros", "params": "total_parameters",
             "float_ops": "total_float_ops", "occurrence": "total_run_count"}
SELECTABLE = ("bytes", "micros", "params", "float_ops", "tensor_value", "device", "op_types",
              "occurrence", "input_shapes", "accelerator_micros", "cpu_micros", "peak_bytes",
              "residual_bytes", "output_bytes")
ORDERABLE = ("name",) + tuple(_ORDER_BY)


class GraphNode:
    """One graph op as tfprof sees it: static facts and the executions of profiled steps."""

    def __init__(self, name, op_type, *, shape=(), input_shapes=None, inputs=(), trace=None):
        self.name = name
        self.op_type = op_type
        self.types = {op_type} if op_type else set()
        self.shape = list(shape)  # a variable's shape; parameters count its elements
        self.input_shapes = dict(input_shapes or {})  # input index -> dims (-1 unknown)
        self.inputs = list(inputs)  # names of the ops making the inputs
        self.trace = trace  # (file, line, function) of the user code that made the op
        self.float_ops_static = 0
        self.device = ""
        self.execs = {}  # step -> {statistic: value}

    @property
    def parameters(self):
        if not self.shape or any(d < 0 for d in self.shape):
            return 0
        count = 1
        for d in self.shape:
            count *= d
        return count

    def run_stat(self, key, step):
        if not self.execs:
            return 0
        if step >= 0:
            return self.execs.get(step, {}).get(key, 0)
        return sum(e.get(key, 0) for e in self.execs.values()) // len(self.execs)

    def stats(self, step):
        """{statistic: value} of the node at `step` (-1: the average over profiled steps)."""
        values = {key: self.run_stat(key, step) for key in STATS[:8]}
        values["parameters"] = self.parameters
        values["float_ops"] = (self.float_ops_static if not self.execs
                               else self.float_ops_static * values["run_count"])
        return values


class ShowNode:
    """A node of a view: own statistics, totals over what it accounts, shown children."""

    def __init__(self, name, graph_nodes=()):
        self.name = name
        self.graph_nodes = list(graph_nodes)
        self.children = []  # the view's structure
        self.show_children = []
        self.account = False
        self.self_stats = dict.fromkeys(STATS, 0)
        self.devices = []
        self.reset_totals()
        self.text = ""

    def reinit(self, step):
        self.self_stats = dict.fromkeys(STATS, 0)
        devices = set()
        for node in self.graph_nodes:
            for key, value in node.stats(step).items():
                self.self_stats[key] += value
            if node.device:
                devices.add(node.device)
        self.devices = sorted(devices)

    def reset_totals(self):
        self.totals = dict.fromkeys(("definition_count",) + STATS, 0)

    def add_self(self):
        self.totals["definition_count"] += 1
        for key in STATS:
            self.totals[key] += self.self_stats[key]

    def aggregate(self, other):
        for key in self.totals:
            self.totals[key] += other.totals[key]

    def get(self, field):
        if field.startswith("total_"):
            return self.totals[field[6:]]
        return self.self_stats[field]

    @property
    def types(self):
        out = set()
        for node in self.graph_nodes:
            out |= node.types
            if node.device:
                out.add(node.device)
        return out


# --- options and formatting ------------------------------------------------------------------
def check_options(options):
    for key in ("select",):
        for item in options.get(key, []):
            if item not in SELECTABLE:
                raise ValueError(f"Invalid option '-select' value: '{item}'")
    if options.get("order_by", "name") not in ORDERABLE:
        raise ValueError(f"Invalid option '-order_by' value: '{options['order_by']}'")


def format_number(n):
    if n < 1000:
        return f"{n}"
    if n < 1000000:
        return f"{n / 1000.0:.2f}k"
    if n < 1000000000:
        return f"{n / 1000000.0:.2f}m"
    return f"{n / 1000000000.0:.2f}b"


def format_time(micros):
    if micros < 1000:
        return f"{micros}us"
    if micros < 1000000:
        return f"{micros / 1000.0:.2f}ms"
    return f"{micros / 1000000.0:.2f}sec"


def format_memory(nbytes):
    if nbytes < 1000:
        return f"{nbytes}B"
    if nbytes < 1000000:
        return f"{nbytes / 1000.0:.2f}KB"
    return f"{nbytes / 1000000.0:.2f}MB"


def _pair(node, key, fmt):
    total = fmt(node.totals[key])
    return (fmt(node.self_stats[key]) + "/" + total) if node.account else "--/" + total


_MEMORY_SELECTS = (("bytes", "requested_bytes"), ("peak_bytes", "peak_bytes"),
                   ("residual_bytes", "residual_bytes"), ("output_bytes", "output_bytes"))


def format_node(node, options):
    """TF's 'name (self/total ..., ...)' text of a scope, graph or code view node."""
    select = set(options["select"])
    info = []
    if "params" in select:
        shapes = [node.graph_nodes[0].shape] if len(node.graph_nodes) == 1 else []
        if shapes and shapes[0]:
            info.append("x".join(str(d) for d in shapes[0]))
        info.append(_pair(node, "parameters", format_number) + " params")
    if "float_ops" in select:
        info.append(_pair(node, "float_ops", format_number) + " flops")
    for name, key in _MEMORY_SELECTS:
        if name in select:
            info.append(_pair(node, key, format_memory))
    if "micros" in select:
        info += [_pair(node, key, format_time) for key in
                 ("exec_micros", "accelerator_exec_micros", "cpu_exec_micros")]
    else:
        if "accelerator_micros" in select:
            info.append(_pair(node, "accelerator_exec_micros", format_time))
        if "cpu_micros" in select:
            info.append(_pair(node, "cpu_exec_micros", format_time))
    if "device" in select and node.devices:
        info.append("|".join(node.devices))
    if "op_types" in select:
        info.append("|".join(sorted(node.types)))
    if "occurrence" in select:
        run = format_number(node.totals["run_count"])
        run = (format_number(node.self_stats["run_count"]) + "/" + run) if node.account \
            else "--/" + run
        definition = format_number(node.totals["definition_count"])
        definition = ("1/" + definition) if node.account else "--/" + definition
        info.append(run + "|" + definition)
    if "input_shapes" in select:
        shapes = node.graph_nodes[0].input_shapes if len(node.graph_nodes) == 1 else {}
        info.append("|".join(f"{i}:{'x'.join(map(str, s))}" if s else f"{i}:unknown"
                             for i, s in sorted(shapes.items())))
    return f"{node.name} ({', '.join(info)})"


def format_legend(options):
    select = set(options["select"])
    legends = []
    for name, text in (("params", "# parameters"), ("float_ops", "# float_ops"),
                       ("bytes", "requested bytes"), ("peak_bytes", "peak bytes"),
                       ("residual_bytes", "residual bytes"), ("output_bytes", "output bytes")):
        if name in select:
            legends.append(text)
    if "micros" in select:
        legends += ["total execution time", "accelerator execution time", "cpu execution time"]
    else:
        if "accelerator_micros" in select:
            legends.append("accelerator execution time")
        if "cpu_micros" in select:
            legends.append("cpu execution time")
    for name, text in (("device", "assigned devices"), ("op_types", "op types"),
                       ("occurrence", "op count (run|defined)"),
                       ("input_shapes", "input shapes")):
        if name in select:
            legends.append(text)
    return f"node name | {' | '.join(legends)}\n"


def _full_match(regex, text):
    return re.fullmatch(regex, text) is not None


def _is_everything(regexes):
    return len(regexes) == 1 and regexes[0] == ".*"


def should_show(node, options, depth):
    if node.name == ROOT:
        return True
    for option, field in _MINIMA:
        if node.get(field) < options.get(option, 0):
            return False
    if depth > options["max_depth"]:
        return False
    shows = options["show_name_regexes"]
    if not _is_everything(shows) and not any(_full_match(r, node.name) for r in shows):
        return False
    return not any(_full_match(r, node.name) for r in options["hide_name_regexes"])


def should_trim(node, regexes):
    return any(_full_match(r, node.name) for r in regexes)


def reaccount(node, options):
    node.reinit(options["step"])
    regexes = options["account_type_regexes"]
    if _is_everything(regexes):
        return True
    types = node.types
    return any(_full_match(r, t) for r in regexes for t in types)


def sort_nodes(nodes, options):
    order = options.get("order_by") or ""
    if not order or not nodes:
        return list(nodes)
    field = _ORDER_BY.get(order)
    if field is None:
        return sorted(nodes, key=lambda n: n.name)
    return sorted(nodes, key=lambda n: -n.get(field))  # stable: ties keep their order


# --- protos ----------------------------------------------------------------------------------
def _shape_proto(message, dims):
    for d in dims:
        message.dim.add(size=d)


def graph_node_proto(node, with_children=True):
    """The GraphNodeProto of a scope/graph view node (children: its shown children)."""
    proto = protos.messages().GraphNodeProto(name=node.name)
    for key in STATS:
        setattr(proto, key, node.self_stats[key])
    for key, value in node.totals.items():
        setattr(proto, "total_" + key, value)
    proto.devices.extend(node.devices)
    if len(node.graph_nodes) == 1:
        for index, dims in node.graph_nodes[0].input_shapes.items():
            _shape_proto(proto.input_shapes[index], dims)
    if with_children:
        for child in node.show_children:
            proto.children.append(graph_node_proto(child))
    return proto


def _graph_node_of(graph_node, step):
    """The GraphNodeProto of one graph op inside a MultiGraphNodeProto."""
    single = ShowNode(graph_node.name, [graph_node])
    single.reinit(step)
    single.add_self()
    return graph_node_proto(single, with_children=False)


def multi_graph_node_proto(node, step, children=()):
    proto = protos.messages().MultiGraphNodeProto(name=node.name)
    for key in STATS[1:]:
        setattr(proto, key, node.self_stats[key])
        setattr(proto, "total_" + key, node.totals[key])
    for graph_node in sorted(node.picked, key=lambda n: n.name):
        proto.graph_nodes.append(_graph_node_of(graph_node, step))
    proto.children.extend(children)
    return proto


# --- the profile data ------------------------------------------------------------------------
class ProfileData:
    """The graph's nodes, the op log's extra facts, and the profiled steps' executions."""

    def __init__(self, graph):
        self.graph = graph
        self.nodes = {}
        self.steps = set()
        for op in graph.get_operations():
            self.nodes[op.name] = graph_node_for(op)

    def refresh(self, graph):
        """Adds nodes for ops created since (TF's Profiler follows a growing graph)."""
        for op in graph.get_operations():
            if op.name not in self.nodes:
                self.nodes[op.name] = graph_node_for(op)

    def add_op_log(self, op_log):
        for entry in op_log.log_entries:
            node = self.nodes.get(entry.name)
            if node is None:
                continue
            if entry.float_ops:
                node.float_ops_static = entry.float_ops
            node.types.update(entry.types)

    def add_run_meta(self, step, run_meta):
        """Reads the node stats of a traced run (RunMetadata.step_stats) as step `step`."""
        self.steps.add(step)
        for device in run_meta.step_stats.dev_stats:
            for stat in device.node_stats:
                node = self.nodes.get(stat.node_name)
                if node is None:
                    continue
                node.device = device.device
                record = node.execs.setdefault(step, dict.fromkeys(STATS[:8], 0))
                record["run_count"] += 1
                micros = stat.op_end_rel_micros
                record["exec_micros"] += micros
                record["cpu_exec_micros"] += micros
                for memory in stat.memory:
                    record["requested_bytes"] += memory.total_bytes
                    record["peak_bytes"] += memory.peak_bytes
                    record["residual_bytes"] += memory.live_bytes
                for output in stat.output:
                    record["output_bytes"] += \
                        output.tensor_description.allocation_description.requested_bytes


def graph_node_for(op):
    shape = op.attrs.get("shape") if op.attrs.get("shape") is not None else None
    dims = []
    if shape is not None and getattr(shape, "dims", None) is not None:
        dims = [-1 if d is None else int(d) for d in shape.as_list()]
    input_shapes = {}
    for i, t in enumerate(op.inputs):
        input_shapes[i] = [] if t.shape.dims is None else \
            [-1 if d is None else int(d) for d in t.shape.as_list()]
    return GraphNode(op.name, op.type, shape=dims, input_shapes=input_shapes,
                     inputs=[t.op.name for t in op.inputs], trace=op.traceback)


# --- views -----------------------------------------------------------------------------------
class ScopeView:
    """Nodes arranged by name scope, as directories; scopes without an op are placeholders."""

    def __init__(self, data):
        shown = {}
        for name, node in data.nodes.items():
            shown[name] = ShowNode(name, [node])
            prefix = name
            while "/" in prefix:
                prefix = prefix.rsplit("/", 1)[0]
                if prefix not in shown and prefix not in data.nodes:
                    shown[prefix] = ShowNode(prefix)
        roots = []
        for name in sorted(shown):
            node = shown[name]
            if "/" in name:
                shown[name.rsplit("/", 1)[0]].children.append(node)
            else:
                roots.append(node)
        self.root = ShowNode(ROOT)
        self.root.children = roots

    def show(self, options):
        root = self.root
        root.reset_totals()
        roots = self._account(root.children, options)
        for node in roots:
            root.aggregate(node)
        if not _is_everything(options["start_name_regexes"]):
            roots = _search_root(roots, options["start_name_regexes"])
        root.show_children = roots
        root = self._print([root], options, 1, 0)[0]
        text = format_legend(options) + root.text
        text += _join_texts(root.show_children)
        return graph_node_proto(root), text

    def _account(self, nodes, options):
        accounted = []
        for node in nodes:
            node.reset_totals()
            children = self._account(node.children, options)
            node.account = reaccount(node, options)
            if node.account or children:
                node.show_children = []
                node.reset_totals()
                node.add_self()
                for child in children:
                    node.aggregate(child)
                    node.show_children.append(child)
                accounted.append(node)
        return accounted

    def _print(self, nodes, options, depth, last_indent):
        shown = []
        for node in nodes:
            indent = last_indent
            show = should_show(node, options, depth)
            if show:
                indent += 2
            children = []
            if not should_trim(node, options["trim_name_regexes"]) \
                    and depth <= options["max_depth"]:
                children = self._print(node.show_children, options, depth + 1, indent)
            if show:
                node.show_children = []
                if options["account_displayed_op_only"]:
                    node.reset_totals()
                    node.add_self()
                for child in sort_nodes(children, options):
                    node.show_children.append(child)
                    if options["account_displayed_op_only"]:
                        node.aggregate(child)
                node.text = " " * last_indent + format_node(node, options) + "\n"
                shown.append(node)
            else:
                shown.extend(children)
        return shown


def _join_texts(nodes):
    return "".join(n.text + _join_texts(n.show_children) for n in nodes)


def _search_root(nodes, regexes):
    found = []
    for node in nodes:
        if any(_full_match(r, node.name) for r in regexes):
            found.append(node)
        else:
            found.extend(_search_root(node.show_children, regexes))
    return found


class GraphView(ScopeView):
    """Nodes arranged by their inputs: the roots are the ops no other op consumes; each op
    appears once, under the first op (by name) that consumes it."""

    def __init__(self, data):  # noqa: D107 - the tree differs; accounting is the scope view's
        shown = {name: ShowNode(name, [node]) for name, node in data.nodes.items()}
        consumed = {i for node in data.nodes.values() for i in node.inputs}
        placed = set()
        roots = sorted(n for n in shown if n not in consumed)
        stack = list(reversed(roots))
        placed.update(roots)
        while stack:
            name = stack.pop()
            for source in sorted(set(data.nodes[name].inputs)):
                if source not in placed and source in shown:
                    placed.add(source)
                    shown[name].children.append(shown[source])
                    stack.append(source)
        self.root = ShowNode(ROOT)
        self.root.children = [shown[n] for n in roots]


class CodeView(ScopeView):
    """Nodes arranged by the user's source line that created them ('file:line:function:code');
    tensorweave records one frame per op, so the tree has one level."""

    def __init__(self, data):  # noqa: D107
        by_line = {}
        for node in data.nodes.values():
            by_line.setdefault(_trace_name(node.trace), []).append(node)
        self.root = ShowNode(ROOT)
        self.root.children = [ShowNode(name, nodes) for name, nodes in sorted(by_line.items())]

    def show(self, options):
        root = self.root
        for node in root.children:
            node.picked = _pick(node.graph_nodes, options["account_type_regexes"])
        proto, text = super().show(options)
        return self._multi(root, options["step"]), text

    def _multi(self, node, step):
        node.picked = getattr(node, "picked", [])
        return multi_graph_node_proto(
            node, step, [self._multi(child, step) for child in node.show_children])


def _trace_name(trace):
    if not trace:
        return "<unknown>"
    filename, line, function = trace[:3]
    code = linecache.getline(filename, line).strip() if filename else ""
    return f"{os.path.basename(filename)}:{line}:{function}:{code}"


def _pick(graph_nodes, regexes):
    if _is_everything(regexes):
        return list(graph_nodes)
    return [n for n in graph_nodes if any(_full_match(r, t) for r in regexes for t in n.types)]


class OpView:
    """Op types as a list: each type aggregates the graph ops of that type."""

    def __init__(self, data):
        by_type = {}
        for node in data.nodes.values():
            by_type.setdefault(node.op_type, []).append(node)
        self.nodes = [ShowNode(name, by_type[name]) for name in sorted(by_type)]

    def show(self, options):
        step = options["step"]
        regexes = options["account_type_regexes"]
        root = ShowNode(ROOT)
        root.picked = []
        for node in self.nodes:
            node.picked = _pick(node.graph_nodes, regexes)
            node.account = bool(node.picked) or _is_everything(regexes)
            node.self_stats = dict.fromkeys(STATS, 0)
            for graph_node in node.picked:
                for key, value in graph_node.stats(step).items():
                    node.self_stats[key] += value
            node.reset_totals()
            node.add_self()
        nodes = sort_nodes(self.nodes, options)
        accounted = self._chain([n for n in nodes if n.account], root, False)
        start = 0
        starts = options["start_name_regexes"]
        if starts and not _is_everything(starts):
            start = next((i for i, n in enumerate(accounted)
                          if any(_full_match(r, n.name) for r in starts)), len(accounted))
        shown = []
        for depth, node in enumerate(accounted[start:]):
            if should_trim(node, options["trim_name_regexes"]) or depth > options["max_depth"]:
                break
            if should_show(node, options, depth):
                shown.append(node)
        if options["account_displayed_op_only"]:
            root.reset_totals()
            self._chain(shown, root, True)
        text = format_legend(options) + "".join(self._format(n, root, options) for n in shown)
        proto = multi_graph_node_proto(root, step)
        parent = proto
        for node in shown:
            child = multi_graph_node_proto(node, step)
            parent.children.append(child)
            parent = parent.children[0]
        return proto, text

    @staticmethod
    def _chain(nodes, root, reset):
        """Each node's totals: itself and every node after it; the root's: all of them."""
        previous = None
        for node in reversed(nodes):
            if reset:
                node.reset_totals()
                node.add_self()
            if previous is not None:
                node.aggregate(previous)
            previous = node
        if previous is not None:
            root.aggregate(previous)
        return nodes

    @staticmethod
    def _format(node, root, options):
        select = set(options["select"])
        attrs = []

        def share(key, fmt, suffix=""):
            accumulated = own = 0.0
            if key in ("parameters", "float_ops"):
                if node.totals[key] > 0:
                    accumulated = 100.0 * node.totals[key] / root.totals[key]
                    own = 100.0 * node.self_stats[key] / root.totals[key]
            elif node.self_stats[key] > 0 if key.endswith("bytes") else node.totals[key] > 0:
                accumulated = 100.0 * node.totals[key] / root.totals[key]
                own = 100.0 * node.self_stats[key] / root.totals[key]
            text = f"{fmt(node.self_stats[key])}{suffix} ({accumulated:.2f}%, {own:.2f}%)"
            return f"{text:>30}"

        for name, key in _MEMORY_SELECTS:
            if name in select:
                attrs.append(share(key, format_memory))
        if "micros" in select:
            attrs += [share(k, format_time) for k in
                      ("exec_micros", "accelerator_exec_micros", "cpu_exec_micros")]
        else:
            if "accelerator_micros" in select:
                attrs.append(share("accelerator_exec_micros", format_time))
            if "cpu_micros" in select:
                attrs.append(share("cpu_exec_micros", format_time))
        if "params" in select:
            attrs.append(share("parameters", format_number, " params"))
        if "float_ops" in select:
            attrs.append(share("float_ops", format_number, " float_ops"))
        if "device" in select:
            attrs.append("|".join(sorted({n.device for n in node.picked})))
        if "op_types" in select:
            attrs.append("|".join(sorted(node.types)))
        if "occurrence" in select:
            runs = sum(n.stats(options["step"])["run_count"] for n in node.picked)
            attrs.append(f"{f'{runs}|{len(node.picked)}':>10}")
        return f"{node.name:<25}{', '.join(attrs)}\n"


VIEWS = {"scope": ScopeView, "graph": GraphView, "code": CodeView, "op": OpView}
