"""TF1's `tf.gfile` on the local filesystem; failures raise `tw.errors` classes as in TF.

    with tf.gfile.GFile('/tmp/notes.txt', 'w') as f:
        f.write('hello\\n')
    tf.gfile.Exists('/tmp/notes.txt')          # True
    tf.gfile.Remove('/tmp/missing')            # raises tf.errors.NotFoundError
"""

import collections
import contextlib
import errno
import os
import shutil

from tensorweave.lib.paths import glob_matches, path_str

_ERROR_CLASS_BY_ERRNO = {
    errno.ENOENT: 'NotFoundError',
    errno.ENODEV: 'NotFoundError',
    errno.ENXIO: 'NotFoundError',
    errno.EEXIST: 'AlreadyExistsError',
    errno.EPERM: 'PermissionDeniedError',
    errno.EACCES: 'PermissionDeniedError',
    errno.EROFS: 'PermissionDeniedError',
    errno.ENOTEMPTY: 'FailedPreconditionError',
    errno.EISDIR: 'FailedPreconditionError',
    errno.ENOTDIR: 'FailedPreconditionError',
    errno.EBUSY: 'FailedPreconditionError',
    errno.EINVAL: 'InvalidArgumentError',
    errno.ENAMETOOLONG: 'InvalidArgumentError',
    errno.ENOSPC: 'ResourceExhaustedError',
    errno.EDQUOT: 'ResourceExhaustedError',
    errno.EMFILE: 'ResourceExhaustedError',
    errno.ENFILE: 'ResourceExhaustedError',
    errno.ENOMEM: 'ResourceExhaustedError',
    errno.EFBIG: 'OutOfRangeError',
    errno.EXDEV: 'UnimplementedError',
}


def _error(class_name, message):
    """A `tensorweave.core.errors` exception (imported late: this floor sits below it)."""
    from tensorweave.core import errors
    return getattr(errors, class_name)(None, None, message)


@contextlib.contextmanager
def _os_errors_as_tf_errors():
    """Re-raises an OSError as the matching TF error, worded 'path; reason' like TF's."""
    try:
        yield
    except OSError as failure:
        class_name = _ERROR_CLASS_BY_ERRNO.get(failure.errno, 'UnknownError')
        path = failure.filename if failure.filename is not None else ''
        raise _error(class_name, '%s; %s' % (path, failure.strerror or failure)) from failure


# ---------------------------------------------------------------------------------------------
# Files

_PYTHON_MODES = {'r': 'rb', 'w': 'wb', 'a': 'ab', 'r+': 'r+b', 'w+': 'w+b', 'a+': 'a+b'}
_READ_MODES = ('r', 'r+', 'w+', 'a+')
_WRITE_MODES = ('w', 'a', 'r+', 'w+', 'a+')


def _as_bytes(content):
    if isinstance(content, str):
        return content.encode('utf-8')
    if isinstance(content, (bytes, bytearray, memoryview)):
        return bytes(content)
    raise TypeError('Expected bytes or str to write, got %r' % (content,))


