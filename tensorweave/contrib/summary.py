"""tf.contrib.summary in graph mode, as TF 1.15 has it: summary ops that write to the default
writer when the record condition holds.

    global_step = tf.train.get_or_create_global_step()
    writer = tf.contrib.summary.create_file_writer(logdir)
    with writer.as_default(), tf.contrib.summary.always_record_summaries():
        tf.contrib.summary.scalar("loss", loss)
    with tf.Session() as sess:
        tf.contrib.summary.initialize(graph=tf.get_default_graph(), session=sess)
        sess.run([train_op, tf.contrib.summary.all_summary_ops()])

Each summary function returns the op that writes (a cond on the record condition when that is
a tensor) and adds it to the collection all_summary_ops() returns. Tags are the summary's
name scope (with its family), as TF 1.15's. Writers append each event to their file as it is
written (see ops/summary.py), so flush() has nothing to wait for.
"""
import contextlib
import os
import threading

from tensorweave.contrib import not_provided
from tensorweave.core import context, dtypes
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import Graph, Tensor, get_default_graph, name_scope
from tensorweave.ops import array, math_ops
from tensorweave.ops import summary as summary_op_types
from tensorweave.ops.control.cond import cond
from tensorweave.ops.control import grouping
from tensorweave.platform import tf_logging as logging
from tensorweave.summary import summary_ops
from tensorweave.train import training_util

SUMMARY_COLLECTION = "_SUMMARY_V2"  # TF's GraphKeys._SUMMARY_COLLECTION
WRITER_INIT_COLLECTION = "_SUMMARY_WRITER_V2"

__getattr__ = not_provided(__name__, ["create_db_writer"])


class _State(threading.local):
    """The thread's default writer and record condition."""

    def __init__(self):
        super().__init__()
        self.writer = None
        self.is_recording = None


_state = _State()


# --- writers ---------------------------------------------------------------------------------
class SummaryWriter:
    """A summary writer resource: `init()` opens its event file, `as_default()` makes the
    summary functions write to it."""

    def __init__(self, resource, init_op_fn):
        self._resource = resource
        self._init_op_fn = init_op_fn
        get_default_graph().add_to_collection(WRITER_INIT_COLLECTION, self.init())

    @property
    def resource(self):
        """The writer's resource handle tensor."""
        return self._resource

    def init(self):
        """The op that creates the writer (opens its event file) if it does not exist."""
        return self._init_op_fn(self._resource)

    def flush(self):
        return summary_op_types.flush_summary_writer(self._resource)

    def close(self):
        flushed = self.flush()
        with get_default_graph().control_dependencies([flushed]):
            return summary_op_types.close_summary_writer(self._resource)

    @contextlib.contextmanager
    def as_default(self):
        """Within the block, summary functions write to this writer."""
        old = _state.writer
        _state.writer = self
        try:
            yield self
        finally:
            _state.writer = old

    def set_as_default(self):
        _state.writer = self


class _NoopSummaryWriter:
    """What create_file_writer(None) gives: a writer that writes nothing."""

    def init(self):
        pass

    def flush(self):
        pass

    def close(self):
        pass

    @contextlib.contextmanager
    def as_default(self):
        yield self

    def set_as_default(self):
        pass


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None):
    """A writer of event files in `logdir` (None: a writer that writes nothing), shared by
    every writer of the same `name` (default "logdir:" + logdir) in a session."""
    if logdir is None:
        return _NoopSummaryWriter()
    logdir = str(logdir)
    max_queue = constant(10) if max_queue is None else max_queue
    flush_millis = constant(2 * 60 * 1000) if flush_millis is None else flush_millis
    filename_suffix = constant(".v2") if filename_suffix is None else filename_suffix
    resource = summary_op_types.summary_writer(shared_name=name or "logdir:" + logdir)

    def init_op(handle):
        return summary_op_types.create_summary_file_writer(handle, logdir, max_queue,
                                                           flush_millis, filename_suffix)
    return SummaryWriter(resource, init_op)


def create_summary_file_writer(*args, **kwargs):
    """The old name of create_file_writer."""
    logging.warning("Deprecation Warning: create_summary_file_writer was renamed to "
                    "create_file_writer")
    return create_file_writer(*args, **kwargs)


def summary_writer_initializer_op():
    """The ops that create every writer of the default graph."""
    return get_default_graph().get_collection(WRITER_INIT_COLLECTION)


def initialize(graph=None, session=None):
    """Runs the writers' initializers in `session` (default: the default session) and, given
    a Graph or GraphDef, writes it to the default writer at step 0."""
    if _state.writer is None:
        raise RuntimeError("No default tf.contrib.summary.SummaryWriter found")
    if session is None:
        session = context.get_default_session()
        if session is None:
            raise ValueError("Argument `session must be passed if no default session exists")
    session.run(summary_writer_initializer_op())
    if graph is not None:
        data = _serialized_graph(graph)
        fed = array.placeholder(dtypes.string)
        session.run(graph_v1(fed, 0), feed_dict={fed: data})


def flush(writer=None, name=None):
    """The op flushing `writer` (a SummaryWriter or its resource; default: the default
    writer, else a no-op)."""
    if writer is None:
        writer = _state.writer
        if writer is None:
            return grouping.no_op()
    if isinstance(writer, _NoopSummaryWriter):
        return grouping.no_op()
    if isinstance(writer, SummaryWriter):
        writer = writer.resource
    return summary_op_types.flush_summary_writer(writer, name=name)


def eval_dir(model_dir, name=None):
    """The logdir of an evaluation's summaries: model_dir/eval[_name]."""
    return os.path.join(model_dir, "eval" if not name else "eval_" + name)


