"""The phases of bench/connections.py: connect many visitors, hold them, then a burst.

Worker 0 holds the pairs (and their agent); the visitors are spread over all
workers, the typists too. Each phase adds its numbers to ``report``.
"""

import time
from pathlib import Path

from bench import profiling
from bench.machine import CpuWindow, rss_bytes, wait_until_idle
from bench.node import NodeProcess
from bench.output import log
from bench.servers import Server
from bench.stats import latency_summary, merged_counts

EXCHANGE_SECONDS = 8.0
DURING_MS = 2000  # "during the burst": sent within 2 s of it


class IdleRun:
    def __init__(self, args, server: Server, workdir: Path):
        self.args, self.server, self.workdir = args, server, workdir
        self.report: dict = {
            "server": server.label,
            "transport": args.transport,
            "visitors": args.visitors,
        }
        self.workers: list[NodeProcess] = []
        self.share: list[list[dict]] = []
        self.rss_before = 0

    def start_workers(self) -> None:
        """Create the conversations, then start the clients of each worker."""
        args = self.args
        log(f"{self.server.label}: creating {args.visitors + args.pairs} conversations ...")
        t = time.monotonic()
        everyone = self.server.create_visitors(args.visitors + args.pairs)
        self.report["create_conversations_s"] = round(time.monotonic() - t, 1)
        pairs, visitors = everyone[: args.pairs], everyone[args.pairs :]
        wait_until_idle(self.server.pid, limit=30)
        self.rss_before = rss_bytes(self.server.pid)
        self.share = [visitors[w :: args.workers] for w in range(args.workers)]
        for w in range(args.workers):
            config = {
                "url": self.server.url,
                "transport": args.transport,
                "deflate": args.deflate,
                "visitors": self.share[w],
                "pairs": pairs if w == 0 else [],
                "agent_token": self.server.agent_token if w == 0 else None,
                "connect_concurrency": 50,
                "drain_ms": 2000,
                "hard_limit_s": args.hold + 600,
            }
            self.workers.append(
                NodeProcess("idle.js", config, args.loadgen_cores, self.workdir, f"idle-{w}")
            )

    def connect(self) -> None:
        log(f"connecting {self.args.visitors} visitors from {self.args.workers} processes ...")
        t = time.monotonic()
        connected = [w.expect("connected", timeout=600) for w in self.workers]
        connect_s = time.monotonic() - t
        total = sum(c["connected"] for c in connected)
        failed = sum(c["failed"] for c in connected)
        errors = sorted({e for c in connected for e in c["errors"]})
        log(f"  {total} connected, {failed} failed {errors or ''} in {connect_s:.1f} s")
        self.report.update(
            connected=total,
            connect_failed=failed,
            connect_errors=errors,
            connect_s=round(connect_s, 1),
            connects_per_s=round(total / connect_s, 1) if connect_s else None,
        )

    def statuses(self) -> list[dict]:
        for w in self.workers:
            w.send({"cmd": "status"})
        return [w.expect("status", timeout=30) for w in self.workers]

    def hold(self) -> None:
        """Keep everyone connected for ``--hold`` seconds; what it costs the server."""
        log(f"holding for {self.args.hold:g} s ...")
        pid = self.server.pid
        cpu = CpuWindow(pid)
        cpu.start()
        rss_at_connect = rss_peak = rss_bytes(pid)
        hold_end = time.monotonic() + self.args.hold
        samples, statuses = [], []
        while time.monotonic() < hold_end:
            time.sleep(min(5.0, max(0.0, hold_end - time.monotonic())))
            rss_peak = max(rss_peak, rss_bytes(pid))
            statuses = self.statuses()
            samples.append(sum(s["connected"] for s in statuses))
        hold_cpu = cpu.stop()
        rss_after = rss_bytes(pid)
        held = max(1, self.report["connected"])
        self.report.update(
            still_connected=samples[-1] if samples else 0,
            disconnects=sum(s["disconnects"] for s in statuses),
            disconnect_reasons=merged_counts(s["reasons"] for s in statuses),
            idle_server_cpu_pct=round(hold_cpu, 1),
            idle_server_system_cpu_pct=round(cpu.system_pct, 1),
            rss_before_mib=round(self.rss_before / 2**20, 1),
            rss_after_connect_mib=round(rss_at_connect / 2**20, 1),
            rss_after_hold_mib=round(rss_after / 2**20, 1),
            rss_peak_mib=round(rss_peak / 2**20, 1),
            kib_per_connection=round((rss_after - self.rss_before) / 1024 / held, 1),
        )

    def burst(self) -> None:
        """Typists send ``typing`` at one moment while the pairs exchange messages."""
        args = self.args
        log(
            f"burst: {args.typists} visitors send typing at once "
            f"while {args.pairs} pairs exchange messages ..."
        )
        t0 = time.time() + 1.0
        burst_at = t0 + 3.0
        self.workers[0].send(
            {
                "cmd": "exchange",
                "at": t0 * 1000,
                "seconds": EXCHANGE_SECONDS,
                "rate": args.pair_rate,
            }
        )
        left = args.typists
        for i, w in enumerate(self.workers):
            n = left // (len(self.workers) - i)
            left -= n
            w.send({"cmd": "typing", "at": burst_at * 1000, "count": min(n, len(self.share[i]))})
        cpu = CpuWindow(self.server.pid)
        time.sleep(max(0.0, burst_at - 0.3 - time.time()))
        recorder = self._start_profile()
        time.sleep(max(0.0, burst_at - time.time()))
        cpu.start()
        typing = [w.expect("typing_done", timeout=120) for w in self.workers]
        burst_cpu = cpu.stop()
        exchange = self.workers[0].expect("exchange_done", timeout=EXCHANGE_SECONDS + 60)
        if recorder is not None:
            self.report["profile"] = profiling.finish(recorder, Path(args.profile), timeout=60)
        self.report["burst"] = {
            **_typing_summary(typing),
            "server_cpu_pct_until_all_acked": round(burst_cpu, 1),
            "server_system_cpu_pct_until_all_acked": round(cpu.system_pct, 1),
            **_exchange_summary(exchange, burst_at * 1000),
        }

    def _start_profile(self):
        """py-spy from just before the burst, for a few seconds."""
        if not self.args.profile:
            return None
        return profiling.record(
            self.server.pid, Path(self.args.profile), 3, self.args.loadgen_cores
        )

    def finish(self) -> None:
        self.report["connected_at_end"] = sum(s["connected"] for s in self.statuses())
        self.report["server_log_problems"] = self.server.log_problems()

    def close(self) -> None:
        for w in self.workers:
            w.send({"cmd": "quit"})
        for w in self.workers:
            w.close(timeout=20)


def _typing_summary(typing: list[dict]) -> dict:
    return {
        "typists": sum(t["sent"] for t in typing),
        "typing_acked": sum(t["acked"] for t in typing),
        "typing_errors": merged_counts(t["errors"] for t in typing),
        "typing_ack_p50_ms": max((t["ack_p50_ms"] or 0) for t in typing),
        "typing_ack_max_ms": max((t["ack_max_ms"] or 0) for t in typing),
    }


def _exchange_summary(exchange: dict, burst_ms: float) -> dict:
    """The pairs' latency before, during and after the burst, each way."""

    def phases(rows) -> dict:
        return {
            "before": latency_summary([lat for sent, lat in rows if sent < burst_ms]),
            "during": latency_summary(
                [lat for sent, lat in rows if burst_ms <= sent < burst_ms + DURING_MS]
            ),
            "after": latency_summary([lat for sent, lat in rows if sent >= burst_ms + DURING_MS]),
        }

    return {
        "pair_messages_sent": exchange["sent"],
        "pair_errors": exchange["errors"],
        "visitor_to_agent": phases(exchange["to_agent"]),
        "agent_to_visitor": phases(exchange["to_visitor"]),
    }
