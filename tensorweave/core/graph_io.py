"""tf.train.write_graph: saves a graph's GraphDef as text or binary protocol buffer.

Importing this module is cheap; protobuf loads when a graph is written.
"""
import os
import tempfile

from tensorweave.lib import paths


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Writes the GraphDef of `graph_or_graph_def` (a Graph or a GraphDef) to `logdir/name`,
    as protobuf text format or (as_text=False) binary; returns the path. The file is replaced
    atomically, so readers never see half of it.

        tf.train.write_graph(sess.graph, "/tmp/model", "graph.pbtxt")
    """
    if hasattr(graph_or_graph_def, "as_graph_def"):
        graph_def = graph_or_graph_def.as_graph_def()
    else:
        graph_def = graph_or_graph_def
    if as_text:
        from google.protobuf import text_format
        data = text_format.MessageToString(graph_def).encode("utf-8")
    else:
        data = graph_def.SerializeToString(deterministic=True)
    logdir = paths.path_str(logdir)
    os.makedirs(logdir, exist_ok=True)
    return write_atomically(os.path.join(logdir, name), data)


def write_atomically(path, data):
    """Writes bytes `data` to `path` through a temporary file renamed into place, so readers
    see the old file or the whole new one; returns `path`."""
    fd, temp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".tmp_write_graph")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise
    return path
