"""What bench/run.py prints at the end: the table, the peaks, notes, and the JSON."""

import json
from pathlib import Path

from bench import scrape
from bench.output import fmt_ms
from bench.table import add_ratios, table, transport_of


def print_results(
    rows: list[dict], peaks: list[dict], errors: list[str], columns: list | None = None
) -> str | None:
    """Print the results; returns the relay the ratios refer to, if any."""
    reference = add_ratios(rows)
    print()
    print(table(rows, columns))
    if reference:
        print(
            f"\nxrate, xp99: the chat's delivered rate and p99 divided by {reference}'s "
            "at the same step."
        )
    print_typing(rows)
    if peaks:
        print_peaks(peaks)
        print_database_ratios(database_ratios(peaks))
    notes = errors + anomalies(rows)
    if notes:
        print("\nNotes:")
        for n in notes:
            print("  - " + n)
    return reference


def print_typing(rows: list[dict]) -> None:
    """The typing acknowledgements of the typing-storm rows."""
    storms = [r for r in rows if r.get("typing")]
    if not storms:
        return
    print("\nTyping (every typist's typing events during the step, their acks):")
    for r in storms:
        t = r["typing"]
        t_ms = t["ack_latency_ms"]
        print(
            f"  {r['server']:<13} {transport_of(r):<20} {r['target_rate']:>5}/s: "
            f"{t['typists_connected']} typists sent {t['sent']}, acked {t['acked']}, "
            f"ack p50 {fmt_ms(t_ms['p50'])} ms, p99 {fmt_ms(t_ms['p99'])} ms, "
            f"max {fmt_ms(t_ms['max'])} ms"
        )


def database_ratios(peaks: list[dict]) -> list[dict]:
    """The chat's peak on PostgreSQL as a fraction of its peak on SQLite, per transport."""
    sqlite = {(p["server"], p["transport"]): p for p in peaks if p.get("database") == "sqlite"}
    ratios = []
    for pg in (p for p in peaks if p.get("database") == "postgresql"):
        lite = sqlite.get((pg["server"].removesuffix("/pg"), pg["transport"]))
        if lite is None:
            continue
        a, b = pg["peak_delivered_rate"], lite["peak_delivered_rate"]
        ratios.append(
            {
                "server": pg["server"],
                "transport": pg["transport"],
                "postgresql_peak": a,
                "sqlite_peak": b,
                "ratio": round(a / b, 3) if a is not None and b else None,
            }
        )
    return ratios


def print_database_ratios(ratios: list[dict]) -> None:
    if ratios:
        print("\nPeak on PostgreSQL / peak on SQLite (target >= 0.7):")
    for r in ratios:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(
            f"  {r['server']:<13} {r['transport']:<9} {ratio} "
            f"({r['postgresql_peak'] or 0:.0f} / {r['sqlite_peak'] or 0:.0f} msg/s)"
        )


def print_peaks(peaks: list[dict]) -> None:
    print("\nPeak (highest step delivered within 5% of target with p99 <= 500 ms):")
    for p in peaks:
        where = f"  {p['server']:<13} {transport_of(p):<9}"
        if p["peak_delivered_rate"] is None:
            print(f"{where} none: the lowest step already failed")
        else:
            print(
                f"{where} {p['peak_delivered_rate']:.0f} msg/s "
                f"(target {p['at_target']}, p99 {fmt_ms(p['p99_ms'])} ms, "
                f"server CPU {p['server_cpu_pct']:.0f}%{_database_cpu(p)}, load generator CPU "
                f"{p['loadgen_cpu_pct']:.0f}%; failed at {p['first_failing_target'] or '-'})"
            )


def _database_cpu(p: dict) -> str:
    cpu = p.get("database_cpu_pct")
    return "" if cpu is None else f", PostgreSQL CPU {cpu:.0f}%"


def write_json(args, reference, rows: list[dict], peaks: list[dict], errors: list[str]) -> None:
    """Every row (with more fields than the table), the peaks and the settings."""
    Path(args.json).write_text(
        json.dumps(
            {
                "settings": {k: v for k, v in vars(args).items() if k not in ("rate_list",)},
                "reference_for_ratios": reference,
                "rows": rows,
                "peaks": peaks,
                "postgresql_to_sqlite_peak": database_ratios(peaks),
                "errors": errors,
            },
            indent=2,
        )
    )


def anomalies(rows: list[dict]) -> list[str]:
    """What looks wrong in the rows: lost or duplicated messages, errors, a noisy machine."""
    notes = []
    for r in rows:
        if not r.get("skipped"):
            where = f"{r['server']} {transport_of(r)} {r['target_rate']}/s"
            found = _delivery_notes(r) + scrape.disagreements(r) + _machine_notes(r)
            notes += [f"{where}: {note}" for note in found]
    return notes


def _delivery_notes(r: dict) -> list[str]:
    notes = []
    if r["stored"] is not None and r["stored"] < r["acked"]:
        notes.append(f"stored {r['stored']} < acked {r['acked']} (acknowledged but not stored!)")
    if r["duplicates"]:
        notes.append(f"{r['duplicates']} duplicate deliveries at the assigned agent")
    if r["agent_messages"] > r["agent_messages_expected"]:
        notes.append(
            f"agents got {r['agent_messages']} message events, "
            f"more than {r['agent_messages_expected']} (sent x agents)"
        )
    if r["ack_errors"] or r["ack_timeouts"]:
        notes.append(f"send_message errors {r['ack_errors']}, ack timeouts {r['ack_timeouts']}")
    if r["receipt_errors"]:
        notes.append(f"receipt errors {r['receipt_errors']}")
    if r.get("typing") and (r["typing"]["errors"] or r["typing"]["ack_timeouts"]):
        notes.append(
            f"typing errors {r['typing']['errors']}, ack timeouts {r['typing']['ack_timeouts']}"
        )
    if r["disconnects"] or r["connect_failed"]:
        notes.append(f"{r['disconnects']} disconnects, {r['connect_failed']} failed connects")
    return notes


def _machine_notes(r: dict) -> list[str]:
    notes = []
    if r["loadgen_cpu_pct"] and r["loadgen_cpu_pct"] > 85 * r["loadgen_cores"]:
        notes.append(
            f"load generator at {r['loadgen_cpu_pct']:.0f}% CPU; "
            f"its send timers ran up to {r['loadgen_send_lag_max_ms']:.0f} ms late"
        )
    if r.get("other_cpu_pct", 0) > 30:
        notes.append(f"other programs used {r['other_cpu_pct']:.0f}% CPU meanwhile (noisy)")
    if r["server_busy_after_s"] > 2:
        notes.append(
            f"the server stayed busy {r['server_busy_after_s']:.0f} s "
            "after the clients left (a backlog)"
        )
    return notes
