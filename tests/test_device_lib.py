"""tensorflow.python.client.device_lib: the local process's devices."""
from tensorweave.client import device_lib


def test_list_local_devices_has_the_cpu():
    devices = device_lib.list_local_devices()
    assert [(d.name, d.device_type) for d in devices] == [("/device:CPU:0", "CPU")]
    assert devices[0].memory_limit == 268435456
    assert devices[0].physical_device_desc == ""


def test_device_attributes_print_as_text_proto():
    text = str(device_lib.list_local_devices(session_config=None)[0])
    assert text.startswith('name: "/device:CPU:0"\ndevice_type: "CPU"\nmemory_limit: 268435456\n'
                           "locality {\n}\nincarnation: ")
