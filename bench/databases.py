"""The chat's database under test: its SQLite file, or Debian's PostgreSQL.

PostgreSQL is started by ``tests.harness.services`` on a loopback port, one
fresh cluster (and database) per server start, and pinned to the given cores:
by default the server's, as SQLite runs inside the server process.
"""

import sqlite3
import subprocess
from pathlib import Path

import psycopg

from bench.machine import children_of, pin
from tests.harness.services import Postgres, postgres_bin

COUNT_MESSAGES = "SELECT count(*) FROM messages WHERE client_id LIKE {}"


class PinnedPostgres:
    """A throw-away PostgreSQL cluster whose processes run on ``cores``."""

    def __init__(self, cores: str):
        if postgres_bin() is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.cores = cores
        self.server = Postgres()
        self.url: str | None = None

    def start(self) -> str:
        """Start it; returns the SQLAlchemy URL of its empty database."""
        self.url = self.server.start()
        # Backends fork from the postmaster and inherit its cores.
        for pid in [self.pid, *children_of(self.pid)]:
            pin(pid, self.cores)
        return self.url

    @property
    def pid(self) -> int:
        """The postmaster's process id (the first line of postmaster.pid)."""
        return int(Path(self.server.data, "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        """Stop it (if it started) and remove its files."""
        try:
            self.server.stop()
        except subprocess.CalledProcessError:
            pass  # it never started; its files are gone all the same


def count_messages(database_url: str, client_id_prefix: str) -> int:
    """Messages whose client_id begins with the prefix, in a SQLite or PostgreSQL database."""
    pattern = client_id_prefix + "%"
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
            return db.execute(COUNT_MESSAGES.format("?"), (pattern,)).fetchone()[0]
    with psycopg.connect(database_url.replace("+psycopg", ""), connect_timeout=30) as db:
        return db.execute(COUNT_MESSAGES.format("%s"), (pattern,)).fetchone()[0]