class GFile:
    """A file opened lazily on first read or write; 'b' in `mode` reads bytes, else str.

    Modes are 'r', 'w', 'a', 'r+', 'w+', 'a+', each optionally with 'b'. Opening a missing file
    for reading raises NotFoundError at the first read, as in TF.
    """

    def __init__(self, name, mode='r'):
        base_mode = mode.replace('b', '')
        if base_mode not in _PYTHON_MODES:
            raise _error('InvalidArgumentError',
                         "mode is not 'r' or 'w' or 'a' or 'r+' or 'w+' or 'a+'")
        self._name = path_str(name)
        self._mode = mode
        self._base_mode = base_mode
        self._binary = 'b' in mode
        self._handle = None

    @property
    def name(self):
        return self._name

    @property
    def mode(self):
        return self._mode

    def _opened(self):
        if self._handle is None:
            with _os_errors_as_tf_errors():
                self._handle = open(self._name, _PYTHON_MODES[self._base_mode])
        return self._handle

    def _opened_for(self, purpose, allowed_modes):
        if self._base_mode not in allowed_modes:
            raise _error('PermissionDeniedError', "File isn't open for %s" % purpose)
        return self._opened()

    def _as_text(self, data):
        return data if self._binary else data.decode('utf-8')

    def read(self, n=-1):
        """The next `n` bytes (all that is left when n is -1), as bytes or str."""
        handle = self._opened_for('reading', _READ_MODES)
        with _os_errors_as_tf_errors():
            return self._as_text(handle.read(n))

    def readline(self):
        """The next line with its '\\n'; empty at the end of the file."""
        handle = self._opened_for('reading', _READ_MODES)
        with _os_errors_as_tf_errors():
            return self._as_text(handle.readline())

    def readlines(self):
        return list(self)

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def write(self, file_content):
        """Appends `file_content` (str or bytes) at the current position."""
        handle = self._opened_for('writing', _WRITE_MODES)
        with _os_errors_as_tf_errors():
            handle.write(_as_bytes(file_content))

    def seek(self, offset=None, whence=0, position=None):
        """Moves to `offset` from the start (whence 0), the current position (1) or the end (2)."""
        if (offset is None) == (position is None):
            raise TypeError('seek() needs exactly one of offset and position')
        if whence not in (0, 1, 2):
            raise _error('InvalidArgumentError',
                         'Invalid whence argument: %r. Valid values are 0, 1, or 2.' % (whence,))
        with _os_errors_as_tf_errors():
            self._opened().seek(offset if position is None else position, whence)

    def tell(self):
        with _os_errors_as_tf_errors():
            return self._opened().tell()

    def size(self):
        self.flush()
        return Stat(self._name).length

    def seekable(self):
        return True

    def flush(self):
        if self._handle is not None:
            with _os_errors_as_tf_errors():
                self._handle.flush()

    def close(self):
        """Flushes and closes; a later read or write opens the file again, as in TF."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            with _os_errors_as_tf_errors():
                handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


FastGFile = GFile
Open = GFile


# ---------------------------------------------------------------------------------------------
# Paths and directories

FileStatistics = collections.namedtuple('FileStatistics', ['length', 'mtime_nsec', 'is_directory'])


def Exists(filename):  # pylint: disable=invalid-name
    """True when `filename` names an existing file or directory."""
    return os.path.exists(path_str(filename))


def IsDirectory(dirname):  # pylint: disable=invalid-name
    return os.path.isdir(path_str(dirname))


def Stat(filename):  # pylint: disable=invalid-name
    """FileStatistics(length, mtime_nsec, is_directory) of `filename`."""
    filename = path_str(filename)
    with _os_errors_as_tf_errors():
        status = os.stat(filename)
    return FileStatistics(length=status.st_size, mtime_nsec=status.st_mtime_ns,
                          is_directory=os.path.isdir(filename))


def MkDir(dirname):  # pylint: disable=invalid-name
    """Creates one directory; its parent must exist and it must not."""
    with _os_errors_as_tf_errors():
        os.mkdir(path_str(dirname))


def MakeDirs(dirname):  # pylint: disable=invalid-name
    """Creates `dirname` and any missing parents; succeeds if it already exists."""
    with _os_errors_as_tf_errors():
        os.makedirs(path_str(dirname), exist_ok=True)


def Remove(filename):  # pylint: disable=invalid-name
    """Deletes one file (NotFoundError if missing)."""
    with _os_errors_as_tf_errors():
        os.remove(path_str(filename))


def DeleteRecursively(dirname):  # pylint: disable=invalid-name
    """Deletes a directory tree, or a single file (NotFoundError if missing)."""
    dirname = path_str(dirname)
    with _os_errors_as_tf_errors():
        if os.path.isdir(dirname) and not os.path.islink(dirname):
            shutil.rmtree(dirname)
        else:
            os.remove(dirname)


def _refuse_existing(path, overwrite):
    if not overwrite and os.path.exists(path):
        raise _error('AlreadyExistsError', '%s; File already exists' % (path,))


def Copy(oldpath, newpath, overwrite=False):  # pylint: disable=invalid-name
    """Copies a file's contents; AlreadyExistsError if `newpath` exists and not `overwrite`."""
    oldpath, newpath = path_str(oldpath), path_str(newpath)
    _refuse_existing(newpath, overwrite)
    with _os_errors_as_tf_errors():
        shutil.copyfile(oldpath, newpath)


def Rename(oldname, newname, overwrite=False):  # pylint: disable=invalid-name
    """Moves a file or directory; AlreadyExistsError if `newname` exists and not `overwrite`."""
    oldname, newname = path_str(oldname), path_str(newname)
    _refuse_existing(newname, overwrite)
    with _os_errors_as_tf_errors():
        os.replace(oldname, newname)


def ListDirectory(dirname):  # pylint: disable=invalid-name
    """Names of the entries in `dirname` (sorted, without '.' and '..')."""
    dirname = path_str(dirname)
    if not os.path.isdir(dirname):
        raise _error('NotFoundError', 'Could not find directory %s' % (dirname,))
    with _os_errors_as_tf_errors():
        return sorted(os.listdir(dirname))


def Glob(filename):  # pylint: disable=invalid-name
    """Paths matching a glob pattern, or any of a list of patterns."""
    patterns = [filename] if isinstance(filename, (str, bytes, os.PathLike)) else filename
    return [match for pattern in patterns
            for match in glob_matches(pattern)]


def Walk(top, in_order=True):  # pylint: disable=invalid-name
    """Yields (dirname, subdirectory names, file names) under `top`, parents first when
    `in_order` else children first; yields nothing when `top` is not a directory. Removing
    names from the subdirectory list while walking parents first prunes the walk."""
    top = path_str(top)
    if not os.path.isdir(top):
        return
    subdirs, files = [], []
    for name in ListDirectory(top):
        if os.path.isdir(os.path.join(top, name)):
            subdirs.append(name)
        else:
            files.append(name)
    here = (top, subdirs, files)
    if in_order:
        yield here
    for subdir in subdirs:
        yield from Walk(os.path.join(top, subdir), in_order)
    if not in_order:
        yield here
