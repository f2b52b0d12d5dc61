"""tf.profiler.profile / advise / Profiler / write_op_log: TF 1.15's tfprof in graph mode.

    flops = tf.profiler.profile(graph, options=tf.profiler.ProfileOptionBuilder.float_operation())
    print(flops.total_float_ops)

Float operations come from each op type's registered "flops" statistic (tensorweave/ops/
flops.py, TF's rules: only ops whose shapes are fully known count), parameters from the shapes
of trainable variables, time and memory from the RunMetadata of a traced run
(`sess.run(..., options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=)`).
"""
import os
import sys

from tensorweave.core import registry
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.ops import flops as flops_rules
from tensorweave.profiler import protos, tfprof
from tensorweave.profiler.option_builder import TRAINABLE_VARIABLES, ProfileOptionBuilder

_DEFAULT_PROFILE_OPTIONS = 0
_DEFAULT_ADVISE_OPTIONS = 0
ALL_ADVICE = {"ExpensiveOperationChecker": {}, "AcceleratorUtilizationChecker": {},
              "JobChecker": {}, "OperationChecker": {}}
_DOCS = {
    "scope": "scope: The nodes in the model graph are organized by their names, which is "
             "hierarchical like filesystem.",
    "graph": "graph: The nodes in the model graph are organized by their operation input and "
             "output.",
    "code": "code: When python trace is available, the nodes are python lines and their are "
            "organized by the python call stack.",
    "op": "op: The nodes are operation kernel type, such as MatMul, Conv2D. Graph nodes "
          "belonging to the same type are aggregated together.",
}
_SELECT_DOCS = {
    "bytes": "requested bytes: The memory requested by the operation, accumulatively.",
    "micros": "total execution time: Sum of accelerator execution time and cpu execution "
              "time.\ncpu execution time: The time from the start to the end of the operation. "
              "It's the sum of actual cpu run time plus the time that it spends waiting if "
              "part of computation is launched asynchronously.\naccelerator execution time: "
              "Time spent executing on the accelerator. This is normally measured by the "
              "actual hardware library.",
    "params": "param: Number of parameters (in the Variable).",
    "float_ops": "flops: Number of float operations. Note: Please read the implementation for "
                 "the math behind it.",
    "tensor_value": "tensor_value: Not supported now.",
    "device": "device: which device is placed on.",
    "op_types": "op_types: The attributes of the operation, includes the Kernel name device "
                "placed on and user-defined strings.",
    "occurrence": "occurrence: The number of times it occurs",
    "input_shapes": "input shape: The shape of input tensors",
    "accelerator_micros": "accelerator execution time: Time spent executing on the "
                          "accelerator. This is normally measured by the actual hardware "
                          "library.",
    "cpu_micros": "cpu execution time: The time from the start to the end of the operation. "
                  "It's the sum of actual cpu run time plus the time that it spends waiting "
                  "if part of computation is launched asynchronously.",
    "peak_bytes": "peak bytes: The peak amount of memory that the operation is holding at "
                  "some point.",
    "residual_bytes": "residual bytes: The memory not de-allocated after the operation "
                      "finishes.",
    "output_bytes": "output bytes: The memory that is output from the operation (not "
                    "necessarilty allocated by the operation)",
}


# --- the op log (TF's tfprof_logger) ---------------------------------------------------------
def _fill_missing_graph_shape(graph, run_meta):
    """Merges the run-time output shapes of a traced run into the graph's static shapes."""
    for device in run_meta.step_stats.dev_stats:
        for stat in device.node_stats:
            if not stat.output:
                continue
            try:
                op = graph.get_operation_by_name(stat.node_name)
            except (KeyError, ValueError):
                continue
            if len(stat.output) != len(op.outputs):
                continue
            for i, output in enumerate(stat.output):
                tensor = op.outputs[i]
                if tensor.shape.is_fully_defined():
                    continue
                dims = [d.size for d in output.tensor_description.shape.dim]
                try:
                    tensor.set_shape(tensor.shape.merge_with(dims))
                except ValueError as e:
                    sys.stderr.write(f"Node {stat.node_name} incompatible shapes: {e}.\n")


