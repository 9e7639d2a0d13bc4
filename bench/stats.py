"""Summaries of latency samples."""

import bisect


def percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(q * len(sorted_values))) - 1))
    return sorted_values[index]


def latency_summary(samples: list[float]) -> dict:
    values = sorted(samples)
    return {
        "count": len(values),
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": values[-1] if values else None,
    }


def merged_counts(tables) -> dict:
    """Counts by name, summed over several tables of counts by name."""
    merged: dict = {}
    for table in tables:
        for name, n in table.items():
            merged[name] = merged.get(name, 0) + n
    return merged


def share_under(sorted_values: list[float], bounds) -> dict[str, float | None]:
    """{bound: the share of the values at or under it}, bounds as strings (JSON keys)."""
    shares = {}
    for bound in bounds:
        within = bisect.bisect_right(sorted_values, bound)
        shares[str(bound)] = round(within / len(sorted_values), 4) if sorted_values else None
    return shares
