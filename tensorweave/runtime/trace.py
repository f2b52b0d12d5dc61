"""Traced runs: per-op step stats for `Session.run(..., options=, run_metadata=)`.

    run_metadata = tf.RunMetadata()
    sess.run(train_op, feed_dict, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
             run_metadata=run_metadata)
    run_metadata.step_stats.dev_stats[0].node_stats[0].timeline_label  # 'x = _Arg()'

A traced run walks the same Plan steps as `Plan.run`, in its own loop that reads the clock
around every kernel, so untraced runs pay nothing. Each step becomes a `NodeExecStats` (times
in microseconds since the epoch, TF's "name = OpType(inputs)" label, one `NodeOutput` per
array output); fed tensors appear as `_Arg` nodes. A `While` step (a loop and its body's
sub-Plans) is traced as one node. `RunOptions`/`RunMetadata` are the `config_pb2` protocol
buffers of the `tensorboard` package when it is installed (tensorweave's records otherwise,
which cannot hold a trace).
"""
import threading
import time

import numpy as np

from tensorweave.runtime import checks, config

try:
    from tensorboard.compat.proto import config_pb2, step_stats_pb2

    from tensorweave.core import graph_def
except ImportError:  # pragma: no cover - exercised only without the tensorboard extra
    config_pb2 = step_stats_pb2 = graph_def = None

RunOptions = config_pb2.RunOptions if config_pb2 else config.RunOptions
RunMetadata = config_pb2.RunMetadata if config_pb2 else config.RunMetadata


def run(plan, feed_values, options, run_metadata):
    """Runs `plan` as Plan.run does; fills `run_metadata` as `options` ask (TF replaces its
    whole content: step stats when tracing, partition graphs when asked, else nothing)."""
    level = _option(options, "trace_level", 0)
    if run_metadata is None:
        return plan.run(feed_values)
    if level:
        if step_stats_pb2 is None:
            raise ImportError("Tracing a run (RunOptions.trace_level) needs the `tensorboard` "
                              "package for the StepStats protocol buffer: pip install "
                              "'tensorweave[tensorboard]'")
        records = []
        fetched = _traced_run(plan, feed_values, records)
        stats = step_stats_pb2.StepStats()
        _device_stats(stats.dev_stats.add(device=checks.CPU_DEVICE), records)
    else:
        fetched, stats = plan.run(feed_values), None
    graphs = [_partition_graph(plan)] if _option(options, "output_partition_graphs", False) \
        else []
    _fill(run_metadata, stats, graphs)
    return fetched


def _option(options, field, default):
    if options is None:
        return default
    try:
        return getattr(options, field)
    except AttributeError:
        raise TypeError(f"options must be a RunOptions protocol buffer, got "
                        f"{type(options).__name__}") from None


def _traced_run(plan, feed_values, records):
    """Plan.run appending to `records`, per feed and per step: (op or None, name, four
    clock readings in ns, output descriptions, whether the outputs are new arrays)."""
    clock = time.perf_counter_ns
    values = plan.template.copy()
    for feed, value in zip(plan.feeds, feed_values):
        start = clock()
        values[feed.slot] = array = feed.convert(value)
        end = clock()
        records.append((None, feed.tensor.op.name, start, start, end, end,
                        _describe((array,)), False))
    with np.errstate(all="ignore"):
        _traced_steps(plan, values, records, clock)
    return plan.fetched(values)


def _traced_steps(plan, values, records, clock):
    op = args = None
    try:
        for kernel, inputs, out, frees, op in plan.steps:
            start = clock()
            args = inputs(values)
            op_start = clock()
            result = kernel(*args)
            op_end = clock()
            if out.__class__ is int:
                values[out] = result
                result = (result,)
            else:
                for slot, value in zip(out, result):
                    values[slot] = value
            for slot in frees:
                values[slot] = None
            end = clock()
            records.append((op, op.name, start, op_start, op_end, end, _describe(result),
                            not op.op_def.shares_memory))
    except Exception as e:  # noqa: BLE001 - re-raised naming the op, as Plan.run does
        error = plan.error_for(e, op, values, args)
        plan.run_independent_of(op, values)
        raise error from e


def _describe(outputs):
    """(output index, dtype, shape, bytes) of each array among a step's outputs."""
    return [(i, v.dtype, v.shape, v.nbytes) for i, v in enumerate(outputs)
            if isinstance(v, (np.ndarray, np.generic))]


def _device_stats(device, records):
    """Fills a DeviceStepStats with one NodeExecStats per record, in execution order."""
    offset_ns = time.time_ns() - time.perf_counter_ns()
    thread_id = threading.get_native_id() & 0x7FFFFFFF
    for op, name, start, op_start, op_end, end, outputs, allocates in records:
        begin_ns = offset_ns + start
        node = device.node_stats.add(
            node_name=name, all_start_micros=begin_ns // 1000,
            op_start_rel_micros=(op_start - start) // 1000,
            op_end_rel_micros=(op_end - start) // 1000, all_end_rel_micros=(end - start) // 1000,
            all_start_nanos=begin_ns, op_start_rel_nanos=op_start - start,
            op_end_rel_nanos=op_end - start, all_end_rel_nanos=end - start,
            scheduled_micros=begin_ns // 1000, scheduled_nanos=begin_ns,
            thread_id=thread_id, timeline_label=_label(op, name))
        allocated = 0
        for slot, dtype, shape, nbytes in outputs:
            try:
                enum = graph_def.datatype_enum(dtype)
            except (KeyError, TypeError):
                continue
            description = node.output.add(slot=slot).tensor_description
            description.dtype = enum
            description.shape.CopyFrom(graph_def.shape_proto(shape))
            description.allocation_description.requested_bytes = nbytes
            description.allocation_description.allocator_name = "cpu"
            allocated += nbytes
        if allocated and allocates:
            node.memory.add(allocator_name="cpu", total_bytes=allocated, peak_bytes=allocated,
                            live_bytes=allocated)


def _label(op, name):
    """TF's timeline label: 'name = OpType(input, input:1, ^control)'; feeds are `_Arg`s."""
    if op is None:
        return f"{name} = _Arg()"
    inputs = [graph_def.input_name(t) for t in op.inputs]
    inputs += ["^" + c.name for c in op.control_inputs]
    return f"{name} = {op.type}({', '.join(inputs)})"


def _partition_graph(plan):
    """The GraphDef of the ops the Plan runs (RunOptions.output_partition_graphs)."""
    proto = graph_def.graph_pb2.GraphDef()
    proto.versions.producer = graph_def.GRAPH_DEF_PRODUCER
    proto.node.extend(graph_def.node_def(step[4]) for step in plan.steps)
    return proto


def _fill(run_metadata, stats, graphs):
    """Replaces run_metadata's content, whether a RunMetadata proto or tensorweave's record."""
    if hasattr(run_metadata, "Clear"):
        run_metadata.Clear()
        if stats is not None:
            run_metadata.step_stats.CopyFrom(stats)
        run_metadata.partition_graphs.extend(graphs)
    elif hasattr(run_metadata, "step_stats"):
        run_metadata.step_stats = stats
        run_metadata.partition_graphs = list(graphs)
    else:
        raise TypeError(f"run_metadata must be a RunMetadata protocol buffer, got "
                        f"{type(run_metadata).__name__}")
