"""The servers under test: the chat (``python wsgi.py``) or the bare relay.

Each runs as a ``tests.harness`` server process on a temporary directory,
pinned to its cores, in a session of its own, and is removed when it stops.
The chat's database is a SQLite file there, or a PostgreSQL cluster of its
own (``bench.databases``).
"""

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.databases import PinnedPostgres, count_messages
from bench.machine import TreeCpuWindow, child_setup
from bench.output import log
from tests.harness.api import ChatApi, UnexpectedAnswer, Visitor
from tests.harness.server import ServerProcess

# The chat's limits are raised so that the benchmark measures throughput, not
# the limits: 200 conversations from one address, many messages per socket.
CHAT_BENCH_ENV = {
    "CHAT_CONVERSATION_RATE": "100000 per minute",
    "CHAT_MESSAGE_RATE": "100000 per 10 seconds",
    "CHAT_TYPING_RATE": "100000 per 10 seconds",
    "CHAT_MAX_VISITOR_CONNECTIONS": "100",
}
SCRIPTS = {"chat": "wsgi.py", "relay": "bench/relay.py"}
ERROR_WORDS = ("Traceback", "ERROR", "Error", "locked", "failed")


class Server:
    """A server under test, pinned to ``cores``, on a free loopback port."""

    def __init__(
        self,
        kind: str,
        async_mode: str = "eventlet",
        nodelay: bool = False,
        cores: str = "0",
        max_connections: int | None = None,
        database: str = "sqlite",
        database_cores: str | None = None,
        metrics: bool = False,
    ):
        self.kind = kind  # "chat" or "relay"
        self.async_mode = async_mode
        self.nodelay = nodelay
        # "sqlite" or "postgresql" for the chat; None for the relay, which stores nothing.
        self.database = database if kind == "chat" else None
        self.postgres = (
            PinnedPostgres(database_cores or cores) if self.database == "postgresql" else None
        )
        self.tmp = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
        env = dict(CHAT_BENCH_ENV)
        # The chat's Prometheus metrics, read before and after each step (bench/scrape.py).
        self.metrics = metrics and kind == "chat"
        if self.metrics:
            env["CHAT_METRICS"] = "1"
        if max_connections:
            env["MAX_CONNECTIONS"] = str(max_connections)
        if nodelay:
            env["RELAY_TCP_NODELAY"] = "1"
        self.process = ServerProcess(
            self.tmp,
            async_mode,
            env,
            script=SCRIPTS[kind],
            prefix=("taskset", "-c", cores),
            preexec_fn=child_setup,
            new_session=True,
        )
        self.api: ChatApi | None = None
        self.agent_token: str | None = None
        self._log_start = 0

    @property
    def label(self) -> str:
        if self.kind == "chat":
            name = "chat" if self.async_mode == "eventlet" else f"chat/{self.async_mode}"
            return name + "/pg" if self.postgres else name
        name = "relay+nodelay" if self.nodelay else "relay"
        return name if self.async_mode == "eventlet" else f"{name}/{self.async_mode}"

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def metrics_urls(self) -> list[str]:
        """Where a step reads the chat's metrics (none unless it records them)."""
        return [self.url] if self.metrics else []

    # A step connects the agents here too and measures no other process;
    # bench/scale.py's pair of processes says otherwise.

    @property
    def agent_url(self) -> str:
        return self.url

    @property
    def others(self) -> dict[str, int]:
        """Other processes measured beside this one: {name: pid}."""
        return {}

    def counters(self) -> dict[str, int]:
        """Counts (ever growing) whose growth over a step's sending is reported."""
        return {}

    def start(self) -> None:
        if self.postgres is not None:
            self.process.database_url = self.postgres.start()
        if self.kind == "chat":
            self.process.prepare(timeout=120)
        self._log_start = self.process.log_size()
        self.process.start(timeout=40)
        if self.kind == "chat":
            self.api = ChatApi(self.url, timeout=30)
            self.agent_token = self.api.agent_token
        else:
            self.agent_token = "relay-agent"

    def create_visitors(self, count: int, threads: int = 8) -> list[dict]:
        """``count`` conversations: [{conversation_id, token}] in order."""
        if self.kind != "chat":
            return [{"conversation_id": i + 1, "token": f"v{i + 1}"} for i in range(count)]
        with ThreadPoolExecutor(threads) as pool:
            return [visitor._asdict() for visitor in pool.map(self._new_visitor, range(count))]

    def _new_visitor(self, i: int) -> Visitor:
        for attempt in range(5):
            try:
                return self.api.new_conversation(name=f"Visitor {i}")
            except UnexpectedAnswer:
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def count_stored(self, client_id_prefix: str) -> int | None:
        """Stored messages whose client_id begins with the prefix (None for the relay)."""
        if self.kind != "chat":
            return None
        return count_messages(self.process.database_url, client_id_prefix)

    @property
    def database_pid(self) -> int | None:
        """The database's main process, if it runs in processes of its own."""
        return self.postgres.pid if self.postgres else None

    def database_cpu(self) -> TreeCpuWindow | None:
        """A CPU window over the database's processes, if it runs in processes of its own."""
        return TreeCpuWindow(self.database_pid) if self.postgres else None

    def log_problems(self) -> list[str]:
        """Lines of the server's output that report errors."""
        logged = self.process.log_text(since=self._log_start)
        return [line for line in logged.splitlines() if any(word in line for word in ERROR_WORDS)]

    def stop(self) -> None:
        self.process.stop(timeout=15)
        if self.api is not None:
            self.api.close()
        if self.postgres is not None:
            self.postgres.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def start_server(kind: str, retries: int = 1, wait: float = 30.0, **options) -> Server:
    """Start a server; if it fails (its code may be changing), wait and try again."""
    for attempt in range(retries + 1):
        server = Server(kind, **options)
        try:
            server.start()
            return server
        except Exception as exc:  # noqa: BLE001 - reported, then retried
            server.stop()
            if attempt == retries:
                raise
            log(f"{server.label}: {exc}\nretrying in {wait:.0f} s")
            time.sleep(wait)
    raise AssertionError("unreachable")
