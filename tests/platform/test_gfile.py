"""tf.gfile on the local filesystem, with TF's error classes."""

import os

import pytest

from tensorweave.platform import gfile

errors = pytest.importorskip('tensorweave.core.errors')


def test_write_then_read_text(tmp_path):
    path = str(tmp_path / 'notes.txt')
    with gfile.GFile(path, 'w') as f:
        f.write('first\n')
        f.write(b'second\n')
    with gfile.GFile(path) as f:
        assert f.read() == 'first\nsecond\n'
    with gfile.Open(path, 'r') as f:
        assert f.readline() == 'first\n'
        assert f.readlines() == ['second\n']
        assert f.readline() == ''
    assert list(gfile.FastGFile(path)) == ['first\n', 'second\n']


def test_binary_mode_and_append(tmp_path):
    path = str(tmp_path / 'blob')
    with gfile.GFile(path, 'wb') as f:
        f.write(b'\x00\x01')
    with gfile.GFile(path, 'ab') as f:
        f.write(b'\x02')
    with gfile.GFile(path, 'rb') as f:
        assert f.read() == b'\x00\x01\x02'
        assert f.size() == 3
        f.seek(1)
        assert f.tell() == 1 and f.read(1) == b'\x01'
        f.seek(-1, 2)
        assert f.read() == b'\x02'


def test_unicode_text(tmp_path):
    path = str(tmp_path / 'unicode.txt')
    with gfile.GFile(path, 'w') as f:
        f.write('héllo ✓\n')
    with gfile.GFile(path, 'rb') as f:
        assert f.read() == 'héllo ✓\n'.encode('utf-8')
    with gfile.GFile(path, 'r') as f:
        assert f.read() == 'héllo ✓\n'


def test_missing_file_fails_at_first_read(tmp_path):
    f = gfile.GFile(str(tmp_path / 'missing'))
    with pytest.raises(errors.NotFoundError):
        f.read()


def test_write_mode_creates_nothing_until_written(tmp_path):
    path = tmp_path / 'lazy'
    with gfile.GFile(str(path), 'w'):
        pass
    assert not path.exists()


def test_wrong_direction_is_permission_denied(tmp_path):
    path = str(tmp_path / 'f')
    with gfile.GFile(path, 'w') as f:
        with pytest.raises(errors.PermissionDeniedError, match='reading'):
            f.read()
    with gfile.GFile(path, 'r') as f:
        with pytest.raises(errors.PermissionDeniedError, match='writing'):
            f.write('x')


def test_bad_mode_is_invalid_argument(tmp_path):
    with pytest.raises(errors.InvalidArgumentError):
        gfile.GFile(str(tmp_path / 'f'), 'x')


def test_directories(tmp_path):
    nested = str(tmp_path / 'a' / 'b' / 'c')
    gfile.MakeDirs(nested)
    gfile.MakeDirs(nested)
    assert gfile.IsDirectory(nested) and gfile.Exists(nested)
    with pytest.raises(errors.AlreadyExistsError):
        gfile.MkDir(nested)
    with pytest.raises(errors.NotFoundError):
        gfile.MkDir(str(tmp_path / 'no' / 'parent'))
    gfile.MkDir(str(tmp_path / 'a' / 'sibling'))
    assert gfile.ListDirectory(str(tmp_path / 'a')) == ['b', 'sibling']
    with pytest.raises(errors.NotFoundError):
        gfile.ListDirectory(str(tmp_path / 'nope'))


def test_remove_and_delete_recursively(tmp_path):
    (tmp_path / 'tree' / 'sub').mkdir(parents=True)
    (tmp_path / 'tree' / 'sub' / 'leaf').write_text('x')
    (tmp_path / 'file').write_text('x')
    gfile.Remove(str(tmp_path / 'file'))
    assert not gfile.Exists(str(tmp_path / 'file'))
    with pytest.raises(errors.NotFoundError):
        gfile.Remove(str(tmp_path / 'file'))
    gfile.DeleteRecursively(str(tmp_path / 'tree'))
    assert not (tmp_path / 'tree').exists()
    with pytest.raises(errors.NotFoundError):
        gfile.DeleteRecursively(str(tmp_path / 'tree'))


def test_copy_and_rename_respect_overwrite(tmp_path):
    source, target = tmp_path / 'source', tmp_path / 'target'
    source.write_text('new')
    target.write_text('old')
    with pytest.raises(errors.AlreadyExistsError):
        gfile.Copy(str(source), str(target))
    gfile.Copy(str(source), str(target), overwrite=True)
    assert target.read_text() == 'new'
    gfile.Copy(str(source), str(tmp_path / 'fresh'))
    assert (tmp_path / 'fresh').read_text() == 'new'
    with pytest.raises(errors.NotFoundError):
        gfile.Copy(str(tmp_path / 'missing'), str(tmp_path / 'x'))
    with pytest.raises(errors.AlreadyExistsError):
        gfile.Rename(str(source), str(target))
    gfile.Rename(str(source), str(target), overwrite=True)
    assert not source.exists() and target.read_text() == 'new'
    gfile.Rename(str(target), str(tmp_path / 'moved'))
    assert (tmp_path / 'moved').exists()


