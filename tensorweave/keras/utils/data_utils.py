"""tf.keras.utils.get_file: download a file once and keep it under ~/.keras/datasets.

    path = tf.keras.utils.get_file("iris_training.csv",
                                   "http://download.tensorflow.org/data/iris_training.csv")
"""
import hashlib
import os
import posixpath
import random
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile
import zlib

from tensorweave.core import errors
from tensorweave.lib import paths

_CHUNK = 65535


def _algorithm(file_hash, hash_algorithm):
    if hash_algorithm == "auto":
        return "sha256" if len(file_hash) == 64 else "md5"
    if hash_algorithm not in ("sha256", "md5"):
        raise ValueError(f"Unknown hash_algorithm {hash_algorithm!r}: use 'md5', 'sha256' or "
                         f"'auto'")
    return hash_algorithm


def hash_file(fpath, algorithm="sha256", chunk_size=_CHUNK):
    """The hex digest of a file ('sha256', 'md5' or 'auto', which means sha256)."""
    digest = hashlib.md5() if algorithm == "md5" else hashlib.sha256()
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=_CHUNK):
    """True when the file's md5 or sha256 digest equals `file_hash`."""
    algorithm = _algorithm(file_hash, algorithm)
    return hash_file(fpath, algorithm, chunk_size) == str(file_hash).lower()


def _cache_directory(cache_dir, cache_subdir):
    base = os.path.expanduser(cache_dir or os.path.join("~", ".keras"))
    target = os.path.join(base, cache_subdir)
    try:
        os.makedirs(target, exist_ok=True)
        if os.access(target, os.W_OK):
            return target
    except OSError:
        pass
    target = os.path.join("/tmp", ".keras", cache_subdir)  # Keras' fallback when ~ is read-only
    os.makedirs(target, exist_ok=True)
    return target


def _download(origin, fpath):
    partial = fpath + ".part"
    try:
        with urllib.request.urlopen(origin) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out, _CHUNK)
    except urllib.error.HTTPError as e:
        _remove(partial)
        raise Exception(f"URL fetch failure on {origin}: {e.code} -- {e.msg}") from None
    except urllib.error.URLError as e:
        _remove(partial)
        raise Exception(f"URL fetch failure on {origin}: {getattr(e, 'errno', None)} -- "
                        f"{e.reason} (no network? download the file by hand into "
                        f"{os.path.dirname(fpath)})") from None
    except BaseException:
        _remove(partial)
        raise
    os.replace(partial, fpath)


def _remove(path):
    if os.path.exists(path):
        os.remove(path)


# --- extracting archives safely -------------------------------------------------------------
# An archive is data: every member must land inside the directory it is extracted into. All
# members are checked before anything is written, so a refused archive writes nothing.

def _refusal(archive, member, reason):
    return errors.InvalidArgumentError(
        None, None, f"Refusing to extract archive {archive}: member {member!r} {reason}.")


def _resolve(start, relative, links, refuse):
    """The components of the '/'-separated path `relative` taken from the directory `start` (a
    list of components under the extraction directory). Calls `refuse(reason)` when the path is
    absolute, climbs out, or passes through one of `links` (names of link members)."""
    if relative.startswith("/") or os.path.splitdrive(relative)[0]:
        refuse("is an absolute path")
    parts = list(start)
    pieces = [piece for piece in relative.split("/") if piece not in ("", ".")]
    for i, piece in enumerate(pieces):
        if piece == "..":
            if not parts:
                refuse("climbs out of the extraction directory")
            parts.pop()
        else:
            parts.append(piece)
        if i < len(pieces) - 1 and "/".join(parts) in links:
            refuse(f"goes through the link {'/'.join(parts)!r} in the archive")
    return parts


def _check_on_disk(destination, relative, follow_last, refuse):
    """Refuses the path `relative` under `destination` when the files and links already on
    disk take it outside (its last component is not followed unless `follow_last`)."""
    path = os.path.join(destination, relative)
    if not follow_last:
        path = os.path.dirname(path.rstrip("/"))
    if not paths.is_within(path, destination):
        refuse(f"would be written outside {destination} through a link already there")


