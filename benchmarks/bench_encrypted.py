"""The timeline's case read on an encrypted SQLite file (SQLCipher 4) against the same case
in a plain file, in the same run. Prints `name value unit` lines (medians of RUNS).

open_case_ms_plain / open_case_ms_encrypted: request to first painted frame, the large case
without the minute-by-minute temperature (as bench_timeline's open_case_ms); the _temp_
pair with ~1 M temperature rows; …_encrypted_vs_plain: the ratios.
open_database_ms_plain / _encrypted: open_database again in the same process;
open_database_first_ms_encrypted: the first open, which runs the passphrase's PBKDF2.
encrypt_s: `db encrypt`'s conversion of the whole large file (copy, check, swap).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_timeline import RUNS, median_ms, open_case  # noqa: E402
from benchmarks.large_case import WORK, build_large_case  # noqa: E402

PASSPHRASE = "benchmark passphrase"


def _open_ms(path: Path) -> float:
    from db.engine import open_database

    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        open_database(str(path)).dispose()
        samples.append(time.perf_counter() - t0)
    return median_ms(samples)


def main() -> int:
    from db import cipher
    from db.cipher_convert import encrypt

    if not cipher.available():
        print("# sqlcipher3 not installed: skipped", flush=True)
        return 0
    plain_engine, _, _ = build_large_case()
    plain_path = Path(plain_engine.url.database)
    plain_engine.dispose()
    encrypted_path = WORK / "encrypted.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{encrypted_path}{suffix}").unlink(missing_ok=True)
    shutil.copy(plain_path, encrypted_path)
    t0 = time.perf_counter()
    encrypt(encrypted_path, cipher.Secret(passphrase=PASSPHRASE))
    encrypt_s = time.perf_counter() - t0

    from benchmarks.window import application
    from db.engine import open_database

    app = application()
    from gui.timeline.widget import TimelineWidget

    widget = TimelineWidget()
    widget.resize(1400, 900)
    widget.show()
    app.processEvents()
    figures = {"open_database_ms_plain": _open_ms(plain_path)}
    os.environ[cipher.ENV_KEY] = PASSPHRASE
    cipher._derive.cache_clear()  # as in a new process
    t0 = time.perf_counter()
    open_database(str(encrypted_path)).dispose()
    figures["open_database_first_ms_encrypted"] = (time.perf_counter() - t0) * 1000
    figures["open_database_ms_encrypted"] = _open_ms(encrypted_path)
    engines = {}
    for name, path in (("plain", plain_path), ("encrypted", encrypted_path)):
        if name == "plain":
            os.environ.pop(cipher.ENV_KEY)
        else:
            os.environ[cipher.ENV_KEY] = PASSPHRASE
        engine = engines[name] = open_database(str(path))
        with engine.connect() as conn:
            ids = dict(conn.exec_driver_sql("SELECT pseudonym, id FROM patient").all())
        open_case(widget, engine, ids["LARGE"])  # warm-up: imports, caches
        figures[f"open_case_ms_{name}"] = median_ms(
            [open_case(widget, engine, ids["LARGE"])[0] for _ in range(RUNS)])
        figures[f"open_case_temp_ms_{name}"] = median_ms(
            [open_case(widget, engine, ids["LARGE-TEMP"])[0] for _ in range(RUNS)])
    for name, value in figures.items():
        print(f"{name} {value:.0f} ms")
    for kind in ("open_case", "open_case_temp"):
        ratio = figures[f"{kind}_ms_encrypted"] / figures[f"{kind}_ms_plain"]
        print(f"{kind}_encrypted_vs_plain {ratio:.2f} ratio")
    print(f"encrypt_s {encrypt_s:.1f} s")
    print(f"encrypted_file_mb {encrypted_path.stat().st_size / 1e6:.0f} MB")
    widget.close()
    widget.deleteLater()
    app.processEvents()
    for engine in engines.values():
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
