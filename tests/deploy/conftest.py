"""The product deployed as docs/deployment.md says, on loopback ports.

PostgreSQL as ``DATABASE_URL``; Redis as ``SOCKETIO_MESSAGE_QUEUE`` and
``RATELIMIT_STORAGE_URI``; two ``python wsgi.py`` processes with
``CHAT_HTTPS=1`` and ``CHAT_TRUSTED_PROXIES=1`` on a database made by
``flask db upgrade`` with an agent made by ``flask agents create``; and nginx
with the documented configuration and a certificate made at start. All of it
runs once for the session and is stopped at the end.

Where each browser lands. ``ip_hash`` picks the process from the first three
octets of the client's address, and every connection a test makes on this
machine comes from 127.0.0.1 (Linux picks that source address for any
127.x.y.z destination, and a browser cannot choose another), so through the
documented port every browser reaches the same process. To put the agent on
the other process, nginx also listens on one port per process whose server
block is the documented one with an upstream of that process alone. The
visitor uses the documented port (``ip_hash``, sticky for long-polling); the
agent uses the pinned port of the process ``ip_hash`` did not choose, found
by a probe request and nginx's access log. The tests then check, in the
database's connection rows, that the two sockets are held by different
processes.
"""

import http.client
import shutil
import ssl
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.browser.conftest import new_context  # noqa: F401 (a fixture)
from tests.deploy.nginx import NGINX, Nginx
from tests.harness.logs import show_log_on_failure, watching
from tests.harness.server import ServerProcess
from tests.harness.services import Postgres, Redis, postgres_bin

_MISSING = [
    name
    for name, found in [
        ("nginx", shutil.which(NGINX)),
        ("openssl", shutil.which("openssl")),
        ("redis-server", shutil.which("redis-server")),
        ("postgresql", postgres_bin()),
    ]
    if not found
]
DEPLOY_TESTS = [
    pytest.mark.deploy,
    pytest.mark.skipif(bool(_MISSING), reason=f"not installed: {', '.join(_MISSING)}"),
]


@dataclass
class Deployment:
    nginx: Nginx
    processes: list[ServerProcess]
    database: sa.Engine

    @property
    def url(self) -> str:
        """The site, as browsers reach it: the documented nginx server."""
        return self.nginx.url

    def process_for(self, url: str) -> ServerProcess:
        """The process that answers requests of 127.0.0.1 to ``url`` (probed)."""
        offset = self.nginx.log_size()
        probe = f"/login?probe={uuid.uuid4().hex}"
        self.request(url, "GET", probe)
        deadline = time.monotonic() + 5
        while True:  # nginx logs a request just after answering it
            logged = [
                line for line in self.nginx.requests_since(offset) if probe in line["request"]
            ]
            if logged:
                return self._process_at(logged[0]["upstream"])
            assert time.monotonic() < deadline, "nginx logged no probe request"
            time.sleep(0.02)

    def upstreams(self, since: int, port: int) -> set[ServerProcess]:
        """The processes that answered Socket.IO requests made to nginx's ``port``."""
        return {
            self._process_at(line["upstream"])
            for line in self.nginx.requests_since(since)
            if line["port"] == str(port) and "/socket.io/" in line["request"]
        }

    def websocket_ports(self, since: int) -> set[int]:
        """The nginx ports through which WebSockets were opened (and closed)."""
        return {
            int(line["port"])
            for line in self.nginx.requests_since(since)
            if "transport=websocket" in line["request"] and line["status"] == "101"
        }

    def _process_at(self, upstream: str) -> ServerProcess:
        (process,) = [p for p in self.processes if upstream == f"127.0.0.1:{p.port}"]
        return process

    def connections(self) -> list[sa.Row]:
        """The open sockets the processes recorded: role, conversation, process."""
        with self.database.connect() as connection:
            return connection.execute(
                sa.text("SELECT role, conversation_id, process_id FROM connections")
            ).all()

    def request(
        self,
        url: str,
        method: str,
        path: str,
        headers: dict | None = None,
        source: str = "127.0.0.1",
        body: bytes | None = None,
    ) -> tuple[int, dict, str]:
        """An HTTPS request from the client address ``source`` (any 127.x.y.z)."""
        context = ssl.create_default_context(cafile=str(self.nginx.workdir / "cert.pem"))
        context.check_hostname = False  # the certificate names 127.0.0.1 in its CN only
        address = urlsplit(url)
        connection = http.client.HTTPSConnection(
            address.hostname,
            address.port,
            context=context,
            source_address=(source, 0),
            timeout=10,
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()


@pytest.fixture(scope="session")
def deployment(tmp_path_factory):
    """The deployed product, for the whole session."""
    started = []
    try:
        postgres, redis = Postgres(), Redis()
        started.append(postgres)
        database_url = postgres.start()
        started.append(redis)
        redis_url = redis.start()
        env = {
            "SOCKETIO_MESSAGE_QUEUE": redis_url,
            "RATELIMIT_STORAGE_URI": redis_url,
            "CHAT_HTTPS": "1",
            "CHAT_TRUSTED_PROXIES": "1",
            # Each process has a folder of its own, as on two machines.
            "CHAT_FILE_STORAGE": "database",
        }
        processes = [
            ServerProcess(
                tmp_path_factory.mktemp(f"process-{n}"), env=env, database_url=database_url
            )
            for n in (1, 2)
        ]
        processes[0].prepare()
        for process in processes:
            started.append(process)
            process.start()
        nginx = Nginx(tmp_path_factory.mktemp("nginx"), [p.port for p in processes])
        started.append(nginx)
        nginx.start()
        database = sa.create_engine(database_url)
        yield Deployment(nginx, processes, database)
        database.dispose()
    finally:
        for service in reversed(started):
            service.stop()


@pytest.fixture
def deployed(request, deployment):
    """The deployment; a process that died or logged a traceback during the test fails it.
    The report of a failing test shows the processes' and nginx's logs."""
    show_log_on_failure(request.node, deployment.nginx)
    with ExitStack() as watches:
        for process in deployment.processes:
            watches.enter_context(watching(request.node, process))
        yield deployment
