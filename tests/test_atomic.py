"""Atomic writes give files the mode a plain open() would, and never leave a temp file behind."""

import os
import stat
import subprocess
import sys

import pytest

from resnet_studio.atomic import atomic_path, atomic_write_bytes, atomic_write_json


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077, 0o002])
def test_new_files_get_the_umask_mode_like_open(tmp_path, umask):
    code = (
        "import os, sys\n"
        f"os.umask({umask})\n"
        "from resnet_studio.atomic import atomic_write_text, atomic_path\n"
        "d = sys.argv[1]\n"
        "atomic_write_text(os.path.join(d, 'atomic.txt'), 'x')\n"
        "with atomic_path(os.path.join(d, 'path.bin')) as p:\n"
        "    p.write_bytes(b'x')\n"
        "open(os.path.join(d, 'plain.txt'), 'w').close()\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    plain = _mode(tmp_path / "plain.txt")
    assert plain == 0o666 & ~umask
    assert _mode(tmp_path / "atomic.txt") == plain
    assert _mode(tmp_path / "path.bin") == plain
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atomic.txt", "path.bin", "plain.txt"]


def test_a_rewrite_keeps_the_files_mode(tmp_path):
    f = tmp_path / "status.json"
    f.write_text("{}")
    os.chmod(f, 0o600)
    atomic_write_json(f, {"a": 1})
    assert _mode(f) == 0o600 and '"a": 1' in f.read_text()


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "a-folder"
    target.mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"data")
    with pytest.raises(OSError), atomic_path(target) as p:
        p.write_bytes(b"data")
    assert [p.name for p in tmp_path.iterdir()] == ["a-folder"]

    f = tmp_path / "kept.txt"
    f.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(f) as p:
        p.write_text("half")
        raise RuntimeError("the writer failed")
    assert f.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder", "kept.txt"]
