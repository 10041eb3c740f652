"""Quitting the application exits cleanly: a pyqtgraph widget alive at interpreter exit
segfaults (exit code 139), which would lose nothing but would alarm a clinician."""

import os
import pwd
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import sys
    from PySide6 import QtCore, QtWidgets
    import main

    def quit_when_open():
        windows = [w for w in QtWidgets.QApplication.topLevelWidgets()
                   if w.inherits("QMainWindow")]
        if windows and windows[0].case is not None:
            windows[0].timeline.set_track_visible("temperature", False)  # new plots
            windows[0].actions["quit"].trigger()
        else:
            QtCore.QTimer.singleShot(100, quit_when_open)

    app = QtWidgets.QApplication(sys.argv[:1])
    QtCore.QTimer.singleShot(100, quit_when_open)
    sys.exit(main.main(["--db", sys.argv[1], "--case", "NLRP12-01"]))
""")


def test_quit_after_opening_a_case_exits_with_zero_and_leaves_home_empty(tmp_path,
                                                                         _demo_template):
    # The session remembers the last case, geometry and tracks on quit: with the test
    # fixtures' environment that must land in the test's own folders, not the user's.
    home = Path(os.environ["HOME"])
    assert home != Path(pwd.getpwuid(os.getuid()).pw_dir) and not any(home.iterdir())
    shutil.copy(_demo_template, tmp_path / "exit.db")  # a chosen --db starts empty
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "exit.db")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not any(home.iterdir())
    config = Path(os.environ["XDG_CONFIG_HOME"])
    assert config.parent == home.parent
    assert [p.name for p in config.rglob("*.conf")] == ["Flarescope.conf"]


def test_a_window_on_a_file_that_is_not_a_database_says_so_and_exits(tmp_path):
    """Offscreen nobody can close a message box: the error box hung, printing nothing."""
    bad = tmp_path / "notes.db"
    bad.write_text("not a database")
    result = subprocess.run([sys.executable, "main.py", "--db", str(bad)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "Traceback" not in result.stderr
    assert bad.read_text() == "not a database"
