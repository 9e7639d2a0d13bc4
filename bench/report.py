"""What bench/run.py prints at the end: the table, the peaks, notes, and the JSON."""

import json
from pathlib import Path

from bench import scrape
from bench.output import fmt_ms
from bench.table import add_ratios, table


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
    if peaks:
        print_peaks(peaks)
    notes = errors + anomalies(rows)
    if notes:
        print("\nNotes:")
        for n in notes:
            print("  - " + n)
    return reference


def print_peaks(peaks: list[dict]) -> None:
    print("\nPeak (highest step delivered within 5% of target with p99 <= 500 ms):")
    for p in peaks:
        if p["peak_delivered_rate"] is None:
            print(f"  {p['server']:<13} {p['transport']:<9} none: the lowest step already failed")
        else:
            print(
                f"  {p['server']:<13} {p['transport']:<9} {p['peak_delivered_rate']:.0f} msg/s "
                f"(target {p['at_target']}, p99 {fmt_ms(p['p99_ms'])} ms, "
                f"server CPU {p['server_cpu_pct']:.0f}%, load generator CPU "
                f"{p['loadgen_cpu_pct']:.0f}%; failed at {p['first_failing_target'] or '-'})"
            )


def write_json(args, reference, rows: list[dict], peaks: list[dict], errors: list[str]) -> None:
    """Every row (with more fields than the table), the peaks and the settings."""
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


def anomalies(rows: list[dict]) -> list[str]:
    """What looks wrong in the rows: lost or duplicated messages, errors, a noisy machine."""
    notes = []
    for r in rows:
        if not r.get("skipped"):
            where = f"{r['server']} {r['transport']} {r['target_rate']}/s"
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
