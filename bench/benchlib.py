"""What bench/run.py and bench/connections.py share: servers, probes, clients.

Everything talks to 127.0.0.1 only. The server under test is pinned to one
core with ``taskset``; the Node load-generator processes to the others.
"""

import json
import os
import queue
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from base64 import b64encode
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

AGENT_EMAIL = "bench-agent@example.com"
AGENT_PASSWORD = "bench-agent-password"

# The chat's limits are raised so that the benchmark measures throughput, not
# the limits: 200 conversations from one address, many messages per socket.
CHAT_BENCH_ENV = {
    "CHAT_CONVERSATION_RATE": "100000 per minute",
    "CHAT_MESSAGE_RATE": "100000 per 10 seconds",
    "CHAT_TYPING_RATE": "100000 per 10 seconds",
    "CHAT_MAX_VISITOR_CONNECTIONS": "100",
}


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- machine


def cpu_count() -> int:
    return len(os.sched_getaffinity(0))


def default_loadgen_cores(server_cores: str) -> str:
    used = {int(c) for c in server_cores.split(",") if c.strip().isdigit()}
    rest = [str(c) for c in sorted(os.sched_getaffinity(0)) if c not in used]
    return ",".join(rest) or server_cores


# Niceness of the server and the load generator (``--nice``): on a machine
# shared with other programs, a negative value keeps them from taking the
# benchmark's cores. 0 leaves it alone.
NICE = 0


def child_setup() -> None:
    """For child processes: the open-file limit raised, the niceness applied.

    Children start in a session of their own; with the kernel's autogroup
    scheduling, niceness counts between sessions only through the session's
    autogroup, so that is set as well.
    """
    raise_nofile()
    if NICE:
        os.nice(NICE)
        try:
            with open("/proc/self/autogroup", "w") as f:
                f.write(str(NICE))
        except OSError:
            pass


def raise_nofile() -> None:
    """For child processes: as many open files as the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > 1_048_576:
        hard = 1_048_576
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pid: int) -> int:
    """User + system CPU time of a process, in clock ticks."""
    return sum(cpu_split(pid))


def cpu_split(pid: int) -> tuple[int, int]:
    """(user, system) CPU time of a process, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])  # utime, stime


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE_SIZE


class CpuWindow:
    """CPU % of a process between ``start()`` and ``stop()`` (100 = one core)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.t0 = self.c0 = None

    def start(self) -> None:
        self.t0, self.split0 = time.monotonic(), cpu_split(self.pid)
        self.system_pct = 0.0

    def stop(self) -> float:
        user, system = (
            now - then for now, then in zip(cpu_split(self.pid), self.split0, strict=True)
        )
        seconds = max(1e-6, time.monotonic() - self.t0)
        self.system_pct = 100.0 * system / CLK_TCK / seconds  # the kernel's share of it
        return 100.0 * (user + system) / CLK_TCK / seconds


def machine_busy_ticks() -> int:
    """Busy CPU time of the whole machine (all cores), in clock ticks."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal


class MachineCpuWindow:
    """Busy CPU % of the whole machine (100 = one core) between start and stop."""

    def start(self) -> None:
        self.t0, self.c0 = time.monotonic(), machine_busy_ticks()

    def stop(self) -> float:
        ticks = machine_busy_ticks() - self.c0
        return 100.0 * ticks / CLK_TCK / max(1e-6, time.monotonic() - self.t0)


class QuietWaiter:
    """Waits, within a budget for the whole run, until other programs calm down.

    The machine may be shared: CPU used by anything but the server under test
    (and this script) makes latency measurements noisy.
    """

    def __init__(self, budget: float, threshold: float = 30.0):
        self.budget = budget
        self.threshold = threshold

    def wait(self, server_pid: int) -> float:
        """Returns the busy % (100 = one core) of other programs when it stopped waiting."""
        while True:
            machine, server = MachineCpuWindow(), CpuWindow(server_pid)
            t = time.monotonic()
            machine.start()
            server.start()
            time.sleep(1.0)
            other = max(0.0, machine.stop() - server.stop())
            if other < self.threshold or self.budget <= 0:
                return other
            self.budget -= time.monotonic() - t
            log(
                f"  other programs use {other:.0f}% CPU; waiting for a quieter machine "
                f"({max(0.0, self.budget):.0f} s of waiting left)"
            )


