"""What gRPC distributed TensorFlow would need raises NotImplementedError naming Horovod."""
import json

import pytest

from tensorweave.train import server_lib


def test_server_names_the_horovod_path():
    with pytest.raises(NotImplementedError, match="horovod.tensorflow.*mpirun -np N"):
        server_lib.Server({"worker": ["localhost:2222"]}, job_name="worker", task_index=0)
    with pytest.raises(NotImplementedError, match="docs/distributed.md"):
        server_lib.Server.create_local_server()


def test_tf_config_clusters():
    server_lib.check_tf_config({})
    one = {"cluster": {"chief": ["h:1"]}, "task": {"type": "chief", "index": 0}}
    server_lib.check_tf_config({"TF_CONFIG": json.dumps(one)})
    many = {"cluster": {"chief": ["h:1"], "worker": ["h:2", "h:3"], "ps": ["h:4"]}}
    with pytest.raises(NotImplementedError, match="4 tasks \\(chief, ps, worker\\).*Horovod"):
        server_lib.check_tf_config({"TF_CONFIG": json.dumps(many)})
    with pytest.raises(ValueError, match="not a JSON object"):
        server_lib.check_tf_config({"TF_CONFIG": "{nope"})
