"""A write that fails says so, names the user's file, and leaves the old one as it was."""

from __future__ import annotations

import errno
import os

import pytest

from db.files import WriteError, replacing, replacing_file


def _no_space(*_args):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("failing", ["fsync", "write"])
def test_a_full_disk_keeps_the_old_file_and_names_the_users_file(tmp_path, monkeypatch,
                                                                  failing):
    target = tmp_path / "summary.pdf"
    target.write_bytes(b"%PDF the good one")
    if failing == "fsync":
        monkeypatch.setattr(os, "fsync", _no_space)
    with pytest.raises(WriteError) as caught, replacing_file(target, "wb") as f:
        f.write(b"%PDF the new one")
        if failing == "write":
            _no_space()
    message = str(caught.value)
    assert message.startswith(f"{target}: not written (No space left on device)")
    assert ".part" not in message and "\n" not in message
    assert target.read_bytes() == b"%PDF the good one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.pdf"]


def test_a_complete_write_replaces_the_file(tmp_path):
    target = tmp_path / "log.csv"
    target.write_text("old\n")
    with replacing_file(target, "w", encoding="utf-8", newline="") as f:
        f.write("new\n")
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]


def test_a_missing_folder_is_one_line_naming_the_file(tmp_path):
    with pytest.raises(WriteError, match="nowhere/x.pdf: not written"), \
            replacing(tmp_path / "nowhere" / "x.pdf"):
        pass


@pytest.mark.parametrize("kind", ["device", "fifo", "link"])
def test_only_a_regular_file_is_replaced(tmp_path, kind):
    # As root, "export -o /dev/full" replaced the device node with a PDF; a link was
    # replaced by a file, leaving its target stale.
    target = tmp_path / "out.pdf"
    if kind == "device":
        target = tmp_path / "null"
        os.mknod(target, 0o666 | __import__("stat").S_IFCHR, os.makedev(1, 3)) \
            if os.geteuid() == 0 else pytest.skip("making a device node needs root")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        (tmp_path / "real.pdf").write_bytes(b"%PDF old")
        target.symlink_to(tmp_path / "real.pdf")
    before = os.lstat(target)
    with pytest.raises(WriteError) as caught, replacing_file(target, "wb") as f:
        f.write(b"%PDF new")
    assert str(caught.value).startswith(f"{target}: not written (")
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    if kind == "link":
        assert (tmp_path / "real.pdf").read_bytes() == b"%PDF old"