def wait_until_idle(pid: int, below: float = 5.0, limit: float = 60.0) -> float:
    """Wait until the process uses less than ``below`` % CPU for a second."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        window = CpuWindow(pid)
        window.start()
        time.sleep(1.0)
        if window.stop() < below:
            break
    return time.monotonic() - start


def percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(q * len(sorted_values))) - 1))
    return sorted_values[index]


# ---------------------------------------------------------------- profiles


def _frame(frame: str) -> tuple[str, str]:
    """``"name (path/file.py:123)"`` -> (``"name (path/file.py)"``, ``"path/file.py"``)."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({path})", path


def _package(path: str) -> str:
    if path.startswith("app/"):
        return "app (this product)"
    head = path.split("/", 1)[0]
    return head.removesuffix(".py") if head else "(unknown)"


def top_functions(path: Path, count: int = 12) -> list[str]:
    """Where a py-spy raw (collapsed stacks) profile spent its samples.

    Self time by package and by function, and inclusive time of the
    product's own functions.
    """
    own, inclusive, packages, total = {}, {}, {}, 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit() or not stack:
            continue
        n = int(n)
        total += n
        frames = [_frame(f) for f in stack.split(";") if f]
        if not frames:
            continue
        leaf, leaf_path = frames[-1]
        own[leaf] = own.get(leaf, 0) + n
        package = _package(leaf_path)
        packages[package] = packages.get(package, 0) + n
        for name in {name for name, p in frames if p.startswith("app/")}:
            inclusive[name] = inclusive.get(name, 0) + n
    if not total:
        return ["(no samples)"]
    pct = lambda n: f"{100 * n / total:5.1f}%"  # noqa: E731
    lines = [f"{total} samples. Self time by package:"]
    for name, n in sorted(packages.items(), key=lambda kv: -kv[1])[:8]:
        lines.append(f"  {pct(n)}  {name}")
    lines.append("Self time by function:")
    for name, n in sorted(own.items(), key=lambda kv: -kv[1])[:count]:
        lines.append(f"  {pct(n)}  {name}")
    lines.append("Inclusive time of the product's functions:")
    for name, n in sorted(inclusive.items(), key=lambda kv: -kv[1])[:count]:
        lines.append(f"  {pct(n)}  {name}")
    return lines


# ---------------------------------------------------------------- HTTP


def http_json(method: str, url: str, body=None, headers=None, timeout: float = 30.0):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as exc:
        text = exc.read()
        try:
            return exc.code, json.loads(text)
        except ValueError:
            return exc.code, text.decode(errors="replace")


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 40.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer means it is serving
        except OSError:
            time.sleep(0.2)
    return False


# ---------------------------------------------------------------- servers


