"""Where the server spends its time: py-spy recordings and their summary."""

import shutil
import subprocess
from collections import Counter
from pathlib import Path

from bench.output import log


def record(pid: int, path: Path, seconds: float, cores: str) -> subprocess.Popen | None:
    """Record ``pid`` with py-spy for ``seconds`` into ``path`` (raw collapsed
    stacks), itself pinned to ``cores``; None when py-spy is not installed."""
    if shutil.which("py-spy") is None:
        log("  --profile: py-spy is not installed (pip install py-spy)")
        return None
    return subprocess.Popen(
        [
            *("taskset", "-c", cores, "py-spy", "record", "--pid", str(pid)),
            *("--duration", str(max(1, int(seconds))), "--rate", "200"),
            *("--format", "raw", "--nonblocking", "--output", str(path)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def finish(recorder: subprocess.Popen, path: Path, timeout: float = 30) -> list[str]:
    """Wait for a recording to end; returns its summary (empty if nothing was written)."""
    try:
        recorder.wait(timeout)
    except Exception:  # noqa: BLE001 - a recorder that hangs is dropped
        recorder.kill()
    return top_functions(path) if path.exists() else []


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


def _samples(path: Path):
    """(sample count, frames) of each stack in a raw profile."""
    for line in path.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if n.isdigit() and stack:
            yield int(n), [_frame(f) for f in stack.split(";") if f]


def top_functions(path: Path, count: int = 12) -> list[str]:
    """Where a py-spy raw (collapsed stacks) profile spent its samples.

    Self time by package and by function, and inclusive time of the
    product's own functions.
    """
    own, inclusive, packages, total = Counter(), Counter(), Counter(), 0
    for n, frames in _samples(path):
        total += n
        if not frames:
            continue
        leaf, leaf_path = frames[-1]
        own[leaf] += n
        packages[_package(leaf_path)] += n
        for name in {name for name, p in frames if p.startswith("app/")}:
            inclusive[name] += n
    if not total:
        return ["(no samples)"]
    return [
        f"{total} samples. Self time by package:",
        *_ranked(packages, total, 8),
        "Self time by function:",
        *_ranked(own, total, count),
        "Inclusive time of the product's functions:",
        *_ranked(inclusive, total, count),
    ]


def _ranked(counts: Counter, total: int, count: int) -> list[str]:
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:count]
    return [f"  {100 * n / total:5.1f}%  {name}" for name, n in ranked]
