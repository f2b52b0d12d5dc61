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


def glob_matches(pattern):
    """Sorted paths matching the glob `pattern`, named as TF's GetMatchingPaths names them: a
    wildcard pattern without a directory part is evaluated under "." ("*.txt" -> "./a.txt")."""
    import glob  # here: loading it costs every `import tensorweave`
    pattern = path_str(pattern)
    wildcard = next((i for i, c in enumerate(pattern) if c in "*?[\\"), None)
    if wildcard is not None and not os.path.dirname(pattern[:wildcard]):
        pattern = os.path.join(".", pattern)
    return sorted(glob.glob(pattern, include_hidden=True))
