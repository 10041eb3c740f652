"""Shared fixtures. Every test gets its own database and its own settings file."""

from __future__ import annotations

import atexit
import itertools
import json
import os
import shutil
import tempfile

import pytest

# Folders the program (and anything it starts) may write to on its own: settings, data,
# log, caches. Each test gets its own under tmp_path (below); this session-wide set
# covers what runs outside a test (session fixtures, the QApplication's first start).
_USER_FOLDERS = {"HOME": "home", "XDG_CONFIG_HOME": "config", "XDG_DATA_HOME": "data",
                 "XDG_STATE_HOME": "state", "XDG_CACHE_HOME": "cache"}


def _point_user_folders_at(base: str, setenv) -> None:
    for var, name in _USER_FOLDERS.items():
        folder = os.path.join(base, name)
        os.makedirs(folder, exist_ok=True)
        setenv(var, folder)


_SESSION_USER = tempfile.mkdtemp(prefix="flarescope-test-user-")
atexit.register(shutil.rmtree, _SESSION_USER, ignore_errors=True)
_point_user_folders_at(_SESSION_USER, os.environ.__setitem__)

# The OS keyring is the user's: tests (and what they start) get keyring's backend that
# stores nothing, unless they ask for the test_keyring fixture's file.
NO_KEYRING = "keyring.backends.fail.Keyring"
os.environ["PYTHON_KEYRING_BACKEND"] = NO_KEYRING
os.environ.pop("FLARESCOPE_DB_KEY", None)


def _offscreen_with_a_desktop_screen() -> str:
    """The offscreen platform with a 1920×1200 screen instead of its 800×800 default,
    so windows get the size a reviewer's desktop gives them."""
    config = os.path.join(tempfile.gettempdir(), "flarescope-test-screen.json")
    # Replaced whole, never rewritten in place: other test sessions on this machine read
    # the same file when they start Qt, and a half-written one aborts their QApplication.
    fd, part = tempfile.mkstemp(dir=tempfile.gettempdir(), prefix="flarescope-test-screen-")
    with os.fdopen(fd, "w") as f:
        json.dump({"screens": [{"name": "test", "x": 0, "y": 0, "width": 1920, "height": 1200,
                                "logicalDpi": 96, "logicalWidth": 508, "logicalHeight": 317}]}, f)
    os.chmod(part, 0o644)
    os.replace(part, config)
    return f"offscreen:configfile={config}"


if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = _offscreen_with_a_desktop_screen()


# FLARESCOPE_TEST_DB=postgresql runs the same tests on a throwaway PostgreSQL server
# (tests/pg_cluster.py): the database fixtures below then hand out a fresh server
# database per test, cloned from a template migrated (or filled with the demo) once.
TEST_DB = os.environ.get("FLARESCOPE_TEST_DB", "sqlite")
if TEST_DB not in ("sqlite", "postgresql"):
    raise pytest.UsageError(f"FLARESCOPE_TEST_DB={TEST_DB!r}: use sqlite or postgresql")
ON_POSTGRESQL = TEST_DB == "postgresql"


# A test that uses none of these never meets the server: the PostgreSQL pass leaves it to
# the SQLite pass (deselected) instead of running the same thing twice.
DATABASE_FIXTURES = frozenset({"db_path", "engine", "demo_engine", "pg_server"})


def pytest_collection_modifyitems(config, items):
    skip = ("sqlite_only", "this test is about SQLite files") if ON_POSTGRESQL else \
        ("pg_only", "PostgreSQL pass only (FLARESCOPE_TEST_DB=postgresql)")
    for item in items:
        if skip[0] in item.keywords:
            item.add_marker(pytest.mark.skip(reason=skip[1]))
    if ON_POSTGRESQL:
        kept = [i for i in items if DATABASE_FIXTURES & set(getattr(i, "fixturenames", ()))]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def pytest_report_header(config):
    return f"database back-end: {TEST_DB}"