def _logged_ops(graph, run_meta=None, add_trace=True, add_trainable_var=True):
    """{op name: OpLogEntry} with each op's float operations, code trace and types."""
    messages = protos.messages()
    if run_meta:
        _fill_missing_graph_shape(graph, run_meta)
    missing = 0
    logged, strings = {}, {"none": 0}

    def string_id(text):
        return strings.setdefault(text, len(strings))

    for op in graph.get_operations():
        try:
            count = registry.statistics_for(op, flops_rules.FLOPS)
        except ValueError:
            missing += 1
            count = None
        entry = messages.OpLogEntry(name=op.name)
        keep = False
        if count:
            entry.float_ops = int(count)
            keep = True
        if add_trace and op.traceback:
            filename, lineno, function = op.traceback[:3]
            trace = entry.code_def.traces.add()
            trace.file_id = string_id(filename) if filename else 0
            trace.lineno = lineno if lineno else -1
            trace.function_id = string_id(function) if function else 0
            trace.func_start_line = -1
            keep = True
        if keep:
            logged[entry.name] = entry
    if add_trainable_var:
        for variable in graph.get_collection(GraphKeys.TRAINABLE_VARIABLES):
            name = variable.op.name
            if name not in logged:
                logged[name] = messages.OpLogEntry(name=name)
            logged[name].types.append(TRAINABLE_VARIABLES)
    if missing and not run_meta:
        sys.stderr.write(f"{missing} ops no flops stats due to incomplete shapes.\n")
    return logged, strings


def merge_default_with_oplog(graph, op_log=None, run_meta=None, add_trace=True,
                             add_trainable_var=True):
    """The OpLogProto of `graph` (flops, traces, trainable variables) merged with `op_log`."""
    graph = graph if graph is not None else get_default_graph()
    merged = protos.messages().OpLogProto()
    logged, strings = _logged_ops(graph, run_meta, add_trace, add_trainable_var)
    if not op_log:
        merged.log_entries.extend(logged.values())
    else:
        entries = {entry.name: entry for entry in op_log.log_entries}
        for name, entry in logged.items():
            if name in entries:
                entries[name].types.extend(entry.types)
                if entry.float_ops > 0 and entries[name].float_ops == 0:
                    entries[name].float_ops = entry.float_ops
                if entry.code_def.traces and not entries[name].code_def.traces:
                    entries[name].code_def.MergeFrom(entry.code_def)
            else:
                entries[name] = entry
        merged.log_entries.extend(entries.values())
    for text, number in strings.items():
        merged.id_to_string[number] = text
    return merged


def write_op_log(graph, log_dir, op_log=None, run_meta=None, add_trace=True):
    """Writes `log_dir/tfprof_log`: the OpLogProto with the graph's flops, trainable
    variables (type `_trainable_variables`) and code traces merged into `op_log`."""
    graph = graph if graph is not None else get_default_graph()
    op_log = merge_default_with_oplog(graph, op_log, run_meta, add_trace)
    os.makedirs(log_dir, exist_ok=True)
    with open(os.path.join(log_dir, "tfprof_log"), "wb") as f:
        f.write(op_log.SerializeToString())


# --- profiling -------------------------------------------------------------------------------
def _options_text(options):
    lines = []
    for key in ("max_depth", "min_bytes", "min_peak_bytes", "min_residual_bytes",
                "min_output_bytes", "min_micros", "min_accelerator_micros", "min_cpu_micros",
                "min_params", "min_float_ops", "min_occurrence", "step", "order_by",
                "account_type_regexes", "start_name_regexes", "trim_name_regexes",
                "show_name_regexes", "hide_name_regexes", "account_displayed_op_only",
                "select", "output"):
        value = options.get(key, 0)
        if key == "output":
            kind, _, rest = str(value).partition(":")
            value = f"{kind}:{rest}"
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = ",".join(value)
        lines.append(f"{'-' + key:<28}{value}")
    return "\n".join(lines) + "\n"


def _normalize(options):
    full = dict(ProfileOptionBuilder.time_and_memory(0, 0))
    full.update(options)
    full["select"] = sorted(set(full["select"]), key=tfprof.SELECTABLE.index) \
        if all(s in tfprof.SELECTABLE for s in full["select"]) else full["select"]
    tfprof.check_options(full)
    if full["output"] not in ("none", "stdout") and not \
            str(full["output"]).startswith(("file:outfile=", "timeline:outfile=",
                                            "pprof:outfile=")):
        raise ValueError(f"Invalid option '-output' value: '{full['output']}'")
    return full


