"""`db encrypt` / `db decrypt` and opening encrypted files, on real SQLCipher files made from a
patient file a hospital would write. The user's keyring is never touched: keyring's fail
backend everywhere, or the test_keyring fixture's file (tests/conftest.py)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from db import cipher
from db.engine import DatabaseOpenError, open_database
from main import main

pytestmark = pytest.mark.sqlite_only  # SQLCipher is about SQLite files

ROOT = Path(__file__).resolve().parents[2]

NAMES = (b"Quillfeather", b"Ngata-Rees")
PATIENTS = """pseudonym,diagnosis,sex,birth_year,genotype,name,birth_date,record_number
RH-01,CAPS,F,1984,NLRP3 p.R260W,Henrietta Quillfeather,1984-05-02,MRN-440172
RH-02,TRAPS,M,1971,,Bartholomew Ngata-Rees,1971-11-23,MRN-550913
"""
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def plain(tmp_path, capsys) -> Path:
    """A plain database holding two patients' names, closed, its WAL folded in."""
    csv = tmp_path / "patients.csv"
    csv.write_text(PATIENTS, encoding="utf-8")
    db = tmp_path / "cases.db"
    assert main(["--db", str(db), "patients", "import", str(csv)]) == 0, capsys.readouterr()
    capsys.readouterr()
    return db


def run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    return (code, *capsys.readouterr())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)
                  or p.name.startswith(f".{path.name}"))


def test_encrypted_file_shows_no_names_and_sqlite_cannot_read_it(plain, capsys, monkeypatch):
    assert all(name in plain.read_bytes() for name in NAMES)  # the test can fail
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    code, out, err = run(capsys, plain, "db", "encrypt")
    assert code == 0, err
    assert "encrypted with the passphrase" in out
    data = plain.read_bytes()
    assert not data.startswith(b"SQLite format 3")
    assert not any(name in data for name in NAMES)
    assert oct(plain.stat().st_mode & 0o777) == "0o600"
    assert not [n for n in beside(plain) if n.endswith(".part")]
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(plain).execute("SELECT * FROM patient").fetchall()


def test_encrypted_file_works_as_before(plain, capsys, monkeypatch):
    """Migrations, the WAL, the audit triggers, the write check and 0600 all hold on it."""
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    assert run(capsys, plain, "db", "encrypt")[0] == 0
    code, out, err = run(capsys, plain, "patients", "show", "RH-01", "--identifying")
    assert code == 0, err
    assert "Henrietta Quillfeather" in out
    code, out, err = run(capsys, plain, "patients", "set", "RH-02", "--genotype",
                         "TNFRSF1A c.362G>A")
    assert code == 0, err
    code, out, err = run(capsys, plain, "audit", "verify")
    assert code == 0 and "chain intact" in out, err
    engine = open_database(str(plain))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA cipher_version").scalar().startswith("4.")
            assert conn.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE audit_event SET actor = 'x'"))
        for suffix in ("-wal", "-shm"):
            assert oct(Path(f"{plain}{suffix}").stat().st_mode & 0o777) == "0o600"
        # The WAL's pages are encrypted too.
        assert b"TNFRSF1A" not in plain.read_bytes() + Path(f"{plain}-wal").read_bytes()
    finally:
        engine.dispose()


def test_the_passphrase_opens_it_in_any_sqlcipher_4_tool(plain, capsys, monkeypatch):
    """Our derived raw key is SQLCipher 4's own derivation: the passphrase alone opens it."""
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    assert run(capsys, plain, "db", "encrypt")[0] == 0
    conn = cipher.driver().connect(str(plain))
    conn.execute(f"PRAGMA key = '{PASSPHRASE}'")
    assert conn.execute("SELECT count(*) FROM patient").fetchone()[0] == 2
    conn.close()


def test_a_wrong_key_is_one_line_and_writes_nothing(plain, capsys, monkeypatch):
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    assert run(capsys, plain, "db", "encrypt")[0] == 0
    before, files = digest(plain), beside(plain)
    monkeypatch.setenv(cipher.ENV_KEY, "incorrect horse")
    for command in (["cases"], ["db", "upgrade"], ["db", "decrypt"]):
        code, out, err = run(capsys, plain, *command)
        assert code == 1
        assert err == (f"flarescope: {plain}: wrong key ({cipher.ENV_KEY} does not open it, "
                       "or it is not a Flarescope database); nothing was changed\n")
        assert digest(plain) == before and beside(plain) == files
    log = Path(os.environ["FLARESCOPE_LOG"]).read_text()
    assert f"{plain}: {cipher.ENV_KEY} does not open it" in log and "Traceback" not in log


def test_no_key_at_all_is_one_line(plain, capsys, monkeypatch):
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    assert run(capsys, plain, "db", "encrypt")[0] == 0
    monkeypatch.delenv(cipher.ENV_KEY)
    before = digest(plain)
    code, out, err = run(capsys, plain, "cases")  # no terminal here: nobody to ask
    assert code == 1
    assert err == (f"flarescope: {plain} is encrypted and no key was found (the OS keyring "
                   f"has none for it): set {cipher.ENV_KEY} to its passphrase, or run in a "
                   "terminal to be asked for it\n")
    assert digest(plain) == before


