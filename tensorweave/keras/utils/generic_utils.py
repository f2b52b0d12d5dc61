"""Keras' generic utilities: custom objects, (de)serialization of Keras objects by name or
config, and the Progbar progress bar.

    with tf.keras.utils.custom_object_scope({"my_loss": my_loss}):
        model = tf.keras.models.load_model("m.h5")
"""
import contextlib
import inspect
import sys
import time

import numpy as np

_GLOBAL_CUSTOM_OBJECTS = {}
_GLOBAL_CUSTOM_NAMES = {}


# --- custom objects ------------------------------------------------------------------------
class CustomObjectScope:
    """Within `with CustomObjectScope({"name": obj}):` names resolve to those objects."""

    def __init__(self, *args):
        self.custom_objects = args
        self.backup = None

    def __enter__(self):
        self.backup = _GLOBAL_CUSTOM_OBJECTS.copy()
        for objects in self.custom_objects:
            _GLOBAL_CUSTOM_OBJECTS.update(objects)
        return self

    def __exit__(self, *args, **kwargs):
        _GLOBAL_CUSTOM_OBJECTS.clear()
        _GLOBAL_CUSTOM_OBJECTS.update(self.backup)


def custom_object_scope(*args):
    """A CustomObjectScope."""
    return CustomObjectScope(*args)


def get_custom_objects():
    """The global dict of custom objects (name -> object); modify it to register names."""
    return _GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package="Custom", name=None):
    """A decorator registering a class or function as '<package>>name'."""
    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = package + ">" + class_name
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() "
                             "method.")
        if registered_name in _GLOBAL_CUSTOM_OBJECTS:
            raise ValueError(f"{registered_name} has already been registered to "
                             f"{_GLOBAL_CUSTOM_OBJECTS[registered_name]}")
        if arg in _GLOBAL_CUSTOM_NAMES:
            raise ValueError(f"{arg} has already been registered to "
                             f"{_GLOBAL_CUSTOM_NAMES[arg]}")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg
    return decorator


def get_registered_name(obj):
    """The name `obj` was registered under, else its __name__."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered (or given in custom_objects / module_objects) as `name`."""
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


# --- serialization -------------------------------------------------------------------------
def serialize_keras_object(instance):
    """{'class_name': ..., 'config': ...} for objects with get_config, else the name."""
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        return {"class_name": get_registered_name(instance.__class__),
                "config": instance.get_config()}
    if hasattr(instance, "__name__"):
        return get_registered_name(instance)
    raise ValueError("Cannot serialize", instance)


def class_and_config_for_serialized_keras_object(config, module_objects=None,
                                                 custom_objects=None,
                                                 printable_module_name="object"):
    """(class, config) of a serialized {'class_name', 'config'} dict."""
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError("Improper config format: " + str(config))
    class_name = config["class_name"]
    cls = get_registered_object(class_name, custom_objects, module_objects)
    if cls is None:
        raise ValueError("Unknown " + printable_module_name + ": " + class_name)
    return cls, config["config"]


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """The object a config dict or a name stands for. A class given by name is instantiated
    with no arguments; a function is returned as it is."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls, cls_config = class_and_config_for_serialized_keras_object(
            identifier, module_objects, custom_objects, printable_module_name)
        if hasattr(cls, "from_config"):
            arg_spec = inspect.signature(cls.from_config).parameters
            custom_objects = custom_objects or {}
            if "custom_objects" in arg_spec:
                return cls.from_config(cls_config, custom_objects=dict(
                    list(_GLOBAL_CUSTOM_OBJECTS.items()) + list(custom_objects.items())))
            with CustomObjectScope(custom_objects):
                return cls.from_config(cls_config)
        with CustomObjectScope(custom_objects or {}):
            return cls(**cls_config)
    if isinstance(identifier, str):
        obj = get_registered_object(identifier, custom_objects, module_objects)
        if obj is None:
            raise ValueError("Unknown " + printable_module_name + ": " + identifier)
        return obj() if inspect.isclass(obj) else obj
    raise ValueError("Could not interpret serialized " + printable_module_name + ": " +
                     str(identifier))


def get_from_identifier(identifier, deserialize, kind):
    """The `get` of a Keras object module: None -> None; a config -> deserialize(config); a
    name -> the object of that class name built without arguments; a callable -> itself."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier}")


# --- small helpers -------------------------------------------------------------------------
def wrapper_options(class_name, defaults, given):
    """The keyword options of a function-wrapping Loss or Metric class: its defaults updated
    with the given ones; TypeError naming the class for an option its function lacks."""
    unknown = set(given) - set(defaults)
    if unknown:
        raise TypeError(f"{class_name}() got unexpected keyword arguments {sorted(unknown)}")
    return {**defaults, **given}


def to_list(x, allow_tuple=False):
    """x as a list ([x] unless it is a list, or a tuple when allow_tuple)."""
    if isinstance(x, list):
        return x
    if allow_tuple and isinstance(x, tuple):
        return list(x)
    return [x]


