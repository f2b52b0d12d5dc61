"""Identifiers ('glorot_uniform', 'relu', 'l2', ...) to objects, through the tf.keras modules
that own them (loaded when first needed)."""
import importlib


def _module(name):
    return importlib.import_module(f"tensorweave.keras.{name}")


def initializer(identifier):
    return _module("initializers").get(identifier)


def regularizer(identifier):
    return _module("regularizers").get(identifier)


def constraint(identifier):
    return _module("constraints").get(identifier)


def activation(identifier):
    return _module("activations").get(identifier)


def serialize(kind, obj):
    return None if obj is None else _module(kind).serialize(obj)
