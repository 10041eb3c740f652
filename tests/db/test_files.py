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
