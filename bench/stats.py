"""Summaries of latency samples."""


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
