"""File paths as users give them: str, bytes or os.PathLike (pathlib.Path)."""
import os


def path_str(path):
    """`path` as str: bytes are decoded as the file system encodes names, os.PathLike objects
    give their path; TypeError for anything else.

    >>> path_str(b"model.ckpt"), path_str(pathlib.Path("logs"))   # ('model.ckpt', 'logs')
    """
    return os.fsdecode(os.fspath(path))


def is_within(path, directory):
    """Whether `path`, with symbolic links resolved, lies inside `directory` (or is it)."""
    directory = os.path.realpath(path_str(directory))
    return os.path.commonpath([os.path.realpath(path_str(path)), directory]) == directory
