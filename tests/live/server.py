"""The chat server as a real process, for tests that drive it over the network.

``ServerProcess`` runs the production entry point (``python wsgi.py``) from the
repository root on a SQLite file of its own. Fault-injection tests can
``kill()`` it (SIGKILL, no clean-up) and ``start()`` it again on the same
database and port, so that clients may reconnect to the same URL.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# Settings of the calling environment that would change what the server does.
_INHERITED_PREFIXES = ("CHAT_", "SOCKETIO_", "FLASK_")
_INHERITED_NAMES = {"DATABASE_URL", "TEST_DATABASE_URL", "SECRET_KEY", "PORT", "HOST"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerError(RuntimeError):
    """The server process failed to start, or a command of it failed."""


class ServerProcess:
    """One chat server process, started and stopped by a test.

    ``workdir`` holds the database and the log (``server.log``, appended to
    across restarts). ``env`` adds or overrides environment variables, e.g.
    ``{"CHAT_TYPING_TIMEOUT": "1"}``.
    """

    def __init__(self, workdir: Path, async_mode: str = "eventlet", env: dict | None = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.async_mode = async_mode
        self.database_url = f"sqlite:///{self.workdir / 'chat.db'}"
        self.log_path = self.workdir / "server.log"
        self.extra_env = dict(env or {})
        self.port: int | None = None
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise ServerError("the server has not been started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def environment(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in _INHERITED_NAMES and not key.startswith(_INHERITED_PREFIXES)
        }
        env.update(
            DATABASE_URL=self.database_url,
            SECRET_KEY="live-test-secret",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    # Set-up through the CLI, exactly as the quick start does it.

    def flask(self, *args: str, timeout: float = 60) -> str:
        """Run ``flask ARGS`` against this server's database; returns its output.

        ``FLASK_APP`` comes from the project's ``.flaskenv``. No async mode is
        set, as for any ``flask`` command.
        """
        env = self.environment()
        result = subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = result.stdout + result.stderr
        self._log(f"$ flask {' '.join(args)}\n{output}")
        if result.returncode != 0:
            raise ServerError(f"flask {args[0]} failed ({result.returncode}):\n{output}")
        return output

    def upgrade_database(self) -> str:
        return self.flask("db", "upgrade")

    def create_agent(self, email: str, name: str, password: str) -> str:
        return self.flask("agents", "create", email, "--name", name, "--password", password)

    # The server process.

    def start(self, timeout: float = 20) -> None:
        """Start ``python wsgi.py`` (on the previous port, if it ran before)."""
        if self.running:
            raise ServerError("the server is running already")
        if self.port is None:
            self.port = free_port()
        env = self.environment()
        env.update(HOST="127.0.0.1", PORT=str(self.port), SOCKETIO_ASYNC_MODE=self.async_mode)
        self._log(f"$ SOCKETIO_ASYNC_MODE={self.async_mode} python wsgi.py  # port {self.port}")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "wsgi.py"],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_ready(timeout)

    def stop(self, timeout: float = 5) -> int | None:
        """Terminate the server (SIGTERM), killing it if it does not end in time."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self._ended()

    def kill(self) -> int | None:
        """End the server abruptly (SIGKILL): no disconnect handlers, no clean-up."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        return self._ended()

    def restart(self, hard: bool = False, timeout: float = 20) -> None:
        """Stop (or, with ``hard``, kill) the server and start it on the same database."""
        self.kill() if hard else self.stop()
        self.start(timeout)

    # The log.

    def log_text(self, since: int = 0) -> str:
        """The server log from byte offset ``since``."""
        try:
            with open(self.log_path, "rb") as log:
                log.seek(since)
                return log.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def _log(self, line: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(f"\n--- {line.rstrip()}\n")

    def _ended(self) -> int:
        code = self.process.returncode
        self._log(f"server exited with {code}")
        return code

    def _wait_until_ready(self, timeout: float) -> None:
        """Poll until the app answers HTTP (any status will do)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                code = self._ended()
                raise ServerError(
                    f"the server exited with {code} while starting:\n{self.log_tail()}"
                )
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                connection.request("GET", "/api/v1/conversations")
                connection.getresponse().read()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.kill()
                    raise ServerError(
                        f"the server did not answer within {timeout}s:\n{self.log_tail()}"
                    ) from None
                time.sleep(0.05)
            finally:
                connection.close()
