"""Files the program writes: never half-written, and private where they hold patient data.

Every file goes through replacing(): a temporary file beside the target, flushed and
fsynced, then renamed over it. A full disk, a vanished share or a crash leaves the old
file as it was, and the error names the user's file, never the temporary one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from db.errors import UserFacingError

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


class WriteError(UserFacingError):
    """A file could not be written and the old one (if any) is unchanged; one line for the user."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: not written ({reason}); any previous file is unchanged")
        self.path = path
        self.reason = reason


def reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


@contextlib.contextmanager
def replacing(final: str | Path, *, private: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside final; once the block ends cleanly, the file is
    fsynced and renamed onto final. OSError inside the block becomes WriteError.

    The new file gets the permissions of any new file (the umask), or 0600 if private.
    """
    final = Path(final)
    _refuse_special(final)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    except OSError as exc:
        raise WriteError(final, reason(exc)) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, PRIVATE_FILE if private else 0o666 & ~_umask())
        os.replace(tmp, final)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise WriteError(final, reason(exc)) from exc
        raise
    sync_folder(final.parent)


@contextlib.contextmanager
def replacing_file(final: str | Path, mode: str = "w", *, private: bool = False,
                   **open_args) -> Iterator[IO]:
    """replacing() for code that writes through a file object (CSV, text, bytes)."""
    with replacing(final, private=private) as tmp, open(tmp, mode, **open_args) as f:
        yield f
        f.flush()


def private_folder(path: str | Path) -> Path:
    """Create path and any missing parent readable by the user only (existing ones are
    left as they are)."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=PRIVATE_FOLDER)
    return path


def create_private(path: str | Path) -> None:
    """Create an empty file readable by the user only, unless it exists already."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def private_opener(path: str, flags: int) -> int:
    """open(..., opener=private_opener) creates the file 0600."""
    return os.open(path, flags, PRIVATE_FILE)


def _refuse_special(final: Path) -> None:
    """Only a regular file is replaced: renaming over a device, a pipe or a link would
    swap the node itself (/dev/full became a PDF) or leave the link's target stale."""
    try:
        mode = os.lstat(final).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WriteError(final, reason(exc)) from exc
    if stat.S_ISLNK(mode):
        raise WriteError(final, "it is a link; give the file it points to")
    if not stat.S_ISREG(mode):
        raise WriteError(final, "not a regular file")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder is; not every platform can open one.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
