"""Device strings ('/job:worker/task:0/device:GPU:1'): parsed into fields, merged, written."""
import re

_DEVICE_FIELD = re.compile(r"/(job|replica|task|device|cpu|gpu):?([^/]*)", re.IGNORECASE)


def parse_device(spec):
    """Parses '/job:w/task:0/device:GPU:1' or '/cpu:0' into a dict of the given fields."""
    fields = {}
    for key, value in _DEVICE_FIELD.findall(spec or ""):
        key = key.lower()
        if key in ("cpu", "gpu"):
            fields["device_type"], fields["device_index"] = key.upper(), value or "*"
        elif key == "device":
            kind, _, index = value.partition(":")
            fields["device_type"], fields["device_index"] = kind.upper(), index or "*"
        else:
            fields[key] = value
    return fields


def device_string(fields):
    parts = [f"/{k}:{fields[k]}" for k in ("job", "replica", "task") if k in fields]
    if "device_type" in fields:
        parts.append(f"/device:{fields['device_type']}:{fields['device_index']}")
    return "".join(parts)


def merge_device(outer, inner):
    fields = parse_device(outer)
    fields.update(parse_device(inner))
    return device_string(fields)


class DeviceSpec:
    """A device's fields (TF's tf.DeviceSpec): job, replica, task, device_type, device_index.

    >>> DeviceSpec(job="ps", task=1, device_type="CPU", device_index=0).to_string()
    '/job:ps/task:1/device:CPU:0'
    """

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self.job = job
        self.replica = None if replica is None else int(replica)
        self.task = None if task is None else int(task)
        self.device_type = device_type.upper() if device_type and device_type != "*" else (
            device_type)
        self.device_index = None if device_index in (None, "*") else int(device_index)

    @classmethod
    def from_string(cls, spec):
        """The DeviceSpec of a device string such as '/job:worker/task:0/device:GPU:1'."""
        fields = parse_device(spec)
        return cls(fields.get("job"), fields.get("replica") or None,
                   fields.get("task") or None, fields.get("device_type"),
                   fields.get("device_index"))

    def parse_from_string(self, spec):
        """Sets the fields named in `spec` (TF 1.x: mutates and returns self)."""
        other = DeviceSpec.from_string(spec)
        self._merge_fields(other)
        return self

    def merge_from(self, dev):
        """Sets each field `dev` has (TF 1.x: mutates self)."""
        self._merge_fields(dev)

    def make_merged_spec(self, dev):
        """A new DeviceSpec: self's fields with `dev`'s given ones on top."""
        merged = self.replace()
        merged._merge_fields(dev)
        return merged

    def replace(self, **kwargs):
        """A copy with the given fields replaced."""
        fields = dict(job=self.job, replica=self.replica, task=self.task,
                      device_type=self.device_type, device_index=self.device_index)
        fields.update(kwargs)
        return DeviceSpec(**fields)

    def _merge_fields(self, dev):
        for field in ("job", "replica", "task", "device_type", "device_index"):
            value = getattr(dev, field)
            if value is not None:
                setattr(self, field, value)

    def to_string(self):
        parts = [f"/{k}:{getattr(self, k)}" for k in ("job", "replica", "task")
                 if getattr(self, k) is not None]
        if self.device_type is not None:
            index = "*" if self.device_index is None else self.device_index
            parts.append(f"/device:{self.device_type}:{index}")
        return "".join(parts)

    def __eq__(self, other):
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self):
        return hash(self.to_string())

    def __repr__(self):
        return f"<DeviceSpec {self.to_string()!r}>"
