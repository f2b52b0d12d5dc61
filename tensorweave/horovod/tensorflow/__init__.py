"""Horovod 0.x's TensorFlow API on MPI (`import horovod.tensorflow as hvd` under the runner).

    hvd.init()
    opt = hvd.DistributedOptimizer(tf.train.AdamOptimizer(0.001 * hvd.size()))
    train_op = opt.minimize(loss, global_step=global_step)
    hooks = [hvd.BroadcastGlobalVariablesHook(0)]
    with tf.train.MonitoredTrainingSession(
            checkpoint_dir="/tmp/ckpt" if hvd.rank() == 0 else None, hooks=hooks) as sess:
        ...

Start it with `mpirun -np 4 python -m tensorweave train.py`; without mpirun it runs as one
process (size 1). The collectives are graph ops (ops/mpi_ops.py) run by the Session; the MPI
engine is runtime/collectives.py. docs/distributed.md tells the whole story.
"""
import os

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.horovod.tensorflow.compression import Compression
from tensorweave.ops import array, math_ops, mpi_ops
from tensorweave.ops.control.cond import cond
from tensorweave.ops.control.grouping import group, no_op
from tensorweave.runtime import collectives
from tensorweave.train import optimizer as optimizer_module
from tensorweave.train.session_run_hook import SessionRunHook
from tensorweave import variables as variables_module

__all__ = [
    "init", "shutdown", "is_initialized", "size", "local_size", "rank", "local_rank",
    "mpi_threads_supported", "mpi_built", "mpi_enabled", "gloo_built", "gloo_enabled",
    "nccl_built", "allreduce", "grouped_allreduce", "allgather", "broadcast",
    "broadcast_variables", "broadcast_global_variables", "BroadcastGlobalVariablesHook",
    "DistributedOptimizer", "DistributedGradientOptimizer", "Compression", "Average", "Sum",
    "Adasum", "size_op", "rank_op", "local_size_op", "local_rank_op",
]

Average = mpi_ops.AVERAGE
Sum = mpi_ops.SUM
Adasum = mpi_ops.ADASUM

size_op = mpi_ops.size_op
rank_op = mpi_ops.rank_op
local_size_op = mpi_ops.local_size_op
local_rank_op = mpi_ops.local_rank_op

DEFAULT_FUSION_THRESHOLD = 64 * 1024 * 1024


# --- the job -------------------------------------------------------------------------------
def init(comm=None):
    """Joins the job: MPI_COMM_WORLD under mpirun, else a job of one process."""
    if comm is not None:
        raise NotImplementedError(
            "hvd.init(comm=...) with a sub-communicator is not implemented by tensorweave: "
            "start the processes you want in the job with mpirun instead")
    collectives.init()


def shutdown():
    """Leaves the job (other ranks still waiting on a collective then get an error)."""
    collectives.shutdown()


def is_initialized():
    return collectives.initialized()


def _world():
    if not collectives.initialized():
        raise ValueError("Horovod has not been initialized; use hvd.init().")
    return collectives.world()


def size():
    """The number of processes in the job."""
    return _world().size


def rank():
    """This process's rank, 0 .. size() - 1."""
    return _world().rank


def local_size():
    """The number of processes of the job on this host."""
    return _world().local_size


def local_rank():
    """This process's rank among those on its host."""
    return _world().local_rank


def mpi_threads_supported():
    """Whether MPI was initialized with MPI_THREAD_MULTIPLE."""
    return _world().threads_supported


def mpi_built():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def mpi_enabled():
    return collectives.initialized() and _world().uses_mpi


def gloo_built():
    return False


def gloo_enabled():
    return False


def nccl_built():
    return False


# --- collectives ---------------------------------------------------------------------------
def _reduce_op(op, average):
    if op is not None and average is not None:
        raise ValueError("The op parameter supersedes average. Please provide only one of them.")
    if op is None:
        return Average if average is None or average else Sum
    if op not in (Average, Sum, Adasum):
        raise ValueError(f"op must be hvd.Average, hvd.Sum or hvd.Adasum, got {op!r}")
    return op


