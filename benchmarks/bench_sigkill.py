"""Crash safety, measured (issue 16 item 5): a writer process (benchmarks/sigkill_writer.py)
saves episodes and imports files through the program's own write paths and is SIGKILLed
at a random moment, KILLS times on each back-end (a SQLite file; a throwaway PostgreSQL
server, tests/pg_cluster.py). After every kill the database is compared with what the
writer had reported committed; at the end the files and indexes are checked.

Prints `name value unit` lines per back-end (suffix `_sqlite`, `_pg`):
kills, kills_mid_write (the writer was inside a change when killed; kills_mid_import:
inside an import), changes_committed (reported done by the writers, in all),
committed_lost (a change reported committed that is not there), half_written (an import
not all or nothing, an episode whose row and newest audit row disagree, a row nobody
wrote), audit_problems (what `audit verify` found after each kill), writer_errors (a
writer that stopped on its own), integrity_ok (1: PRAGMA integrity_check / amcheck on
every index clean and `main.py audit verify` passes at the end).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KILLS = 500
# The kill comes this long (uniform, seconds) after the writer is ready: a few changes in.
KILL_WITHIN_S = 0.4
READY_WITHIN_S = 60.0


@dataclass
class Figures:
    kills: int = 0
    kills_mid_write: int = 0
    kills_mid_import: int = 0
    changes_committed: int = 0
    committed_lost: int = 0
    half_written: int = 0
    audit_problems: int = 0
    writer_errors: int = 0
    integrity_ok: int = 0
    findings: list[str] = field(default_factory=list)  # what each count stands for

    def lines(self, suffix: str) -> list[str]:
        return [f"{name}{suffix} {getattr(self, name)} count" for name in
                ("kills", "kills_mid_write", "kills_mid_import", "changes_committed", "committed_lost", "half_written",
                 "audit_problems", "writer_errors", "integrity_ok")]


@dataclass
class Expected:
    """What the writers reported committed: episode id → version, import → rows."""

    episodes: dict[int, int] = field(default_factory=dict)
    imports: dict[str, int] = field(default_factory=dict)


def read_log(path: Path) -> tuple[list[list[str]], list[str] | None, bool]:
    """(changes reported done, the change begun and not done, whether it got ready)."""
    done, begun, ready = [], None, False
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if words == ["ready"]:
                ready = True
            elif words and words[0] == "begin":
                begun = words[1:]
            elif words and words[0] == "done":
                done.append(words[1:])
                begun = None
    return done, begun, ready


def check(engine, expected: Expected, done: list[list[str]], begun: list[str] | None,
          figures: Figures) -> None:
    """Count what the database lost or holds half; then take its state as the new
    expectation (the change in flight may have gone either way)."""
    from sqlalchemy import text

    from benchmarks.sigkill_writer import CASE, IMPORTED
    from db.audit_action import base_action

    for change in done:
        if change[0] in ("create", "update"):
            expected.episodes[int(change[1])] = int(change[2])
        elif change[0] == "delete":
            expected.episodes[int(change[1])] = 0  # 0: deleted
        elif change[0] == "import":
            expected.imports[change[1]] = int(change[2])
    with engine.connect() as conn:
        table = dict(conn.execute(text(
            "SELECT e.id, e.version FROM episode e JOIN patient p ON p.id = e.patient_id "
            "WHERE p.pseudonym = :case"), {"case": CASE}).all())
        newest = {}
        for eid, action, after in conn.execute(text(
                "SELECT entity_id, action, \"after\" FROM audit_event WHERE entity = 'episode' "
                "ORDER BY id")):
            newest[eid] = 0 if base_action(action) == "delete" else json.loads(after)["version"]
        rows = dict(conn.execute(text(
            "SELECT p.pseudonym, count(o.t) FROM patient p LEFT JOIN series s ON "
            "s.patient_id = p.id LEFT JOIN observation o ON o.series_id = s.id "
            "WHERE p.pseudonym LIKE :imported GROUP BY p.pseudonym"),
            {"imported": IMPORTED + "%"}).all())
        audited = set(conn.execute(text(
            "SELECT p.pseudonym FROM audit_event a JOIN patient p ON p.id = a.patient_id "
            "WHERE a.entity = 'import' AND p.pseudonym LIKE :imported"),
            {"imported": IMPORTED + "%"}).scalars())

    def finding(kind: str, what: str) -> None:
        setattr(figures, kind, getattr(figures, kind) + 1)
        figures.findings.append(f"kill {figures.kills}: {kind}: {what}")

    in_flight = begun[0] if begun else None
    for eid in sorted(set(expected.episodes) | set(table) | set(newest)):
        stored, want = table.get(eid, 0), expected.episodes.get(eid)
        if stored != newest.get(eid, 0):
            trail = "no audit row" if eid not in newest else \
                f"audit trail at {newest[eid] or 'deleted'}"
            finding("half_written", f"episode {eid}: row at {stored or 'deleted'}, {trail}")
        if want is None:
            if not (in_flight == "create" and stored == 1):
                finding("half_written", f"episode {eid} nobody reported writing")
            continue
        moved_on = begun is not None and in_flight in ("update", "delete") and \
            int(begun[1]) == eid and stored == (want + 1 if in_flight == "update" else 0)
        if stored != want and not moved_on:
            finding("committed_lost", f"episode {eid}: reported at version "
                                      f"{want or 'deleted'}, stored {stored or 'deleted'}")
    for name in sorted(set(expected.imports) | set(rows)):
        stored, want = rows.get(name, 0), expected.imports.get(name)
        if want is None:
            if not (in_flight == "import" and begun[1] == name):
                finding("half_written", f"import of {name} nobody reported writing")
            elif stored != int(begun[2]):
                finding("half_written", f"import of {name}: {stored} of {begun[2]} rows")
        elif stored != want:
            finding("committed_lost" if stored == 0 else "half_written",
                    f"import of {name}: reported {want} rows, stored {stored}")
        if (name in rows) != (name in audited):
            finding("half_written", f"import of {name}: case and audit row disagree")
        if name in rows:
            expected.imports[name] = stored
    expected.episodes = {eid: table.get(eid, 0) for eid in set(expected.episodes) | set(table)}


def audit_findings(engine, figures: Figures) -> None:
    from db.audit import verify

    _, problems = verify(engine)
    for _, what in problems:
        figures.audit_problems += 1
        figures.findings.append(f"kill {figures.kills}: audit verify: {what}")


def integrity(engine) -> list[str]:
    """PRAGMA integrity_check (SQLite) or amcheck on every B-tree index (PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        import sqlite3

        conn = sqlite3.connect(engine.url.database)
        try:
            found = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
        return [] if found == ["ok"] else found
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = conn.exec_driver_sql(
            "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'btree' "
            "AND c.relpersistence != 't' AND i.indisvalid").all()
        found = []
        for oid, name in indexes:
            try:
                conn.exec_driver_sql(f"SELECT bt_index_check({int(oid)}, true)")
            except Exception as exc:  # amcheck reports damage as an error
                found.append(f"index {name}: {str(exc).splitlines()[0]}")
                conn.rollback()
        conn.commit()
        return found


def audit_verify_command(target: str, home: Path) -> list[str]:
    """`main.py audit verify`, as a reviewer runs it (user folders under ``home``)."""
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_STATE_HOME=str(home / "state"),
               XDG_CACHE_HOME=str(home / "cache"))
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", target, "audit",
                             "verify"], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=600)
    return [] if result.returncode == 0 else (result.stdout + result.stderr).splitlines()


