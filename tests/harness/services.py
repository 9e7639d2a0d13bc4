"""Debian's PostgreSQL and Redis, started on loopback ports for a test run."""

import os
import pwd
import shutil
import subprocess
import tempfile
from glob import glob

from tests.harness.ports import free_port, wait_for_port


def postgres_bin() -> str | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(found[-1]) if found else None


class Postgres:
    """A throw-away PostgreSQL cluster owned by the ``postgres`` user."""

    def __init__(self):
        self.bin = postgres_bin()
        self.port = free_port()
        self.data = tempfile.mkdtemp(prefix="chat-pg-")

    def _as_postgres(self, *command: str) -> None:
        uid = pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else None
        subprocess.run(command, check=True, capture_output=True, user=uid)

    def start(self) -> str:
        """Start it; returns the URL of an empty database ``chat``."""
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
        self._as_postgres(f"{self.bin}/initdb", "-D", self.data, "-A", "trust", "-U", "chat")
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self._as_postgres(
            f"{self.bin}/pg_ctl",
            "-D",
            self.data,
            "-o",
            options,
            "-l",
            f"{self.data}/server.log",
            "-w",
            "start",
        )
        self._as_postgres(
            f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "chat", "chat"
        )
        return f"postgresql+psycopg://chat@127.0.0.1:{self.port}/chat"

    def stop(self) -> None:
        try:
            self._as_postgres(f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.data, ignore_errors=True)


class Redis:
    """A Redis server with no persistence."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self) -> str:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
