"""FileWriter: appends `Event` protocol buffers to TensorBoard event files.

    writer = tf.summary.FileWriter("/tmp/logs", sess.graph)
    writer.add_summary(sess.run(merged, feed_dict), global_step=step)
    writer.close()

Each writer owns one file `events.out.tfevents.<seconds>.<host>[suffix]` in its logdir: TFRecord
framed events, the first one declaring the file version. A background thread serializes queued
events in batches and appends them, so the training loop only enqueues. Records reach the file
whole (one `os.write` of complete records), so a crash can lose the events not yet flushed but
never leaves a half-written record. Writers are flushed every `flush_secs`, on `flush()` and
`close()`, and at interpreter exit.
"""
import atexit
import os
import threading
import time
import weakref

from tensorboard.compat.proto import (config_pb2, event_pb2, graph_pb2, meta_graph_pb2,
                                      summary_pb2)

from tensorweave.core.graph import Graph, get_default_graph
from tensorweave.lib import event_files
from tensorweave.lib.paths import path_str

FILE_VERSION = "brain.Event:2"
_WRITE_THRESHOLD = 1 << 18  # bytes of finished records kept in memory before a write
_open_writers = weakref.WeakSet()
_paths_in_use = set()
_paths_lock = threading.Lock()


def _close_open_writers():
    for writer in list(_open_writers):
        try:
            writer.close()
        except Exception:  # noqa: BLE001 - at exit, one bad writer must not stop the others
            pass


atexit.register(_close_open_writers)


def _create_event_file(logdir, suffix):
    """Creates and opens a new event file in `logdir` that no writer of this process holds;
    returns (path, fd)."""
    with _paths_lock:
        path, fd = event_files.create_event_file(logdir, suffix, _paths_in_use.__contains__)
        _paths_in_use.add(path)
        return path, fd


