"""TF 1.x's `tensorflow.python.ops.resources`: the graph's resource collections and their
initializers, as TF 1.x programs import them (tensor_forest programs:
`tf.group(tf.global_variables_initializer(),
resources.initialize_resources(resources.shared_resources()))`).

A resource is registered with its handle, the op that creates it and a boolean tensor telling
whether it exists; `initialize_resources` groups the create ops.
"""
import collections

from tensorweave.core.constants import constant
from tensorweave.core.graph import GraphKeys, add_to_collection, get_collection, name_scope
from tensorweave.ops import math_ops
from tensorweave.ops.array import construct, structural
from tensorweave.ops.control import grouping

Resource = collections.namedtuple("Resource", ["handle", "create", "is_initialized"])


def register_resource(handle, create_op, is_initialized_op, is_shared=True):
    """Adds a resource to the graph's RESOURCES (or LOCAL_RESOURCES) collection."""
    key = GraphKeys.RESOURCES if is_shared else GraphKeys.LOCAL_RESOURCES
    add_to_collection(key, Resource(handle, create_op, is_initialized_op))


def shared_resources():
    """The resources shared between Sessions of the graph (the RESOURCES collection)."""
    return get_collection(GraphKeys.RESOURCES)


def local_resources():
    """The resources local to one Session (the LOCAL_RESOURCES collection)."""
    return get_collection(GraphKeys.LOCAL_RESOURCES)


def initialize_resources(resource_list, name="init"):
    """One op that creates every resource of `resource_list` (a no-op for none)."""
    if resource_list:
        return grouping.group(*[r.create for r in resource_list], name=name)
    return grouping.no_op(name=name)


def report_uninitialized_resources(resource_list=None, name="report_uninitialized_resources"):
    """A string vector of the handle names of the resources not created yet."""
    resources = shared_resources() + local_resources() if resource_list is None else \
        resource_list
    with name_scope(name):
        names = constant([r.handle.op.name for r in resources] or [""], name="names")
        if not resources:
            return structural.boolean_mask(names, constant([False]), name=name)
        missing = math_ops.logical_not(construct.stack([r.is_initialized for r in resources]))
        return structural.boolean_mask(names, missing)
