"""Several reviewers at once on a PostgreSQL server (issue 16, speed and load): WRITERS
processes each make EDITS episode edits through db.episodes.update_episode, all on the
same few episodes of one case, so their edits collide. Each edit reads the episode, then
saves a change against the version it read; a refusal (StaleEpisodeError) is a conflict
reported to the writer.

Checked from the audit trail afterwards: every accepted edit was made against the version
its writer read (a silent overwrite is an accepted edit that was not), every episode's
versions follow one another with no gap or fork, every refusal was a real conflict (the
version read had been moved on by someone else), and `audit verify` is clean.

Prints pg_8_writers_edits_per_s (edits tried, accepted or refused, per second of wall
time), pg_8_writers_accepted, pg_8_writers_conflicts, pg_8_writers_silent_overwrites,
pg_8_writers_unreported (attempts neither accepted nor refused as a conflict),
pg_8_writers_false_conflicts, pg_8_writers_audit_problems.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WRITERS = 8
EDITS = 500
EPISODES = 4
DAY = 86_400
T0 = 1_577_836_800


def edit_episodes(url: str, writer: int, edits: int, episode_ids: list[int], out: str,
                  start, think_s: float) -> None:
    """One reviewer's process: ``edits`` read-then-save edits; what happened, to ``out``."""
    from db.engine import open_database
    from db.episodes import StaleEpisodeError, get_episode, update_episode

    rng = random.Random(writer)
    engine = open_database(url)
    accepted, conflicts, errors = [], [], []
    start.wait()
    began = time.perf_counter()
    for i in range(edits):
        eid = rng.choice(episode_ids)
        read = get_episode(engine, eid)
        if think_s:
            time.sleep(rng.uniform(0, think_s))
        try:
            row = update_episode(engine, eid, read["version"], actor=f"writer-{writer}",
                                 note=f"writer {writer} edit {i}")
            accepted.append([eid, read["version"], row["version"]])
        except StaleEpisodeError:
            conflicts.append([eid, read["version"]])
        except Exception as exc:  # counted: neither saved nor told as a conflict
            errors.append(f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - began
    engine.dispose()
    Path(out).write_text(json.dumps({"accepted": accepted, "conflicts": conflicts,
                                     "errors": errors, "seconds": seconds}))


@dataclass
class Load:
    attempts: int = 0
    accepted: int = 0
    conflicts: int = 0
    unreported: int = 0
    silent_overwrites: int = 0
    false_conflicts: int = 0
    audit_problems: int = 0
    seconds: float = 0.0
    findings: list[str] = field(default_factory=list)

    def lines(self, prefix: str) -> list[str]:
        return [f"{prefix}_edits_per_s {self.attempts / self.seconds:.0f} edits/s",
                *(f"{prefix}_{name} {getattr(self, name)} count" for name in (
                    "accepted", "conflicts", "silent_overwrites", "unreported",
                    "false_conflicts", "audit_problems"))]


def judge(engine, reports: list[dict], load: Load) -> None:
    """Hold the writers' reports against the audit trail (see the module's docstring)."""
    from sqlalchemy import text

    from db.audit import verify
    from db.audit_action import base_action

    trail: dict[int, list[tuple[int, int, str]]] = {}  # episode → (from, to, actor) in order
    with engine.connect() as conn:
        for eid, action, actor, before, after in conn.execute(text(
                "SELECT entity_id, action, actor, \"before\", \"after\" FROM audit_event "
                "WHERE entity = 'episode' ORDER BY id")):
            was = json.loads(before)["version"] if before else 0
            trail.setdefault(eid, []).append(
                (was, json.loads(after)["version"], actor if base_action(action) == "update"
                 else ""))
        stored = dict(conn.execute(text("SELECT id, version FROM episode")).all())
    saved_from: dict[tuple[int, int], int] = {}  # (episode, version read) → accepted edits
    for eid, events in trail.items():
        for (_, prev_to, _), (was, to, _) in zip(events, events[1:], strict=False):
            if was != prev_to or to != was + 1:
                load.silent_overwrites += 1
                load.findings.append(f"episode {eid}: version {prev_to} followed by an edit "
                                     f"of {was} to {to}")
        if events[-1][1] != stored.get(eid):
            load.findings.append(f"episode {eid}: stored at {stored.get(eid)}, trail at "
                                 f"{events[-1][1]}")
            load.silent_overwrites += 1
        for was, _, actor in events:
            if actor:
                saved_from[eid, was] = saved_from.get((eid, was), 0) + 1
    for report in reports:
        load.accepted += len(report["accepted"])
        load.conflicts += len(report["conflicts"])
        load.unreported += len(report["errors"])
        load.findings += report["errors"][:5]
        for eid, read, saved in report["accepted"]:
            if saved != read + 1 or saved_from.get((eid, read), 0) != 1:
                load.silent_overwrites += 1
                load.findings.append(f"episode {eid}: an accepted edit of version {read} "
                                     f"is not the one edit the trail has from it")
        for eid, read in report["conflicts"]:
            if (eid, read) not in saved_from:  # nobody had moved the version on
                load.false_conflicts += 1
    load.attempts = load.accepted + load.conflicts + load.unreported
    if load.accepted != sum(saved_from.values()):
        load.silent_overwrites += abs(load.accepted - sum(saved_from.values()))
        load.findings.append(f"{load.accepted} edits accepted, the trail has "
                             f"{sum(saved_from.values())}")
    _, problems = verify(engine)
    load.audit_problems = len(problems)
    load.findings += [what for _, what in problems[:5]]


def run(url: str, writers: int = WRITERS, edits: int = EDITS, episodes: int = EPISODES,
        think_s: float = 0.0, folder: Path | None = None) -> Load:
    """``writers`` processes × ``edits`` on ``episodes`` episodes of a new case at ``url``
    (a server database at head)."""
    from db.engine import open_database
    from db.episodes import create_episode
    from db.writes import insert_patient

    engine = open_database(url)
    with engine.begin() as conn:
        case = insert_patient(conn, pseudonym=f"LOAD-{time.time_ns()}")
    ids = [create_episode(engine, case, actor="setup", kind="flare", onset=T0 + i * 30 * DAY,
                          end=T0 + (i * 30 + 5) * DAY)["id"] for i in range(episodes)]
    own = tempfile.TemporaryDirectory(prefix="fs-load-") if folder is None else None
    folder = Path(own.name) if own else folder
    try:
        context = multiprocessing.get_context("forkserver")
        start = context.Event()
        outs = [folder / f"writer-{k}.json" for k in range(writers)]
        procs = [context.Process(target=edit_episodes, args=(
            url, k, edits, ids, str(outs[k]), start, think_s)) for k in range(writers)]
        for p in procs:
            p.start()
        time.sleep(0.5)  # every writer connected and waiting
        began = time.perf_counter()
        start.set()
        for p in procs:
            p.join()
        load = Load(seconds=time.perf_counter() - began)
        reports = []
        for k, out in enumerate(outs):
            if out.exists():
                reports.append(json.loads(out.read_text()))
            else:
                reports.append({"accepted": [], "conflicts": [],
                                "errors": [f"writer {k} died (exit {procs[k].exitcode})"] * edits})
        judge(engine, reports, load)
        return load
    finally:
        engine.dispose()
        if own:
            own.cleanup()


def main() -> int:
    from tests.pg_cluster import Cluster, available

    if not available():
        print("# PostgreSQL not installed: skipped", flush=True)
        return 0
    cluster = Cluster().start()
    try:
        cluster.new_database("load").dispose()
        load = run(cluster.url("load"))
    finally:
        cluster.stop()
    for line in load.findings[:20]:
        print(f"# {line}")
    print("\n".join(load.lines(f"pg_{WRITERS}_writers")), flush=True)
    return int(bool(load.silent_overwrites or load.unreported or load.audit_problems))


if __name__ == "__main__":
    sys.exit(main())