def _checked_tar_members(archive, tar, destination):
    """The members of `tar`, after refusing any that would write outside `destination`: absolute
    or climbing paths, links pointing outside, hard links to symbolic links, paths through a
    link of the archive, and device or FIFO files."""
    members = tar.getmembers()
    links = {posixpath.normpath(m.name) for m in members if m.issym() or m.islnk()}
    for member in members:
        def refuse(reason, name=member.name):
            raise _refusal(archive, name, reason)

        if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            refuse("is a device, FIFO or other special file")
        parts = _resolve([], member.name, links, refuse)
        if not parts and not member.isdir():
            refuse("names the extraction directory itself")
        _check_on_disk(destination, member.name, not member.issym(), refuse)
        if member.issym() or member.islnk():
            start = parts[:-1] if member.issym() else []
            target = _resolve(start, member.linkname, links,
                              lambda reason: refuse(f"links to {member.linkname!r}, which "
                                                    f"{reason}"))
            if member.islnk() and "/".join(target) in links:
                refuse(f"is a hard link to the link {member.linkname!r}")
            relative = member.linkname if member.islnk() else \
                posixpath.join(posixpath.dirname(member.name), member.linkname)
            _check_on_disk(destination, relative, True, refuse)
        member.mode &= 0o777  # no set-user-id, set-group-id or sticky bits
    return members


def _checked_zip_members(archive, zip_file, destination):
    """The members of `zip_file`, after refusing any with an absolute or '..' path (zipfile
    would silently rename those)."""
    members = zip_file.infolist()
    for member in members:
        def refuse(reason, name=member.filename):
            raise _refusal(archive, name, reason)

        name = member.filename.replace("\\", "/")
        if ".." in name.split("/"):
            refuse("climbs out of the extraction directory")
        _resolve([], name, (), refuse)  # refuses absolute names
        _check_on_disk(destination, name, True, refuse)
    return members


def _extract_tar(fpath, destination):
    with tarfile.open(fpath) as tar:
        members = _checked_tar_members(fpath, tar, destination)
        if hasattr(tarfile, "data_filter"):  # Python 3.12, 3.11.4+: the same rules, again
            tar.extractall(destination, members=members, filter="data")
        else:
            tar.extractall(destination, members=members)


def _extract_zip(fpath, destination):
    with zipfile.ZipFile(fpath) as zip_file:
        zip_file.extractall(destination, members=_checked_zip_members(fpath, zip_file,
                                                                      destination))


def extract_archive(fpath, directory, archive_format="auto"):
    """Extracts the tar or zip archive `fpath` into `directory`; False when it is neither (or
    not of `archive_format`: 'tar', 'zip' or 'auto')."""
    kinds = {"tar": [(tarfile.is_tarfile, _extract_tar)],
             "zip": [(zipfile.is_zipfile, _extract_zip)]}
    kinds["auto"] = kinds["tar"] + kinds["zip"]
    destination = os.path.realpath(directory)
    for matches, extract in kinds.get(archive_format, []):
        if matches(fpath):
            try:
                extract(fpath, destination)
            except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error) as e:
                raise errors.DataLossError(None, None, f"Cannot extract archive {fpath}: it is "
                                           f"truncated or corrupt ({e})") from None
            return True
    return False


def get_file(fname, origin, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None):
    """The local path of `fname`, downloading it from `origin` unless it is cached (and, when
    `file_hash` is given, its md5/sha256 digest matches; a mismatch downloads again, and a
    download that does not match is discarded with ValueError). With `extract` (or `untar`) a
    tar or zip archive is extracted beside it; a member that would land outside that directory
    is refused with InvalidArgumentError before anything is written."""
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    directory = _cache_directory(cache_dir, cache_subdir)
    fpath = os.path.join(directory, fname + ".tar.gz" if untar else fname)
    stale = os.path.exists(fpath) and file_hash is not None and not validate_file(
        fpath, file_hash, hash_algorithm)
    if not os.path.exists(fpath) or stale:
        _download(origin, fpath)
        if file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm):
            algorithm = _algorithm(file_hash, hash_algorithm)
            _remove(fpath)  # never left for a later call without a hash to pick up
            raise ValueError(f"Incomplete or corrupted file detected. The {algorithm} file hash "
                             f"does not match the provided value of {file_hash}. The download "
                             f"from {origin} was discarded.")
    if untar:
        untar_path = os.path.join(directory, fname)
        if not os.path.exists(untar_path):
            extract_archive(fpath, directory, "tar")
        return untar_path
    if extract:
        extract_archive(fpath, directory, archive_format)
    return fpath


# --- Sequence and the enqueuers that feed fit_generator -------------------------------------

class Sequence:
    """A data set of batches that knows its length: subclasses define `__getitem__(index)`
    (one batch) and `__len__` (batches per epoch); `on_epoch_end` runs after each epoch.

        class Batches(tf.keras.utils.Sequence):
            def __len__(self): return 10
            def __getitem__(self, i): return x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]
    """

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def on_epoch_end(self):
        """Called at the end of every epoch."""

    def __iter__(self):
        """The batches in order."""
        for item in (self[i] for i in range(len(self))):
            yield item


