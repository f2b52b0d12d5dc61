"""tf.data.Options and its option groups, and tf.data's named constants.

tensorweave runs a pipeline in the session's thread, deterministically and in order, so the
options are recorded (typed, merged, compared as TF's) and change no values.
"""
__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Options",
           "ThreadingOptions", "OptimizationOptions", "AutotuneOptions", "DistributeOptions",
           "AutoShardPolicy", "ExternalStatePolicy"]

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


class AutoShardPolicy:
    """How a distributed dataset is sharded (tf.data.experimental.AutoShardPolicy)."""
    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class ExternalStatePolicy:
    """What to do with external state when a dataset is serialized."""
    WARN = 0
    IGNORE = 1
    FAIL = 2


class _OptionsGroup:
    """Typed options, None until set; unknown names refused, as TF's options structs."""

    _PROPERTIES = {}  # name: (type or tuple of types, nested group class or None)

    def __init__(self):
        object.__setattr__(self, "_values", {})

    def __getattr__(self, name):
        properties = type(self)._PROPERTIES
        if name not in properties:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        values = object.__getattribute__(self, "_values")
        kind, group = properties[name]
        if name not in values and group is not None:
            values[name] = group()
        return values.get(name)

    def __setattr__(self, name, value):
        properties = type(self)._PROPERTIES
        if name not in properties:
            raise AttributeError(f"Cannot set the property {name} on {type(self).__name__}.")
        kind, _ = properties[name]
        if value is not None and (not isinstance(value, kind) or
                                  (kind is int and isinstance(value, bool))):
            raise TypeError(f"Property \"{name}\" must be of type {kind}, got: {value!r} (type: "
                            f"{type(value)})")
        self._values[name] = value

    def _set_values(self):
        """{name: value} of the options set here (nested groups by their own set values)."""
        out = {}
        for name, value in self._values.items():
            if isinstance(value, _OptionsGroup):
                inner = value._set_values()
                if inner:
                    out[name] = inner
            elif value is not None:
                out[name] = value
        return out

    def _merge_from(self, other):
        for name, value in other._values.items():
            if isinstance(value, _OptionsGroup):
                getattr(self, name)._merge_from(value)
            elif value is not None:
                self._values[name] = value

    def __eq__(self, other):
        return type(self) is type(other) and self._set_values() == other._set_values()

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def __repr__(self):
        return f"{type(self).__name__}({self._set_values()})"


class ThreadingOptions(_OptionsGroup):
    """max_intra_op_parallelism and private_threadpool_size of a pipeline."""
    _PROPERTIES = {"max_intra_op_parallelism": (int, None),
                   "private_threadpool_size": (int, None)}


class OptimizationOptions(_OptionsGroup):
    """Which of tf.data's static graph optimizations to apply."""
    _PROPERTIES = {name: (bool, None) for name in (
        "apply_default_optimizations", "filter_fusion", "filter_parallelization",
        "inject_prefetch", "map_and_batch_fusion", "map_and_filter_fusion", "map_fusion",
        "map_parallelization", "noop_elimination", "parallel_batch",
        "shuffle_and_repeat_fusion")}


class AutotuneOptions(_OptionsGroup):
    """Autotuning of parallelism and buffer sizes."""
    _PROPERTIES = {"enabled": (bool, None), "cpu_budget": (int, None),
                   "ram_budget": (int, None), "autotune_algorithm": (int, None)}


class DistributeOptions(_OptionsGroup):
    """How a dataset is distributed across replicas."""
    _PROPERTIES = {"auto_shard_policy": (int, None), "num_devices": (int, None)}


class Options(_OptionsGroup):
    """tf.data.Options: a dataset's options (`dataset.with_options(options)`)."""
    _PROPERTIES = {
        "autotune": (AutotuneOptions, AutotuneOptions),
        "deterministic": (bool, None),
        "experimental_deterministic": (bool, None),
        "experimental_distribute": (DistributeOptions, DistributeOptions),
        "experimental_external_state_policy": (int, None),
        "experimental_optimization": (OptimizationOptions, OptimizationOptions),
        "experimental_slack": (bool, None),
        "experimental_symbolic_checkpoint": (bool, None),
        "experimental_threading": (ThreadingOptions, None),
        "experimental_warm_start": (bool, None),
        "threading": (ThreadingOptions, ThreadingOptions),
    }

    def __getattr__(self, name):
        if name == "experimental_threading":  # TF's older name of `threading`
            return self.threading
        if name == "experimental_deterministic":
            return object.__getattribute__(self, "_values").get("deterministic")
        return super().__getattr__(name)

    def __setattr__(self, name, value):
        if name == "experimental_threading":
            name = "threading"
        elif name == "experimental_deterministic":
            name = "deterministic"
        super().__setattr__(name, value)

    def merge(self, options):
        """New Options: these, overridden by every option set in `options`."""
        if not isinstance(options, Options):
            raise TypeError(f"Options.merge expects Options, got {type(options).__name__}")
        merged = Options()
        merged._merge_from(self)
        merged._merge_from(options)
        return merged
