"""tf.python.client.device_lib: the devices of the local process (tensorweave has one CPU)."""
import random

from tensorweave import config

_CPU_MEMORY_LIMIT = 268435456  # what TF 1.x reports for the host CPU


class DeviceLocality:
    """The (empty, for a CPU) locality message of a DeviceAttributes."""

    bus_id = 0
    numa_node = 0

    def __str__(self):
        return ""


class DeviceAttributes:
    """One device, with the fields and text form of TF's DeviceAttributes protocol buffer."""

    def __init__(self, name, device_type, memory_limit, incarnation, physical_device_desc=""):
        self.name = name
        self.device_type = device_type
        self.memory_limit = memory_limit
        self.locality = DeviceLocality()
        self.incarnation = incarnation
        self.physical_device_desc = physical_device_desc

    def __str__(self):
        text = (f'name: "{self.name}"\ndevice_type: "{self.device_type}"\n'
                f"memory_limit: {self.memory_limit}\nlocality {{\n}}\n"
                f"incarnation: {self.incarnation}\n")
        if self.physical_device_desc:
            text += f'physical_device_desc: "{self.physical_device_desc}"\n'
        return text

    __repr__ = __str__


def list_local_devices(session_config=None):
    """A list of DeviceAttributes, one per device the local process can run ops on."""
    del session_config  # device counts and placement settings change nothing here
    return [DeviceAttributes(device.name, device.device_type, _CPU_MEMORY_LIMIT,
                             random.getrandbits(64))
            for device in config.list_logical_devices()]