def test_glob(tmp_path):
    for name in ('a.txt', 'b.txt', 'c.log'):
        (tmp_path / name).write_text('x')
    txt = str(tmp_path / '*.txt')
    assert gfile.Glob(txt) == [str(tmp_path / 'a.txt'), str(tmp_path / 'b.txt')]
    assert len(gfile.Glob([txt, str(tmp_path / '*.log')])) == 3
    assert gfile.Glob(str(tmp_path / '*.none')) == []


def test_glob_names_matches_of_a_bare_wildcard_under_dot(tmp_path, monkeypatch):
    # TF's GetMatchingPaths evaluates a pattern without a directory part under "."
    (tmp_path / 'sub').mkdir()
    for name in ('a.txt', 'b.txt', 'sub/c.txt'):
        (tmp_path / name).write_text('x')
    monkeypatch.chdir(tmp_path)
    assert gfile.Glob('*.txt') == ['./a.txt', './b.txt']
    assert gfile.Glob(['b*', 'sub/c*']) == ['./b.txt', 'sub/c.txt']
    assert gfile.Glob('./*.txt') == ['./a.txt', './b.txt']
    assert gfile.Glob('a.txt') == ['a.txt']  # no wildcard: the name as given


def test_walk_orders_and_pruning(tmp_path):
    (tmp_path / 'a' / 'deep').mkdir(parents=True)
    (tmp_path / 'b').mkdir()
    (tmp_path / 'top.txt').write_text('x')
    (tmp_path / 'a' / 'inner.txt').write_text('x')
    top = str(tmp_path)
    walked = list(gfile.Walk(top))
    assert walked[0] == (top, ['a', 'b'], ['top.txt'])
    assert [entry[0] for entry in walked] == [top, os.path.join(top, 'a'),
                                              os.path.join(top, 'a', 'deep'),
                                              os.path.join(top, 'b')]
    bottom_up = [entry[0] for entry in gfile.Walk(top, in_order=False)]
    assert bottom_up[-1] == top and bottom_up[0] == os.path.join(top, 'a', 'deep')
    pruned = []
    for dirname, subdirs, _ in gfile.Walk(top):
        pruned.append(dirname)
        if 'a' in subdirs:
            subdirs.remove('a')
    assert pruned == [top, os.path.join(top, 'b')]
    assert list(gfile.Walk(str(tmp_path / 'missing'))) == []


def test_stat(tmp_path):
    path = tmp_path / 'data'
    path.write_bytes(b'12345')
    stat = gfile.Stat(str(path))
    assert stat.length == 5 and not stat.is_directory
    assert stat.mtime_nsec == os.stat(path).st_mtime_ns
    assert gfile.Stat(str(tmp_path)).is_directory
    with pytest.raises(errors.NotFoundError) as caught:
        gfile.Stat(str(tmp_path / 'missing'))
    assert isinstance(caught.value, errors.OpError)
    assert caught.value.error_code == errors.NOT_FOUND
    assert 'missing' in caught.value.message


@pytest.mark.parametrize('as_path', [os.fsencode, __import__('pathlib').Path],
                         ids=['bytes', 'pathlib'])
def test_paths_as_bytes_or_path_like(tmp_path, as_path):
    root = str(tmp_path)
    name = os.path.join(root, 'd', 'f.txt')
    gfile.MakeDirs(as_path(os.path.dirname(name)))
    with gfile.GFile(as_path(name), 'w') as f:
        f.write('hi')
    assert gfile.Exists(as_path(name)) and gfile.IsDirectory(as_path(root))
    assert gfile.Stat(as_path(name)).length == 2
    assert gfile.ListDirectory(as_path(root)) == ['d']
    assert gfile.Glob(as_path(os.path.join(root, 'd', '*.txt'))) == [name]
    gfile.Copy(as_path(name), as_path(name + '.copy'))
    gfile.Rename(as_path(name + '.copy'), as_path(name + '.moved'))
    assert [top for top, _, _ in gfile.Walk(as_path(root))] == [root, os.path.join(root, 'd')]
    gfile.Remove(as_path(name + '.moved'))
    gfile.MkDir(as_path(os.path.join(root, 'e')))
    gfile.DeleteRecursively(as_path(os.path.join(root, 'e')))
    assert sorted(os.listdir(os.path.join(root, 'd'))) == ['f.txt']