def _setup(target: str, folder: Path) -> None:
    from benchmarks.sigkill_writer import ACTOR, CASE, lab_file
    from data.importing import import_file
    from db.engine import open_database

    engine = open_database(target)
    import_file(engine, lab_file(folder, CASE, 20), actor=ACTOR)
    engine.dispose()


def run(target: str, kills: int, *, seed: int = 16, folder: Path | None = None) -> Figures:
    """Kill a writer on ``target`` (as --db takes it, schema at head) ``kills`` times."""
    from benchmarks.sigkill_writer import write_until_killed
    from db.engine import open_database

    own = tempfile.TemporaryDirectory(prefix="fs-sigkill-") if folder is None else None
    folder = Path(own.name) if own else folder
    try:
        _setup(target, folder)
        # Writers are forked from a server that imported the program once: a kill a
        # fraction of a second after start, not after a second of imports.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["benchmarks.sigkill_writer"])
        rng = random.Random(seed)
        figures, expected = Figures(), Expected()
        engine = open_database(target)
        check(engine, expected, [], None, figures)
        engine.dispose()
        for round_no in range(kills):
            log = folder / f"writer-{round_no}.log"
            writer = context.Process(target=write_until_killed, args=(
                str(target), str(log), str(folder), round_no, rng.randrange(2 ** 31)))
            writer.start()
            deadline = time.monotonic() + READY_WITHIN_S
            while not read_log(log)[2] and writer.is_alive() and time.monotonic() < deadline:
                time.sleep(0.005)
            # ... and at work: one change committed. On a loaded machine a writer ready
            # for a while may not have begun any change within the kill's window, and the
            # kills then hit it idle (1 of 20 mid-write at load 7), which proves nothing.
            while not read_log(log)[0] and writer.is_alive() and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, KILL_WITHIN_S))
            if writer.is_alive():
                os.kill(writer.pid, signal.SIGKILL)
            writer.join()
            figures.kills += 1
            if writer.exitcode != -signal.SIGKILL:
                figures.writer_errors += 1
                figures.findings.append(f"kill {figures.kills}: writer stopped on its own "
                                        f"(exit {writer.exitcode})")
            done, begun, _ = read_log(log)
            figures.kills_mid_write += begun is not None
            figures.kills_mid_import += begun is not None and begun[0] == "import"
            figures.changes_committed += len(done)
            # A fresh engine each time: the killed writer was the database's only user,
            # so opening it again is SQLite's crash recovery.
            engine = open_database(target)
            try:
                check(engine, expected, done, begun, figures)
                audit_findings(engine, figures)
            finally:
                engine.dispose()
            log.unlink()
            for csv in folder.glob("*.csv"):
                csv.unlink()
        engine = open_database(target)
        try:
            damage = integrity(engine)
        finally:
            engine.dispose()
        damage += audit_verify_command(str(target), folder / "home")
        figures.findings += damage
        figures.integrity_ok = int(not damage)
        return figures
    finally:
        if own:
            own.cleanup()


def main() -> int:
    from tests.pg_cluster import Cluster, available

    kills = int(sys.argv[1]) if len(sys.argv) > 1 else KILLS
    results = {}
    with tempfile.TemporaryDirectory(prefix="fs-sigkill-db-") as tmp:
        results["_sqlite"] = run(str(Path(tmp) / "sigkill.db"), kills)
    if available():
        cluster = Cluster().start()
        try:
            engine = cluster.new_database("sigkill")
            engine.dispose()
            results["_pg"] = run(cluster.url("sigkill"), kills)
        finally:
            cluster.stop()
    else:
        print("# PostgreSQL not installed: skipped the server's kills", flush=True)
    for suffix, figures in results.items():
        for line in figures.findings[:20]:
            print(f"# {suffix[1:]}: {line}")
        print("\n".join(figures.lines(suffix)), flush=True)
    return int(any(f.committed_lost or f.half_written or not f.integrity_ok
                   for f in results.values()))


if __name__ == "__main__":
    sys.exit(main())
