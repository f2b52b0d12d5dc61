"""tf.resource_loader: files that ship beside a program's modules."""
import inspect
import os

from tensorweave.platform import gfile


def _caller_dir(depth=2):
    frame = inspect.stack()[depth]
    return os.path.dirname(os.path.abspath(frame.filename))


def get_data_files_path():
    """The directory of the module that calls this."""
    return _caller_dir()


def get_root_dir_with_all_resources():
    """The directory data files are found under: the caller's directory."""
    return _caller_dir()


def get_path_to_datafile(path):
    """`path` (relative to the calling module's directory) as a full path."""
    return os.path.join(_caller_dir(), path)


def load_resource(path):
    """The bytes of the data file `path`, relative to the calling module's directory."""
    with gfile.GFile(os.path.join(_caller_dir(), path), "rb") as f:
        return f.read()


def readahead_file_path(path, readahead="128M"):
    """`path` itself: local files need no read-ahead prefix."""
    return path