def test_a_plain_file_with_a_key_set_is_refused(plain, capsys, monkeypatch):
    before = digest(plain)
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    code, out, err = run(capsys, plain, "cases")
    assert code == 1
    assert err == f"flarescope: {cipher.plain_with_key_line(plain)}\n"
    assert digest(plain) == before


def test_a_new_file_with_a_key_set_is_made_encrypted(tmp_path, capsys, monkeypatch):
    db = tmp_path / "new.db"
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    csv = tmp_path / "patients.csv"
    csv.write_text(PATIENTS, encoding="utf-8")
    code, out, err = run(capsys, db, "patients", "import", str(csv))
    assert code == 0, err
    assert cipher.is_encrypted(db)
    assert run(capsys, db, "patients", "show", "RH-02", "--identifying")[1].count(
        "Bartholomew Ngata-Rees") == 1


def test_the_keyring_keeps_the_key_and_decrypt_gives_the_plain_file_back(
        plain, capsys, test_keyring):
    code, out, err = run(capsys, plain, "db", "encrypt")
    assert code == 0, err
    assert "its key is in the OS keyring" in out
    stored = test_keyring.get_password(cipher.KEYRING_SERVICE, str(plain))
    assert stored and len(bytes.fromhex(stored)) == 32
    assert not any(name in plain.read_bytes() for name in NAMES)
    code, out, err = run(capsys, plain, "patients", "show", "RH-01", "--identifying")
    assert code == 0 and "Henrietta Quillfeather" in out, err
    code, out, err = run(capsys, plain, "db", "decrypt")
    assert code == 0, err
    assert plain.read_bytes().startswith(b"SQLite format 3")
    assert test_keyring.get_password(cipher.KEYRING_SERVICE, str(plain)) is None
    names = sqlite3.connect(plain).execute("SELECT name FROM patient_identity ORDER BY name")
    assert [n for (n,) in names] == ["Bartholomew Ngata-Rees", "Henrietta Quillfeather"]


def test_no_keyring_and_no_terminal_asks_for_a_passphrase_plainly(plain, capsys):
    before = digest(plain)
    code, out, err = run(capsys, plain, "db", "encrypt")
    assert code == 1
    assert err == ("flarescope: no passphrase: set FLARESCOPE_DB_KEY, or run in a terminal to "
                   "be asked for one; nothing was changed\n")
    assert digest(plain) == before


class _FullDisk:
    """sqlcipher3 whose encrypted copy has no room after a few pages: SQLite's page limit
    gives the same SQLITE_FULL a full file system does."""

    def __init__(self, real) -> None:
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def connect(self, *args, **kwargs):
        return _FullConnection(self._real.connect(*args, **kwargs))


class _FullConnection:
    def __init__(self, conn) -> None:
        self._conn = conn

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def execute(self, sql, *args):
        result = self._conn.execute(sql, *args)
        if sql.startswith("ATTACH"):
            self._conn.execute("PRAGMA converted.max_page_count = 4")
        return result


def test_a_full_disk_midway_leaves_the_plain_file_as_it_was(plain, capsys, monkeypatch,
                                                           test_keyring):
    import db.cipher_convert as convert

    monkeypatch.setattr(convert, "driver", lambda: _FullDisk(cipher.driver()))
    before, files = digest(plain), beside(plain)
    code, out, err = run(capsys, plain, "db", "encrypt")
    assert code == 1
    assert err == f"flarescope: {plain}: not encrypted, the disk is full; the file is unchanged\n"
    assert digest(plain) == before and beside(plain) == files  # no .part left behind
    assert test_keyring.get_password(cipher.KEYRING_SERVICE, str(plain)) is None


