"""PySide6's import hook must not keep the source of every module imported after it."""

import csv
import subprocess
import sys
from pathlib import Path

import gui.palette
from gui.import_hook import mentions_pyside

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import linecache, sys
import {first}
import csv
print(sum(f.endswith("/csv.py") for f in linecache.cache))
"""


def cached_after(first: str) -> str:
    # A fresh interpreter: pytest-qt imported PySide6 in this one long ago.
    return subprocess.run([sys.executable, "-c", SCRIPT.format(first=first)], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout.strip()


def test_modules_imported_after_qt_leave_no_source_in_memory():
    assert cached_after("PySide6.QtCore") == "1"  # what the hook does unmended
    assert cached_after("gui") == "0"


def test_the_hook_still_learns_which_modules_mention_pyside():
    assert mentions_pyside(gui.palette) and not mentions_pyside(csv)
    assert not mentions_pyside(sys)  # built in: no source
