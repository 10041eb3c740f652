"""Turning a plain SQLite file into an encrypted one and back (`db encrypt`, `db decrypt`).

The converted copy is written beside the file (a hidden ``.part``, 0600), read back and
compared with the original, and only then renamed over it. Until that rename the original
is untouched: a full disk, a wrong key or a crash leaves it as it was, and the ``.part``
is removed.

The original is held in SQLite's EXCLUSIVE locking mode throughout: another process that
has it open makes the first read fail as busy (so nobody keeps writing into a file about to
be replaced), and nobody can open it until the copy has taken its place.
"""

from __future__ import annotations

import glob
import logging
import os
import tempfile
from pathlib import Path

from db.cipher import EncryptionError, Secret, driver, forget_typed, is_encrypted, set_key
from db.errors import is_busy, is_full, one_line
from db.files import PRIVATE_FILE, sync_folder

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 5.0


def encrypt(path: Path, secret: Secret) -> None:
    """Replace the plain file at path by an encrypted copy opened by secret."""
    if is_encrypted(path):
        raise EncryptionError(f"{path} is encrypted already; nothing was changed")
    _convert(path, None, secret.pragma_value(None), "encrypted")


def decrypt(path: Path, secret: Secret) -> None:
    """Replace the encrypted file at path by a plain copy."""
    if not is_encrypted(path):
        raise EncryptionError(f"{path} is not encrypted; nothing was changed")
    _convert(path, secret.pragma_value(path), "", "decrypted")


def _remove_leftovers(path: Path, keep: Path) -> None:
    """Copies a killed conversion left (a decrypted one holds patients' names in clear).
    Called with the file held exclusively, so no other conversion is writing one."""
    stem = glob.escape(f".{path.name}.")
    for pattern in (f"{stem}*.part", f"{stem}*.part-journal"):
        for leftover in path.parent.glob(pattern):
            if leftover != keep:
                leftover.unlink(missing_ok=True)
                log.info("removed %s, left by an interrupted conversion", leftover)


def _convert(path: Path, source_key: str | None, target_key: str, done: str) -> None:
    if not path.is_file():
        raise EncryptionError(f"{path}: no such database file")
    dbapi = driver()
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise EncryptionError(f"{path}: not {done} ({exc.strerror}); the file is "
                              "unchanged") from exc
    os.close(fd)
    part = Path(name)
    conn = dbapi.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        set_key(conn, source_key or "")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        expected = _contents(conn)  # the first read: takes the file for this process
        _remove_leftovers(path, part)
        # A leftover WAL would otherwise be replayed into the new file.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("ATTACH DATABASE ? AS converted KEY ?", (str(part), target_key))
        conn.execute("SELECT sqlcipher_export('converted')")
        version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
        conn.execute(f"PRAGMA converted.user_version = {version}")
        conn.execute("DETACH DATABASE converted")
        _verify(path, part, target_key, expected)
        with open(part, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(part, PRIVATE_FILE)
        os.replace(part, path)
        forget_typed(path)
        sync_folder(path.parent)
    except BaseException as exc:
        part.unlink(missing_ok=True)
        raise _told(path, exc, done) from exc
    finally:
        conn.close()
    log.info("%s %s", path, done)


def _told(path: Path, exc: BaseException, done: str) -> BaseException:
    if isinstance(exc, EncryptionError) or not isinstance(exc, Exception):
        return exc
    if is_busy(exc):
        return EncryptionError(f"{path} is open in another Flarescope (or another program): "
                               f"close it, then try again; nothing was changed")
    if is_full(exc):
        return EncryptionError(f"{path}: not {done}, the disk is full; the file is unchanged")
    if "not a database" in str(exc):
        return EncryptionError(f"{path}: wrong key, or not a database; nothing was changed")
    if isinstance(exc, OSError):
        return EncryptionError(f"{path}: not {done} ({exc.strerror or exc}); the file is "
                               "unchanged")
    log.error("converting %s failed", path, exc_info=exc)
    return EncryptionError(f"{path}: not {done} ({one_line(exc)}); the file is unchanged")


def _contents(conn) -> dict[str, object]:
    """What must read back the same from the copy: the schema (audit triggers included),
    every table's row count, the schema version."""
    schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
                          ).fetchall()
    counts = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
              for kind, name, _ in schema if kind == "table"}
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    return {"schema": schema, "counts": counts, "user_version": version}


def _verify(path: Path, part: Path, key: str, expected: dict[str, object]) -> None:
    conn = driver().connect(str(part), isolation_level=None)
    try:
        set_key(conn, key)
        problems = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        if key:  # every page's HMAC
            problems += [str(r) for r in conn.execute("PRAGMA cipher_integrity_check")]
        if problems not in (["ok"],):
            raise EncryptionError(f"{path}: the converted copy failed its check ({problems[0]}); "
                                  "the file is unchanged")
        if _contents(conn) != expected:
            raise EncryptionError(f"{path}: the converted copy does not hold the same tables and rows; "
                                  "the file is unchanged")
    finally:
        conn.close()