def test_a_failed_swap_leaves_the_plain_file_as_it_was(plain, capsys, monkeypatch):
    import db.cipher_convert as convert

    def no_room(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(convert.os, "replace", no_room)
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    before, files = digest(plain), beside(plain)
    code, out, err = run(capsys, plain, "db", "encrypt")
    assert code == 1
    assert err == f"flarescope: {plain}: not encrypted, the disk is full; the file is unchanged\n"
    assert digest(plain) == before and beside(plain) == files


HOLD_OPEN = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA journal_mode=WAL")
c.execute("SELECT count(*) FROM patient").fetchall()
print("open", flush=True)
sys.stdin.read()
"""


def test_a_file_open_in_another_process_is_not_converted(plain, capsys, monkeypatch):
    import db.cipher_convert as convert

    monkeypatch.setattr(convert, "BUSY_TIMEOUT_S", 0.2)
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    other = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, str(plain)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline() == "open\n"
        before = digest(plain)
        code, out, err = run(capsys, plain, "db", "encrypt")
        assert code == 1
        assert err == (f"flarescope: {plain} is open in another Flarescope (or another "
                       "program): close it, then try again; nothing was changed\n")
        assert digest(plain) == before
    finally:
        other.communicate("")


def test_without_sqlcipher3_plain_files_work_and_encrypted_ones_are_refused(
        plain, capsys, monkeypatch):
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    encrypted = plain.with_name("encrypted.db")
    encrypted.write_bytes(plain.read_bytes())
    assert run(capsys, encrypted, "db", "encrypt")[0] == 0
    monkeypatch.delenv(cipher.ENV_KEY)
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)  # import sqlcipher3 fails
    code, out, err = run(capsys, plain, "cases")
    assert code == 0 and "RH-01" in out, err
    code, out, err = run(capsys, encrypted, "cases")
    assert code == 1
    assert err == f"flarescope: {cipher.unavailable_line(encrypted)}\n"
    with pytest.raises(DatabaseOpenError, match="sqlcipher3 package is not installed"):
        open_database(str(encrypted))


def _subprocess(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=120)


def test_commands_in_other_processes_use_the_test_keyring(plain, test_keyring):
    r = _subprocess("--db", str(plain), "db", "encrypt")
    assert r.returncode == 0, r.stderr
    assert test_keyring.get_password(cipher.KEYRING_SERVICE, str(plain))
    r = _subprocess("--db", str(plain), "cases")
    assert r.returncode == 0 and "RH-02" in r.stdout, r.stderr
    r = _subprocess("--db", str(plain), "db", "decrypt")
    assert r.returncode == 0, r.stderr
    assert test_keyring.get_password(cipher.KEYRING_SERVICE, str(plain)) is None


def test_a_wrong_key_in_another_process_prints_one_line(plain, monkeypatch):
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    assert _subprocess("--db", str(plain), "db", "encrypt").returncode == 0
    monkeypatch.setenv(cipher.ENV_KEY, "wrong")
    r = _subprocess("--db", str(plain), "cases")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (f"flarescope: {plain}: wrong key ({cipher.ENV_KEY} does not open it, "
                        "or it is not a Flarescope database); nothing was changed\n")


def test_audit_verify_checks_an_encrypted_file_for_damage(plain, capsys, monkeypatch):
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    assert run(capsys, plain, "db", "encrypt")[0] == 0
    code, out, err = run(capsys, plain, "audit", "verify")
    assert code == 0 and "chain intact" in out, err
    with open(plain, "r+b") as f:  # one page's bytes changed: its HMAC no longer matches
        f.seek(4096 * 3 + 100)
        f.write(b"\0" * 64)
    code, out, err = run(capsys, plain, "audit", "verify")
    assert code == 1
    assert out.startswith("audit verify: the database file is damaged ("), out + err


@pytest.fixture
def terminal(monkeypatch):
    """A person at a terminal who types the answers given (getpass echoes nothing)."""
    import getpass

    answers: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": answers.pop(0))
    return answers


def test_a_passphrase_typed_twice_encrypts_and_is_asked_for_on_opening(plain, capsys,
                                                                        terminal):
    terminal += [PASSPHRASE, PASSPHRASE]
    code, out, err = run(capsys, plain, "db", "encrypt", "--passphrase")
    assert code == 0, err
    assert "encrypted with the passphrase" in out
    terminal.append(PASSPHRASE)
    code, out, err = run(capsys, plain, "cases")
    assert code == 0 and "RH-01" in out, err
    assert terminal == []  # asked once
    cipher.forget_typed(plain)  # as the next command, a new process, would start
    terminal.append("not it")
    before = digest(plain)
    code, out, err = run(capsys, plain, "cases")
    assert code == 1
    assert err == (f"flarescope: {plain}: wrong key (the passphrase does not open it, or it "
                   "is not a Flarescope database); nothing was changed\n")
    assert digest(plain) == before


def test_two_different_passphrases_encrypt_nothing(plain, capsys, terminal):
    terminal += [PASSPHRASE, "correct horse battery stapler"]
    before = digest(plain)
    code, out, err = run(capsys, plain, "db", "encrypt", "--passphrase")
    assert code == 1
    assert err == "flarescope: the two passphrases differ; nothing was changed\n"
    assert digest(plain) == before


def test_a_killed_conversions_plain_copy_is_removed_by_the_next(plain, capsys, monkeypatch):
    """A `db decrypt` killed midway leaves its hidden copy, with names in clear; the next
    conversion of that file removes it (and another file's copy stays)."""
    monkeypatch.setenv(cipher.ENV_KEY, PASSPHRASE)
    assert run(capsys, plain, "db", "encrypt")[0] == 0
    left = plain.parent / f".{plain.name}.k1ll3d.part"
    left.write_bytes(b"Henrietta Quillfeather MRN-440172")
    journal = plain.parent / f".{plain.name}.k1ll3d.part-journal"
    journal.write_bytes(b"Ngata-Rees")
    other = plain.parent / ".other.db.k1ll3d.part"
    other.write_bytes(b"someone else's")
    assert run(capsys, plain, "db", "decrypt")[0] == 0
    assert not left.exists() and not journal.exists()
    assert other.exists()
    assert not [n for n in beside(plain) if ".part" in n]
