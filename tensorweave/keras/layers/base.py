"""Helpers the layer modules share: option resolution and config serialization."""
from tensorweave.keras.engine import resolve


def options(layer, **kwargs):
    """Sets kernel_initializer=..., activation=..., etc. on `layer`, resolved by name."""
    for key, value in kwargs.items():
        kind = key.rsplit("_", 1)[-1]
        if key == "activation" or key.endswith("activation"):
            value = resolve.activation(value)
        elif kind == "initializer":
            value = resolve.initializer(value)
        elif kind == "regularizer":
            value = resolve.regularizer(value) if value is not None else None
        elif kind == "constraint":
            value = resolve.constraint(value) if value is not None else None
        setattr(layer, key, value)


def config_of(layer, *names):
    """`get_config` entries for `names`, serializing initializers, activations, ..."""
    config = {}
    for name in names:
        value = getattr(layer, name)
        kind = name.rsplit("_", 1)[-1]
        if name == "activation" or name.endswith("activation"):
            value = resolve.serialize("activations", value)
        elif kind == "initializer":
            value = resolve.serialize("initializers", value)
        elif kind == "regularizer":
            value = resolve.serialize("regularizers", value)
        elif kind == "constraint":
            value = resolve.serialize("constraints", value)
        config[name] = value
    return config
