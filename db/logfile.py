"""The log file the window and every command write to: rotating, private, one per process.

Tracebacks go here and only here; what the user sees is one line (cli.common.user_message,
gui.errors).
"""

from __future__ import annotations

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
    return path
