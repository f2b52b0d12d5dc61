"""tf.train.ClusterSpec and tf.train.replica_device_setter: the description of a cluster and
the device function that spreads variables over its parameter servers.

tensorweave runs in one process: the devices these assign are recorded on the ops (and in
GraphDefs written for TensorFlow), and every op still runs here.

    cluster = tf.train.ClusterSpec({"ps": ["ps0:2222", "ps1:2222"], "worker": ["w0:2222"]})
    with tf.device(tf.train.replica_device_setter(cluster=cluster)):
        w = tf.Variable(...)   # '/job:ps/task:0'; the next variable goes to task 1
"""
from tensorweave.core import devices


class ClusterSpec:
    """Jobs and their tasks' network addresses: {job: [address, ...]} (tasks 0..n-1) or
    {job: {task index: address}}."""

    def __init__(self, cluster):
        if isinstance(cluster, dict):
            self._cluster_spec = {}
            for job, tasks in cluster.items():
                if isinstance(tasks, (list, tuple)):
                    self._cluster_spec[job] = dict(enumerate(tasks))
                elif isinstance(tasks, dict):
                    self._cluster_spec[job] = {int(i): address for i, address in tasks.items()}
                else:
                    raise TypeError(f"The tasks for job {job!r} must be a list or a dictionary "
                                    f"from integers to strings.")
        elif isinstance(cluster, ClusterSpec):
            self._cluster_spec = {job: dict(tasks) for job, tasks in
                                  cluster._cluster_spec.items()}
        elif hasattr(cluster, "job") and hasattr(cluster, "SerializeToString"):  # a ClusterDef
            self._cluster_spec = {}
            for job_def in cluster.job:
                if job_def.name in self._cluster_spec:
                    raise ValueError(f"Duplicate job name: {job_def.name!r}")
                self._cluster_spec[job_def.name] = dict(job_def.tasks)
        else:
            raise TypeError("`cluster` must be a dictionary mapping one or more job names to "
                            "lists of network addresses, or a `ClusterDef` protocol buffer")

    def __bool__(self):
        return bool(self._cluster_spec)

    __nonzero__ = __bool__

    def __eq__(self, other):
        return isinstance(other, ClusterSpec) and self._cluster_spec == other._cluster_spec

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def __repr__(self):
        key_values = self.as_dict()
        body = ", ".join(f"{k!r}: {key_values[k]!r}" for k in sorted(key_values))
        return f"ClusterSpec({{{body}}})"

    __str__ = __repr__

    def as_dict(self):
        """{job: [address, ...]} where a job's task indices are 0..n-1, else {job: {index:
        address}}."""
        result = {}
        for job, tasks in self._cluster_spec.items():
            indices = sorted(tasks)
            if indices == list(range(len(indices))):
                result[job] = [tasks[i] for i in indices]
            else:
                result[job] = dict(tasks)
        return result

    def as_cluster_def(self):
        """The tensorflow.ClusterDef protocol buffer of this cluster."""
        from tensorboard.compat.proto import cluster_pb2
        cluster_def = cluster_pb2.ClusterDef()
        for job in sorted(self._cluster_spec):
            job_def = cluster_def.job.add(name=job)
            for index, address in sorted(self._cluster_spec[job].items()):
                job_def.tasks[index] = address
        return cluster_def

    @property
    def jobs(self):
        """The job names, in insertion order."""
        return list(self._cluster_spec)

    def _tasks(self, job_name):
        try:
            return self._cluster_spec[job_name]
        except KeyError:
            raise ValueError(f"No such job in cluster: {job_name!r}") from None

    def num_tasks(self, job_name):
        return len(self._tasks(job_name))

    def task_indices(self, job_name):
        return sorted(self._tasks(job_name))

    def task_address(self, job_name, task_index):
        tasks = self._tasks(job_name)
        try:
            return tasks[task_index]
        except KeyError:
            raise ValueError(f"No task with index {task_index!r} in job {job_name!r}") \
                from None

    def job_tasks(self, job_name):
        """The job's addresses by task index, None where an index is missing."""
        tasks = self._tasks(job_name)
        result = [None] * (max(tasks) + 1 if tasks else 0)
        for index, address in tasks.items():
            result[index] = address
        return result


# TF's op types that hold state a parameter server keeps (the ps_ops default)
STANDARD_PS_OPS = ("Variable", "VariableV2", "AutoReloadVariable", "MutableHashTable",
                   "MutableHashTableV2", "MutableHashTableOfTensors",
                   "MutableHashTableOfTensorsV2", "MutableDenseHashTable",
                   "MutableDenseHashTableV2", "VarHandleOp", "BoostedTreesEnsembleResource",
                   "BoostedTreesQuantileStreamResource")


class RoundRobinStrategy:
    """Gives the ps tasks 0, 1, ..., num_tasks - 1, 0, ... in turn."""

    def __init__(self, num_tasks):
        self._num_tasks = num_tasks
        self._next_task = 0

    def __call__(self, unused_op):
        task = self._next_task
        self._next_task = (self._next_task + 1) % self._num_tasks
        return task


class ReplicaDeviceChooser:
    """The device function replica_device_setter returns (see there)."""

    def __init__(self, ps_tasks, ps_device, worker_device, merge_devices, ps_ops, ps_strategy):
        self._ps_tasks = ps_tasks
        self._ps_device = ps_device
        self._worker_device = worker_device
        self._merge_devices = merge_devices
        self._ps_ops = ps_ops
        self._ps_strategy = ps_strategy

    def device_function(self, op):
        """The device of `op`: a ps task for state ops, else the worker device; the device
        the op already has wins field by field."""
        current = getattr(op, "device", "") or ""
        if not self._merge_devices and current:
            return current
        op_type = getattr(op, "type", None) or getattr(op, "op", None)
        if self._ps_tasks and self._ps_device and op_type in self._ps_ops:
            ps_fields = devices.parse_device(self._ps_device)
            current_job = devices.parse_device(current).get("job")
            if ps_fields.get("job") and (not current_job or current_job == ps_fields["job"]):
                ps_fields["task"] = str(self._ps_strategy(op))
            return devices.merge_device(devices.device_string(ps_fields), current)
        return devices.merge_device(self._worker_device or "", current)


def replica_device_setter(ps_tasks=0, ps_device="/job:ps", worker_device="/job:worker",
                          merge_devices=True, cluster=None, ps_ops=None, ps_strategy=None):
    """A device function for `tf.device`: variables (ops of `ps_ops` types) go to the ps tasks
    chosen by `ps_strategy` (round robin by default), other ops to `worker_device`. With a
    `cluster`, ps_tasks is the size of its ps job. None when there are no ps tasks."""
    if cluster is not None:
        spec = (cluster if isinstance(cluster, ClusterSpec) else ClusterSpec(cluster)).as_dict()
        ps_job = devices.parse_device(ps_device).get("job")
        if ps_job not in spec or spec[ps_job] is None:
            return None
        ps_tasks = len(spec[ps_job])
    if ps_tasks == 0:
        return None
    if ps_ops is None:
        ps_ops = list(STANDARD_PS_OPS)
    if ps_strategy is None:
        ps_strategy = RoundRobinStrategy(ps_tasks)
    if not callable(ps_strategy):
        raise TypeError("ps_strategy must be callable")
    return ReplicaDeviceChooser(ps_tasks, ps_device, worker_device, merge_devices, ps_ops,
                                ps_strategy).device_function
