"""tf.io.gfile: TensorFlow's file API with its TF 2 names (the same files as tf.gfile).

    with tf.io.gfile.GFile("/tmp/notes.txt", "w") as f:
        f.write("hello")
    tf.io.gfile.exists("/tmp/notes.txt")  # True
"""
import os

from tensorweave.lib.paths import path_str
from tensorweave.platform import gfile as _gfile

GFile = _gfile.GFile


def copy(src, dst, overwrite=False):
    """Copies a file; AlreadyExistsError if `dst` exists and not `overwrite`."""
    _gfile.Copy(src, dst, overwrite)


def exists(path):
    """True when `path` names an existing file or directory."""
    return _gfile.Exists(path)


def glob(pattern):
    """Paths matching a glob pattern (or any of a list of patterns)."""
    return _gfile.Glob(pattern)


def isdir(path):
    """True when `path` is a directory."""
    return _gfile.IsDirectory(path)


def join(path, *paths):
    """Joins path components as os.path.join does (URL-style paths keep their scheme)."""
    return os.path.join(path_str(path), *[path_str(p) for p in paths])


def listdir(path):
    """Names of the entries of directory `path` (NotFoundError if it is not one)."""
    return _gfile.ListDirectory(path)


def makedirs(path):
    """Creates `path` and any missing parents."""
    _gfile.MakeDirs(path)


def mkdir(path):
    """Creates one directory (its parent must exist)."""
    _gfile.MkDir(path)


def remove(path):
    """Deletes one file."""
    _gfile.Remove(path)


def rename(src, dst, overwrite=False):
    """Moves a file or directory; AlreadyExistsError if `dst` exists and not `overwrite`."""
    _gfile.Rename(src, dst, overwrite)


def rmtree(path):
    """Deletes a directory tree."""
    _gfile.DeleteRecursively(path)


def stat(path):
    """FileStatistics(length, mtime_nsec, is_directory) of `path`."""
    return _gfile.Stat(path)


def walk(top, topdown=True, onerror=None):
    """Yields (dirname, subdirectory names, file names) under `top`, parents first when
    `topdown`; a directory that cannot be listed is passed to `onerror` (if given) and
    skipped."""
    try:
        names = listdir(top)
    except Exception as error:  # noqa: BLE001 - TF hands any listing error to onerror
        if onerror is not None:
            onerror(error)
        return
    top = path_str(top)
    subdirs = [n for n in names if isdir(os.path.join(top, n))]
    files = [n for n in names if n not in subdirs]
    if topdown:
        yield top, subdirs, files
    for subdir in subdirs:
        yield from walk(os.path.join(top, subdir), topdown, onerror)
    if not topdown:
        yield top, subdirs, files


def get_registered_schemes():
    """The file system schemes this process reads: local files only."""
    return ["", "file"]
