"""Debian's nginx in front of the chat, configured as docs/deployment.md says.

The site configuration is read from the documentation itself (its ``nginx``
block with ``upstream chat``); only the ports and the certificate paths are
filled in. A change of the documented configuration is thus a change of
what the tests run, and a documented line the tests cannot find fails them.

nginx runs in the foreground (``daemon off``) from a prefix of its own, with
pid, logs and temporary files in a temporary directory.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.harness.ports import free_port, wait_for_port

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT_DOC = REPO_ROOT / "docs" / "deployment.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# The access log names, per request, the port the browser used and the
# process (upstream) that answered, which tells the tests who served whom.
ACCESS_LOG_FORMAT = '$server_port $remote_addr "$request" $status $upstream_addr'

MAIN_CONFIG = """\
{user}worker_processes 1;
pid {workdir}/nginx.pid;
daemon off;
error_log {workdir}/error.log;
events {{ worker_connections 512; }}
http {{
    client_body_temp_path {workdir}/temp/body;
    proxy_temp_path {workdir}/temp/proxy;
    fastcgi_temp_path {workdir}/temp/fastcgi;
    uwsgi_temp_path {workdir}/temp/uwsgi;
    scgi_temp_path {workdir}/temp/scgi;
    log_format processes '{log_format}';
    access_log {workdir}/access.log processes;

{site}
{extra}
}}
"""


def documented_site() -> str:
    """The nginx configuration of docs/deployment.md, as written there."""
    blocks = re.findall(r"```nginx\n(.*?)```", DEPLOYMENT_DOC.read_text(), re.S)
    sites = [block for block in blocks if "upstream chat {" in block]
    assert len(sites) == 1, f"{DEPLOYMENT_DOC} should show one nginx block with 'upstream chat'"
    return sites[0]


def fill_in(text: str, replacements: dict[str, str]) -> str:
    """Replace each documented line once; a line not found fails loudly."""
    for documented, actual in replacements.items():
        assert text.count(documented) == 1, (
            f"docs/deployment.md's nginx configuration no longer has {documented!r} once; "
            "update tests/deploy/nginx.py with it"
        )
        text = text.replace(documented, actual)
    return text


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, valid for a day."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1"]
        + ["-days", "1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


class Nginx:
    """nginx with the documented site on ``port``, in front of the given processes.

    ``pinned_ports`` maps each process's port to one more listening port
    whose server block is the documented one with an upstream of that
    process alone (see tests/deploy/conftest.py for why).
    """

    def __init__(self, workdir: Path, backend_ports: list[int]):
        self.workdir = Path(workdir)
        self.backend_ports = backend_ports
        self.port = free_port()
        self.pinned_ports = {backend: free_port() for backend in backend_ports}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def pinned_url(self, backend_port: int) -> str:
        """The URL whose requests all reach the process on ``backend_port``."""
        return f"https://127.0.0.1:{self.pinned_ports[backend_port]}"

    @property
    def access_log(self) -> Path:
        return self.workdir / "access.log"

    @property
    def log_path(self) -> Path:
        """The error log (what ``tests.harness.logs`` shows when a test fails)."""
        return self.workdir / "error.log"

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def config(self, cert: Path, key: Path) -> str:
        documented = documented_site()
        first, second = self.backend_ports
        tls = {
            "ssl_certificate /etc/ssl/chat/fullchain.pem;": f"ssl_certificate {cert};",
            "ssl_certificate_key /etc/ssl/chat/privkey.pem;": f"ssl_certificate_key {key};",
        }
        site = fill_in(
            documented,
            {
                "server 127.0.0.1:8001;": f"server 127.0.0.1:{first};",
                "server 127.0.0.1:8002;": f"server 127.0.0.1:{second};",
                "listen 443 ssl;": f"listen 127.0.0.1:{self.port} ssl;",
                **tls,
            },
        )
        server_block = documented[documented.index("server {") :]
        extra = "".join(
            f"upstream only_{backend} {{\n    server 127.0.0.1:{backend};\n}}\n"
            + fill_in(
                server_block,
                {
                    "listen 443 ssl;": f"listen 127.0.0.1:{pinned} ssl;",
                    "proxy_pass http://chat;": f"proxy_pass http://only_{backend};",
                    **tls,
                },
            )
            for backend, pinned in self.pinned_ports.items()
        )
        # Workers of a root master would run as "nobody", who cannot reach the temp dir.
        user = "user root;\n" if os.geteuid() == 0 else ""
        return MAIN_CONFIG.format(
            user=user,
            workdir=self.workdir,
            log_format=ACCESS_LOG_FORMAT,
            site=site,
            extra=extra,
        )

    def start(self) -> None:
        cert, key = make_certificate(self.workdir)
        (self.workdir / "temp").mkdir(exist_ok=True)
        conf = self.workdir / "nginx.conf"
        conf.write_text(self.config(cert, key))
        subprocess.run(
            [NGINX, "-t", "-q", "-p", str(self.workdir), "-c", str(conf)],
            check=True,
            capture_output=True,
        )
        with open(self.workdir / "error.log", "ab") as errors:
            self.process = subprocess.Popen(
                [NGINX, "-p", str(self.workdir), "-c", str(conf)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        for port in (self.port, *self.pinned_ports.values()):
            wait_for_port(port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # fast shutdown: open WebSockets would hold a graceful one
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_size(self) -> int:
        try:
            return self.access_log.stat().st_size
        except FileNotFoundError:
            return 0

    def requests_since(self, offset: int) -> list[dict]:
        """The requests logged from byte ``offset`` on, as dicts."""
        with open(self.access_log, "rb") as log:
            log.seek(offset)
            lines = log.read().decode().splitlines()
        pattern = re.compile(
            r'(?P<port>\d+) (?P<client>\S+) "(?P<request>[^"]*)" (?P<status>\d+) (?P<upstream>\S+)'
        )
        return [pattern.match(line).groupdict() for line in lines]
