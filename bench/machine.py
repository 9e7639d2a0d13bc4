"""The machine a benchmark runs on: cores, niceness, and what processes cost.

The server under test is pinned to one core with ``taskset``; the Node
load-generator processes to the others. CPU time and memory are read from
``/proc``.
"""

import argparse
import os
import resource
import time

from bench.output import log

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# Niceness of the server and the load generator (``--nice``): on a machine
# shared with other programs, a negative value keeps them from taking the
# benchmark's cores. 0 leaves it alone.
NICE = 0


def add_placement_options(parser: argparse.ArgumentParser) -> None:
    """``--server-cores``, ``--loadgen-cores`` and ``--nice``."""
    parser.add_argument("--server-cores", default="0")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness of the server and the load generator, e.g. -5 on a machine shared "
        "with other programs (needs root for negative values; default 0)",
    )
    parser.add_argument("--loadgen-cores", help="default: every core but the server's")


def set_niceness(nice: int) -> None:
    """The niceness ``child_setup`` gives the server and the load generator."""
    global NICE
    NICE = nice


def default_loadgen_cores(server_cores: str) -> str:
    used = {int(c) for c in server_cores.split(",") if c.strip().isdigit()}
    rest = [str(c) for c in sorted(os.sched_getaffinity(0)) if c not in used]
    return ",".join(rest) or server_cores


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


def open_files_limit() -> int:
    """The open files a child process may have once ``raise_nofile`` ran."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return 1_048_576 if hard == resource.RLIM_INFINITY else min(hard, 1_048_576)


def raise_nofile() -> None:
    """For child processes: as many open files as the hard limit allows."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = open_files_limit()
    if soft < limit:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


def cpu_split(pid: int) -> tuple[int, int]:
    """(user, system) CPU time of a process, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])  # utime, stime


def pin(pid: int, cores: str) -> None:
    """Run the process on ``cores`` (``taskset -p`` for a process already running)."""
    os.sched_setaffinity(pid, {int(c) for c in cores.split(",") if c.strip()})


def children_of(pid: int) -> list[int]:
    """The process's children, now."""
    children = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue  # it ended meanwhile
            if ppid == pid:
                children.append(int(entry.name))
    return children


def tree_cpu_ticks(pid: int) -> int:
    """CPU time of a process, its ended children and its children now, in clock ticks.

    For a server that forks a process per connection (PostgreSQL): the
    children it reaped count in its own ``cutime`` and ``cstime``.
    """
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    total = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    for child in children_of(pid):
        try:
            total += sum(cpu_split(child))
        except (OSError, ValueError, IndexError):
            pass  # it ended meanwhile (its time is in cutime once reaped)
    return total


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


class TreeCpuWindow:
    """CPU % of a process and its children between start and stop (100 = one core)."""

    def __init__(self, pid: int):
        self.pid = pid

    def start(self) -> None:
        self.t0, self.c0 = time.monotonic(), tree_cpu_ticks(self.pid)

    def stop(self) -> float:
        ticks = tree_cpu_ticks(self.pid) - self.c0
        return 100.0 * ticks / CLK_TCK / max(1e-6, time.monotonic() - self.t0)


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

    def wait(self, server_pid: int, database_pid: int | None = None) -> float:
        """Returns the busy % (100 = one core) of other programs when it stopped waiting.

        The server's database, when it runs in processes of its own, is not another program.
        """
        while True:
            ours = [CpuWindow(server_pid)] + ([TreeCpuWindow(database_pid)] if database_pid else [])
            machine = MachineCpuWindow()
            t = time.monotonic()
            machine.start()
            for window in ours:
                window.start()
            time.sleep(1.0)
            other = max(0.0, machine.stop() - sum(window.stop() for window in ours))
            if other < self.threshold or self.budget <= 0:
                return other
            self.budget -= time.monotonic() - t
            log(
                f"  other programs use {other:.0f}% CPU; waiting for a quieter machine "
                f"({max(0.0, self.budget):.0f} s of waiting left)"
            )


def wait_until_idle(pid: int, below: float = 5.0, limit: float = 60.0, others=()) -> float:
    """Wait until the process (and each of the ``others``) uses less than
    ``below`` % CPU for a second."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        windows = [CpuWindow(p) for p in (pid, *others)]
        for window in windows:
            window.start()
        time.sleep(1.0)
        if all(window.stop() < below for window in windows):
            break
    return time.monotonic() - start
