"""Horovod 0.x's Keras API on tf.keras in graph mode (`import horovod.keras as hvd` and
`import horovod.tensorflow.keras as hvd` under the runner).

    hvd.init()
    opt = hvd.DistributedOptimizer(tf.keras.optimizers.Adadelta(1.0 * hvd.size()))
    model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])
    callbacks = [hvd.callbacks.BroadcastGlobalVariablesCallback(0),
                 hvd.callbacks.MetricAverageCallback()]
    if hvd.rank() == 0:
        callbacks.append(tf.keras.callbacks.ModelCheckpoint("./checkpoint-{epoch}.h5"))
    model.fit(x, y, batch_size=128, callbacks=callbacks, verbose=hvd.rank() == 0)

The collectives run as graph ops in the Keras session (tensorweave.horovod.tensorflow).
"""
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.horovod import tensorflow as hvd
from tensorweave.horovod.keras import callbacks
from tensorweave.horovod.tensorflow import (  # noqa: F401 (Horovod's names)
    Adasum, Average, Compression, Sum, gloo_built, gloo_enabled, init, is_initialized,
    local_rank, local_size, mpi_built, mpi_enabled, mpi_threads_supported, nccl_built, rank,
    shutdown, size)
from tensorweave.keras import backend as K
from tensorweave.keras import optimizers as keras_optimizers

__all__ = [
    "init", "shutdown", "is_initialized", "size", "local_size", "rank", "local_rank",
    "mpi_threads_supported", "mpi_built", "mpi_enabled", "gloo_built", "gloo_enabled",
    "nccl_built", "Compression", "Average", "Sum", "Adasum", "DistributedOptimizer",
    "broadcast_global_variables", "allreduce", "allgather", "broadcast", "load_model",
    "callbacks",
]


def DistributedOptimizer(optimizer, name=None, device_dense="", device_sparse="",  # noqa: N802
                         compression=Compression.none, sparse_as_dense=False, op=Average):
    """A copy of the Keras `optimizer` (same class name and config) whose gradients are
    averaged (or summed, `op=hvd.Sum`) over every rank before they are applied: its
    `get_gradients`, which `get_updates` and so Model.fit use, allreduces them."""
    if not isinstance(optimizer, keras_optimizers.Optimizer):
        raise ValueError(f"hvd.DistributedOptimizer wraps a tf.keras optimizer, got "
                         f"{type(optimizer).__name__} (wrap a tf.train optimizer with "
                         f"horovod.tensorflow's DistributedOptimizer)")
    if op not in (Average, Sum, Adasum):
        raise ValueError(f"op must be hvd.Average, hvd.Sum or hvd.Adasum, got {op!r}")
    base = type(optimizer)

    def __init__(self, **kwargs):  # noqa: N807
        base.__init__(self, **kwargs)
        self.horovod_name = name or f"Distributed{base.__name__}"
        self.horovod_settings = {"op": op, "compression": compression,
                                 "sparse_as_dense": sparse_as_dense,
                                 "device_dense": device_dense, "device_sparse": device_sparse}

    def get_gradients(self, loss, params):
        """The wrapped class's gradients, reduced over the ranks."""
        grads = base.get_gradients(self, loss, params)
        return allreduce_gradients(grads, self.horovod_name, variables=params,
                                   **self.horovod_settings)

    cls = type(base.__name__, (base,), {"__init__": __init__, "get_gradients": get_gradients,
                                        "__module__": base.__module__,
                                        "__doc__": base.__doc__})
    return cls.from_config(optimizer.get_config())


def allreduce_gradients(grads, name, op=Average, compression=Compression.none,
                        sparse_as_dense=False, device_dense="", device_sparse="", variables=None):
    """Keras gradients reduced over the ranks as horovod.tensorflow's DistributedOptimizer
    reduces them (fused groups; IndexedSlices gathered unless `sparse_as_dense`)."""
    if hvd.size() <= 1:
        return grads
    if sparse_as_dense:
        grads = [g if g is None or not hasattr(g, "indices") else
                 convert_to_tensor(g) for g in grads]
    return hvd.reduce_gradients(grads, op=op, compression=compression,
                                scope=f"{name}_Allreduce", variables=variables)


def broadcast_global_variables(root_rank):
    """Assigns every global variable rank `root_rank`'s value, in the Keras session."""
    return K.get_session().run(hvd.broadcast_global_variables(root_rank))


def allreduce(value, name=None, average=True, prescale_factor=1.0, postscale_factor=1.0):
    """Every rank's `value` averaged (or summed with average=False), as a NumPy value."""
    op = hvd.allreduce(constant(value, name=name), average=average,
                       prescale_factor=prescale_factor, postscale_factor=postscale_factor)
    return K.get_session().run(op)


def allgather(value, name=None):
    """Every rank's `value` joined along its first dimension, as a NumPy value."""
    return K.get_session().run(hvd.allgather(constant(value, name=name)))


def broadcast(value, root_rank, name=None):
    """Rank `root_rank`'s `value` on every rank, as a NumPy value."""
    return K.get_session().run(hvd.broadcast(constant(value, name=name), root_rank))


def load_model(filepath, custom_optimizers=None, custom_objects=None,
               compression=Compression.none):
    """keras.models.load_model whose optimizer comes back wrapped in DistributedOptimizer
    (the Keras optimizers and `custom_optimizers`, by class name)."""
    def wrap(cls):
        return lambda **kwargs: DistributedOptimizer(cls(**kwargs), compression=compression)

    horovod_objects = {cls.__name__.lower(): wrap(cls)
                       for cls in keras_optimizers.Optimizer.__subclasses__()
                       if cls.__module__ == keras_optimizers.__name__}
    for cls in custom_optimizers or ():
        horovod_objects[cls.__name__] = wrap(cls)
    horovod_objects.update(custom_objects or {})
    from tensorweave.keras import saving
    return saving.load_model(filepath, custom_objects=horovod_objects)