# --- when to record --------------------------------------------------------------------------
@contextlib.contextmanager
def _record_if(condition):
    old = _state.is_recording
    _state.is_recording = condition
    try:
        yield
    finally:
        _state.is_recording = old


def always_record_summaries():
    """Within the block, summaries are written every time their ops run."""
    return _record_if(True)


def never_record_summaries():
    """Within the block, summaries are never written."""
    return _record_if(False)


def record_summaries_every_n_global_steps(n, global_step=None):
    """Within the block, summaries are written when global_step % n == 0."""
    if global_step is None:
        global_step = training_util.get_or_create_global_step()
    return _record_if(math_ops.equal(global_step % n, 0))


def should_record_summaries():
    """A bool tensor: whether summaries are written (False without a default writer or a
    record condition)."""
    return convert_to_tensor(_record_condition())


def _record_condition():
    """The record condition: a Python bool, or a bool tensor."""
    if _state.writer is None or _state.is_recording is None:
        return False
    condition = _state.is_recording
    return bool(condition) if not isinstance(condition, Tensor) else condition


# --- summaries -------------------------------------------------------------------------------
def _choose_step(step):
    if step is None:
        return training_util.get_or_create_global_step()
    if not isinstance(step, Tensor):
        return convert_to_tensor(step, dtype=dtypes.int64)
    return step


def _summary_writer_function(name, tensor, write, family=None):
    """The op writing a summary with `write(tag, scope)` when the record condition holds (a
    no-op without a default writer); it joins the summary collection."""
    outer_scope = get_default_graph().get_name_scope()
    outer_scope = outer_scope + "/" if outer_scope else ""

    def record():
        with name_scope(outer_scope), summary_ops.summary_scope(
                name, family, values=[tensor]) as (tag, scope):
            with get_default_graph().control_dependencies([write(tag, scope)]):
                return constant(True)

    if _state.writer is None:
        return grouping.no_op()
    condition = _record_condition()
    if isinstance(condition, Tensor):
        op = cond(condition, record, lambda: constant(False), name="")
    else:
        op = record() if condition else constant(False)
    get_default_graph().add_to_collection(SUMMARY_COLLECTION, op)
    return op


def _writer_resource():
    return _state.writer.resource


def generic(name, tensor, metadata=None, family=None, step=None):
    """Writes `tensor` as a tensor summary (with `metadata`, a SummaryMetadata or its
    serialization)."""
    def write(tag, scope):
        if metadata is None:
            serialized = constant("")
        elif hasattr(metadata, "SerializeToString"):
            serialized = constant(metadata.SerializeToString())
        else:
            serialized = metadata
        return summary_op_types.write_summary(_writer_resource(), _choose_step(step),
                                              array.identity(tensor), tag, serialized,
                                              name=scope)
    return _summary_writer_function(name, tensor, write, family=family)


def scalar(name, tensor, family=None, step=None):
    """Writes a scalar summary (simple_value) of a real number tensor."""
    def write(tag, scope):
        return summary_op_types.write_scalar_summary(_writer_resource(), _choose_step(step), tag,
                                                     array.identity(tensor), name=scope)
    return _summary_writer_function(name, tensor, write, family=family)


def histogram(name, tensor, family=None, step=None):
    """Writes a histogram summary of `tensor`'s values."""
    def write(tag, scope):
        return summary_op_types.write_histogram_summary(
            _writer_resource(), _choose_step(step), tag, array.identity(tensor), name=scope)
    return _summary_writer_function(name, tensor, write, family=family)


def image(name, tensor, bad_color=None, max_images=3, family=None, step=None):
    """Writes up to `max_images` of a [batch, height, width, channels] tensor as PNGs."""
    def write(tag, scope):
        color = (constant(summary_ops.BAD_COLOR, dtype=dtypes.uint8) if bad_color is None
                 else bad_color)
        return summary_op_types.write_image_summary(
            _writer_resource(), _choose_step(step), tag, array.identity(tensor), color,
            max_images, name=scope)
    return _summary_writer_function(name, tensor, write, family=family)


def audio(name, tensor, sample_rate, max_outputs, family=None, step=None):
    """Writes up to `max_outputs` clips of a [batch, frames(, channels)] tensor as WAVs."""
    def write(tag, scope):
        return summary_op_types.write_audio_summary(
            _writer_resource(), _choose_step(step), tag, array.identity(tensor),
            sample_rate, max_outputs, name=scope)
    return _summary_writer_function(name, tensor, write, family=family)


def graph_v1(param, step=None, name=None):
    """Writes a serialized GraphDef (a string tensor) to the default writer, whatever the
    record condition."""
    if not isinstance(param, Tensor):
        raise TypeError(f"graph() needs a argument `param` to be tf.Tensor (e.g. "
                        f"tf.placeholder) in graph mode, but received param={param} of type "
                        f"{type(param).__name__}.")
    if _state.writer is None:
        return grouping.no_op()
    return summary_op_types.write_graph_summary(_writer_resource(), _choose_step(step),
                                                array.identity(param), name=name)


graph = graph_v1


def import_event(tensor, name=None):
    """Writes serialized Event protos as they are, whatever the record condition."""
    return summary_op_types.import_event(_writer_resource(), tensor, name=name)


def all_summary_ops():
    """The summary ops of the default graph (not graph() and import_event())."""
    return get_default_graph().get_collection(SUMMARY_COLLECTION)


def _serialized_graph(value):
    if isinstance(value, Graph):
        return value.as_graph_def(add_shapes=True).SerializeToString()
    return value.SerializeToString()