class EventFileWriter:
    """Writes `Event` protos to a new event file in `logdir` from a background thread.

    add_event() only appends to a list; the writer thread wakes when `max_queue` events wait
    (add_event blocks while the list is that full) or `flush_secs` have passed, serializes the
    batch and appends the framed records to the file."""

    def __init__(self, logdir, max_queue=10, flush_secs=120, filename_suffix=None):
        self._logdir = path_str(logdir)
        self._max_queue = max(int(max_queue), 1)
        self._flush_secs = float(flush_secs)
        self._suffix = filename_suffix or ""
        self._file_lock = threading.Lock()  # the file, the pending records; taken before _cond
        self._cond = threading.Condition()  # the queued events and the stop flag
        self._closed = True
        os.makedirs(self._logdir, exist_ok=True)
        self._open()

    def _open(self):
        self._path, self._fd = _create_event_file(self._logdir, self._suffix)
        self._events = []
        self._pending = []
        self._pending_bytes = 0
        self._error = None
        self._stop = False
        self._append([(event_pb2.Event(wall_time=time.time(), file_version=FILE_VERSION), None)])
        self._write_pending()
        self._thread = threading.Thread(target=self._run, name="EventFileWriter", daemon=True)
        self._closed = False
        self._thread.start()
        _open_writers.add(self)

    @property
    def path(self):
        """The event file this writer appends to."""
        return self._path

    def get_logdir(self):
        return self._logdir

    def add_event(self, event, prepare=None):
        """Queues `event` for writing (dropped once the writer is closed). `prepare(event)`,
        if given, runs on the writer thread, in order, just before the event is serialized."""
        with self._cond:
            if self._closed:
                return
            while len(self._events) >= self._max_queue and not self._stop:
                self._cond.wait()
            self._events.append((event, prepare))
            if len(self._events) >= self._max_queue:
                self._cond.notify_all()

    def flush(self):
        """Writes every event added so far to the file."""
        if self._closed:
            return
        with self._file_lock:
            self._drain()
            self._write_pending()
        self._raise_error()

    def close(self):
        """Writes every queued event and closes the file; `reopen()` starts a new file."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._stop = True
            self._cond.notify_all()
        self._thread.join()
        with self._file_lock:
            try:
                self._drain()
                self._write_pending()
            finally:
                os.close(self._fd)
                _open_writers.discard(self)
        self._raise_error()

    def reopen(self):
        """Opens a new event file after close(); does nothing while open."""
        if self._closed:
            self._open()

    # --- the writer thread ----------------------------------------------------------------
    def _run(self):
        next_write = time.monotonic() + self._flush_secs
        while True:
            with self._cond:
                while not (len(self._events) >= self._max_queue or self._stop):
                    left = next_write - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                if self._stop:
                    return
            with self._file_lock:
                try:
                    self._drain()
                    now = time.monotonic()
                    if now >= next_write or self._pending_bytes >= _WRITE_THRESHOLD:
                        self._write_pending()
                        next_write = now + self._flush_secs
                except Exception as e:  # noqa: BLE001 - reported by the next flush or close
                    self._error = self._error or e
                    next_write = time.monotonic() + self._flush_secs

    def _drain(self):
        """Moves the queued events, serialized and framed, to the pending records (call with
        the file lock held, so batches keep their order)."""
        with self._cond:
            batch, self._events = self._events, []
            self._cond.notify_all()  # room for producers waiting on a full queue
        self._append(batch)

    def _append(self, events):
        for event, prepare in events:
            if prepare is not None:
                prepare(event)
            record = event_files.frame_record(event.SerializeToString())
            self._pending.append(record)
            self._pending_bytes += len(record)

    def _write_pending(self):
        if not self._pending:
            return
        data = memoryview(b"".join(self._pending))
        self._pending = []
        self._pending_bytes = 0
        while data:
            data = data[os.write(self._fd, data):]

    def _raise_error(self):
        error, self._error = self._error, None
        if error is not None:
            raise error


def _summary_proto(summary):
    if isinstance(summary, summary_pb2.Summary):
        return summary
    if hasattr(summary, "dtype") and getattr(summary, "shape", None) == ():
        summary = summary[()]  # a 0-d string array
    if isinstance(summary, (bytes, bytearray, memoryview)):
        proto = summary_pb2.Summary()
        proto.ParseFromString(bytes(summary))
        return proto
    raise TypeError(f"add_summary expects a Summary proto or its serialized bytes, got "
                    f"{type(summary).__name__}")


class FileWriter:
    """Writes summaries, graphs and run metadata to an event file in `logdir` for TensorBoard.

    With `graph` (e.g. `sess.graph`) the graph is written at once. Events are queued and
    written by a background thread (see EventFileWriter); use as a context manager or call
    close() when done. With `session`, as in TF 1.15, the event file is a resource of that
    session shared by every FileWriter of the same session and logdir (flush and close act on
    the shared file; its default name suffix is `.v2`)."""

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None,
                 filename_suffix=None, session=None):
        logdir = path_str(logdir)
        if session is not None:
            self.event_writer = _session_event_writer(session, logdir, max_queue, flush_secs,
                                                      filename_suffix)
        else:
            self.event_writer = EventFileWriter(logdir, max_queue, flush_secs, filename_suffix)
        self._seen_summary_tags = set()
        self._session_run_tags = set()
        if graph is not None or graph_def is not None:
            graph_def_proto = self.add_graph(graph=graph, graph_def=graph_def)
            self.add_meta_graph(meta_graph_pb2.MetaGraphDef(
                meta_info_def=meta_graph_pb2.MetaGraphDef.MetaInfoDef(
                    tensorflow_version="1.15.0", tensorflow_git_version="tensorweave"),
                graph_def=graph_def_proto))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def get_logdir(self):
        """The directory this writer writes event files to."""
        return self.event_writer.get_logdir()

    # --- adding events --------------------------------------------------------------------
    def add_summary(self, summary, global_step=None):
        """Adds a `Summary` (proto, or bytes as Session.run returns them) at `global_step`.

        SummaryMetadata is kept only the first time a tag is written, as TF does."""
        event = event_pb2.Event()
        if isinstance(summary, bytes):
            event.summary.ParseFromString(summary)
        else:
            event.summary.CopyFrom(_summary_proto(summary))
        self._add_event(event, global_step, self._strip_repeated_metadata)

    def _strip_repeated_metadata(self, event):
        """Drops the SummaryMetadata of tags written before (runs on the writer thread, in
        event order)."""
        for value in event.summary.value:
            if not value.HasField("metadata"):
                continue
            if value.tag in self._seen_summary_tags:
                value.ClearField("metadata")
            else:
                self._seen_summary_tags.add(value.tag)

    def add_session_log(self, session_log, global_step=None):
        """Adds a `SessionLog` (START, STOP or CHECKPOINT) at `global_step`."""
        self._add_event(event_pb2.Event(session_log=session_log), global_step)

    def add_graph(self, graph, global_step=None, graph_def=None):
        """Adds a Graph (exported with its static shapes) or a GraphDef for TensorBoard's
        graph dashboard; returns the GraphDef written."""
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        given = graph if graph is not None else graph_def
        if isinstance(given, Graph):
            proto = given.as_graph_def(add_shapes=True)
        elif isinstance(given, graph_pb2.GraphDef):
            proto = given
        else:
            raise TypeError("The passed graph must be an instance of `Graph` or the deprecated "
                            "`GraphDef`")
        self._add_event(event_pb2.Event(graph_def=proto.SerializeToString()), global_step)
        return proto

    def add_meta_graph(self, meta_graph_def, global_step=None):
        """Adds a `MetaGraphDef`."""
        if not isinstance(meta_graph_def, meta_graph_pb2.MetaGraphDef):
            raise TypeError(f"meta_graph_def must be type MetaGraphDef, saw type: "
                            f"{type(meta_graph_def)}")
        self._add_event(event_pb2.Event(meta_graph_def=meta_graph_def.SerializeToString()),
                        global_step)

    def add_run_metadata(self, run_metadata, tag, global_step=None):
        """Adds the `RunMetadata` of one Session.run under `tag` (each tag once)."""
        if tag in self._session_run_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._session_run_tags.add(tag)
        tagged = event_pb2.TaggedRunMetadata(
            tag=tag, run_metadata=_run_metadata_proto(run_metadata).SerializeToString())
        self._add_event(event_pb2.Event(tagged_run_metadata=tagged), global_step)

    def add_event(self, event):
        """Adds an `Event` as is (its wall_time and step are not filled in)."""
        self._warn_if_closed()
        self.event_writer.add_event(event)

    def _add_event(self, event, step, prepare=None):
        event.wall_time = time.time()
        if step is not None:
            event.step = int(step)
        self._warn_if_closed()
        self.event_writer.add_event(event, prepare)

    # --- lifetime -------------------------------------------------------------------------
    def flush(self):
        """Writes every pending event to disk."""
        self._warn_if_closed()
        self.event_writer.flush()

    def close(self):
        """Flushes and closes the event file; later events are dropped until reopen()."""
        self.event_writer.close()

    def reopen(self):
        """After close(), starts writing to a new event file in the same logdir."""
        self.event_writer.reopen()

    def _warn_if_closed(self):
        if self.event_writer._closed:
            from tensorweave.platform import tf_logging
            tf_logging.warning("Attempting to use a closed FileWriter. The operation will be a "
                               "noop unless the FileWriter is explicitly reopened.")


def _run_metadata_proto(run_metadata):
    """A config_pb2.RunMetadata for a proto or tensorweave's RunMetadata record."""
    if isinstance(run_metadata, config_pb2.RunMetadata):
        return run_metadata
    proto = config_pb2.RunMetadata()
    step_stats = getattr(run_metadata, "step_stats", None)
    if step_stats is not None:
        if hasattr(step_stats, "SerializeToString"):
            proto.step_stats.ParseFromString(step_stats.SerializeToString())
        else:
            raise TypeError(f"RunMetadata.step_stats must be a StepStats proto, got "
                            f"{type(step_stats).__name__}")
    for graph_def in getattr(run_metadata, "partition_graphs", None) or []:
        proto.partition_graphs.add().ParseFromString(graph_def.SerializeToString())
    return proto


