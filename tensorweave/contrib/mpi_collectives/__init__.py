"""tf.contrib.mpi_collectives: TensorFlow 1.x's own MPI ops, on the same engine as Horovod's
(ops/mpi_ops.py, runtime/collectives.py).

    import tensorflow.contrib.mpi_collectives as mpi
    loss = ...
    train_op = mpi.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1)).minimize(loss)
    with mpi.Session() as sess:            # joins the job (mpirun) as it starts
        sess.run(train_op)

size(), rank() and local_rank() are int32 tensors read when they run; init() joins the job when
it is called and returns an op that does nothing more.
"""
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.horovod import tensorflow as hvd
from tensorweave.ops import array, math_ops, mpi_ops
from tensorweave.ops.control.grouping import no_op
from tensorweave.runtime import collectives
from tensorweave.runtime import session as session_module

__all__ = ["init", "size", "rank", "local_rank", "allreduce", "allgather",
           "DistributedOptimizer", "Session"]


def init(name=None):
    """Joins the job (MPI_COMM_WORLD under mpirun, else one process); returns a no-op."""
    collectives.init()
    return no_op(name=name or "MPIInit")


def size(name=None):
    """The number of processes, an int32 scalar tensor."""
    return mpi_ops.size_op(name=name or "MPISize")


def rank(name=None):
    """This process's rank, an int32 scalar tensor."""
    return mpi_ops.rank_op(name=name or "MPIRank")


def local_rank(name=None):
    """This process's rank on its host, an int32 scalar tensor."""
    return mpi_ops.local_rank_op(name=name or "MPILocalRank")


def allgather(tensor, name=None):
    """Every rank's `tensor` joined along dimension 0."""
    return mpi_ops.allgather(tensor, name=name)


def allreduce(tensor, average=True):
    """Every rank's tensor summed, or averaged when `average`; an IndexedSlices is gathered
    (values and indices), its values divided by the size for an average."""
    if isinstance(tensor, IndexedSlices):
        values = mpi_ops.allgather(tensor.values)
        indices = mpi_ops.allgather(tensor.indices)
        if average:
            values = math_ops.truediv(values, array.cast(size(), values.dtype))
        return IndexedSlices(values, indices, dense_shape=tensor.dense_shape)
    tensor = convert_to_tensor(tensor)
    return mpi_ops.allreduce(tensor, reduce_op=mpi_ops.AVERAGE if average else mpi_ops.SUM)


class DistributedOptimizer(hvd.DistributedGradientOptimizer):
    """Wraps an optimizer: compute_gradients averages every gradient over the ranks."""

    def __init__(self, optimizer, name=None, use_locking=False):
        super().__init__(optimizer, name, use_locking, "", "", hvd.Compression.none, False, 1,
                         hvd.Average)


class Session(session_module.Session):
    """A tf.Session that joins the MPI job as it starts (runs init())."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config=config)
        graph = self.graph
        with graph.as_default():
            self.run(init())
