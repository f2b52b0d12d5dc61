"""Session and run configuration objects (TF's ConfigProto, RunOptions, RunMetadata)."""


class _Options:
    """A keyword-configured record with defaults; unknown fields raise ValueError like protos."""

    _defaults = {}

    def __init__(self, **kwargs):
        for key, value in self._defaults.items():
            setattr(self, key, value() if callable(value) else value)
        for key, value in kwargs.items():
            if key not in self._defaults:
                raise ValueError(f'Protocol message {type(self).__name__} has no "{key}" field.')
            setattr(self, key, value)

    def __repr__(self):
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._defaults)
        return f"{type(self).__name__}({fields})"


class GPUOptions(_Options):
    _defaults = {"allow_growth": False, "per_process_gpu_memory_fraction": 0.0,
                 "visible_device_list": "", "allocator_type": ""}


class OptimizerOptions(_Options):
    """Graph optimization settings (recorded; tensorweave plans every graph the same way and
    has no JIT compiler, so XLA's global_jit_level changes nothing)."""
    L1 = 0  # Level
    L0 = -1
    DEFAULT = 0  # GlobalJitLevel
    OFF = -1
    ON_1 = 1
    ON_2 = 2
    _defaults = {"do_common_subexpression_elimination": False, "do_constant_folding": False,
                 "max_folded_constant_in_bytes": 0, "do_function_inlining": False,
                 "opt_level": 0, "global_jit_level": 0, "cpu_global_jit": False}


class GraphOptions(_Options):
    _defaults = {"enable_recv_scheduling": False, "build_cost_model": 0,
                 "build_cost_model_after": 0, "infer_shapes": False,
                 "place_pruned_graph": False, "enable_bfloat16_sendrecv": False,
                 "timeline_step": 0, "optimizer_options": OptimizerOptions}


class ConfigProto(_Options):
    """Session configuration; log_device_placement and allow_soft_placement are honoured.

    accel (tensorweave's own field): None follows TENSORWEAVE_ACCEL (speed variants on unless
    it is 0); False runs reference kernels only; True runs variants and tunes the process
    (runtime/accel/).
    """

    _defaults = {"log_device_placement": False, "allow_soft_placement": False,
                 "intra_op_parallelism_threads": 0, "inter_op_parallelism_threads": 0,
                 "device_count": dict, "gpu_options": GPUOptions,
                 "graph_options": GraphOptions, "operation_timeout_in_ms": 0,
                 "use_per_session_threads": False, "isolate_session_state": False,
                 "accel": None}


class RunOptions(_Options):
    NO_TRACE = 0
    SOFTWARE_TRACE = 1
    HARDWARE_TRACE = 2
    FULL_TRACE = 3
    _defaults = {"trace_level": 0, "timeout_in_ms": 0, "output_partition_graphs": False,
                 "report_tensor_allocations_upon_oom": False}


class RunMetadata(_Options):
    _defaults = {"step_stats": None, "cost_graph": None, "partition_graphs": list}
