"""The results table of bench/run.py: one row a step, the chat measured against the relay."""

from bench.output import fmt, fmt_ms, fmt_ratio
from bench.typing_storm import transport_label


def transport_of(r: dict) -> str:
    return transport_label(r["transport"], r.get("typists", 0))


COLUMNS = [
    ("server", 13, lambda r: r["server"]),
    ("transport", 10, transport_of),
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
    ("dbCPU%", 6, lambda r: fmt(r.get("database_cpu_pct"), 0)),
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
    server, transport and target) as fixed-width text, the first two columns as
    wide as their longest cell."""
    columns = COLUMNS if columns is None else columns
    widths = [
        max([width] + [len(cell(r)) for r in rows]) if i < 2 else width
        for i, (_, width, cell) in enumerate(columns)
    ]
    head = " ".join(
        _aligned(i, name, w)
        for i, ((name, _, _), w) in enumerate(zip(columns, widths, strict=True))
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        if r.get("skipped"):
            lines.append(
                f"{r['server']:<{widths[0]}} {transport_of(r):<{widths[1]}} "
                f"{r['target_rate']:>6}  skipped: {r['skipped']}"
            )
            continue
        cells = [str(get(r)) for _, _, get in columns]
        lines.append(
            " ".join(_aligned(i, c, w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        )
    return "\n".join(lines)


def _aligned(column: int, text: str, width: int) -> str:
    """The first two columns (names) to the left, the numbers to the right."""
    return text.ljust(width) if column < 2 else text.rjust(width)


def add_ratios(rows: list[dict]) -> str | None:
    """Chat / relay at the same step; the relay with the chat's socket options if measured."""
    relays = [r for r in rows if r["server"].startswith("relay") and not r.get("skipped")]
    if not relays:
        return None
    preferred = (
        "relay+nodelay" if any(r["server"].startswith("relay+nodelay") for r in relays) else "relay"
    )
    reference = {_step_of(r): r for r in relays if r["server"].split("/")[0] == preferred}
    for r in rows:
        ref = reference.get(_step_of(r))
        if not r["server"].startswith("chat") or r.get("skipped") or ref is None:
            continue
        if ref["delivered_rate"]:
            r["ratio_delivered_rate"] = round(r["delivered_rate"] / ref["delivered_rate"], 3)
        p99, ref_p99 = r["latency_ms"]["p99"], ref["latency_ms"]["p99"]
        if p99 is not None and ref_p99:
            r["ratio_p99"] = round(p99 / ref_p99, 2)
        r["ratio_reference"] = preferred
    return preferred


def _step_of(r: dict) -> tuple:
    """What makes two servers' rows comparable: transport, target and typists."""
    return r["transport"], r["target_rate"], r.get("typists", 0)
