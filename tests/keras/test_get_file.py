"""tf.keras.utils.get_file: downloads checked against their hash, archives extracted only
inside the cache directory (a member that would land outside is refused before anything is
written). Downloads come from file:// URLs, so no network is needed."""
import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

import tensorweave as tf

get_file = tf.keras.utils.get_file


@pytest.fixture
def dirs(tmp_path):
    """(cache_dir, the datasets directory inside it, a directory outside it holding one file)"""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me")
    cache = tmp_path / "cache"
    datasets = cache / "datasets"
    datasets.mkdir(parents=True)
    return cache, datasets, outside


def snapshot(directory):
    return sorted((str(p.relative_to(directory)), p.is_symlink()) for p in directory.rglob("*"))


# --- building archives ---------------------------------------------------------------------
def file_member(name, data=b"evil"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def link_member(name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


def special_member(name, kind):
    info = tarfile.TarInfo(name)
    info.type = kind
    return info, None


def write_tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def write_zip(path, names):
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(zipfile.ZipInfo(name), b"evil")
    return path


def malicious_tars(outside):
    rel = "../../outside"  # from cache/datasets
    return {
        "dot-dot": [file_member(f"{rel}/evil.txt")],
        "dot-dot inside a path": [file_member("a/../../../outside/evil.txt")],
        "absolute": [file_member(str(outside / "evil.txt"))],
        "symlink out, then a file through it": [link_member("link", rel),
                                                file_member("link/evil.txt")],
        "absolute symlink": [link_member("link", str(outside))],
        "symlink out, alone": [link_member("link", f"{rel}/precious.txt")],
        "file through a link defined later": [file_member("later/evil.txt"),
                                              link_member("later", "sub")],
        "link chain out": [link_member("t", "."), link_member("s", "t/.."),
                           file_member("s/outside/evil.txt")],
        "hard link out": [link_member("h", f"{rel}/precious.txt", tarfile.LNKTYPE)],
        "hard link to a symlink": [file_member("d/e/f/x", b"x"),
                                   link_member("d/e/f/s", "../../../x"),
                                   link_member("h", "d/e/f/s", tarfile.LNKTYPE)],
        "character device": [special_member("dev", tarfile.CHRTYPE)],
        "block device": [special_member("dev", tarfile.BLKTYPE)],
        "fifo": [special_member("fifo", tarfile.FIFOTYPE)],
    }


# --- refusing -------------------------------------------------------------------------------
@pytest.mark.parametrize("case", list(malicious_tars(Path("/x"))))
@pytest.mark.parametrize("how", ["extract", "untar"])
def test_malicious_tar_members_are_refused(dirs, tmp_path, case, how):
    cache, datasets, outside = dirs
    members = malicious_tars(outside)[case]
    source = write_tar(tmp_path / "source.tar.gz", members)
    before = snapshot(outside)
    kwargs = dict(extract=True) if how == "extract" else dict(untar=True)
    fname = "data.tar.gz" if how == "extract" else "data"
    with pytest.raises(tf.errors.InvalidArgumentError, match="Refusing to extract archive") \
            as info:
        get_file(fname, source.as_uri(), cache_dir=str(cache), **kwargs)
    message = str(info.value)
    assert "data.tar.gz" in message
    assert any(repr(m.name) in message for m, _ in members), message
    assert snapshot(outside) == before
    assert (outside / "precious.txt").read_text() == "keep me"
    assert snapshot(datasets) == [("data.tar.gz", False)]  # nothing extracted at all


@pytest.mark.parametrize("name", ["../../outside/evil.txt", "/outside/evil.txt",
                                  "a/../../../outside/evil.txt", "..\\..\\outside\\evil.txt"])
def test_malicious_zip_members_are_refused(dirs, tmp_path, name):
    cache, datasets, outside = dirs
    source = write_zip(tmp_path / "source.zip", ["fine.txt", name])
    before = snapshot(outside)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"source\.zip|data\.zip") as info:
        get_file("data.zip", source.as_uri(), cache_dir=str(cache), extract=True)
    assert repr(name) in str(info.value)
    assert snapshot(outside) == before
    assert snapshot(datasets) == [("data.zip", False)]
    assert not (tmp_path / "evil.txt").exists() and not (cache / "evil.txt").exists()


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_links_already_in_the_cache_directory_are_not_followed_out(dirs, tmp_path, kind):
    cache, datasets, outside = dirs
    os.symlink(outside, datasets / "planted")
    if kind == "tar":
        source = write_tar(tmp_path / "source.tar.gz", [file_member("planted/evil.txt")])
    else:
        source = write_zip(tmp_path / "source.zip", ["planted/evil.txt"])
    with pytest.raises(tf.errors.InvalidArgumentError, match="planted/evil.txt"):
        get_file(f"data.{kind}", source.as_uri(), cache_dir=str(cache), extract=True)
    assert not (outside / "evil.txt").exists()


def test_a_corrupt_archive_is_data_loss(dirs, tmp_path):
    cache, _, _ = dirs
    source = write_tar(tmp_path / "source.tar.gz", [file_member("a.txt", b"x" * 100000)])
    data = source.read_bytes()
    source.write_bytes(data[:len(data) // 2])
    with pytest.raises(tf.errors.DataLossError, match="data.tar.gz"):
        get_file("data.tar.gz", source.as_uri(), cache_dir=str(cache), extract=True)


# --- what still works -------------------------------------------------------------------------
def test_ordinary_archives_extract(dirs, tmp_path):
    cache, datasets, _ = dirs
    source = write_tar(tmp_path / "source.tar.gz", [
        special_member("./", tarfile.DIRTYPE), special_member("pkg", tarfile.DIRTYPE),
        file_member("pkg/data.txt", b"rows"), file_member("./pkg/lib.so.1", b"lib"),
        link_member("pkg/lib.so", "lib.so.1"), link_member("pkg/up", "../pkg/data.txt"),
        link_member("pkg/copy.txt", "pkg/data.txt", tarfile.LNKTYPE)])
    path = get_file("data.tar.gz", source.as_uri(), cache_dir=str(cache), extract=True)
    assert path == str(datasets / "data.tar.gz")
    assert (datasets / "pkg" / "lib.so").read_bytes() == b"lib"
    assert (datasets / "pkg" / "up").read_bytes() == b"rows"
    assert (datasets / "pkg" / "copy.txt").read_bytes() == b"rows"
    zipped = write_zip(tmp_path / "source.zip", ["z/one.txt", "two.txt"])
    get_file("data.zip", zipped.as_uri(), cache_dir=str(cache), extract=True)
    assert (datasets / "z" / "one.txt").read_bytes() == b"evil"
    untarred = get_file("pkg", source.as_uri(), cache_dir=str(cache), untar=True)
    assert untarred == str(datasets / "pkg")


# --- hashes ---------------------------------------------------------------------------------
def test_downloads_are_checked_against_their_hash(dirs, tmp_path):
    cache, datasets, _ = dirs
    source = tmp_path / "file.csv"
    source.write_bytes(b"1,2,3\n")
    sha256 = hashlib.sha256(b"1,2,3\n").hexdigest()
    md5 = hashlib.md5(b"1,2,3\n").hexdigest()
    with pytest.raises(ValueError, match="file hash does not match.*discarded"):
        get_file("file.csv", source.as_uri(), cache_dir=str(cache), file_hash="0" * 64)
    assert not (datasets / "file.csv").exists()
    with pytest.raises(ValueError, match="md5"):
        get_file("file.csv", source.as_uri(), cache_dir=str(cache), md5_hash="0" * 32)
    assert not (datasets / "file.csv").exists()
    path = get_file("file.csv", source.as_uri(), cache_dir=str(cache), file_hash=sha256.upper())
    assert open(path, "rb").read() == b"1,2,3\n"
    # a cached copy that no longer matches is downloaded again
    (datasets / "file.csv").write_bytes(b"tampered")
    get_file("file.csv", source.as_uri(), cache_dir=str(cache), md5_hash=md5)
    assert (datasets / "file.csv").read_bytes() == b"1,2,3\n"


def test_refusals_do_not_depend_on_tarfiles_filters(dirs, tmp_path, monkeypatch):
    """Python before 3.11.4 has no extraction filters: the checks are tensorweave's own."""
    cache, datasets, outside = dirs
    monkeypatch.delattr(tarfile, "data_filter", raising=False)
    source = write_tar(tmp_path / "source.tar.gz", [link_member("link", "../../outside"),
                                                    file_member("link/evil.txt")])
    with pytest.raises(tf.errors.InvalidArgumentError, match="link"):
        get_file("data.tar.gz", source.as_uri(), cache_dir=str(cache), extract=True)
    assert not (outside / "evil.txt").exists()
    good = write_tar(tmp_path / "good.tar.gz", [file_member("ok/a.txt", b"a")])
    get_file("good.tar.gz", good.as_uri(), cache_dir=str(cache), extract=True)
    assert (datasets / "ok" / "a.txt").read_bytes() == b"a"