def object_list_uid(object_list):
    return ", ".join(str(abs(id(x))) for x in to_list(object_list))


def has_arg(fn, name, accept_all=False):
    """True when fn takes an argument called `name` (or **kwargs, with accept_all)."""
    parameters = inspect.signature(fn).parameters
    if accept_all and any(p.kind == p.VAR_KEYWORD for p in parameters.values()):
        return True
    return name in parameters


@contextlib.contextmanager
def interactive_logging(enabled):
    previous = _INTERACTIVE["enabled"]
    _INTERACTIVE["enabled"] = enabled
    try:
        yield
    finally:
        _INTERACTIVE["enabled"] = previous


_INTERACTIVE = {"enabled": True}


def enable_interactive_logging():
    """Progress bars and logs go to stdout (the default)."""
    _INTERACTIVE["enabled"] = True


def disable_interactive_logging():
    """Progress bars are not written."""
    _INTERACTIVE["enabled"] = False


def is_interactive_logging_enabled():
    return _INTERACTIVE["enabled"]


# --- the progress bar ----------------------------------------------------------------------
class Progbar:
    """A text progress bar with ETA and running means of the values it is given.

        bar = Progbar(target=60000)
        bar.update(128, values=[("loss", 0.5)])  #  128/60000 [....] - ETA: 1:02 - loss: 0.5000
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        stdout = sys.stdout
        self._dynamic_display = ((hasattr(stdout, "isatty") and stdout.isatty())
                                 or "ipykernel" in sys.modules or "posix" in sys.modules)
        self._total_width = 0
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0

    def update(self, current, values=None):
        """Move the bar to `current` steps; `values` are (name, value) pairs averaged over the
        steps (stateful metrics are shown as they are)."""
        for name, value in values or []:
            if name not in self._values_order:
                self._values_order.append(name)
            if name in self.stateful_metrics:
                # a single value, averaged over one step: printed with the same 4 decimals
                self._values[name] = [value, 1] if np.isscalar(value) or \
                    np.ndim(value) == 0 else value
                continue
            weight = max(current - self._seen_so_far, 1)
            total = self._values.setdefault(name, [0.0, 0])
            total[0] += value * weight
            total[1] += weight
        self._seen_so_far = current
        now = time.time()
        if not _INTERACTIVE["enabled"]:
            return
        if self.verbose == 1:
            self._write_bar(current, now)
        elif self.verbose == 2 and self.target is not None and current >= self.target:
            digits = int(np.log10(self.target)) + 1
            line = f"{current:{digits}d}/{self.target}" + f" - {now - self._start:.0f}s"
            line += self._values_text() + "\n"
            sys.stdout.write(line)
            sys.stdout.flush()
        self._last_update = now

    def _values_text(self):
        text = ""
        for name in self._values_order:
            text += f" - {name}:"
            value = self._values[name]
            if isinstance(value, list):
                mean = np.mean(value[0] / max(1, value[1]))
                text += f" {mean:.4f}" if abs(mean) > 1e-3 else f" {mean:.4e}"
            else:
                text += f" {value}"
        return text

    def _write_bar(self, current, now):
        unfinished = self.target is not None and current < self.target
        if now - self._last_update < self.interval and unfinished:
            return
        previous_width = self._total_width
        if self._dynamic_display:
            sys.stdout.write("\b" * previous_width + "\r")
        else:
            sys.stdout.write("\n")
        if self.target is not None:
            digits = int(np.log10(self.target)) + 1
            bar = f"{current:{digits}d}/{self.target} ["
            filled = int(self.width * float(current) / self.target)
            if filled > 0:
                bar += "=" * (filled - 1) + (">" if current < self.target else "=")
            bar += "." * (self.width - filled) + "]"
        else:
            bar = f"{current:7d}/Unknown"
        self._total_width = len(bar)
        sys.stdout.write(bar)
        per_unit = (now - self._start) / current if current else 0
        if unfinished:
            eta = per_unit * (self.target - current)
            if eta > 3600:
                eta_text = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
            elif eta > 60:
                eta_text = "%d:%02d" % (eta // 60, eta % 60)
            else:
                eta_text = "%ds" % eta
            info = f" - ETA: {eta_text}"
        else:
            info = f" - {now - self._start:.0f}s"
            if per_unit >= 1 or per_unit == 0:
                info += f" {per_unit:.0f}s/{self.unit_name}"
            elif per_unit >= 1e-3:
                info += f" {per_unit * 1e3:.0f}ms/{self.unit_name}"
            else:
                info += f" {per_unit * 1e6:.0f}us/{self.unit_name}"
        info += self._values_text()
        self._total_width += len(info)
        if previous_width > self._total_width:
            info += " " * (previous_width - self._total_width)
        if self.target is not None and current >= self.target:
            info += "\n"
        sys.stdout.write(info)
        sys.stdout.flush()

    def add(self, n, values=None):
        """Advance the bar by n steps."""
        self.update(self._seen_so_far + n, values)