class _Server:
    """The session's PostgreSQL cluster: templates built once, a clone per test."""

    def __init__(self) -> None:
        import psycopg

        from tests.pg_cluster import PORT, SUPERUSER, Cluster, available

        if not available():
            raise pytest.UsageError("FLARESCOPE_TEST_DB=postgresql, but PostgreSQL is not "
                                    "installed")
        self.cluster = Cluster().start()
        self.admin = psycopg.connect(host=str(self.cluster.folder), port=PORT,
                                     user=SUPERUSER, dbname="postgres",
                                     autocommit=True)
        self.templates: dict[str, str] = {}
        self.made = 0

    def template(self, name: str, fill) -> str:
        if name not in self.templates:
            self.admin.execute(f'CREATE DATABASE "{name}"')
            fill(self.cluster.url(name))
            self.templates[name] = name
        return name

    def clone(self, template: str | None = None) -> str:
        """A new database: a copy of a template, or empty (PostgreSQL's own template1)."""
        self.made += 1
        name = f"test_{self.made}"
        self.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template or "template1"}"')
        return self.cluster.url(name)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self.admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        self.admin.close()
        self.cluster.stop()


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL cluster of the PostgreSQL pass (skips the test in the SQLite pass)."""
    if not ON_POSTGRESQL:
        pytest.skip("PostgreSQL pass only (FLARESCOPE_TEST_DB=postgresql)")
    server = _Server()
    yield server
    server.close()


def _upgrade(url: str) -> None:
    from db.engine import open_database
    from db.migrate import upgrade_to_head

    eng = open_database(url, migrate=False)
    upgrade_to_head(eng)
    eng.dispose()


def _fill_with_demo(url: str) -> None:
    from data.demo import generate
    from db.engine import open_database

    _upgrade(url)
    eng = open_database(url)
    generate(eng)
    eng.dispose()


@pytest.fixture
def db_path(request, tmp_path):
    """Where the test's database lives, as --db takes it: a file in tmp_path, or on the
    PostgreSQL pass the URL of a fresh server database whose schema is at head."""
    if not ON_POSTGRESQL:
        yield tmp_path / "flarescope.db"
        return
    server = request.getfixturevalue("pg_server")
    url = server.clone(server.template("template_schema", _upgrade))
    yield url
    server.drop(url)


@pytest.fixture
def engine(db_path):
    from db.engine import open_database

    eng = open_database(str(db_path))
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory):
    """The demo cohort built once per session (SQLite); tests get a copy."""
    from data.demo import generate
    from db.engine import open_database

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    eng = open_database(str(path))
    generate(eng)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture
def demo_engine(request, tmp_path):
    import shutil

    from db.engine import open_database

    if ON_POSTGRESQL:
        server = request.getfixturevalue("pg_server")
        target = server.clone(server.template("template_demo", _fill_with_demo))
    else:
        target = tmp_path / "demo.db"
        shutil.copy(request.getfixturevalue("_demo_template"), target)
    eng = open_database(str(target))
    yield eng
    eng.dispose()
    if ON_POSTGRESQL:
        server.drop(target)


@pytest.fixture(autouse=True)
def _no_user_database(monkeypatch, tmp_path, tmp_path_factory):
    """Nothing a test does, nor any process it starts, may touch the user's real files:
    HOME and the XDG folders point into a fresh folder (Qt's settings, the log and the
    data folder follow them; tmp_path itself stays the test's own), and the database
    and log are named outright as well."""
    _point_user_folders_at(str(tmp_path_factory.mktemp("user")), monkeypatch.setenv)
    monkeypatch.setenv("FLARESCOPE_DB", str(tmp_path / "default.db"))
    monkeypatch.setenv("FLARESCOPE_LOG", str(tmp_path / "flarescope.log"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    monkeypatch.delenv("FLARESCOPE_DB_KEY", raising=False)
    from db import cipher  # nobody to ask for a passphrase, none remembered

    monkeypatch.setattr(cipher, "_prompt", None)
    monkeypatch.setattr(cipher, "_typed", {})


@pytest.fixture
def test_keyring(tmp_path, monkeypatch):
    """A keyring in a file of the test's own, for this process and any it starts
    (tests/keyring_file.py); keyring's fail backend again afterwards. Yields the backend."""
    import keyring
    from keyring.backends import fail

    from tests.keyring_file import ENV, FileKeyring

    monkeypatch.setenv(ENV, str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keyring_file.FileKeyring")
    backend = FileKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(fail.Keyring())


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path, monkeypatch):
    """QSettings go to an .ini file in tmp_path, never the user's real settings."""
    try:
        from PySide6 import QtCore
    except ImportError:  # pure tests still run without Qt
        yield
        return
    fmt = QtCore.QSettings.Format.IniFormat
    QtCore.QSettings.setDefaultFormat(fmt)
    QtCore.QSettings.setPath(fmt, QtCore.QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield


@pytest.fixture
def reviewer(monkeypatch):
    """The name the program records as who made a change: the computer login for a SQLite
    file (set here, as a login the tests choose), the server login on PostgreSQL."""
    if ON_POSTGRESQL:
        from tests.pg_cluster import SUPERUSER

        return SUPERUSER
    monkeypatch.setenv("LOGNAME", "Dr Test")  # getpass.getuser() reads it first
    return "Dr Test"


_LOGINS = itertools.count(1)


@pytest.fixture
def server_login(pg_server):
    """Factory on the PostgreSQL pass: a new login on the test server, put in a role of
    ``engine``'s database as `db grant` does ('reviewer' or 'read-only'), and the program's
    engine connected as that login (a second person at the server). With role None, only
    the login is made (its name is returned). Logins are dropped after the test."""
    from db.engine import open_database
    from db.roles import grant

    engines, names = [], []

    def make(engine, role: str | None, name: str | None = None):
        name = name or f"{(role or 'nobody').replace('-', '_')}_{next(_LOGINS)}"
        pg_server.admin.execute(f'CREATE ROLE "{name}" LOGIN')
        names.append(name)
        if role is None:
            return name
        grant(engine, name, role)
        other = open_database(engine.url.set(username=name).render_as_string(
            hide_password=False))
        engines.append(other)
        return other

    yield make
    for other in engines:
        other.dispose()
    for name in names:  # its memberships go with it; the privileges are its groups'
        pg_server.admin.execute(f'DROP ROLE IF EXISTS "{name}"')
