"""Message throughput and latency of the chat server against a bare relay.

    python bench/run.py                 # the default run (about 5 minutes)
    python bench/run.py --quick         # a short run (under a minute)
    python bench/run.py --peak          # the highest sustained rate per server
    python bench/run.py --rates 200,1000 --seconds 10 --transport both \\
        --server both --async-mode eventlet --json results.json

Each server is started fresh, pinned to core 0; Node processes running the
official Socket.IO client (pinned to the other cores) hold 200 visitor sockets
(one conversation each) and 4 agent sockets. Visitors send ``send_message`` at
an even total rate; the conversation's agent (conversation k has agent k mod 4)
answers each arrival with a ``delivered`` receipt. See bench/README.md for what
each column means.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import CpuWindow, NodeProcess, log, percentile  # noqa: E402

PEAK_MAX = 6400  # msg/s; the search stops there


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="a short run: WebSocket, 200 and 1000 msg/s, 2 s each"
    )
    parser.add_argument(
        "--peak",
        action="store_true",
        help="raise the rate until delivery falls >5%% behind or p99 > 500 ms",
    )
    parser.add_argument(
        "--peak-start", type=int, default=100, help="first rate of --peak (default 100)"
    )
    parser.add_argument(
        "--peak-retries",
        type=int,
        default=1,
        help="times a failing --peak step is tried again before it counts (default 1)",
    )
    parser.add_argument("--rates", help="comma-separated target msg/s (default 200,1000,2000)")
    parser.add_argument(
        "--seconds",
        type=float,
        help="sending time per step (default 10; 3 with --quick; 5 with --peak)",
    )
    parser.add_argument(
        "--transport",
        choices=("websocket", "polling", "both", "websocket-deflate", "all"),
        help="both: websocket and polling (the default; websocket with --quick); "
        "websocket-deflate: WebSocket with permessage-deflate negotiated, as "
        "browsers do; all: the three",
    )
    parser.add_argument("--server", choices=("chat", "relay", "both"), default="both")
    parser.add_argument(
        "--relay-tcp",
        choices=("nagle", "nodelay", "both"),
        help="the relay as socketio.run() leaves it (nagle) and/or with TCP_NODELAY "
        "like the chat (default: both; nodelay with --quick and --peak)",
    )
    parser.add_argument("--async-mode", choices=("eventlet", "gevent"), default="eventlet")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="load-generator processes")
    parser.add_argument(
        "--grace", type=float, default=3.0, help="seconds to wait for stragglers after sending ends"
    )
    parser.add_argument(
        "--polling-keepalive",
        choices=("on", "off"),
        default="on",
        help="long-polling over kept-alive connections, as browsers do (default on)",
    )
    parser.add_argument("--server-cores", default="0")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness of the server and the load generator, e.g. -5 on a machine shared "
        "with other programs (needs root for negative values; default 0)",
    )
    parser.add_argument("--loadgen-cores", help="default: every core but the server's")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="before each step, wait while other programs use >30%% CPU, at most "
        "this long in the whole run (default 30)",
    )
    parser.add_argument(
        "--no-skip",
        action="store_true",
        help="run every rate even after a step delivered under 80%% of its target",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="record each chat step with py-spy into DIR and print the top functions",
    )
    args = parser.parse_args(argv)

    if args.seconds is None:
        args.seconds = 2.0 if args.quick else 5.0 if args.peak else 10.0
    if args.transport is None:
        args.transport = "websocket" if args.quick else "both"
    if args.relay_tcp is None:
        args.relay_tcp = "nodelay" if (args.quick or args.peak) else "both"
    if args.rates:
        args.rate_list = [int(r) for r in args.rates.split(",") if r.strip()]
    else:
        args.rate_list = [200, 1000] if args.quick else [200, 1000, 2000]
    if args.quick:
        args.grace = min(args.grace, 2.0)
        args.quiet_wait = min(args.quiet_wait, 5.0)
    args.transports = {
        "both": ["websocket", "polling"],
        "all": ["websocket", "websocket-deflate", "polling"],
    }.get(args.transport, [args.transport])
    args.loadgen_cores = args.loadgen_cores or benchlib.default_loadgen_cores(args.server_cores)
    args.agents = max(1, args.agents)
    args.workers = max(1, min(args.workers, args.agents))
    return args


def server_plan(args) -> list[dict]:
    plan = []
    if args.server in ("chat", "both"):
        plan.append({"kind": "chat"})
    if args.server in ("relay", "both"):
        if args.relay_tcp in ("nagle", "both"):
            plan.append({"kind": "relay", "nodelay": False})
        if args.relay_tcp in ("nodelay", "both"):
            plan.append({"kind": "relay", "nodelay": True})
    return plan


# ---------------------------------------------------------------- one step


def run_step(
    args,
    server,
    visitors: list[dict],
    transport: str,
    rate: int,
    seconds: float,
    workdir: Path,
    quiet: benchlib.QuietWaiter,
) -> dict:
    """Connect fresh sockets, send at ``rate`` for ``seconds``, collect the counts."""
    quiet.wait(server.pid)
    step_id = "b" + uuid.uuid4().hex[:8]
    # Worker w holds the agents a with a % workers == w and their conversations.
    configs = []
    for w in range(args.workers):
        agent_ids = [a for a in range(args.agents) if a % args.workers == w]
        configs.append(
            {
                "worker": w,
                "url": server.url,
                "transport": "polling" if transport == "polling" else "websocket",
                "deflate": transport == "websocket-deflate",
                "keepalive": args.polling_keepalive == "on",
                "step_id": step_id,
                "rate": rate,
                "seconds": seconds,
                "grace": args.grace,
                "connect_timeout": 30,
                "ack_timeout": seconds + args.grace + 10,
                "total_visitors": len(visitors),
                "agents": [{"index": a, "token": server.agent_token} for a in agent_ids],
                "visitors": [
                    {
                        "index": k,
                        "conversation_id": v["conversation_id"],
                        "token": v["token"],
                        "agent": k % args.agents,
                    }
                    for k, v in enumerate(visitors)
                    if k % args.agents in agent_ids
                ],
            }
        )
    workers = [
        NodeProcess("loadgen.js", c, args.loadgen_cores, workdir, f"{step_id}-{c['worker']}")
        for c in configs
    ]
    profiler = None
    try:
        readies = [w.expect("ready", timeout=90) for w in workers]
        connect_failed = sum(r["failed"] for r in readies)
        if connect_failed:
            errors = sorted({e for r in readies for e in r["errors"]})
            log(f"  {connect_failed} sockets failed to connect: {errors}")
        start_at = time.time() + 1.0
        for w in workers:
            w.send({"start_at": start_at * 1000})
        time.sleep(max(0.0, start_at - time.time()))
        cpu = CpuWindow(server.pid)
        cpu.start()
        machine = benchlib.MachineCpuWindow()
        machine.start()
        rss_peak = benchlib.rss_bytes(server.pid)
        if args.profile and server.kind == "chat":
            profiler = start_profiler(args, server, transport, rate, seconds)
        results = []
        deadline = time.monotonic() + seconds + args.grace + 60
        for w in workers:
            while True:
                try:
                    results.append(w.expect("result", timeout=0.5))
                    break
                except TimeoutError:
                    rss_peak = max(rss_peak, benchlib.rss_bytes(server.pid))
                    if time.monotonic() > deadline:
                        raise
        server_cpu = cpu.stop()
        machine_cpu = machine.stop()
        rss = benchlib.rss_bytes(server.pid)
        rss_peak = max(rss_peak, rss)
    finally:
        for w in workers:
            w.close()
    if profiler is not None:
        finish_profiler(profiler)

    # Once the clients are gone, let the server finish what it still has queued
    # before counting what it stored and before the next step begins.
    idle_after = benchlib.wait_until_idle(server.pid, limit=20 if args.quick else 60)
    stored = server.count_stored(step_id + "-")
    row = summarize(
        args,
        server,
        transport,
        rate,
        seconds,
        results,
        readies,
        stored,
        server_cpu,
        rss,
        rss_peak,
        idle_after,
        connect_failed,
    )
    # What else ran on the machine meanwhile (other programs, the kernel's own
    # work, this script): a high value means a noisy measurement.
    row["other_cpu_pct"] = round(
        max(0.0, machine_cpu - server_cpu - (row["loadgen_cpu_pct"] or 0)), 1
    )
    return row


def summarize(
    args,
    server,
    transport,
    rate,
    seconds,
    results,
    readies,
    stored,
    server_cpu,
    rss,
    rss_peak,
    idle_after,
    connect_failed,
) -> dict:
    total = lambda key: sum(r[key] for r in results)  # noqa: E731
    latencies = sorted(x for r in results for x in r["latencies"])
    acks = sorted(x for r in results for x in r["ack_latencies"])
    ack_errors, receipt_errors = {}, {}
    for r in results:
        for code, n in r["ack_errors"].items():
            ack_errors[code] = ack_errors.get(code, 0) + n
        for code, n in r["receipt_errors"].items():
            receipt_errors[code] = receipt_errors.get(code, 0) + n
    sent, delivered = total("sent"), total("delivered")
    span = max([seconds] + [r["last_delivery_s"] for r in results])
    cpu_ms = sum(r["cpu_user_ms"] + r["cpu_system_ms"] for r in results)
    wall_ms = max(r["wall_ms"] for r in results)
    row = {
        "server": server.label,
        "transport": transport,
        "target_rate": rate,
        "seconds": seconds,
        "delivered_rate": round(delivered / span, 1) if span else 0.0,
        "sent": sent,
        "acked": total("acked"),
        "ack_errors": ack_errors,
        "ack_timeouts": total("ack_timeouts"),
        "stored": stored,
        "delivered": delivered,
        "lost": sent - delivered,
        "duplicates": total("duplicates"),
        "agent_messages": total("agent_messages"),
        "agent_messages_expected": sent * args.agents,
        "receipts_sent": total("receipts_sent"),
        "receipts_acked": total("receipts_acked"),
        "receipt_errors": receipt_errors,
        "receipts_at_visitor": total("receipts_at_visitor"),
        "latency_ms": {
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99),
            "max": latencies[-1] if latencies else None,
        },
        "ack_latency_ms": {"p50": percentile(acks, 0.50), "p99": percentile(acks, 0.99)},
        "last_delivery_s": round(span, 2),
        "server_cpu_pct": round(server_cpu, 1),
        "server_rss_mib": round(rss / 2**20, 1),
        "server_rss_peak_mib": round(rss_peak / 2**20, 1),
        "loadgen_cpu_pct": round(100.0 * cpu_ms / wall_ms, 1) if wall_ms else None,
        "loadgen_cores": len(args.loadgen_cores.split(",")),
        "loadgen_send_lag_p99_ms": max((r["send_lag_p99"] or 0) for r in results),
        "loadgen_send_lag_max_ms": max(r["send_lag_max"] for r in results),
        "disconnects": total("disconnects"),
        "connect_failed": connect_failed,
        "connect_ms": round(max(r["connect_ms"] for r in readies)),
        "server_busy_after_s": round(idle_after, 1),
    }
    return row


def step_passes(row: dict) -> bool:
    """Sustained: delivered within 5% of the target, and p99 under 500 ms."""
    p99 = row["latency_ms"]["p99"]
    return (
        row["delivered_rate"] >= 0.95 * row["target_rate"]
        and row["lost"] <= 0.05 * max(1, row["sent"])
        and p99 is not None
        and p99 <= 500
    )


class StepRunner:
    """Runs steps of one server and transport; keeps their rows and errors."""

    def __init__(self, args, server, visitors, transport, workdir, quiet, rows, errors):
        self.args, self.server, self.visitors, self.transport = args, server, visitors, transport
        self.workdir, self.quiet, self.rows, self.errors = workdir, quiet, rows, errors

    def __call__(self, rate: int) -> dict | None:
        label = f"{self.server.label} {self.transport} {rate}/s"
        log(f"{self.server.label:<13} {self.transport:<9} {rate:>5} msg/s ...")
        try:
            row = run_step(
                self.args,
                self.server,
                self.visitors,
                self.transport,
                rate,
                self.args.seconds,
                self.workdir,
                self.quiet,
            )
        except Exception as exc:  # noqa: BLE001 - reported; the run goes on
            log(f"  failed: {exc}")
            self.errors.append(f"{label}: {str(exc).splitlines()[0]}")
            return None
        self.rows.append(row)
        log(
            f"  delivered {row['delivered_rate']:.0f}/s, "
            f"p99 {fmt_ms(row['latency_ms']['p99'])} ms, "
            f"server CPU {row['server_cpu_pct']:.0f}%, "
            f"load generator CPU {row['loadgen_cpu_pct']:.0f}%"
        )
        return row

    def skip(self, rate: int, why: str) -> None:
        self.rows.append(
            {
                "server": self.server.label,
                "transport": self.transport,
                "target_rate": rate,
                "skipped": why,
            }
        )


def run_rates(step: StepRunner, rates: list[int], no_skip: bool) -> None:
    overloaded = False
    for rate in rates:
        if overloaded and not no_skip:
            step.skip(rate, "a lower rate already fell more than 20% behind its target")
            continue
        row = step(rate)
        if row is None:
            break
        overloaded = row["delivered_rate"] < 0.8 * rate


def find_peak(step: StepRunner, label: str, transport: str, start: int, retries: int) -> dict:
    """Double the rate until a step fails, then bisect three times between the
    last step that passed and the first that failed. A failing step is tried
    again ``retries`` times (a busy machine makes single failures noisy)."""

    def attempt(rate: int) -> tuple[bool | None, dict | None]:
        for _ in range(retries + 1):
            row = step(rate)
            if row is None:
                return None, None
            if step_passes(row):
                return True, row
        return False, row

    best, failed_at, rate = None, None, start
    while rate <= PEAK_MAX:
        passed, row = attempt(rate)
        if passed is None:
            break
        if passed:
            best, rate = row, rate * 2
            continue
        failed_at = rate
        if best is None and rate > 25:
            rate //= 2  # not even the first step: look lower
            failed_at = None
            continue
        break
    if best is not None and failed_at is not None:
        lo, hi = best["target_rate"], failed_at
        for _ in range(3):
            mid = int(round((lo + hi) / 2 / 10.0) * 10)
            if mid <= lo or mid >= hi:
                break
            passed, row = attempt(mid)
            if passed is None:
                break
            if passed:
                best, lo = row, mid
            else:
                hi = mid
    return {
        "server": label,
        "transport": transport,
        "peak_delivered_rate": best["delivered_rate"] if best else None,
        "at_target": best["target_rate"] if best else None,
        "p99_ms": best["latency_ms"]["p99"] if best else None,
        "server_cpu_pct": best["server_cpu_pct"] if best else None,
        "loadgen_cpu_pct": best["loadgen_cpu_pct"] if best else None,
        "first_failing_target": failed_at,
    }


# ---------------------------------------------------------------- profiling


def start_profiler(args, server, transport, rate, seconds):
    if shutil.which("py-spy") is None:
        log("  --profile: py-spy is not installed (pip install py-spy)")
        return None
    out_dir = Path(args.profile)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{server.label.replace('/', '-')}-{transport}-{rate}.txt"
    proc = subprocess.Popen(
        [
            "taskset",
            "-c",
            args.loadgen_cores,
            "py-spy",
            "record",
            "--pid",
            str(server.pid),
            "--duration",
            str(max(1, int(seconds))),
            "--rate",
            "200",
            "--format",
            "raw",
            "--nonblocking",
            "--output",
            str(path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, path


def finish_profiler(profiler) -> None:
    proc, path = profiler
    try:
        proc.wait(30)
    except Exception:  # noqa: BLE001
        proc.kill()
    if path.exists():
        log(f"  py-spy profile: {path}")
        for line in benchlib.top_functions(path):
            log("    " + line)


# ---------------------------------------------------------------- output


SHORT = {"websocket-deflate": "ws+deflate"}

COLUMNS = [
    ("server", 13, lambda r: r["server"]),
    ("transport", 10, lambda r: SHORT.get(r["transport"], r["transport"])),
    ("target", 6, lambda r: r["target_rate"]),
    ("deliv/s", 7, lambda r: f"{r['delivered_rate']:.0f}"),
    ("sent", 6, lambda r: r["sent"]),
    ("acked", 6, lambda r: r["acked"]),
    ("stored", 6, lambda r: "-" if r["stored"] is None else r["stored"]),
    ("deliv", 6, lambda r: r["delivered"]),
    ("lost", 5, lambda r: r["lost"]),
    ("p50", 7, lambda r: fmt_ms(r["latency_ms"]["p50"])),
    ("p95", 7, lambda r: fmt_ms(r["latency_ms"]["p95"])),
    ("p99", 7, lambda r: fmt_ms(r["latency_ms"]["p99"])),
    ("max", 7, lambda r: fmt_ms(r["latency_ms"]["max"])),
    ("srvCPU%", 7, lambda r: f"{r['server_cpu_pct']:.0f}"),
    ("RSS MiB", 7, lambda r: f"{r['server_rss_mib']:.0f}"),
    (
        "genCPU%",
        7,
        lambda r: "-" if r["loadgen_cpu_pct"] is None else f"{r['loadgen_cpu_pct']:.0f}",
    ),
    ("othCPU%", 7, lambda r: f"{r['other_cpu_pct']:.0f}"),
    ("xrate", 5, lambda r: fmt_ratio(r.get("ratio_delivered_rate"))),
    ("xp99", 6, lambda r: fmt_ratio(r.get("ratio_p99"))),
]


def fmt_ms(value) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def fmt_ratio(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(rows: list[dict]) -> str:
    width = max([13] + [len(r["server"]) for r in rows])
    COLUMNS[0] = ("server", width, COLUMNS[0][2])
    head = " ".join(
        name.rjust(width) if i > 1 else name.ljust(width)
        for i, (name, width, _) in enumerate(COLUMNS)
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        if r.get("skipped"):
            lines.append(
                f"{r['server']:<{width}} {SHORT.get(r['transport'], r['transport']):<10} "
                f"{r['target_rate']:>6}  "
                f"skipped: {r['skipped']}"
            )
            continue
        cells = [str(get(r)) for _, _, get in COLUMNS]
        lines.append(
            " ".join(
                c.rjust(w) if i > 1 else c.ljust(w)
                for i, (c, (_, w, _)) in enumerate(zip(cells, COLUMNS, strict=True))
            )
        )
    return "\n".join(lines)


def add_ratios(rows: list[dict]) -> str | None:
    """Chat / relay at the same step; the relay with the chat's socket options if measured."""
    relays = [r for r in rows if r["server"].startswith("relay") and not r.get("skipped")]
    if not relays:
        return None
    preferred = (
        "relay+nodelay" if any(r["server"].startswith("relay+nodelay") for r in relays) else "relay"
    )
    reference = {
        (r["transport"], r["target_rate"]): r
        for r in relays
        if r["server"].split("/")[0] == preferred
    }
    for r in rows:
        ref = reference.get((r["transport"], r["target_rate"]))
        if not r["server"].startswith("chat") or r.get("skipped") or ref is None:
            continue
        if ref["delivered_rate"]:
            r["ratio_delivered_rate"] = round(r["delivered_rate"] / ref["delivered_rate"], 3)
        p99, ref_p99 = r["latency_ms"]["p99"], ref["latency_ms"]["p99"]
        if p99 is not None and ref_p99:
            r["ratio_p99"] = round(p99 / ref_p99, 2)
        r["ratio_reference"] = preferred
    return preferred


