"""Encryption at rest for a SQLite file: SQLCipher 4 (the sqlcipher3 driver).

A file is encrypted or plain by its first bytes: a plain SQLite file starts with
"SQLite format 3", an encrypted one with its random salt. The key comes, in this order,
from FLARESCOPE_DB_KEY (a passphrase, for scripts), the OS keyring (a random key stored
there by `db encrypt`, under the file's full path), or a prompt the command line or the
window installs with set_prompt (a passphrase).

Every connection is given a raw key (``x'…'``), never the passphrase: SQLCipher would
run its key derivation (PBKDF2-HMAC-SHA512, 256,000 rounds, 0.26 s here) on each new
connection; it is run once here instead, with the same parameters and the file's own
salt, so the file still opens with the passphrase in any SQLCipher 4 tool.

Without the sqlcipher3 package plain files work as before and an encrypted one is refused
with a line saying why.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from db.errors import UserFacingError

log = logging.getLogger(__name__)

ENV_KEY = "FLARESCOPE_DB_KEY"
KEYRING_SERVICE = "Flarescope database key"
TYPED = "the passphrase"  # a Secret's origin when the user typed it
ENCRYPT_COMMAND = "python main.py db encrypt"

_PLAIN_HEADER = b"SQLite format 3\x00"
_SALT_BYTES = 16
_KEY_BYTES = 32
# SQLCipher 4's defaults: a passphrase given to any SQLCipher 4 tool opens the file.
_KDF = ("sha512", 256_000)


class EncryptionError(UserFacingError):
    """An encrypted file cannot be opened or converted; one line for the user, and the
    file is as it was."""


class WrongKeyError(EncryptionError):
    """The key given does not open the file."""


class OpeningCancelled(EncryptionError):
    """The user cancelled the passphrase prompt: nothing to report but that."""


def cancelled(exc: BaseException | None) -> bool:
    """``exc`` (or what it was raised from) is the user cancelling the passphrase prompt."""
    while exc is not None:
        if isinstance(exc, OpeningCancelled):
            return True
        exc = exc.__cause__
    return False


@dataclass(frozen=True)
class Secret:
    """What opens a file: a passphrase (typed, or FLARESCOPE_DB_KEY) or a raw key (the
    keyring's)."""

    # Never in a repr: a log line or a traceback's locals must not carry the key.
    passphrase: str | None = field(default=None, repr=False)
    raw: bytes | None = field(default=None, repr=False)
    origin: str = TYPED

    def pragma_value(self, path: Path | None) -> str:
        """The value for PRAGMA key / ATTACH … KEY for the file at path (None: a file yet
        to be made): always a raw key, so no connection pays for the key derivation."""
        if self.raw is not None:
            return f"x'{self.raw.hex()}'"
        salt = _salt(path) if path is not None else None
        if salt is None:  # a new file: our salt goes in with the key, as SQLCipher's would
            salt = secrets.token_bytes(_SALT_BYTES)
            return f"x'{_derive(self.passphrase or '', salt).hex()}{salt.hex()}'"
        return f"x'{_derive(self.passphrase or '', salt).hex()}'"


def available() -> bool:
    """sqlcipher3 can be imported: encrypted files can be opened and made."""
    try:
        driver()
    except ImportError:
        return False
    return True


def driver():
    """The sqlcipher3 DB-API module (imported on first use: plain files never need it)."""
    from sqlcipher3 import dbapi2

    return dbapi2


def has_plain_header(path: str | Path) -> bool:
    """The file starts as a plain SQLite database does."""
    try:
        with open(path, "rb") as f:
            return f.read(len(_PLAIN_HEADER)) == _PLAIN_HEADER
    except OSError:
        return False


def is_encrypted(path: str | Path) -> bool:
    """The file holds data but is not plain SQLite: SQLCipher's pages are whole 512-byte
    multiples, which a stray CSV or text file given as --db almost never is."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(_PLAIN_HEADER))
        size = os.path.getsize(path)
    except OSError:
        return False
    return size > 0 and size % 512 == 0 and head != _PLAIN_HEADER


def _salt(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as f:
            salt = f.read(_SALT_BYTES)
    except OSError:
        return None
    return salt if len(salt) == _SALT_BYTES and salt != _PLAIN_HEADER else None


@functools.lru_cache(maxsize=8)  # the key check and the engine ask for the same key
def _derive(passphrase: str, salt: bytes) -> bytes:
    digest, rounds = _KDF
    return hashlib.pbkdf2_hmac(digest, passphrase.encode("utf-8"), salt, rounds, _KEY_BYTES)


# --- where the key comes from ---------------------------------------------------------

# Asks for a file's passphrase: (path, the last one typed was wrong) → it, or None if the
# user cancelled.
Prompt = Callable[[Path, bool], "str | None"]
_prompt: Prompt | None = None
_prompt_retries = False  # a wrong passphrase is asked for again (the window), not refused
# Passphrases typed for a file in this process: the window opens the same file more than
# once, and the user is asked once.
_typed: dict[str, Secret] = {}


def set_prompt(prompt: Prompt | None, *, retry: bool = False) -> None:
    """How to ask the user for a file's passphrase (None: nobody to ask). The prompt
    returns the passphrase, or None when the user cancelled. With ``retry`` a wrong one is
    asked for again, saying so, until it opens the file or the user cancels."""
    global _prompt, _prompt_retries
    _prompt, _prompt_retries = prompt, retry


def from_environment() -> Secret | None:
    value = os.environ.get(ENV_KEY)
    return Secret(passphrase=value, origin=ENV_KEY) if value else None


def keyring_usable() -> bool:
    """The OS has a keyring to keep a key in (not keyring's 'fail' or an empty chain)."""
    try:
        import keyring
        from keyring.backends import chainer, fail

        backend = keyring.get_keyring()
    except Exception:  # an unusable keyring is no keyring, whatever it raises
        log.warning("the OS keyring cannot be used", exc_info=True)
        return False
    if isinstance(backend, fail.Keyring):
        return False
    return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)


def _keyring_call(name: str, *args: str):
    import keyring

    return getattr(keyring, name)(KEYRING_SERVICE, *args)


def from_keyring(path: Path) -> Secret | None:
    if not keyring_usable():
        return None
    try:
        stored = _keyring_call("get_password", str(path))
    except Exception:
        log.warning("reading the key of %s from the OS keyring failed", path, exc_info=True)
        return None
    if not stored:
        return None
    try:
        return Secret(raw=bytes.fromhex(stored), origin="the key in the OS keyring")
    except ValueError:
        log.warning("the OS keyring's entry for %s is not a key", path)
        return None


def store_in_keyring(path: Path, secret: Secret) -> None:
    assert secret.raw is not None
    try:
        _keyring_call("set_password", str(path), secret.raw.hex())
    except Exception as exc:
        log.error("storing the key of %s in the OS keyring failed", path, exc_info=True)
        raise EncryptionError(f"{path}: the OS keyring refused the key ({exc}); nothing "
                              "was changed") from exc


def forget_in_keyring(path: Path) -> None:
    if not keyring_usable():
        return
    with contextlib.suppress(Exception):  # no entry is what we want anyway
        _keyring_call("delete_password", str(path))


def forget_typed(path: Path) -> None:
    """The file changed its key (or lost it): a passphrase typed for it no longer holds."""
    _typed.pop(str(path), None)


def new_random_secret() -> Secret:
    return Secret(raw=secrets.token_bytes(_KEY_BYTES), origin="the key in the OS keyring")


def find_secret(path: Path) -> Secret:
    """The key of an encrypted file: FLARESCOPE_DB_KEY, the keyring, then the prompt."""
    secret = from_environment() or from_keyring(path) or _typed.get(str(path))
    if secret is None and _prompt is not None:
        secret = _ask(path, wrong=False)
    if secret is None:
        raise EncryptionError(
            f"{path} is encrypted and no key was found (the OS keyring has none for it): "
            f"set {ENV_KEY} to its passphrase, or run in a terminal to be asked for it")
    return secret


def _ask(path: Path, *, wrong: bool) -> Secret:
    assert _prompt is not None
    typed = _prompt(path, wrong)
    while typed == "" and _prompt_retries:  # Open on an empty box: still no passphrase
        typed = _prompt(path, True)
    if typed:
        secret = _typed[str(path)] = Secret(passphrase=typed)
        return secret
    if typed is not None:
        raise EncryptionError(f"{path} is encrypted and no passphrase was given; "
                              "nothing was opened")
    raise OpeningCancelled(f"{path}: opening cancelled; nothing was opened")


# --- opening ---------------------------------------------------------------------------

def set_key(conn, value: str) -> None:
    """The connection's first statements: the key ('' for a plain file)."""
    # SQLCipher writes its own errors (a wrong key's "hmac check failed") to stderr: the
    # user gets our one line instead.
    conn.execute("PRAGMA cipher_log_level = NONE")
    if value:
        conn.execute(f'PRAGMA key = "{value}"')  # hex digits only: nothing to quote


def check_key(path: Path, secret: Secret) -> None:
    """Open the file read-only with the key and read its schema: a wrong key is told here,
    in one line, before anything could write to the file."""
    dbapi = driver()
    try:
        conn = _readonly(path, secret)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except dbapi.DatabaseError as exc:
        if "not a database" not in str(exc):
            raise EncryptionError(f"Cannot open database {path}: {exc}") from exc
        _typed.pop(str(path), None)
        log.warning("%s: %s does not open it", path, secret.origin)
        raise WrongKeyError(f"{path}: wrong key ({secret.origin} does not open it, or it "
                            "is not a Flarescope database); nothing was changed") from exc


def _readonly(path: Path, secret: Secret):
    conn = driver().connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        set_key(conn, secret.pragma_value(path))
    except BaseException:
        conn.close()
        raise
    return conn


def open_readonly(path: Path):
    """A read-only connection to an encrypted file with the key at hand (FLARESCOPE_DB_KEY,
    the keyring, a passphrase typed earlier), never asking; None without a key that opens
    it (the command that opens it next says why)."""
    secret = from_environment() or from_keyring(path) or _typed.get(str(path))
    if secret is None or not available():
        return None
    try:
        check_key(path, secret)
    except EncryptionError:
        return None
    return _readonly(path, secret)


def secret_for(path: Path) -> Secret | None:
    """The key to open the SQLite file at path with, checked; None to open it plain.

    A new (empty) file is made encrypted when FLARESCOPE_DB_KEY is set. A plain file with
    data is refused while it is set: whoever set it expects an encrypted file.
    """
    if is_encrypted(path):
        if not available():
            raise EncryptionError(unavailable_line(path))
        secret = find_secret(path)
        while True:
            try:
                check_key(path, secret)
                return secret
            except WrongKeyError:
                # Only a passphrase just typed is asked for again: a wrong key from the
                # environment or the keyring is for whoever set it to mend.
                if not (_prompt_retries and _prompt is not None
                        and secret.origin == TYPED):
                    raise
                secret = _ask(path, wrong=True)
    env = from_environment()
    if env is None:
        return None
    if path.exists() and path.stat().st_size > 0:
        raise EncryptionError(plain_with_key_line(path))
    if not available():
        raise EncryptionError(f"{ENV_KEY} is set, but encryption is unavailable here: the "
                              "sqlcipher3 package is not installed; nothing was created")
    return env


def attach(engine, path: Path, secret: Secret) -> None:
    """Make every connection of a sqlcipher3 engine set the key as its first statement."""
    from sqlalchemy import event

    value = secret.pragma_value(path)

    @event.listens_for(engine, "do_connect")
    def _connect_with_key(dialect, _record, cargs, cparams):
        conn = dialect.dbapi.connect(*cargs, **cparams)
        set_key(conn, value)
        return conn


def storage_line(engine) -> str:
    """Where the data are kept and whether they are encrypted, for Preferences."""
    import shlex

    if engine.dialect.name != "sqlite":
        return "a database server: the server keeps and protects the data"
    path = engine.url.database
    if getattr(engine.dialect.dbapi, "__name__", "").startswith("sqlcipher3"):
        return f"{path}, encrypted (SQLCipher 4)"
    if not available():
        return (f"{path}, not encrypted (encryption is unavailable here: the sqlcipher3 "
                "package is not installed)")
    return (f"{path}, not encrypted. To encrypt it, quit Flarescope and run "
            f"`{ENCRYPT_COMMAND.replace(' db ', f' --db {shlex.quote(path)} db ')}`")


def unavailable_line(path: Path) -> str:
    return (f"{path} is encrypted (SQLCipher), but encryption is unavailable here: the "
            "sqlcipher3 package is not installed")


def plain_with_key_line(path: Path) -> str:
    return (f"{path} is not encrypted, but {ENV_KEY} is set: encrypt it with "
            f"`{ENCRYPT_COMMAND}`, or unset {ENV_KEY}; nothing was opened")
