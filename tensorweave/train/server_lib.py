"""tf.train.Server and TF_CONFIG clusters: gRPC distributed TensorFlow, which tensorweave does
not implement. Data-parallel training runs on MPI with Horovod's API instead
(docs/distributed.md): the error names that path."""
import json
import os

HOROVOD_PATH = (
    "run data-parallel training on MPI with Horovod's API instead: `import horovod.tensorflow "
    "as hvd`, hvd.init(), hvd.DistributedOptimizer(opt), hvd.BroadcastGlobalVariablesHook(0), "
    "started with `mpirun -np N python -m tensorweave train.py` (see docs/distributed.md)")


class Server:
    """tf.train.Server: not implemented (no gRPC runtime); raises NotImplementedError."""

    def __init__(self, server_or_cluster_def, job_name=None, task_index=None, protocol=None,
                 config=None, start=True):
        raise NotImplementedError(
            f"tf.train.Server (distributed TensorFlow over gRPC) is not implemented by "
            f"tensorweave; {HOROVOD_PATH}")

    @staticmethod
    def create_local_server(config=None, start=True):
        raise NotImplementedError(
            f"tf.train.Server.create_local_server is not implemented by tensorweave; "
            f"{HOROVOD_PATH}")


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
