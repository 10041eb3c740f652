"""Output piped into `head`: the reader goes away after a few lines and the command ends
quietly, as a Unix tool stopped by SIGPIPE does (exit 141), without a traceback or a
"Broken pipe" line on the terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.backend import target

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("args", [["suggest", "--all"], ["suggest", "--all", "--json"],
                                  ["summary", "NLRP12-02"]])
def test_a_reader_gone_ends_the_command_quietly(demo_engine, args):
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db",
                             target(demo_engine), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # `head` read what it wanted and left
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() == 141
    assert err == ""
