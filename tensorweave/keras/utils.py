"""tf.keras.utils.get_file: download a file once and keep it under ~/.keras/datasets.

    path = tf.keras.utils.get_file("iris_training.csv",
                                   "http://download.tensorflow.org/data/iris_training.csv")
"""
import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile

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
    return hash_file(fpath, algorithm, chunk_size) == str(file_hash)


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


def _extract(fpath, directory, archive_format):
    kinds = {"tar": [tarfile.is_tarfile], "zip": [zipfile.is_zipfile]}
    kinds["auto"] = kinds["tar"] + kinds["zip"]
    for check in kinds.get(archive_format, []):
        if check(fpath):
            opener = tarfile.open if check is tarfile.is_tarfile else zipfile.ZipFile
            with opener(fpath) as archive:
                archive.extractall(directory)
            return True
    return False


def get_file(fname, origin, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None):
    """The local path of `fname`, downloading it from `origin` unless it is cached (and, when
    `file_hash` is given, its md5/sha256 digest matches; a mismatch downloads again)."""
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
            raise ValueError(f"Incomplete or corrupted file detected. The {algorithm} file hash "
                             f"does not match the provided value of {file_hash}.")
    if untar:
        untar_path = os.path.join(directory, fname)
        if not os.path.exists(untar_path):
            _extract(fpath, directory, "tar")
        return untar_path
    if extract:
        _extract(fpath, directory, archive_format)
    return fpath