_writers_of_sessions = weakref.WeakKeyDictionary()  # session -> {logdir: EventFileWriter}


def _session_event_writer(session, logdir, max_queue, flush_secs, filename_suffix):
    """The event writer `session` holds for `logdir`, created on first use (TF's shared
    summary writer resource: later arguments are ignored) and reopened if it was closed."""
    if getattr(session, "_closed", False):
        raise RuntimeError("Attempted to use a closed Session.")
    writers = _writers_of_sessions.setdefault(session, {})
    key = os.path.abspath(str(logdir))
    writer = writers.get(key)
    if writer is None:
        writer = writers[key] = EventFileWriter(
            logdir, max_queue, flush_secs, ".v2" if filename_suffix is None else filename_suffix)
    writer.reopen()
    return writer


class FileWriterCache:
    """One FileWriter per logdir, shared across the program (TF's FileWriterCache)."""

    _cache = {}
    _lock = threading.RLock()

    @staticmethod
    def clear():
        """Closes and forgets every cached writer."""
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache.clear()

    @staticmethod
    def get(logdir):
        """The cached FileWriter for `logdir`, created (with the default graph) if needed."""
        with FileWriterCache._lock:
            if logdir not in FileWriterCache._cache:
                FileWriterCache._cache[logdir] = FileWriter(logdir, graph=get_default_graph())
            return FileWriterCache._cache[logdir]
