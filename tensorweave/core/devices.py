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
