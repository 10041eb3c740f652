"""What a read costs on a PostgreSQL server, for the benchmarks that measure one."""

from __future__ import annotations


class ServerCPU:
    """CPU seconds the server's processes serving ``database`` have used (Linux /proc):
    a read's cost on a server is only partly in the client's own CPU time."""

    def __init__(self, cluster, database: str) -> None:
        import psycopg

        from tests.pg_cluster import PORT, SUPERUSER

        self.database = database
        self.admin = psycopg.connect(host=str(cluster.folder), port=PORT, user=SUPERUSER,
                                     dbname="postgres", autocommit=True)

    def __call__(self) -> float:
        import os

        total = 0
        for (pid,) in self.admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:  # the backend ended meanwhile
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
        return total / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.admin.close()