def allreduce(tensor, average=None, device_dense="", device_sparse="",
              compression=Compression.none, op=None, prescale_factor=1.0, postscale_factor=1.0,
              name=None):
    """Every rank's `tensor` averaged (default), summed (`op=hvd.Sum`) or Adasum-combined.

    An IndexedSlices is gathered instead (its values and indices from every rank, the values
    divided by size() for an average), as Horovod does. The device arguments are accepted and
    ignored: everything runs on the CPU. `prescale_factor` multiplies the tensor before the
    reduction, `postscale_factor` the result.
    """
    reduce_op = _reduce_op(op, average)
    if isinstance(tensor, IndexedSlices):
        if reduce_op == Adasum:
            raise NotImplementedError("The Adasum reduction does not currently support sparse "
                                      "tensors. As a workaround please pass "
                                      "sparse_as_dense=True to DistributedOptimizer")
        values = mpi_ops.allgather(tensor.values, name=None if name is None else name + "_values")
        indices = mpi_ops.allgather(tensor.indices,
                                    name=None if name is None else name + "_indices")
        if reduce_op == Average:
            values = math_ops.truediv(values, array.cast(size_op(), values.dtype))
        return IndexedSlices(values, indices, dense_shape=tensor.dense_shape)
    tensor = convert_to_tensor(tensor)
    if name is None:
        name = "HorovodAllreduce_" + mpi_ops.normalize_name(tensor.name)
    if prescale_factor != 1.0:
        tensor = tensor * array.cast(prescale_factor, tensor.dtype)
    compressed, context = compression.compress(tensor)
    reduced = mpi_ops.allreduce(compressed, reduce_op=reduce_op, name=name)
    reduced = compression.decompress(reduced, context)
    if postscale_factor != 1.0:
        reduced = reduced * array.cast(postscale_factor, reduced.dtype)
    return reduced


def grouped_allreduce(tensors, average=None, device_dense="", device_sparse="",
                      compression=Compression.none, op=None):
    """allreduce of several dense tensors through one fused buffer per dtype."""
    reduce_op = _reduce_op(op, average)
    tensors = [convert_to_tensor(t) for t in tensors]
    compressed = [compression.compress(t) for t in tensors]
    reduced = []
    for dtype_group in _by_dtype([c for c, _ in compressed]):
        outputs = mpi_ops.grouped_allreduce([compressed[i][0] for i in dtype_group],
                                            reduce_op=reduce_op)
        reduced.extend(zip(dtype_group, outputs))
    reduced = [value for _, value in sorted(reduced, key=lambda pair: pair[0])]
    return [compression.decompress(value, context)
            for value, (_, context) in zip(reduced, compressed)]


def _by_dtype(tensors):
    groups = {}
    for i, t in enumerate(tensors):
        groups.setdefault(t.dtype, []).append(i)
    return list(groups.values())


def allgather(tensor, name=None):
    """Every rank's `tensor` joined along dimension 0 (its size may differ between ranks)."""
    return mpi_ops.allgather(tensor, name=name)


def broadcast(tensor, root_rank, name=None):
    """Rank `root_rank`'s `tensor` on every rank."""
    return mpi_ops.broadcast(tensor, root_rank, name=name)


def broadcast_variables(variables, root_rank):
    """One op assigning every variable rank `root_rank`'s value."""
    return group(*[var.assign(broadcast(var, root_rank)) for var in variables])


def broadcast_global_variables(root_rank):
    """broadcast_variables of every global variable."""
    return broadcast_variables(variables_module.global_variables(), root_rank)


class BroadcastGlobalVariablesHook(SessionRunHook):
    """Broadcasts the global variables from `root_rank` once the session is made (after
    initialization or restoring a checkpoint), so every rank starts from the same values."""

    def __init__(self, root_rank, device=""):
        super().__init__()
        self.root_rank = root_rank
        self.bcast_op = None
        self.device = device

    def begin(self):
        if self.bcast_op is None or self.bcast_op.graph is not get_default_graph():
            self.bcast_op = broadcast_global_variables(self.root_rank)

    def after_create_session(self, session, coord):
        session.run(self.bcast_op)


# --- the optimizer -------------------------------------------------------------------------
def fusion_threshold():
    """Bytes of gradients fused into one allreduce (HOROVOD_FUSION_THRESHOLD, default 64 MB;
    0 turns fusion off)."""
    try:
        return int(os.environ.get("HOROVOD_FUSION_THRESHOLD", DEFAULT_FUSION_THRESHOLD))
    except ValueError:
        return DEFAULT_FUSION_THRESHOLD


