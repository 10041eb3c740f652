"""A throwaway PostgreSQL cluster for the test suite's PostgreSQL pass.

initdb into a temporary folder, the server listening on a Unix socket in that folder
only (no TCP: nothing here may reach the network), removed afterwards. PostgreSQL
refuses to run as root, so under root (CI, these machines) the cluster belongs to the
`postgres` system user. Durability is switched off: a test cluster is thrown away, and
fsync per commit would triple the pass's run time.

Run as a script it starts a cluster, prints its URL and waits (for a look by hand).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("FLARESCOPE_PG_BIN", "/usr/lib/postgresql/15/bin"))
PORT = 55432  # only names the socket file inside our own folder
SUPERUSER = "flarescope"


def available() -> bool:
    return (PG_BIN / "initdb").is_file() and (PG_BIN / "pg_ctl").is_file()


class Cluster:
    def __init__(self) -> None:
        # Short: a Unix socket path is limited to 107 bytes.
        self.folder = Path(tempfile.mkdtemp(prefix="fs-pg-", dir="/tmp"))
        self.data = self.folder / "data"
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            self._as_owner = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self._as_owner, *args], capture_output=True, text=True,
                                cwd=self.folder)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stderr or result.stdout}")

    def start(self) -> Cluster:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                  "-U", SUPERUSER, "--no-sync", "-E", "UTF8", "--locale", "C")
        options = (f"-k {self.folder} -p {PORT} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.folder / "log"), "-w", "start")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.folder}&port={PORT}"

    def new_database(self, name: str):
        """An Engine on a new database of this cluster, its schema at head (`db upgrade`)."""
        import psycopg

        from db.engine import open_database, upgrade_schema

        with psycopg.connect(host=str(self.folder), port=PORT, user=SUPERUSER,
                             dbname="postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        engine = open_database(self.url(name), migrate=False)
        upgrade_schema(engine)
        return engine

    def stop(self) -> None:
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                      "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


if __name__ == "__main__":
    cluster = Cluster().start()
    print(cluster.url(), flush=True)
    try:
        input("press Enter to stop and remove the cluster\n")
    finally:
        cluster.stop()
