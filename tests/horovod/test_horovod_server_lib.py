"""tf.train.Server clusters served in this process run here; what gRPC between processes would
need raises NotImplementedError naming Horovod."""
import json

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core import errors
from tensorweave.train import server_lib


def test_server_of_a_task_served_elsewhere_names_the_horovod_path():
    cluster = {"ps": ["localhost:3301"], "worker": ["localhost:3302"]}
    server = server_lib.Server(cluster, job_name="worker", task_index=0)
    with pytest.raises(NotImplementedError, match="serves /job:ps/task:0; .*mpirun -np N"):
        server.target
    with pytest.raises(NotImplementedError, match="docs/distributed.md"):
        server.join()


def test_in_process_cluster_runs_its_tasks_ops_here():
    """TF's local two-task cluster: a Session on task 1's target runs ops of both tasks."""
    cluster = tf.train.ClusterSpec({"local": ["localhost:3311", "localhost:3312"]})
    tf.train.Server(cluster, job_name="local", task_index=0)
    server = tf.train.Server(cluster, job_name="local", task_index=1)
    assert server.target == "grpc://localhost:3312"
    with tf.Graph().as_default():
        with tf.device("/job:local/task:0"):
            a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        with tf.device("/job:local/task:1"):
            total = tf.add_n([tf.reduce_sum(a), tf.reduce_sum(a * 2.0)])
        with tf.Session(server.target) as sess:
            np.testing.assert_allclose(sess.run(total), 30.0)
    with pytest.raises(errors.UnknownError, match="Could not start gRPC server"):
        tf.train.Server(cluster, job_name="local", task_index=0)


def test_local_server_and_tf_argument_errors():
    local = tf.train.Server.create_local_server()
    assert local.target.startswith("grpc://localhost:")
    assert int(local.target.rsplit(":", 1)[1]) > 0
    two = {"local": ["localhost:3321", "localhost:3322"]}
    with pytest.raises(ValueError, match="Must specify an explicit `task_index`."):
        tf.train.Server(two)
    with pytest.raises(ValueError, match="Must specify an explicit `job_name`."):
        tf.train.Server({"a": ["localhost:3323"], "b": ["localhost:3324"]})


def test_tf_config_clusters():
    server_lib.check_tf_config({})
    one = {"cluster": {"chief": ["h:1"]}, "task": {"type": "chief", "index": 0}}
    server_lib.check_tf_config({"TF_CONFIG": json.dumps(one)})
    many = {"cluster": {"chief": ["h:1"], "worker": ["h:2", "h:3"], "ps": ["h:4"]}}
    with pytest.raises(NotImplementedError, match="4 tasks \\(chief, ps, worker\\).*Horovod"):
        server_lib.check_tf_config({"TF_CONFIG": json.dumps(many)})
    with pytest.raises(ValueError, match="not a JSON object"):
        server_lib.check_tf_config({"TF_CONFIG": "{nope"})


def test_create_local_cluster():
    workers, ps_servers = tf.test.create_local_cluster(num_workers=2, num_ps=1)
    assert len(workers) == 2 and len(ps_servers) == 1
    with tf.Graph().as_default():
        with tf.device("/job:ps/task:0"):
            v = tf.Variable(2.0)
        with tf.device("/job:worker/task:1"):
            w = v * 3.0
        with tf.Session(workers[0].target) as sess:
            sess.run(v.initializer)
            assert sess.run(w) == 6.0