def _report(cmd, options, text):
    helps = "\n".join(_SELECT_DOCS[s] for s in sorted(options["select"]))
    return (f"\n=========================Options=============================\n"
            f"{_options_text(options)}"
            f"\n==================Model Analysis Report======================\n"
            f"\nDoc:\n{_DOCS[cmd]}\n{helps}\n\nProfile:\n{text}"
            f"\n======================End of Report==========================\n")


def _emit(cmd, options, text):
    output = str(options["output"])
    if output == "stdout":
        sys.stdout.write(_report(cmd, options, text))
        sys.stdout.flush()
    elif output.startswith("file:outfile="):
        path = output[len("file:outfile="):]
        with open(path, "w") as f:
            f.write(_report(cmd, options, text))
    elif output.startswith(("timeline:", "pprof:")):
        sys.stderr.write(f"tensorweave's profiler writes no {output.split(':')[0]} output; "
                         f"use stdout or file output.\n")


class Profiler:
    """TensorFlow's multi-step profiler: add traced runs with add_step, then ask for views.

        profiler = tf.profiler.Profiler(sess.graph)
        profiler.add_step(step, run_meta)
        profiler.profile_name_scope(tf.profiler.ProfileOptionBuilder.time_and_memory())
    """

    def __init__(self, graph=None, op_log=None):
        if graph is None:
            graph = get_default_graph()
        self._graph = graph
        self._data = tfprof.ProfileData(graph)
        self._data.add_op_log(merge_default_with_oplog(graph, op_log=op_log))
        self._run_metas = {}

    def add_step(self, step, run_meta):
        """Adds the statistics of a traced run (a RunMetadata) as step `step`."""
        self._data.refresh(self._graph)
        self._data.add_op_log(merge_default_with_oplog(self._graph, run_meta=run_meta))
        self._data.add_run_meta(step, run_meta)
        self._run_metas[step] = run_meta

    def _profile(self, cmd, options):
        options = _normalize(options)
        proto, text = tfprof.VIEWS[cmd](self._data).show(options)
        _emit(cmd, options, text)
        return proto

    def profile_python(self, options):
        """The 'code' view: a MultiGraphNodeProto of the user's source lines."""
        return self._profile("code", options)

    def profile_operations(self, options):
        """The 'op' view: a MultiGraphNodeProto of op types."""
        return self._profile("op", options)

    def profile_name_scope(self, options):
        """The 'scope' view: a GraphNodeProto tree of name scopes."""
        return self._profile("scope", options)

    def profile_graph(self, options):
        """The 'graph' view: a GraphNodeProto tree of op inputs."""
        return self._profile("graph", options)

    def advise(self, options):
        """An AdviceProto from the checkers named in `options` (e.g. ALL_ADVICE)."""
        return _advise(self._data, options)

    def serialize_to_string(self):
        """The profile as bytes: TF's ProfileProto of the graph's nodes and their steps."""
        return _profile_proto(self._data).SerializeToString()

    def _write_profile(self, filename):
        with open(filename, "wb") as f:
            f.write(self.serialize_to_string())


def profile(graph=None, run_meta=None, op_log=None, cmd="scope",
            options=_DEFAULT_PROFILE_OPTIONS):
    """Profiles `graph` (default graph) and prints TF's report; returns a GraphNodeProto
    ('scope'/'graph') or a MultiGraphNodeProto ('op'/'code')."""
    if cmd not in tfprof.VIEWS:
        raise ValueError(f"invalid cmd: {cmd}")
    if options == _DEFAULT_PROFILE_OPTIONS:
        options = ProfileOptionBuilder.time_and_memory()
    if graph is None:
        graph = get_default_graph()
    data = tfprof.ProfileData(graph)
    data.add_op_log(merge_default_with_oplog(graph, op_log=op_log, run_meta=run_meta,
                                             add_trace=cmd == "code"))
    if run_meta is not None:
        data.add_run_meta(0, run_meta)
    options = _normalize(options)
    proto, text = tfprof.VIEWS[cmd](data).show(options)
    _emit(cmd, options, text)
    return proto


