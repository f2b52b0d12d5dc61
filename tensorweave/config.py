"""tf.config (CPU parts): the devices tensorweave runs on and the settings programs read.

tensorweave runs every op on one CPU device in the calling thread, so the device lists have
one CPU, and thread and JIT settings are recorded (and read back) without changing speed.
"""
import collections
import types

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])
LogicalDeviceConfiguration = collections.namedtuple(
    "LogicalDeviceConfiguration", ["memory_limit", "experimental_priority",
                                   "experimental_device_ordinal"], defaults=(None, None, 0))

_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_SETTINGS = {"visible": [_CPU], "soft_placement": True, "inter_op": 0, "intra_op": 0,
             "jit": False, "optimizer_options": {}}


def list_physical_devices(device_type=None):
    """[PhysicalDevice('/physical_device:CPU:0', 'CPU')] (none for other device types)."""
    return [d for d in (_CPU,) if device_type is None or device_type.upper() == "CPU"]


def list_logical_devices(device_type=None):
    return [LogicalDevice("/device:CPU:0", "CPU")
            for d in list_physical_devices(device_type) if d in _SETTINGS["visible"]]


def get_visible_devices(device_type=None):
    return [d for d in _SETTINGS["visible"]
            if device_type is None or d.device_type == device_type.upper()]


def set_visible_devices(devices, device_type=None):
    """Only the CPU can be made visible; hiding it is refused (nothing else could run)."""
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    if any(d not in (_CPU,) for d in devices):
        raise ValueError(f"Unrecognized device: {devices}")
    if _CPU not in devices and device_type in (None, "CPU"):
        raise ValueError("Cannot hide the CPU: tensorweave runs every op on it")


def get_logical_device_configuration(device):
    """None: the CPU is not split into logical devices."""
    if device not in (_CPU,):
        raise ValueError(f"Unrecognized device: {device}")
    return None


def set_logical_device_configuration(device, logical_devices):
    raise NotImplementedError("tensorweave runs on one logical CPU device; splitting a "
                              "physical device into several is not supported")


def get_soft_device_placement():
    return _SETTINGS["soft_placement"]


def set_soft_device_placement(enabled):
    _SETTINGS["soft_placement"] = bool(enabled)


def functions_run_eagerly():
    return False


def run_functions_eagerly(run_eagerly):
    if run_eagerly:
        raise NotImplementedError("tensorweave has no eager execution (TF 1.x graph mode)")


experimental_functions_run_eagerly = functions_run_eagerly
experimental_run_functions_eagerly = run_functions_eagerly


def experimental_connect_to_cluster(*args, **kwargs):
    raise NotImplementedError("tensorweave has no gRPC cluster runtime; use MPI through "
                              "tensorweave.horovod for more than one process")


experimental_connect_to_host = experimental_connect_to_cluster


def _setting(key):
    return lambda: _SETTINGS[key]


def _setter(key, convert):
    def set_value(value):
        _SETTINGS[key] = convert(value)
    return set_value


threading = types.SimpleNamespace(
    get_inter_op_parallelism_threads=_setting("inter_op"),
    set_inter_op_parallelism_threads=_setter("inter_op", int),
    get_intra_op_parallelism_threads=_setting("intra_op"),
    set_intra_op_parallelism_threads=_setter("intra_op", int))
optimizer = types.SimpleNamespace(
    get_jit=_setting("jit"), set_jit=_setter("jit", bool),
    get_experimental_options=lambda: dict(_SETTINGS["optimizer_options"]),
    set_experimental_options=_setter("optimizer_options", dict))