def _nbytes(tensor, dtype=None):
    """The bytes of `tensor` (a tensor or a variable) as `dtype`, or None when its shape is not
    fully known."""
    shape = tensor.shape
    if not shape.is_fully_defined():
        return None
    count = 1
    for d in shape.as_list():
        count *= d
    return count * (dtype or tensor.dtype).size


def fused_groups(tensors, threshold, sizes=None):
    """Indices of `tensors` in groups of one dtype of at most `threshold` bytes each (a tensor
    larger than it, or of unknown size, alone), in order. `sizes` gives the tensors' bytes
    where known otherwise (else their static shapes tell)."""
    groups, open_groups = [], {}
    for i, t in enumerate(tensors):
        nbytes = _nbytes(t) if sizes is None else sizes[i]
        if threshold <= 0 or nbytes is None or nbytes >= threshold:
            groups.append([i])
            continue
        current = open_groups.get(t.dtype)
        if current is None or current[1] + nbytes > threshold:
            current = open_groups[t.dtype] = [[], 0]
            groups.append(current[0])
        current[0].append(i)
        current[1] += nbytes
    return groups


def reduce_gradients(grads, op=Average, compression=Compression.none, scope="Allreduce",
                     variables=None):
    """`grads` (None kept) reduced over the ranks under name scope `scope`: IndexedSlices
    gathered, dense gradients allreduced in fused groups of fusion_threshold() bytes at most
    (one HorovodGroupedAllreduce each; a lone tensor is a HorovodAllreduce named after it).
    A gradient whose static shape is not fully known is sized by its variable's shape."""
    with name_scope(scope):
        result = list(grads)
        dense = []
        for i, g in enumerate(grads):
            if g is None:
                continue
            if isinstance(g, IndexedSlices):
                result[i] = allreduce(g, op=op)
            else:
                dense.append(i)
        compressed = [compression.compress(convert_to_tensor(grads[i])) for i in dense]
        sizes = [_nbytes(c) for c, _ in compressed]
        if variables is not None:
            sizes = [n if n is not None else _nbytes(variables[i], c.dtype)
                     for n, i, (c, _) in zip(sizes, dense, compressed)]
        for group_indices in fused_groups([c for c, _ in compressed], fusion_threshold(),
                                          sizes):
            tensors = [compressed[j][0] for j in group_indices]
            if len(tensors) == 1:
                reduced = [mpi_ops.allreduce(
                    tensors[0], reduce_op=op, name="HorovodAllreduce_" +
                    mpi_ops.normalize_name(grads[dense[group_indices[0]]].name))]
            else:
                reduced = mpi_ops.grouped_allreduce(tensors, reduce_op=op)
            for j, value in zip(group_indices, reduced):
                result[dense[j]] = compression.decompress(value, compressed[j][1])
        return result


