"""The Node load-generator processes: the official Socket.IO client, speaking JSON lines."""

import json
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

from bench.machine import child_setup
from bench.output import log

BENCH = Path(__file__).resolve().parent


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
