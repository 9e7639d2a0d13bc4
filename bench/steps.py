"""One step of bench/run.py: fresh sockets send at one rate for a while; the counts.

Worker ``w`` of the load generator holds the agents ``a`` with
``a % workers == w`` and their conversations (conversation ``k`` has agent
``k % agents``), so that a visitor and its agent share a clock. The typists
(``--typists``), whose conversations follow the senders', are dealt out in
turn: typist ``t`` to worker ``t % workers``.
"""

import time
import uuid
from pathlib import Path

from bench import profiling, scrape
from bench.machine import (
    CpuWindow,
    MachineCpuWindow,
    QuietWaiter,
    TreeCpuWindow,
    rss_bytes,
    wait_until_idle,
)
from bench.node import NodeProcess
from bench.output import fmt_ms, log
from bench.servers import Server
from bench.stats import merged_counts, percentile, share_under
from bench.typing_storm import transport_label, typing_summary


def run_step(args, server: Server, visitors, transport, rate, workdir, quiet: QuietWaiter) -> dict:
    """Connect fresh sockets, send at ``rate`` for ``args.seconds``, collect the counts."""
    quiet.wait(server.pid, server.database_pid)
    metrics_before = scrape.take(server.metrics_urls)
    step_id = "b" + uuid.uuid4().hex[:8]
    workers = [
        NodeProcess("loadgen.js", c, args.loadgen_cores, workdir, f"{step_id}-{c['worker']}")
        for c in worker_configs(args, server, visitors, transport, rate, step_id)
    ]
    try:
        readies = [w.expect("ready", timeout=90) for w in workers]
        _report_connect_failures(readies)
        measured = _send(args, server, workers, transport, rate)
    finally:
        for w in workers:
            w.close()
    if profile := measured.pop("profile"):
        _show_profile(*profile)

    # Once the clients are gone, let the server finish what it still has queued
    # before counting what it stored and before the next step begins.
    measured["idle_after"] = wait_until_idle(
        server.pid, limit=20 if args.quick else 60, others=server.others.values()
    )
    measured["stored"] = server.count_stored(step_id + "-")
    row = summarize(args, server, transport, rate, readies, measured)
    if metrics_before is not None:
        row["metrics"] = scrape.difference(metrics_before, scrape.take(server.metrics_urls))
    # What else ran on the machine meanwhile (other programs, the kernel's own
    # work, this script): a high value means a noisy measurement.
    ours = measured["server_cpu"] + (row["loadgen_cpu_pct"] or 0) + (measured["database_cpu"] or 0)
    ours += sum(other["cpu_pct"] for other in measured["others"].values())
    row["other_cpu_pct"] = round(max(0.0, measured["machine_cpu"] - ours), 1)
    return row


def worker_configs(args, server, visitors, transport, rate, step_id) -> list[dict]:
    """The config of each load-generator process."""
    senders, typists = visitors[: args.visitors], visitors[args.visitors :]
    configs = []
    for w in range(args.workers):
        agent_ids = [a for a in range(args.agents) if a % args.workers == w]
        configs.append(
            {
                "worker": w,
                "url": server.url,
                "agent_url": server.agent_url,
                "transport": "polling" if transport == "polling" else "websocket",
                "deflate": transport == "websocket-deflate",
                "keepalive": args.polling_keepalive == "on",
                "step_id": step_id,
                "rate": rate,
                "seconds": args.seconds,
                "grace": args.grace,
                "connect_timeout": 30,
                "ack_timeout": args.seconds + args.grace + 10,
                "total_visitors": len(senders),
                "agents": [{"index": a, "token": server.agent_token} for a in agent_ids],
                "visitors": [
                    {
                        "index": k,
                        "conversation_id": v["conversation_id"],
                        "token": v["token"],
                        "agent": k % args.agents,
                    }
                    for k, v in enumerate(senders)
                    if k % args.agents in agent_ids
                ],
                "typists": typists[w :: args.workers],
                "typing_refresh": args.typing_refresh,
            }
        )
    return configs


def _report_connect_failures(readies: list[dict]) -> None:
    if failed := sum(r["failed"] for r in readies):
        errors = sorted({e for r in readies for e in r["errors"]})
        log(f"  {failed} sockets failed to connect: {errors}")


