"""tf.train.Server and TF_CONFIG clusters. A cluster whose every task has its Server in this
process (TF's local-cluster examples, create_local_server) runs here: its Sessions run in this
process, as every op does. gRPC between processes is not implemented: a Server whose cluster
names a task no Server here serves raises at `target` or `join()`, and data-parallel training
runs on MPI with Horovod's API instead (docs/distributed.md): the error names that path."""
import json
import os
import socket
import threading

from tensorweave.core import errors
from tensorweave.train.device_setter import ClusterSpec

HOROVOD_PATH = (
    "run data-parallel training on MPI with Horovod's API instead: `import horovod.tensorflow "
    "as hvd`, hvd.init(), hvd.DistributedOptimizer(opt), hvd.BroadcastGlobalVariablesHook(0), "
    "started with `mpirun -np N python -m tensorweave train.py` (see docs/distributed.md)")


# the Servers made in this process, by the address of the task each serves
_SERVERS = {}
_LOCK = threading.Lock()


class Server:
    """tf.train.Server for a task of a cluster whose tasks all have their Server in this
    process; a Session given its `target` runs here. TF's errors for a missing job name or
    task index, and UnknownError for an address another Server here already serves."""

    def __init__(self, server_or_cluster_def, job_name=None, task_index=None, protocol=None,
                 config=None, start=True):
        if hasattr(server_or_cluster_def, "cluster") and \
                hasattr(server_or_cluster_def, "job_name"):  # a ServerDef
            server_def = server_or_cluster_def
            cluster = ClusterSpec(server_def.cluster)
            job_name = job_name or server_def.job_name or None
            task_index = server_def.task_index if task_index is None else task_index
            protocol = protocol or server_def.protocol or None
        else:
            cluster = ClusterSpec(server_or_cluster_def)
        if job_name is None:
            if len(cluster.jobs) != 1:
                raise ValueError("Must specify an explicit `job_name`.")
            job_name = cluster.jobs[0]
        if task_index is None:
            if cluster.num_tasks(job_name) != 1:
                raise ValueError("Must specify an explicit `task_index`.")
            task_index = cluster.task_indices(job_name)[0]
        self._cluster_spec = cluster
        self._job_name, self._task_index = job_name, int(task_index)
        self._protocol = protocol or "grpc"
        self._config = config
        self._address = cluster.task_address(job_name, self._task_index)
        with _LOCK:
            if self._address in _SERVERS:
                raise errors.UnknownError(None, None, "Could not start gRPC server")
            _SERVERS[self._address] = self
        self._started = bool(start)

    def start(self):
        """Starts the server (a no-op for a server of this process)."""
        self._started = True

    def join(self):
        """Blocks until the server shuts down, which TF's servers never do."""
        self._check_in_process()
        threading.Event().wait()

    @property
    def target(self):
        """'grpc://host:port', the target for tf.Session of a cluster served here."""
        self._check_in_process()
        return f"{self._protocol}://{self._address}"

    def _check_in_process(self):
        """NotImplementedError naming the tasks served by other processes, if any."""
        cluster = self._cluster_spec
        missing = [f"/job:{job}/task:{index}" for job in cluster.jobs
                   for index in cluster.task_indices(job)
                   if cluster.task_address(job, index) not in _SERVERS]
        if missing:
            raise NotImplementedError(
                f"tf.train.Server: no Server in this process serves {', '.join(missing)}; "
                f"distributed TensorFlow over gRPC between processes is not implemented by "
                f"tensorweave; {HOROVOD_PATH}")

    @staticmethod
    def create_local_server(config=None, start=True):
        """A one-task server on a free localhost port (job 'localhost')."""
        (port,) = _free_ports(1)
        return Server({"localhost": [f"localhost:{port}"]}, protocol="grpc", config=config,
                      start=start)


def create_local_cluster(num_workers, num_ps, protocol="grpc", worker_config=None,
                         ps_config=None):
    """tf.test.create_local_cluster: (worker Servers, ps Servers) of a cluster of free localhost
    ports, every task served in this process."""
    ports = [f"localhost:{port}" for port in _free_ports(num_workers + num_ps)]
    cluster = ClusterSpec({"worker": ports[:num_workers], "ps": ports[num_workers:]})
    workers = [Server(cluster, job_name="worker", protocol=protocol, task_index=i,
                      config=worker_config) for i in range(num_workers)]
    ps_servers = [Server(cluster, job_name="ps", protocol=protocol, task_index=i,
                         config=ps_config) for i in range(num_ps)]
    return workers, ps_servers


def _free_ports(count):
    """`count` distinct ports free on localhost (each held until all are chosen)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("localhost", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def check_tf_config(environ=None):
    """NotImplementedError when TF_CONFIG describes a cluster of more than one task (a
    parameter-server or multi-worker Estimator); a missing or one-task TF_CONFIG passes."""
    text = (os.environ if environ is None else environ).get("TF_CONFIG")
    if not text:
        return
    try:
        cluster = json.loads(text).get("cluster") or {}
    except (ValueError, AttributeError):
        raise ValueError(f"TF_CONFIG is not a JSON object: {text[:80]!r}") from None
    tasks = sum(len(addresses) for addresses in cluster.values())
    if tasks > 1:
        raise NotImplementedError(
            f"A TF_CONFIG cluster of {tasks} tasks ({', '.join(sorted(cluster))}) needs "
            f"distributed TensorFlow over gRPC, which tensorweave does not implement; "
            f"{HOROVOD_PATH}")
