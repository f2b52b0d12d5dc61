"""tf.summary: summary ops, event-file writers and the summary protocol buffers (TF 1.x).

    tf.summary.scalar("loss", loss)
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter(log_dir, sess.graph)
    writer.add_summary(sess.run(merged, feed_dict), step)

Needs the optional `tensorboard` extra (`pip install 'tensorweave[tensorboard]'`) for its
protocol buffer classes; `import tensorweave` loads this package only on first use of
`tf.summary`.
"""
try:
    from tensorboard.compat.proto.event_pb2 import Event, SessionLog, TaggedRunMetadata
    from tensorboard.compat.proto.summary_pb2 import (HistogramProto, Summary,
                                                      SummaryDescription, SummaryMetadata)
except ImportError as _error:  # pragma: no cover - exercised only without the extra
    raise ImportError("tf.summary needs the `tensorboard` package for its protocol buffers: "
                      "pip install 'tensorweave[tensorboard]'") from _error

from tensorweave.summary.summary_ops import (audio, get_summary_description,  # noqa: F401
                                             histogram, image, merge, merge_all, scalar,
                                             tensor_summary, text)
from tensorweave.summary.writer import FileWriter, FileWriterCache  # noqa: F401


def initialize(graph=None, session=None):
    """TF 1.15's tf.summary.initialize: tf.contrib.summary.initialize (runs the default
    writer's initializers in `session`, writes `graph` at step 0)."""
    from tensorweave.contrib import summary as writer_summaries
    return writer_summaries.initialize(graph=graph, session=session)


def all_v2_summary_ops():
    """The graph's summary ops of the writer kind (tf.contrib.summary's, TF's
    `_SUMMARY_V2` collection); not those of tf.summary."""
    from tensorweave.core.graph import get_default_graph
    return get_default_graph().get_collection("_SUMMARY_V2")


__all__ = ["Event", "FileWriter", "FileWriterCache", "HistogramProto", "SessionLog", "Summary",
           "SummaryDescription", "SummaryMetadata", "TaggedRunMetadata", "all_v2_summary_ops",
           "audio", "get_summary_description", "histogram", "image", "initialize", "merge",
           "merge_all", "scalar", "tensor_summary", "text"]
