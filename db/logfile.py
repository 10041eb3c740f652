"""The log file the window and every command write to: rotating, private, one per process.

Tracebacks go here and only here; what the user sees is one line (cli.common.user_message,
gui.errors).
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from pathlib import Path

from db.files import private_folder, private_opener

LOG_ENV = "FLARESCOPE_LOG"


def log_path() -> Path:
    if os.environ.get(LOG_ENV):
        return Path(os.environ[LOG_ENV])
    from platformdirs import user_log_dir

    return Path(user_log_dir("Flarescope", appauthor=False)) / "flarescope.log"


class PrivateLogHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created readable by the user only."""

    def _open(self):
        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
                    opener=private_opener)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging API
        """A log that cannot be written (a full disk) is said once, in one line, and left
        alone: logging's own handler printed a traceback for every record, 1,729 lines
        for one `cases` on a new database (attacker review)."""
        import sys

        if getattr(self, "_failed", False):
            return
        self._failed = True
        reason = sys.exc_info()[1]
        why = getattr(reason, "strerror", None) or reason
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"flarescope: cannot write the log file {self.baseFilename} "
                             f"({why}); going on without it\n")
        logging.getLogger().removeHandler(self)


def log_to_file(path: Path | None = None) -> Path:
    """Send INFO and above to the log file (replacing an earlier one of this process).

    Raises OSError if the file cannot be opened; the caller decides whether that matters.
    """
    path = Path(path or log_path())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, PrivateLogHandler)]:
        if Path(old.baseFilename) == path.absolute():
            return path
        root.removeHandler(old)
        old.close()
    private_folder(path.parent)
    handler = PrivateLogHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    _log_crashes(path.with_name(CRASH_LOG))
    return path


CRASH_LOG = "crash.log"
_crash_file = None  # open for the life of the process: faulthandler writes to its fd


def _log_crashes(path: Path) -> None:
    """A crash of the interpreter itself (a segfault in Qt, an abort) leaves every
    thread's Python stack in crash.log beside the log: nothing else would say where it
    happened. A file of its own, never rotated: faulthandler writes to the descriptor it
    was given, and a rotated log's descriptor may be another file's by then. Whoever
    set faulthandler up already (python -X faulthandler, pytest) keeps theirs."""
    import faulthandler

    global _crash_file
    if faulthandler.is_enabled() and _crash_file is None:
        return
    if _crash_file is not None and Path(_crash_file.name) == path.absolute():
        return
    new = open(path.absolute(), "a", encoding="utf-8", opener=private_opener)  # noqa: SIM115
    faulthandler.enable(new, all_threads=True)
    if _crash_file is not None:
        _crash_file.close()
    _crash_file = new
