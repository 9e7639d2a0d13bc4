"""What ``python wsgi.py`` sets up before serving, checked in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_in_server_process(code: str, mode: str) -> str:
    env = {**os.environ, "SOCKETIO_ASYNC_MODE": mode, "SECRET_KEY": "x" * 64}
    env.pop("PSYCOPG_WAIT_FUNC", None)
    result = subprocess.run(
        [sys.executable, "-c", f"import wsgi\n{code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgresql_waits_let_other_sockets_run_under_eventlet():
    # psycopg's own choice waits in C: the whole server would stop while
    # PostgreSQL answers (a commit's sync, a slow query).
    code = "import psycopg.waiting as w; print(w.wait.__name__)"
    assert run_in_server_process(code, "eventlet") == "wait_select"
