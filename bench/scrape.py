"""The chat's own count of a step: its Prometheus metrics before and after.

With ``--metrics on`` each chat process runs with ``CHAT_METRICS=1``; a step
reads ``GET /metrics`` of every process before its sockets connect and again
once the server is idle after they left. The growth of each counter goes
into the step's row (``metrics`` in the JSON), and what disagrees with the
load generator's counts becomes a note. Without ``PROMETHEUS_MULTIPROC_DIR``
each process reports only itself, so the processes' values are added up.
"""

import requests
from prometheus_client.parser import text_string_to_metric_families

# Bounds of the ack-latency histogram's buckets (app/metrics.py), in ms: the
# shares under them are exact, where a bound between buckets would be a guess.
ACK_BOUNDS_MS = (5, 25, 100)

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def take(urls: list[str]) -> Samples | None:
    """Every sample of the processes at ``urls``, summed; None without any."""
    if not urls:
        return None
    return added(parse(_get(f"{url}/metrics")) for url in urls)


def _get(url: str) -> str:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return response.text


def added(readings) -> Samples:
    """Several processes' samples, added up."""
    samples: Samples = {}
    for reading in readings:
        for key, value in reading.items():
            samples[key] = samples.get(key, 0.0) + value
    return samples


def parse(text: str) -> Samples:
    """The samples of a Prometheus text exposition: {(name, labels): value}."""
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if not sample.name.endswith("_created"):  # when a series began: no count
                samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def difference(before: Samples, after: Samples) -> dict:
    """What the server counted between the two readings."""
    grown = {key: value - before.get(key, 0.0) for key, value in after.items()}
    commits = _total(grown, "chat_db_commit_seconds_count")
    commit_ms = 1000 * _total(grown, "chat_db_commit_seconds_sum")
    return {
        "messages_stored": round(_total(grown, "chat_messages_stored_total")),
        "events": _events(grown),
        "ack": _acks(grown),
        "commits": round(commits),
        "commit_ms_total": round(commit_ms, 1),
        "commit_ms_mean": round(commit_ms / commits, 3) if commits else None,
        "db_errors": _by_label(grown, "chat_db_errors_total", "kind"),
        "rate_limited": _by_label(grown, "chat_rate_limited_total", "limit"),
    }


def _total(grown: Samples, name: str, **labels: str) -> float:
    return sum(
        value
        for (sample, sample_labels), value in grown.items()
        if sample == name and labels.items() <= dict(sample_labels).items()
    )


def _by_label(grown: Samples, name: str, label: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for (sample, labels), value in grown.items():
        if sample == name and round(value):
            key = dict(labels)[label]
            counts[key] = counts.get(key, 0) + round(value)
    return counts


def _events(grown: Samples) -> dict[str, dict[str, int]]:
    """{event: {result: count}}, result being ``ok`` or the error code answered."""
    events: dict[str, dict[str, int]] = {}
    for (sample, labels), value in grown.items():
        if sample == "chat_events_total" and round(value):
            named = dict(labels)
            events.setdefault(named["event"], {})[named["result"]] = round(value)
    return events


def _acks(grown: Samples) -> dict[str, dict]:
    """Per event and for all events: how many were answered, the mean time, the
    shares answered within each of ``ACK_BOUNDS_MS``."""
    names = sorted(
        {dict(labels)["event"] for sample, labels in grown if sample == "chat_ack_seconds_count"}
    )
    acks = {name: _ack_summary(grown, event=name) for name in names}
    acks = {name: summary for name, summary in acks.items() if summary["count"]}
    if acks:
        acks["all"] = _ack_summary(grown)
    return acks


def _ack_summary(grown: Samples, **labels: str) -> dict:
    count = _total(grown, "chat_ack_seconds_count", **labels)
    seconds = _total(grown, "chat_ack_seconds_sum", **labels)
    under = {}
    for bound in ACK_BOUNDS_MS:
        within = sum(
            value
            for (sample, sample_labels), value in grown.items()
            if sample == "chat_ack_seconds_bucket"
            and labels.items() <= dict(sample_labels).items()
            and abs(float(dict(sample_labels)["le"]) - bound / 1000) < 1e-9
        )
        under[str(bound)] = round(within / count, 4) if count else None
    return {
        "count": round(count),
        "mean_ms": round(1000 * seconds / count, 3) if count else None,
        "under_ms": under,
    }


def disagreements(row: dict) -> list[str]:
    """Where the server's counts and the load generator's differ, in words."""
    counted = row.get("metrics")
    if not counted:
        return []
    notes = []
    stored, sends = counted["messages_stored"], counted["events"].get("send_message", {})
    receipts = counted["events"].get("receipt", {})
    if stored != row["acked"]:
        notes.append(
            f"the server counted {stored} messages stored; {row['acked']} sends were acked "
            "before the clients left"
        )
    if (rows := row["stored"]) is not None and stored != rows:
        notes.append(f"the server counted {stored} messages stored; the database has {rows}")
    if sum(sends.values()) != row["sent"]:
        notes.append(
            f"the server answered {sum(sends.values())} send_message events {sends}, "
            f"{row['sent']} were sent"
        )
    if sum(receipts.values()) != row["receipts_sent"]:
        notes.append(
            f"the server answered {sum(receipts.values())} receipt events {receipts}, "
            f"{row['receipts_sent']} were sent"
        )
    if counted["db_errors"]:
        notes.append(f"database errors counted by the server: {counted['db_errors']}")
    if counted["rate_limited"]:
        notes.append(f"refused by a limit, counted by the server: {counted['rate_limited']}")
    return notes


def summary_line(counted: dict) -> str:
    """One progress line: stored, commits, acks within the bounds."""
    acks = counted["ack"].get("all")
    within = (
        ", ".join(
            f"{100 * share:.0f}% < {bound} ms"
            for bound, share in acks["under_ms"].items()
            if share is not None
        )
        if acks
        else "none"
    )
    mean = counted["commit_ms_mean"]
    return (
        f"server counted {counted['messages_stored']} stored, {counted['commits']} commits"
        f"{f' ({mean:.2f} ms each)' if mean is not None else ''}, acks {within}"
    )
