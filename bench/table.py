"""The results table of bench/run.py: one row a step, the chat measured against the relay."""

from bench.output import fmt_ms, fmt_ratio

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


def table(rows: list[dict], columns: list | None = None) -> str:
    """The rows under ``columns`` (run.py's by default; the first three are always
    server, transport and target)."""
    columns = list(COLUMNS if columns is None else columns)
    width = max([13] + [len(r["server"]) for r in rows])
    columns[0] = ("server", width, columns[0][2])
    head = " ".join(
        name.rjust(width) if i > 1 else name.ljust(width)
        for i, (name, width, _) in enumerate(columns)
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
        cells = [str(get(r)) for _, _, get in columns]
        lines.append(
            " ".join(
                c.rjust(w) if i > 1 else c.ljust(w)
                for i, (c, (_, w, _)) in enumerate(zip(cells, columns, strict=True))
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