class Server:
    """A server under test, pinned to ``cores``, on a free loopback port."""

    def __init__(
        self,
        kind: str,
        async_mode: str = "eventlet",
        nodelay: bool = False,
        cores: str = "0",
        max_connections: int | None = None,
        extra_env=None,
    ):
        self.kind = kind  # "chat" or "relay"
        self.async_mode = async_mode
        self.nodelay = nodelay
        self.cores = cores
        self.max_connections = max_connections
        self.extra_env = dict(extra_env or {})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
        self.db_path = self.tmp / "chat.db"
        self.log_path = self.tmp / "server.log"
        self.proc: subprocess.Popen | None = None
        self.agent_token: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "chat":
            return "chat" if self.async_mode == "eventlet" else f"chat/{self.async_mode}"
        name = "relay+nodelay" if self.nodelay else "relay"
        return name if self.async_mode == "eventlet" else f"{name}/{self.async_mode}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CHAT_", "SOCKETIO_"))}
        env.update(
            SECRET_KEY=secrets.token_hex(32),
            DATABASE_URL=f"sqlite:///{self.db_path}",
            FLASK_APP="app:create_app",
            HOST="127.0.0.1",
            PORT=str(self.port),
            PYTHONUNBUFFERED="1",
        )
        env.update(CHAT_BENCH_ENV)
        env.update(self.extra_env)
        return env

    def _flask(self, *args: str) -> None:
        env = self._env()
        result = subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args[:2])} failed:\n{result.stderr[-2000:]}")

    def start(self) -> None:
        env = self._env()
        if self.kind == "chat":
            self._flask("db", "upgrade")
            self._flask(
                "agents", "create", AGENT_EMAIL, "--name", "Bench", "--password", AGENT_PASSWORD
            )
            env["SOCKETIO_ASYNC_MODE"] = self.async_mode
            if self.max_connections:
                env["MAX_CONNECTIONS"] = str(self.max_connections)
            command = [sys.executable, "wsgi.py"]
        else:
            command = [
                sys.executable,
                str(BENCH / "relay.py"),
                "--port",
                str(self.port),
                "--async-mode",
                self.async_mode,
            ]
            if self.nodelay:
                command.append("--nodelay")
            if self.max_connections:
                command += ["--max-connections", str(self.max_connections)]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            ["taskset", "-c", self.cores, *command],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=child_setup,
            start_new_session=True,
        )
        probe = f"{self.url}/api/v1/conversations" if self.kind == "chat" else f"{self.url}/"
        if not wait_for_http(probe, self.proc):
            tail = self.log_tail()
            self.stop()
            raise RuntimeError(f"{self.label} did not start:\n{tail}")
        if self.kind == "chat":
            self.agent_token = self._issue_token()
        else:
            self.agent_token = "relay-agent"

    def _issue_token(self) -> str:
        basic = b64encode(f"{AGENT_EMAIL}:{AGENT_PASSWORD}".encode()).decode()
        status, body = http_json(
            "POST", f"{self.url}/api/v1/tokens", headers={"Authorization": f"Basic {basic}"}
        )
        if status != 200:
            raise RuntimeError(f"POST /api/v1/tokens answered {status}: {body}")
        return body["token"]

    def create_visitors(self, count: int, threads: int = 8) -> list[dict]:
        """``count`` conversations: [{conversation_id, token}] in order."""
        if self.kind != "chat":
            return [{"conversation_id": i + 1, "token": f"v{i + 1}"} for i in range(count)]

        def create(i: int) -> dict:
            for attempt in range(5):
                status, body = http_json(
                    "POST", f"{self.url}/api/v1/conversations", body={"name": f"Visitor {i}"}
                )
                if status == 201:
                    return {
                        "conversation_id": body["conversation_id"],
                        "token": body["visitor_token"],
                    }
                time.sleep(0.2 * (attempt + 1))
            raise RuntimeError(f"POST /api/v1/conversations answered {status}: {body}")

        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(create, range(count)))

    def count_stored(self, client_id_prefix: str | None = None) -> int | None:
        if self.kind != "chat":
            return None
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30) as db:
            if client_id_prefix is None:
                return db.execute("SELECT count(*) FROM messages").fetchone()[0]
            return db.execute(
                "SELECT count(*) FROM messages WHERE client_id LIKE ?", (client_id_prefix + "%",)
            ).fetchone()[0]

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def log_problems(self) -> list[str]:
        """Lines of the server's output that report errors."""
        words = ("Traceback", "ERROR", "Error", "locked", "failed")
        return [
            line
            for line in self.log_tail(2_000_000).splitlines()
            if any(word in line for word in words)
        ]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "_log", None):
            self._log.close()
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


# ---------------------------------------------------------------- Node clients


def ensure_node_modules() -> None:
    if (BENCH / "node_modules" / "socket.io-client" / "package.json").exists():
        return
    if shutil.which("npm") is None:
        raise SystemExit("npm is needed for the load generator (apt-get install nodejs npm)")
    log("installing the load generator's packages (npm install) ...")
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=BENCH,
        check=True,
        timeout=300,
    )


class NodeProcess:
    """A Node client process speaking JSON lines on stdin/stdout."""

    def __init__(self, script: str, config: dict, cores: str, workdir: Path, name: str):
        self.config_path = workdir / f"{name}.json"
        self.config_path.write_text(json.dumps(config))
        self.stderr_path = workdir / f"{name}.stderr"
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            ["taskset", "-c", cores, "node", str(BENCH / script), str(self.config_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
            preexec_fn=child_setup,
            start_new_session=True,
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            line = line.strip()
            if line:
                try:
                    self.lines.put(json.loads(line))
                except ValueError:
                    self.lines.put({"type": "noise", "text": line})
        self.lines.put({"type": "exit"})

    def send(self, obj: dict) -> None:
        try:
            self.proc.stdin.write(json.dumps(obj) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def expect(self, kind: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind!r} from the load generator in {timeout:.0f} s")
            try:
                message = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if message.get("type") == kind:
                return message
            if message.get("type") in ("error", "exit"):
                err = self.stderr_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"load generator failed: {message.get('error', '')}\n{err}")

    def close(self, timeout: float = 5.0) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._stderr.close()
