"""A log file that cannot be written (a full disk) costs one line on stderr, not a
traceback per record (attacker review: 1,729 lines for one `cases` on a new database)."""

from __future__ import annotations

import errno
import logging

from db.logfile import PrivateLogHandler


class _Full:
    def write(self, _text):
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        pass

    def tell(self):
        return 0

    def seek(self, *_):
        return 0

    def close(self):
        pass


def test_a_full_disk_under_the_log_is_said_once_and_the_handler_goes(tmp_path, capsys):
    handler = PrivateLogHandler(tmp_path / "log.txt", maxBytes=1000, backupCount=1, delay=True)
    handler.stream = _Full()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        for i in range(30):
            logging.getLogger("alembic.runtime.migration").warning("step %d", i)
    finally:
        root.removeHandler(handler)
    err = capsys.readouterr().err
    assert err == (f"flarescope: cannot write the log file {tmp_path / 'log.txt'} "
                   "(No space left on device); going on without it\n")
    assert handler not in root.handlers
