"""The writer that bench_sigkill kills: it saves episodes through db.episodes and imports
files through data.importing (the program's own write paths), one change after another,
until it is SIGKILLed.

It tells what it does on a line-buffered log, one line per step: ``begin <change>`` before
the change, ``done <change> <result>`` once its commit has returned. A change whose
``done`` line is there was committed and must survive the kill; the one change begun and
not done may have committed or not, but not half.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

# Imported here, before the fork: each forked writer starts writing at once.
from data.importing import import_file
from db.engine import open_database
from db.episodes import create_episode, delete_episode, update_episode
from db.queries import load_episodes

ACTOR = "crash-writer"
CASE = "CRASH-CASE"  # the case whose episodes are saved
IMPORTED = "CRASH-IMPORT-"  # the pseudonyms of cases the writer imports start so
DAY = 86_400
EPOCH_2020 = 1_577_836_800
MAX_EPISODES = 12  # beyond it the writer deletes rather than creates


def lab_file(folder: Path, pseudonym: str, rows: int) -> Path:
    """A hospital's long-format lab export of ``rows`` CRP and SAA values for a new case."""
    path = folder / f"{pseudonym}.csv"
    start = dt.date(2020, 1, 1)
    lines = ["patient,date,code,value,unit,specimen"]
    for i in range(rows):
        day = start + dt.timedelta(days=i // 2)
        code = "CRP" if i % 2 == 0 else "SAA"
        lines.append(f"{pseudonym},{day.isoformat()},{code},{(i * 7) % 500 / 10 + 0.5},mg/L,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_until_killed(target: str, log_path: str, folder: str, round_no: int,
                       seed: int) -> None:
    rng = random.Random(seed)
    log = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - killed, never closed
    engine = open_database(target)
    with engine.connect() as conn:
        case_id = conn.exec_driver_sql(
            f"SELECT id FROM patient WHERE pseudonym = '{CASE}'").scalar_one()
    log.write("ready\n")
    for n in range(1_000_000):
        episodes = load_episodes(engine, case_id)
        roll = rng.random()
        if roll < 0.2:
            pseudonym = f"{IMPORTED}R{round_no}N{n}"
            rows = rng.randint(200, 3000)
            path = lab_file(Path(folder), pseudonym, rows)
            log.write(f"begin import {pseudonym} {rows}\n")
            result = import_file(engine, path, actor=ACTOR)
            log.write(f"done import {pseudonym} {result.observations_added}\n")
        elif episodes.empty or (roll < 0.45 and len(episodes) < MAX_EPISODES):
            onset = EPOCH_2020 + rng.randrange(0, 2000) * DAY
            log.write("begin create\n")
            row = create_episode(engine, case_id, actor=ACTOR, kind="flare", onset=onset,
                                 end=onset + rng.randint(1, 20) * DAY, note=f"round {round_no}")
            log.write(f"done create {row['id']} {row['version']}\n")
        else:
            ep = episodes.iloc[rng.randrange(len(episodes))]
            eid, version = int(ep["id"]), int(ep["version"])
            if roll > 0.9 or len(episodes) >= MAX_EPISODES:
                log.write(f"begin delete {eid} {version}\n")
                delete_episode(engine, eid, version, actor=ACTOR)
                log.write(f"done delete {eid}\n")
            else:
                log.write(f"begin update {eid} {version}\n")
                row = update_episode(engine, eid, version, actor=ACTOR,
                                     onset=int(ep["onset"]) + DAY, end=int(ep["end"]) + DAY,
                                     note=f"round {round_no} edit {n}")
                log.write(f"done update {eid} {row['version']}\n")
