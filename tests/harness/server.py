"""The chat server as a real process, for tests and benchmarks that drive it over the network.

``ServerProcess`` runs the production entry point (``python wsgi.py``) from the
repository root on a free loopback port, on a SQLite file of its own unless
it is given a ``database_url``. Its database is set up through the CLI, as
the quick start does it (``prepare``). Fault-injection tests can ``kill()``
it (SIGKILL, no clean-up) and ``start()`` it again on the same database and
port, so that clients may reconnect to the same URL.
"""

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tests.harness.credentials import AGENT_EMAIL, AGENT_NAME, AGENT_PASSWORD
from tests.harness.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]

# Settings of the calling environment that would change what the server does.
_INHERITED_PREFIXES = ("CHAT_", "SOCKETIO_", "FLASK_")
_INHERITED_NAMES = {
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "SECRET_KEY",
    "PORT",
    "HOST",
    "MAX_CONNECTIONS",
}
TRACEBACK = "Traceback (most recent call last):"


class ServerError(RuntimeError):
    """The server process failed to start, or a command of it failed."""


class ServerProcess:
    """One chat server process, started and stopped by a test or a benchmark.

    ``workdir`` holds the database and the log (``server.log``, appended to
    across restarts). ``env`` adds or overrides environment variables, e.g.
    ``{"CHAT_TYPING_TIMEOUT": "1"}``. ``script`` is the entry point to run
    (another server, such as bench/relay.py, that reads ``HOST``, ``PORT``
    and ``SOCKETIO_ASYNC_MODE``); ``prefix`` comes before the command (e.g.
    ``taskset -c 0``) and ``preexec_fn`` runs in the child before it starts;
    ``new_session`` starts it in a session of its own.
    """

    def __init__(
        self,
        workdir: Path,
        async_mode: str = "eventlet",
        env: dict | None = None,
        *,
        database_url: str | None = None,
        script: str = "wsgi.py",
        prefix: Sequence[str] = (),
        preexec_fn: Callable[[], None] | None = None,
        new_session: bool = False,
    ):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.async_mode = async_mode
        self.database_path = self.workdir / "chat.db"
        self.database_url = database_url or f"sqlite:///{self.database_path}"
        self.log_path = self.workdir / "server.log"
        self.extra_env = dict(env or {})
        self.command = [*prefix, sys.executable, script]
        self.popen_options = {"preexec_fn": preexec_fn, "start_new_session": new_session}
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

    @property
    def pid(self) -> int:
        return self.process.pid

    def environment(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in _INHERITED_NAMES and not key.startswith(_INHERITED_PREFIXES)
        }
        env.update(
            DATABASE_URL=self.database_url,
            # Uploaded files stay in the test's folder, not the checkout's instance/.
            CHAT_FILE_DIR=str(self.workdir / "files"),
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
        result = subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=REPO_ROOT,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = result.stdout + result.stderr
        self._log(f"$ flask {' '.join(args)}\n{output}")
        if result.returncode != 0:
            raise ServerError(f"flask {args[0]} failed ({result.returncode}):\n{output}")
        return output

    def upgrade_database(self, timeout: float = 60) -> str:
        return self.flask("db", "upgrade", timeout=timeout)

    def create_agent(self, email: str, name: str, password: str, timeout: float = 60) -> str:
        return self.flask(
            "agents", "create", email, "--name", name, "--password", password, timeout=timeout
        )

    def prepare(self, timeout: float = 60) -> "ServerProcess":
        """A migrated database with the agent of ``tests.harness.credentials``."""
        self.upgrade_database(timeout)
        self.create_agent(AGENT_EMAIL, AGENT_NAME, AGENT_PASSWORD, timeout)
        return self

    # The server process.

    def _server_environment(self) -> dict:
        if self.port is None:
            self.port = free_port()
        env = self.environment()
        env.update(HOST="127.0.0.1", PORT=str(self.port), SOCKETIO_ASYNC_MODE=self.async_mode)
        return env

    def start(self, timeout: float = 20) -> "ServerProcess":
        """Start the server (on the previous port, if it ran before)."""
        if self.running:
            raise ServerError("the server is running already")
        env = self._server_environment()
        self._log(f"$ SOCKETIO_ASYNC_MODE={self.async_mode} {self.command[-1]}  # port {self.port}")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                **self.popen_options,
            )
        self._wait_until_ready(timeout)
        return self

    def run_to_exit(self, timeout: float = 60) -> subprocess.CompletedProcess:
        """Run the server in the foreground until it exits by itself (say, refusing
        to start); returns its exit code and output."""
        return subprocess.run(
            self.command,
            cwd=REPO_ROOT,
            env=self._server_environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

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

    def assert_clean_log(self, since: int = 0, allowed: tuple[str, ...] = ()) -> None:
        """No traceback in the log since ``since``, except for ``allowed`` errors."""
        logged = self.log_text(since)
        blocks = logged.split(TRACEBACK)[1:]
        unexpected = [block for block in blocks if not any(snippet in block for snippet in allowed)]
        assert not unexpected, "the server logged an error:\n" + logged[-4000:]

    def _log(self, line: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(f"\n--- {line.rstrip()}\n")

    def _ended(self) -> int:
        code = self.process.returncode
        self._log(f"server exited with {code}")
        return code

    def _wait_until_ready(self, timeout: float) -> None:
        """Poll until the server answers HTTP (any status will do)."""
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None:
                code = self._ended()
                raise ServerError(
                    f"the server exited with {code} while starting:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.kill()
                raise ServerError(
                    f"the server did not answer within {timeout}s:\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def _answers(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
        try:
            connection.request("GET", "/api/v1/conversations")
            connection.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            connection.close()
