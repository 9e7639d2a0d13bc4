"""The typing storm of bench/run.py (``--typists``): what its rows say about it.

The typists are visitor sockets of their own (``typists.js`` in each
load-generator process) that all send ``typing {is_typing: true}`` when a
step's sending begins, again every ``--typing-refresh`` seconds, and
``is_typing: false`` when it ends, while the messages flow as in any step.
"""

from bench.stats import merged_counts, percentile

SHORT = {"websocket-deflate": "ws+deflate"}


def transport_label(transport: str, typists: int) -> str:
    """The transport as the table shows it, e.g. ``websocket+typing500``."""
    name = SHORT.get(transport, transport)
    return f"{name}+typing{typists}" if typists else name


def typing_summary(args, results: list[dict]) -> dict:
    """The row's typing fields: how many typing events, acks, errors, how fast."""
    if not args.typists:
        return {}
    storms = [r["typing"] for r in results]
    latencies = sorted(x for s in storms for x in s["ack_latencies"])
    return {
        "typing_refresh_s": args.typing_refresh,
        "typing": {
            "typists_connected": sum(s["typists"] for s in storms),
            "sent": sum(s["sent"] for s in storms),
            "acked": sum(s["acked"] for s in storms),
            "errors": merged_counts(s["errors"] for s in storms),
            "ack_timeouts": sum(s["timeouts"] for s in storms),
            "ack_latency_ms": {
                "p50": percentile(latencies, 0.50),
                "p99": percentile(latencies, 0.99),
                "max": latencies[-1] if latencies else None,
            },
            "round_lag_max_ms": round(max(s["round_lag_max"] for s in storms), 1),
        },
    }
