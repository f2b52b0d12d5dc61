"""tf.profiler: TF 1.15's tfprof (graph mode): profile, advise, Profiler, write_op_log.

    opts = tf.profiler.ProfileOptionBuilder.float_operation()
    flops = tf.profiler.profile(tf.get_default_graph(), options=opts)
    print(flops.total_float_ops)
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    **lazy.names_from("tensorweave.profiler.model_analyzer", "Profiler", "advise", "profile",
                      "write_op_log"),
    "ProfileOptionBuilder": "tensorweave.profiler.option_builder:ProfileOptionBuilder",
    **lazy.names_from("tensorweave.profiler.protos", "AdviceProto", "GraphNodeProto",
                      "MultiGraphNodeProto", "OpLogProto"),
})
