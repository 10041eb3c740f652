"""`make bench`: every benchmark, each in its own process, printing `name value unit` lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("bench_startup.py", "bench_memory.py", "bench_timeline.py", "bench_pdf.py",
           "bench_import.py", "bench_episode_edit.py", "bench_audit.py", "bench_integrity.py",
           "bench_controls.py", "bench_insight.py", "bench_timeline_pg.py", "bench_sigkill.py",
           "bench_pg_writers.py", "bench_suggest.py", "bench_live_refresh.py",
           "bench_encrypted.py")


def main() -> int:
    failed = 0
    for script in SCRIPTS:
        print(f"# {script}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / script)], cwd=HERE.parent)
        if code:
            print(f"# {script} failed (exit {code})", flush=True)
        failed |= code != 0
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