def _worker_note(use_multiprocessing):
    if use_multiprocessing:
        from tensorweave.platform import tf_logging as logging
        logging.warning("use_multiprocessing=True: tensorweave's enqueuers run their workers "
                        "as threads of this process.")


class SequenceEnqueuer:
    """Runs workers that fill a queue of batches ahead of training (threads of this process).

        enqueuer = OrderedEnqueuer(sequence)
        enqueuer.start(workers=2, max_queue_size=10)
        batches = enqueuer.get()       # a generator
        ...
        enqueuer.stop()
    """

    def __init__(self, sequence, use_multiprocessing=False):
        self.sequence = sequence
        self.use_multiprocessing = use_multiprocessing
        self.workers = 0
        self.queue = None
        self.stop_signal = None
        self.run_thread = None
        self.executor_fn = None
        _worker_note(use_multiprocessing)

    def is_running(self):
        return self.stop_signal is not None and not self.stop_signal.is_set()

    def start(self, workers=1, max_queue_size=10):
        """Starts `workers` threads that keep up to `max_queue_size` batches ready."""
        import queue
        import threading
        self.workers = max(1, workers)
        self.queue = queue.Queue(max_queue_size if max_queue_size > 0 else 0)
        self.stop_signal = threading.Event()
        self.run_thread = threading.Thread(target=self._run, daemon=True)
        self.run_thread.start()

    def _send(self, item):
        """Puts `item` on the queue unless stop() was called first; False once stopped."""
        import queue
        while not self.stop_signal.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def stop(self, timeout=None):
        """Stops the workers and waits up to `timeout` seconds for them."""
        if self.stop_signal is None:
            return
        self.stop_signal.set()
        if self.run_thread is not None:
            self.run_thread.join(timeout)
        self.run_thread = None

    def _run(self):
        raise NotImplementedError

    def get(self):
        """A generator of the queued batches."""
        raise NotImplementedError


_DONE = object()


class _Failure:
    def __init__(self, error):
        self.error = error


class OrderedEnqueuer(SequenceEnqueuer):
    """Feeds a `Sequence`'s batches in order (or shuffled per epoch with `shuffle`), epoch
    after epoch, calling its `on_epoch_end` between them."""

    def __init__(self, sequence, use_multiprocessing=False, shuffle=False):
        super().__init__(sequence, use_multiprocessing)
        self.shuffle = shuffle

    def _run(self):
        import concurrent.futures
        with concurrent.futures.ThreadPoolExecutor(self.workers) as pool:
            while not self.stop_signal.is_set():
                order = list(range(len(self.sequence)))
                if self.shuffle:
                    random.shuffle(order)
                futures = []
                for i in order:
                    futures.append(pool.submit(self.sequence.__getitem__, i))
                    if not self._send(futures[-1]):
                        return
                concurrent.futures.wait(futures)  # the epoch's batches exist before it ends
                if self.stop_signal.is_set():
                    return
                self.sequence.on_epoch_end()

    def get(self):
        import queue
        while self.is_running():
            try:
                future = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            self.queue.task_done()
            yield future.result()  # a worker's exception is raised here


class GeneratorEnqueuer(SequenceEnqueuer):
    """Feeds the items of a Python generator, drawn by worker threads (one at a time)."""

    def __init__(self, sequence, use_multiprocessing=False, wait_time=None, random_seed=None):
        super().__init__(sequence, use_multiprocessing)
        self.random_seed = random_seed
        self.wait_time = wait_time

    def _run(self):
        import threading
        lock = threading.Lock()

        def work():
            while not self.stop_signal.is_set():
                try:
                    with lock:
                        item = next(self.sequence)
                except StopIteration:
                    return
                except Exception as e:  # handed to the consumer
                    self._send(_Failure(e))
                    return
                if not self._send(item):
                    return

        threads = [threading.Thread(target=work, daemon=True) for _ in range(self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self._send(_DONE)  # after every worker has queued what it drew

    def get(self):
        import queue
        while self.is_running():
            try:
                item = self.queue.get(timeout=0.1)
            except queue.Empty:
                if self.run_thread is not None and not self.run_thread.is_alive() and \
                        self.queue.empty():
                    return
                continue
            if item is _DONE:
                self.stop_signal.set()
                return
            if isinstance(item, _Failure):
                self.stop_signal.set()
                raise item.error
            yield item
