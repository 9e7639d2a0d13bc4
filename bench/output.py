"""What the benchmarks print: progress on stderr, numbers in tables."""

import sys


def log(*parts) -> None:
    """A progress line on stderr (the results go to stdout)."""
    print(*parts, file=sys.stderr, flush=True)


def fmt_ms(value) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def fmt_ratio(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def fmt(value, digits=1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