def _send(args, server: Server, workers: list[NodeProcess], transport, rate) -> dict:
    """Start the workers at one moment; measure the server until they report."""
    start_at = time.time() + 1.0
    for w in workers:
        w.send({"start_at": start_at * 1000})
    time.sleep(max(0.0, start_at - time.time()))
    cpu, machine, database = CpuWindow(server.pid), MachineCpuWindow(), server.database_cpu()
    others = {name: TreeCpuWindow(pid) for name, pid in server.others.items()}
    counters = server.counters()
    for window in [cpu, machine, database, *others.values()]:
        if window is not None:
            window.start()
    rss_peak = rss_bytes(server.pid)
    profile = _start_profile(args, server, transport, rate) if args.profile else None
    deadline = time.monotonic() + args.seconds + args.grace + 60
    results = []
    for w in workers:
        result, rss_peak = _result_of(w, server, deadline, rss_peak)
        results.append(result)
    server_cpu, machine_cpu, rss = cpu.stop(), machine.stop(), rss_bytes(server.pid)
    return {
        "results": results,
        "server_cpu": server_cpu,
        "database_cpu": database.stop() if database else None,
        "machine_cpu": machine_cpu,
        "rss": rss,
        "rss_peak": max(rss_peak, rss),
        "others": {
            name: {
                "cpu_pct": round(window.stop(), 1),
                "rss_mib": round(rss_bytes(window.pid) / 2**20, 1),
            }
            for name, window in others.items()
        },
        "counters": {name: n - counters[name] for name, n in server.counters().items()},
        "profile": profile,
    }


def _result_of(worker: NodeProcess, server: Server, deadline: float, rss_peak: int):
    """A worker's result, and the server's peak RSS sampled while waiting for it."""
    while True:
        try:
            return worker.expect("result", timeout=0.5), rss_peak
        except TimeoutError:
            rss_peak = max(rss_peak, rss_bytes(server.pid))
            if time.monotonic() > deadline:
                raise


def _start_profile(args, server: Server, transport, rate) -> tuple | None:
    """py-spy on a chat step: (the recorder, its output file), or None."""
    if server.kind != "chat":
        return None
    path = Path(args.profile) / f"{server.label.replace('/', '-')}-{transport}-{rate}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    recorder = profiling.record(server.pid, path, args.seconds, args.loadgen_cores)
    return None if recorder is None else (recorder, path)


def _show_profile(recorder, path: Path) -> None:
    lines = profiling.finish(recorder, path)
    if lines:
        log(f"  py-spy profile: {path}")
        for line in lines:
            log("    " + line)


def summarize(args, server: Server, transport, rate, readies, measured) -> dict:
    """The row of one step: what was sent, stored and delivered, how fast, at what cost."""
    results = measured["results"]
    span = max([args.seconds] + [r["last_delivery_s"] for r in results])
    delivered = sum(r["delivered"] for r in results)
    return {
        "server": server.label,
        "database": server.database,
        "transport": transport,
        "typists": args.typists,
        "target_rate": rate,
        "seconds": args.seconds,
        "delivered_rate": round(delivered / span, 1) if span else 0.0,
        **_counts(args, results, measured["stored"]),
        **_latencies(results, span),
        **typing_summary(args, results),
        "server_cpu_pct": round(measured["server_cpu"], 1),
        "database_cpu_pct": _rounded(measured["database_cpu"]),
        "server_rss_mib": round(measured["rss"] / 2**20, 1),
        "server_rss_peak_mib": round(measured["rss_peak"] / 2**20, 1),
        **_load_generator(args, results, readies),
        "server_busy_after_s": round(measured["idle_after"], 1),
        # bench/scale.py's other processes and counts (none for bench/run.py's server)
        **{key: measured[key] for key in ("others", "counters") if measured[key]},
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _counts(args, results: list[dict], stored: int | None) -> dict:
    def total(key):
        return sum(r[key] for r in results)

    sent, delivered = total("sent"), total("delivered")
    return {
        "sent": sent,
        "acked": total("acked"),
        "ack_errors": merged_counts(r["ack_errors"] for r in results),
        "ack_timeouts": total("ack_timeouts"),
        "stored": stored,
        "delivered": delivered,
        "lost": sent - delivered,
        "duplicates": total("duplicates"),
        "agent_messages": total("agent_messages"),
        "agent_messages_expected": sent * args.agents,
        "receipts_sent": total("receipts_sent"),
        "receipts_acked": total("receipts_acked"),
        "receipt_errors": merged_counts(r["receipt_errors"] for r in results),
        "receipts_at_visitor": total("receipts_at_visitor"),
    }


def _latencies(results: list[dict], span: float) -> dict:
    latencies = sorted(x for r in results for x in r["latencies"])
    acks = sorted(x for r in results for x in r["ack_latencies"])
    return {
        "latency_ms": {
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99),
            "max": latencies[-1] if latencies else None,
        },
        "ack_latency_ms": {
            "p50": percentile(acks, 0.50),
            "p99": percentile(acks, 0.99),
            "under_ms": share_under(acks, scrape.ACK_BOUNDS_MS),
        },
        "last_delivery_s": round(span, 2),
    }