def advise(graph=None, run_meta=None, options=_DEFAULT_ADVISE_OPTIONS):
    """Runs tfprof's checkers over `graph` and a traced run; returns an AdviceProto."""
    if options == _DEFAULT_ADVISE_OPTIONS:
        options = dict(ALL_ADVICE)
    if graph is None:
        graph = get_default_graph()
    data = tfprof.ProfileData(graph)
    data.add_op_log(merge_default_with_oplog(graph, run_meta=run_meta))
    if run_meta is not None:
        data.add_run_meta(0, run_meta)
    return _advise(data, options)


def _advise(data, options):
    advice = protos.messages().AdviceProto()
    for checker in options:
        reports = advice.checkers[checker].reports
        if checker == "AcceleratorUtilizationChecker":
            if not any(n.run_stat("accelerator_exec_micros", -1) for n in data.nodes.values()):
                reports.append("No accelerator found: tensorweave runs every op on the CPU.")
        elif checker == "OperationChecker":
            _operation_checks(data, reports)
        elif checker == "ExpensiveOperationChecker":
            _expensive_checks(data, reports)
        elif checker != "JobChecker":
            raise ValueError(f"Unknown checker: {checker}")
    if sys.stdout is not None:
        for checker, result in sorted(advice.checkers.items()):
            sys.stdout.write(f"{checker}:\n")
            for report in result.reports:
                sys.stdout.write(f"{report}\n")
    return advice


def _operation_checks(data, reports):
    nchw = sorted(n.name for n in data.nodes.values()
                  if n.op_type in ("Conv2D", "MaxPool", "AvgPool", "BiasAdd")
                  and data.graph.get_operation_by_name(n.name).attrs.get("data_format")
                  in ("NCHW", b"NCHW"))
    if nchw:
        reports.append(f"Found operation using NCHW data_format on CPU, which NHWC is often "
                       f"faster for: {', '.join(nchw[:5])}")


def _expensive_checks(data, reports):
    if not data.steps:
        reports.append("Missing run_meta for ExpensiveOperationChecker.")
        return
    options = ProfileOptionBuilder(ProfileOptionBuilder.time_and_memory(0, 0)) \
        .order_by("micros").with_empty_output().build()
    view = tfprof.OpView(data)
    view.show(_normalize(options))
    total = sum(n.totals["exec_micros"] for n in view.nodes[:1]) or 1
    ranked = sorted(view.nodes, key=lambda n: -n.self_stats["exec_micros"])
    for i, node in enumerate(ranked[:3]):
        micros = node.self_stats["exec_micros"]
        reports.append(f"top {i + 1} operation type: {node.name}, cpu: "
                       f"{tfprof.format_time(node.self_stats['cpu_exec_micros'])}, "
                       f"accelerator: {tfprof.format_time(0)}, total: "
                       f"{tfprof.format_time(micros)} ({100.0 * micros / total:.2f}%)")


def _profile_proto(data):
    try:
        from tensorboard.compat.proto import tfprof_log_pb2
    except ImportError as e:
        raise ImportError("Profiler.serialize_to_string needs the tensorboard package for "
                          "TF's ProfileProto") from e
    proto = tfprof_log_pb2.ProfileProto(has_trace=any(n.trace for n in data.nodes.values()))
    proto.steps.extend(sorted(data.steps))
    ids = {name: i + 1 for i, name in enumerate(sorted(data.nodes))}
    for name, node in sorted(data.nodes.items()):
        entry = proto.nodes[ids[name]]
        entry.name, entry.op, entry.id = name, node.op_type, ids[name]
        entry.float_ops = node.float_ops_static
        entry.op_types.extend(sorted(node.types))
        entry.shape.extend(node.shape)
        entry.canonical_device = node.device
        for index, source in enumerate(node.inputs):
            if source in ids:
                entry.inputs[index] = ids[source]
        for index, dims in node.input_shapes.items():
            entry.input_shapes[index].int64_values.extend(dims)
        for step, record in node.execs.items():
            execution = entry.execs[step]
            execution.run_count = record["run_count"]
            execution.all_start_micros = 0
            if node.device:
                execution.devices.append(node.device)
                times = execution.cpu_execs[node.device].times.add()
                times.int64_values.extend([0, record["cpu_exec_micros"]])
            memory = execution.memory_execs.add()
            memory.requested_bytes = record["requested_bytes"]
            memory.peak_bytes = record["peak_bytes"]
            memory.residual_bytes = record["residual_bytes"]
            memory.output_bytes = record["output_bytes"]
    return proto
