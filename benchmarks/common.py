"""What every benchmark shares: the per-round ratio statistic."""

from __future__ import annotations

import statistics


def ratio(ours: list[float], theirs: list[float]) -> float:
    """Median over rounds of ours/theirs, each pair measured in the same round."""
    return statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