class DistributedGradientOptimizer(optimizer_module.Optimizer):
    """Wraps an optimizer: its gradients are averaged over the ranks before they are applied."""

    def __init__(self, optimizer, name, use_locking, device_dense, device_sparse, compression,
                 sparse_as_dense, backward_passes_per_step, op):
        if name is None:
            name = f"Distributed{type(optimizer).__name__}"
        super().__init__(use_locking=use_locking, name=name)
        if backward_passes_per_step < 1:
            raise ValueError("backward_passes_per_step must be >= 1")
        if op not in (Average, Sum, Adasum):
            raise ValueError(f"op must be hvd.Average, hvd.Sum or hvd.Adasum, got {op!r}")
        self._optimizer = optimizer
        self._compression = compression
        self._sparse_as_dense = sparse_as_dense
        self._passes = backward_passes_per_step
        self._op = op
        self._device_dense = device_dense
        self._device_sparse = device_sparse
        self._applies_now = None  # with several passes per step: whether this run applies

    def compute_gradients(self, *args, **kwargs):
        """The wrapped optimizer's gradients, averaged (or summed) over every rank."""
        gradients = self._optimizer.compute_gradients(*args, **kwargs)
        grads = [g for g, _ in gradients]
        variables = [v for _, v in gradients]
        if self._sparse_as_dense:
            grads = [convert_to_tensor(g) if isinstance(g, IndexedSlices) else g for g in grads]
        if self._passes > 1:
            grads = self._aggregate_locally(grads, variables)
        elif size() > 1:
            grads = self.allreduce_grads(grads, variables)
        return list(zip(grads, variables))

    def allreduce_grads(self, grads, variables=None):
        """The gradients reduced over the ranks: sparse ones gathered, dense ones in fused
        groups (fusion_threshold() bytes at most each)."""
        return reduce_gradients(grads, self._op, self._compression, f"{self._name}_Allreduce",
                                variables)

    def _aggregate_locally(self, grads, variables):
        """backward_passes_per_step > 1: gradients add up in local accumulators; every
        `passes`-th run reduces their mean over the ranks and apply_gradients applies it."""
        graph = get_default_graph()
        with name_scope(f"{self._name}_Aggregate"):
            with graph.control_dependencies(None):
                counter = variables_module.Variable(
                    0, trainable=False, name="counter", dtype=dtypes.int32,
                    collections=[GraphKeys.LOCAL_VARIABLES])
                accumulators = [None if g is None else variables_module.Variable(
                    array.zeros(v.shape.as_list(), v.dtype.base_dtype), trainable=False,
                    name="aggregation", collections=[GraphKeys.LOCAL_VARIABLES])
                    for g, v in zip(grads, variables)]
            adds = [acc.assign_add(convert_to_tensor(g))
                    for g, acc in zip(grads, accumulators) if g is not None]
            with graph.control_dependencies(adds):
                count = counter.assign_add(1)
            self._applies_now = math_ops.equal(math_ops.floormod(count, self._passes), 0)
            self._accumulators = [acc for acc in accumulators if acc is not None]
            present = [i for i, g in enumerate(grads) if g is not None]
            with graph.control_dependencies([count]):
                means = [math_ops.truediv(accumulators[i].read_value(),
                                          array.cast(self._passes, accumulators[i].dtype))
                         for i in present]

            def reduced():
                return self.allreduce_grads(means, [variables[i] for i in present]) \
                    if size() > 1 else \
                    [array.identity(m) for m in means]

            def local():
                return [array.identity(m) for m in means]

            chosen = cond(self._applies_now, reduced, local)
            chosen = chosen if isinstance(chosen, (list, tuple)) else [chosen]
        result = [None] * len(grads)
        for i, value in zip(present, chosen):
            result[i] = value
        return result

    def apply_gradients(self, *args, **kwargs):
        """The wrapped optimizer's update (with several passes per step: only on the runs
        that complete a step, which also clear the accumulators)."""
        if self._applies_now is None:
            return self._optimizer.apply_gradients(*args, **kwargs)
        graph = get_default_graph()

        def apply():
            update = self._optimizer.apply_gradients(*args, **kwargs)
            with graph.control_dependencies([update]):
                clears = [acc.assign(array.zeros_like(acc.value()))
                          for acc in self._accumulators]
            return group(update, *clears)

        def skip():
            return no_op()

        return cond(self._applies_now, apply, skip)

    def get_slot(self, *args, **kwargs):
        return self._optimizer.get_slot(*args, **kwargs)

    def get_slot_names(self, *args, **kwargs):
        return self._optimizer.get_slot_names(*args, **kwargs)

    def variables(self, *args, **kwargs):
        return self._optimizer.variables(*args, **kwargs)


_DistributedOptimizer = DistributedGradientOptimizer  # Horovod's name of the class


def DistributedOptimizer(optimizer, name=None, use_locking=False, device_dense="",  # noqa: N802
                         device_sparse="", compression=Compression.none, sparse_as_dense=False,
                         backward_passes_per_step=1, op=Average):
    """Wraps a tf.train optimizer so that its compute_gradients averages (op=hvd.Average),
    sums (hvd.Sum) or Adasum-combines (hvd.Adasum) every gradient over the ranks before it is
    applied. Small dense gradients travel in fused buffers (HOROVOD_FUSION_THRESHOLD);
    `compression=hvd.Compression.fp16` sends them as float16; `backward_passes_per_step=n`
    accumulates n local gradients before each reduction and update."""
    return DistributedGradientOptimizer(optimizer, name, use_locking, device_dense, device_sparse,
                                 compression, sparse_as_dense, backward_passes_per_step, op)