def _load_generator(args, results: list[dict], readies: list[dict]) -> dict:
    cpu_ms = sum(r["cpu_user_ms"] + r["cpu_system_ms"] for r in results)
    wall_ms = max(r["wall_ms"] for r in results)
    return {
        "loadgen_cpu_pct": round(100.0 * cpu_ms / wall_ms, 1) if wall_ms else None,
        "loadgen_cores": len(args.loadgen_cores.split(",")),
        "loadgen_send_lag_p99_ms": max((r["send_lag_p99"] or 0) for r in results),
        "loadgen_send_lag_max_ms": max(r["send_lag_max"] for r in results),
        "disconnects": sum(r["disconnects"] for r in results),
        "connect_failed": sum(r["failed"] for r in readies),
        "connect_ms": round(max(r["connect_ms"] for r in readies)),
    }


class StepRunner:
    """Runs steps of one server and transport; keeps their rows and errors."""

    def __init__(self, args, server, visitors, transport, workdir, quiet, rows, errors):
        self.args, self.server, self.visitors, self.transport = args, server, visitors, transport
        self.workdir, self.quiet, self.rows, self.errors = workdir, quiet, rows, errors

    def __call__(self, rate: int) -> dict | None:
        transport = transport_label(self.transport, self.args.typists)
        label = f"{self.server.label} {transport} {rate}/s"
        log(f"{self.server.label:<13} {transport:<9} {rate:>5} msg/s ...")
        try:
            row = run_step(
                self.args,
                self.server,
                self.visitors,
                self.transport,
                rate,
                self.workdir,
                self.quiet,
            )
        except Exception as exc:  # noqa: BLE001 - reported; the run goes on
            log(f"  failed: {exc}")
            self.errors.append(f"{label}: {str(exc).splitlines()[0]}")
            return None
        self.rows.append(row)
        others = "".join(
            f", {name} CPU {other['cpu_pct']:.0f}%" for name, other in row.get("others", {}).items()
        )
        log(
            f"  delivered {row['delivered_rate']:.0f}/s, "
            f"p99 {fmt_ms(row['latency_ms']['p99'])} ms, "
            f"server CPU {row['server_cpu_pct']:.0f}%{others}, "
            f"load generator CPU {row['loadgen_cpu_pct']:.0f}%"
        )
        if "metrics" in row:
            log("  " + scrape.summary_line(row["metrics"]))
        return row

    def skip(self, rate: int, why: str) -> None:
        self.rows.append(
            {
                "server": self.server.label,
                "database": self.server.database,
                "transport": self.transport,
                "typists": self.args.typists,
                "target_rate": rate,
                "skipped": why,
            }
        )


def run_rates(step: StepRunner, rates: list[int], no_skip: bool) -> None:
    """Each rate in turn; once a step falls more than 20% behind, the higher ones are skipped."""
    overloaded = False
    for rate in rates:
        if overloaded and not no_skip:
            step.skip(rate, "a lower rate already fell more than 20% behind its target")
            continue
        row = step(rate)
        if row is None:
            break
        overloaded = row["delivered_rate"] < 0.8 * rate