def anomalies(rows: list[dict]) -> list[str]:
    notes = []
    for r in rows:
        if r.get("skipped"):
            continue
        where = f"{r['server']} {r['transport']} {r['target_rate']}/s"
        if r["stored"] is not None and r["stored"] < r["acked"]:
            notes.append(
                f"{where}: stored {r['stored']} < acked {r['acked']} (acknowledged but not stored!)"
            )
        if r["duplicates"]:
            notes.append(f"{where}: {r['duplicates']} duplicate deliveries at the assigned agent")
        if r["agent_messages"] > r["agent_messages_expected"]:
            notes.append(
                f"{where}: agents got {r['agent_messages']} message events, "
                f"more than {r['agent_messages_expected']} (sent x agents)"
            )
        if r["ack_errors"] or r["ack_timeouts"]:
            notes.append(
                f"{where}: send_message errors {r['ack_errors']}, ack timeouts {r['ack_timeouts']}"
            )
        if r["receipt_errors"]:
            notes.append(f"{where}: receipt errors {r['receipt_errors']}")
        if r["disconnects"] or r["connect_failed"]:
            notes.append(
                f"{where}: {r['disconnects']} disconnects, {r['connect_failed']} failed connects"
            )
        if r["loadgen_cpu_pct"] and r["loadgen_cpu_pct"] > 85 * r["loadgen_cores"]:
            notes.append(
                f"{where}: load generator at {r['loadgen_cpu_pct']:.0f}% CPU; "
                f"its send timers ran up to {r['loadgen_send_lag_max_ms']:.0f} ms late"
            )
        if r.get("other_cpu_pct", 0) > 30:
            notes.append(
                f"{where}: other programs used {r['other_cpu_pct']:.0f}% CPU meanwhile (noisy)"
            )
        if r["server_busy_after_s"] > 2:
            notes.append(
                f"{where}: the server stayed busy {r['server_busy_after_s']:.0f} s "
                "after the clients left (a backlog)"
            )
    return notes


