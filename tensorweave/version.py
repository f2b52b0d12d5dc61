"""tf.version: the TF API version tensorweave follows.

Names load on first use from where they are defined; most are the top-level `tf.` names.
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "COMPILER_VERSION": "tensorweave:COMPILER_VERSION",
    "GIT_VERSION": "tensorweave:GIT_VERSION",
    "GRAPH_DEF_VERSION": "tensorweave:GRAPH_DEF_VERSION",
    "GRAPH_DEF_VERSION_MIN_CONSUMER": "tensorweave:GRAPH_DEF_VERSION_MIN_CONSUMER",
    "GRAPH_DEF_VERSION_MIN_PRODUCER": "tensorweave:GRAPH_DEF_VERSION_MIN_PRODUCER",
    "VERSION": "tensorweave:VERSION",
})
