"""The peak search of bench/run.py: the highest rate a server sustains."""

from bench.steps import StepRunner

PEAK_MAX = 6400  # msg/s; the search stops there


def step_passes(row: dict) -> bool:
    """Sustained: delivered within 5% of the target, and p99 under 500 ms."""
    p99 = row["latency_ms"]["p99"]
    return (
        row["delivered_rate"] >= 0.95 * row["target_rate"]
        and row["lost"] <= 0.05 * max(1, row["sent"])
        and p99 is not None
        and p99 <= 500
    )


class PeakSearch:
    """Double the rate until a step fails, then bisect three times between the
    last step that passed and the first that failed. A failing step is tried
    again ``retries`` times (a busy machine makes single failures noisy)."""

    def __init__(self, step: StepRunner, start: int, retries: int):
        self.step, self.start, self.retries = step, start, retries
        self.best: dict | None = None  # the row of the highest rate that passed
        self.failed_at: int | None = None

    def attempt(self, rate: int) -> bool | None:
        """Whether ``rate`` passed (None: the step could not run)."""
        for _ in range(self.retries + 1):
            row = self.step(rate)
            if row is None:
                return None
            if step_passes(row):
                self.best = row
                return True
        return False

    def double(self) -> None:
        rate = self.start
        while rate <= PEAK_MAX:
            passed = self.attempt(rate)
            if passed is None:
                return
            if passed:
                rate *= 2
                continue
            if self.best is None and rate > 25:
                rate //= 2  # not even the first step: look lower
                continue
            self.failed_at = rate
            return

    def bisect(self) -> None:
        if self.best is None or self.failed_at is None:
            return
        lo, hi = self.best["target_rate"], self.failed_at
        for _ in range(3):
            mid = int(round((lo + hi) / 2 / 10.0) * 10)
            if mid <= lo or mid >= hi:
                return
            passed = self.attempt(mid)
            if passed is None:
                return
            lo, hi = (mid, hi) if passed else (lo, mid)


def find_peak(step: StepRunner, label: str, transport: str, start: int, retries: int) -> dict:
    search = PeakSearch(step, start, retries)
    search.double()
    search.bisect()
    best = search.best
    return {
        "server": label,
        "database": step.server.database,
        "transport": transport,
        "typists": step.args.typists,
        "peak_delivered_rate": best["delivered_rate"] if best else None,
        "at_target": best["target_rate"] if best else None,
        "p99_ms": best["latency_ms"]["p99"] if best else None,
        "server_cpu_pct": best["server_cpu_pct"] if best else None,
        "database_cpu_pct": best["database_cpu_pct"] if best else None,
        "loadgen_cpu_pct": best["loadgen_cpu_pct"] if best else None,
        "first_failing_target": search.failed_at,
    }