# ---------------------------------------------------------------- main


def main(argv=None) -> int:
    args = parse_args(argv)
    benchlib.NICE = args.nice
    benchlib.ensure_node_modules()
    workdir = Path(tempfile.mkdtemp(prefix="bench-run-"))
    plan = server_plan(args)
    rates = args.rate_list
    log(
        f"servers {[p['kind'] + ('+nodelay' if p.get('nodelay') else '') for p in plan]}, "
        f"transports {args.transports}, rates {'peak search' if args.peak else rates}, "
        f"{args.seconds:g} s each; server on core {args.server_cores}, "
        f"load generator ({args.workers} processes) on core(s) {args.loadgen_cores}"
    )
    started = time.monotonic()
    rows: list[dict] = []
    peaks: list[dict] = []
    quiet = benchlib.QuietWaiter(args.quiet_wait)
    errors: list[str] = []
    for spec in plan:
        # The relay keeps socketio.run()'s defaults unless more than its
        # 1,024 connections are needed; the chat's wsgi.py allows 10,000.
        many = args.visitors + args.agents > 900
        try:
            server = benchlib.start_server(
                spec["kind"],
                async_mode=args.async_mode,
                nodelay=spec.get("nodelay", False),
                cores=args.server_cores,
                max_connections=args.visitors * 2 + 100 if many else None,
            )
        except Exception as exc:  # noqa: BLE001 - reported; the other servers still run
            log(str(exc))
            errors.append(f"{spec['kind']}: did not start: {str(exc).splitlines()[0]}")
            continue
        try:
            visitors = server.create_visitors(args.visitors)
            for transport in args.transports:
                step = StepRunner(args, server, visitors, transport, workdir, quiet, rows, errors)
                if args.peak:
                    peaks.append(
                        find_peak(step, server.label, transport, args.peak_start, args.peak_retries)
                    )
                else:
                    run_rates(step, rates, args.no_skip)
        finally:
            problems = server.log_problems()
            if problems:
                errors.append(
                    f"{server.label}: {len(problems)} error lines in the server's output, "
                    f"e.g. {' | '.join(line.strip()[:160] for line in problems[-3:])}"
                )
            server.stop()

    shutil.rmtree(workdir, ignore_errors=True)
    reference = add_ratios(rows)
    print()
    print(table(rows))
    if reference:
        print(
            f"\nxrate, xp99: the chat's delivered rate and p99 divided by {reference}'s "
            "at the same step."
        )
    if peaks:
        print("\nPeak (highest step delivered within 5% of target with p99 <= 500 ms):")
        for p in peaks:
            if p["peak_delivered_rate"] is None:
                print(
                    f"  {p['server']:<13} {p['transport']:<9} none: the lowest step already failed"
                )
            else:
                print(
                    f"  {p['server']:<13} {p['transport']:<9} {p['peak_delivered_rate']:.0f} msg/s "
                    f"(target {p['at_target']}, p99 {fmt_ms(p['p99_ms'])} ms, "
                    f"server CPU {p['server_cpu_pct']:.0f}%, load generator CPU "
                    f"{p['loadgen_cpu_pct']:.0f}%; failed at {p['first_failing_target'] or '-'})"
                )
    notes = errors + anomalies(rows)
    if notes:
        print("\nNotes:")
        for n in notes:
            print("  - " + n)
    print(f"\n{time.monotonic() - started:.0f} s in all.")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "settings": {k: v for k, v in vars(args).items() if k not in ("rate_list",)},
                    "reference_for_ratios": reference,
                    "rows": rows,
                    "peaks": peaks,
                    "errors": errors,
                },
                indent=2,
            )
        )
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
