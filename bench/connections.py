"""Idle connections: how many visitors one server process holds, and at what cost.

    python bench/connections.py                  # 5,000 visitors, 60 s
    python bench/connections.py --visitors 1000 --hold 20
    python bench/connections.py --server relay   # the bare relay, for comparison

One server process (``python wsgi.py``, eventlet unless ``--async-mode
gevent``), pinned to core 0, gets N visitor sockets (one conversation each)
from several Node processes on the other core(s). They stay connected for
``--hold`` seconds while Engine.IO's heartbeats run. Then 500 of them send
``typing`` at the same moment while a few visitor/agent pairs exchange
messages, and the pairs' message latency is compared before and during that
burst.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import CpuWindow, NodeProcess, log, percentile  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=5000)
    parser.add_argument(
        "--hold", type=float, default=60.0, help="seconds the visitors stay connected"
    )
    parser.add_argument(
        "--typists", type=int, default=500, help="visitors that send typing at once"
    )
    parser.add_argument(
        "--pairs", type=int, default=5, help="visitor/agent pairs exchanging messages"
    )
    parser.add_argument(
        "--pair-rate", type=float, default=2.0, help="messages/s each pair's visitor sends"
    )
    parser.add_argument("--workers", type=int, default=4, help="Node client processes")
    parser.add_argument("--server", choices=("chat", "relay"), default="chat")
    parser.add_argument("--async-mode", choices=("eventlet", "gevent"), default="eventlet")
    parser.add_argument("--transport", choices=("websocket", "polling"), default="websocket")
    parser.add_argument("--deflate", action="store_true", help="negotiate permessage-deflate")
    parser.add_argument("--server-cores", default="0")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness of the server and the load generator, e.g. -5 on a machine shared "
        "with other programs (needs root for negative values; default 0)",
    )
    parser.add_argument("--loadgen-cores")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="record the server with py-spy during the burst (3 s from its start)",
    )
    args = parser.parse_args(argv)
    args.loadgen_cores = args.loadgen_cores or benchlib.default_loadgen_cores(args.server_cores)
    args.typists = min(args.typists, args.visitors)
    return args


def latency_summary(samples: list[float]) -> dict:
    values = sorted(samples)
    return {
        "count": len(values),
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": values[-1] if values else None,
    }


def fmt(value, digits=1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def main(argv=None) -> int:
    args = parse_args(argv)
    benchlib.NICE = args.nice
    benchlib.ensure_node_modules()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="bench-connections-"))
    server = benchlib.start_server(
        args.server,
        async_mode=args.async_mode,
        nodelay=True,
        cores=args.server_cores,
        max_connections=args.visitors + args.pairs + 1000,
    )
    report: dict = {"server": server.label, "transport": args.transport, "visitors": args.visitors}
    workers: list[NodeProcess] = []
    try:
        log(f"{server.label}: creating {args.visitors + args.pairs} conversations ...")
        t = time.monotonic()
        everyone = server.create_visitors(args.visitors + args.pairs)
        report["create_conversations_s"] = round(time.monotonic() - t, 1)
        pairs, visitors = everyone[: args.pairs], everyone[args.pairs :]
        benchlib.wait_until_idle(server.pid, limit=30)
        rss_before = benchlib.rss_bytes(server.pid)

        # Worker 0 holds the pairs (and their agent); the visitors are spread
        # over all workers, the typists too.
        share = [visitors[w :: args.workers] for w in range(args.workers)]
        hard_limit = args.hold + 600
        for w in range(args.workers):
            config = {
                "url": server.url,
                "transport": args.transport,
                "deflate": args.deflate,
                "visitors": share[w],
                "pairs": pairs if w == 0 else [],
                "agent_token": server.agent_token if w == 0 else None,
                "connect_concurrency": 50,
                "drain_ms": 2000,
                "hard_limit_s": hard_limit,
            }
            workers.append(NodeProcess("idle.js", config, args.loadgen_cores, workdir, f"idle-{w}"))
        log(f"connecting {args.visitors} visitors from {args.workers} processes ...")
        t = time.monotonic()
        connected = [w.expect("connected", timeout=600) for w in workers]
        connect_s = time.monotonic() - t
        total_connected = sum(c["connected"] for c in connected)
        failed = sum(c["failed"] for c in connected)
        errors = sorted({e for c in connected for e in c["errors"]})
        log(f"  {total_connected} connected, {failed} failed {errors or ''} in {connect_s:.1f} s")
        report.update(
            connected=total_connected,
            connect_failed=failed,
            connect_errors=errors,
            connect_s=round(connect_s, 1),
            connects_per_s=round(total_connected / connect_s, 1) if connect_s else None,
        )

        log(f"holding for {args.hold:g} s ...")
        cpu = CpuWindow(server.pid)
        cpu.start()
        rss_at_connect = benchlib.rss_bytes(server.pid)
        hold_end = time.monotonic() + args.hold
        rss_peak = rss_at_connect
        samples = []
        while time.monotonic() < hold_end:
            time.sleep(min(5.0, max(0.0, hold_end - time.monotonic())))
            rss_peak = max(rss_peak, benchlib.rss_bytes(server.pid))
            for w in workers:
                w.send({"cmd": "status"})
            statuses = [w.expect("status", timeout=30) for w in workers]
            samples.append(sum(s["connected"] for s in statuses))
        hold_cpu = cpu.stop()
        rss_after = benchlib.rss_bytes(server.pid)
        reasons: dict = {}
        for s in statuses:
            for k, v in s["reasons"].items():
                reasons[k] = reasons.get(k, 0) + v
        still = samples[-1] if samples else 0
        disconnects = sum(s["disconnects"] for s in statuses)
        held = max(1, total_connected)
        report.update(
            still_connected=still,
            disconnects=disconnects,
            disconnect_reasons=reasons,
            idle_server_cpu_pct=round(hold_cpu, 1),
            idle_server_system_cpu_pct=round(cpu.system_pct, 1),
            rss_before_mib=round(rss_before / 2**20, 1),
            rss_after_connect_mib=round(rss_at_connect / 2**20, 1),
            rss_after_hold_mib=round(rss_after / 2**20, 1),
            rss_peak_mib=round(rss_peak / 2**20, 1),
            kib_per_connection=round((rss_after - rss_before) / 1024 / held, 1),
        )

        log(
            f"burst: {args.typists} visitors send typing at once "
            f"while {args.pairs} pairs exchange messages ..."
        )
        exchange_s = 8.0
        t0 = time.time() + 1.0
        burst_at = t0 + 3.0
        workers[0].send(
            {"cmd": "exchange", "at": t0 * 1000, "seconds": exchange_s, "rate": args.pair_rate}
        )
        left = args.typists
        for i, w in enumerate(workers):
            n = left // (len(workers) - i)
            left -= n
            w.send({"cmd": "typing", "at": burst_at * 1000, "count": min(n, len(share[i]))})
        cpu = CpuWindow(server.pid)
        time.sleep(max(0.0, burst_at - 0.3 - time.time()))
        profiler = start_profiler(args.profile, server.pid, args.loadgen_cores)
        time.sleep(max(0.0, burst_at - time.time()))
        cpu.start()
        typing = [w.expect("typing_done", timeout=120) for w in workers]
        burst_cpu = cpu.stop()
        exchange = workers[0].expect("exchange_done", timeout=exchange_s + 60)
        if profiler is not None:
            profiler.wait(60)
            report["profile"] = benchlib.top_functions(Path(args.profile))
        burst_ms = burst_at * 1000
        window_ms = 2000  # "during the burst": sent within 2 s of it

        def split(rows):
            before = [lat for sent, lat in rows if sent < burst_ms]
            during = [lat for sent, lat in rows if burst_ms <= sent < burst_ms + window_ms]
            after = [lat for sent, lat in rows if sent >= burst_ms + window_ms]
            return before, during, after

        a_before, a_during, a_after = split(exchange["to_agent"])
        v_before, v_during, v_after = split(exchange["to_visitor"])
        typing_errors: dict = {}
        for t in typing:
            for k, v in t["errors"].items():
                typing_errors[k] = typing_errors.get(k, 0) + v
        report["burst"] = {
            "typists": sum(t["sent"] for t in typing),
            "typing_acked": sum(t["acked"] for t in typing),
            "typing_errors": typing_errors,
            "typing_ack_p50_ms": max((t["ack_p50_ms"] or 0) for t in typing),
            "typing_ack_max_ms": max((t["ack_max_ms"] or 0) for t in typing),
            "server_cpu_pct_until_all_acked": round(burst_cpu, 1),
            "server_system_cpu_pct_until_all_acked": round(cpu.system_pct, 1),
            "pair_messages_sent": exchange["sent"],
            "pair_errors": exchange["errors"],
            "visitor_to_agent": {
                "before": latency_summary(a_before),
                "during": latency_summary(a_during),
                "after": latency_summary(a_after),
            },
            "agent_to_visitor": {
                "before": latency_summary(v_before),
                "during": latency_summary(v_during),
                "after": latency_summary(v_after),
            },
        }
        for w in workers:
            w.send({"cmd": "status"})
        final = [w.expect("status", timeout=30) for w in workers]
        report["connected_at_end"] = sum(s["connected"] for s in final)
        report["server_log_problems"] = server.log_problems()
    finally:
        for w in workers:
            w.send({"cmd": "quit"})
        for w in workers:
            w.close(timeout=20)
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print_report(report)
    print(f"\n{time.monotonic() - started:.0f} s in all.")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
        print(f"results written to {args.json}")
    return 0


def start_profiler(path, pid: int, cores: str, seconds: int = 3):
    """py-spy from just before the burst, for a few seconds."""
    if not path:
        return None
    if shutil.which("py-spy") is None:
        log("--profile: py-spy is not installed (pip install py-spy)")
        return None
    return subprocess.Popen(
        [
            "taskset",
            "-c",
            cores,
            "py-spy",
            "record",
            "--pid",
            str(pid),
            "--nonblocking",
            "--duration",
            str(seconds),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def print_report(r: dict) -> None:
    print()
    print(f"Idle connections: {r['server']}, {r['transport']}, {r['visitors']} visitors")
    print(f"  conversations created      {r['visitors']} in {r['create_conversations_s']} s")
    print(
        f"  connected                  {r['connected']} ({r['connect_failed']} failed"
        f"{', ' + ', '.join(r['connect_errors']) if r['connect_errors'] else ''}) "
        f"in {r['connect_s']} s ({r['connects_per_s']}/s)"
    )
    print(
        f"  idle visitors connected after the hold {r['still_connected']}; "
        f"disconnects {r['disconnects']} {r['disconnect_reasons'] or ''}"
    )
    print(
        f"  server RSS                 before {r['rss_before_mib']} MiB, after connecting "
        f"{r['rss_after_connect_mib']} MiB, after the hold {r['rss_after_hold_mib']} MiB "
        f"(peak {r['rss_peak_mib']} MiB)"
    )
    print(f"  per connection             {r['kib_per_connection']} KiB")
    print(
        f"  server CPU while idle      {r['idle_server_cpu_pct']}% "
        f"({r['idle_server_system_cpu_pct']}% in the kernel; heartbeats and housekeeping)"
    )
    b = r["burst"]
    print(
        f"Burst: {b['typists']} typing at once ({b['typing_acked']} acked, "
        f"errors {b['typing_errors'] or 'none'}); "
        f"ack p50 {fmt(b['typing_ack_p50_ms'])} ms, last ack {fmt(b['typing_ack_max_ms'])} ms; "
        f"server CPU {b['server_cpu_pct_until_all_acked']}% until then "
        f"({b['server_system_cpu_pct_until_all_acked']}% in the kernel)"
    )
    print(f"  pair messages: {b['pair_messages_sent']} sent, errors {b['pair_errors']}")
    print(f"  {'latency ms':<22}{'n':>5}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
    for direction in ("visitor_to_agent", "agent_to_visitor"):
        for phase in ("before", "during", "after"):
            s = b[direction][phase]
            label = f"{direction.replace('_', ' ')} {phase}"
            print(
                f"  {label:<22}{s['count']:>5}{fmt(s['p50']):>9}{fmt(s['p95']):>9}"
                f"{fmt(s['p99']):>9}{fmt(s['max']):>9}"
            )
    print(f"  still connected at the end: {r['connected_at_end']}")
    if r.get("server_log_problems"):
        print(f"Server log: {len(r['server_log_problems'])} error lines, e.g.")
        for line in r["server_log_problems"][:5]:
            print("  " + line[:200])
    if r.get("profile"):
        print("py-spy during the burst (3 s from its start):")
        for line in r["profile"]:
            print("  " + line)


if __name__ == "__main__":
    sys.exit(main())
