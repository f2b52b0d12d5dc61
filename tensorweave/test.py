"""tf.test: TestCase, gradient checks and test utilities (defined in platform/test.py)."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "Benchmark": "tensorweave.platform.test:Benchmark",
    "StubOutForTesting": "tensorweave.platform.test:StubOutForTesting",
    "TestCase": "tensorweave.platform.test:TestCase",
    "assert_equal_graph_def": "tensorweave.platform.test:assert_equal_graph_def",
    "benchmark_config": "tensorweave.platform.test:benchmark_config",
    "compute_gradient": "tensorweave.platform.test:compute_gradient",
    "compute_gradient_error": "tensorweave.platform.test:compute_gradient_error",
    "create_local_cluster": "tensorweave.train.server_lib:create_local_cluster",
    "disable_with_predicate": "tensorweave.platform.test:disable_with_predicate",
    "get_temp_dir": "tensorweave.platform.test:get_temp_dir",
    "gpu_device_name": "tensorweave.platform.test:gpu_device_name",
    "is_built_with_cuda": "tensorweave.platform.test:is_built_with_cuda",
    "is_built_with_gpu_support": "tensorweave.platform.test:is_built_with_gpu_support",
    "is_built_with_rocm": "tensorweave.platform.test:is_built_with_rocm",
    "is_built_with_xla": "tensorweave.platform.test:is_built_with_xla",
    "is_gpu_available": "tensorweave.platform.test:is_gpu_available",
    "main": "tensorweave.platform.test:main",
    "test_src_dir_path": "tensorweave.platform.test:test_src_dir_path",
    "with_eager_op_as_function": "tensorweave.platform.test:with_eager_op_as_function",
})
