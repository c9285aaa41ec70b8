"""The chart on the benchmarks page: per-request cost by client, and suite wall time."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def draw(requests: dict[str, Any], scale: dict[str, Any], path: Path) -> None:
    """Write a PNG with two panels from the requests and scale benchmarks' JSON."""
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede pyplot
    import matplotlib.pyplot as plt

    clients, medians = requests["clients"], requests["medians"]
    views = list(medians)
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8),
                                         gridspec_kw={"width_ratios": [3, 2]})
    width = 0.8 / len(clients)
    for index, (who, label) in enumerate(clients.items()):
        positions = [v + (index - (len(clients) - 1) / 2) * width for v in range(len(views))]
        left.bar(positions, [medians[view][who] * 1e3 for view in views], width, label=label)
    left.set_xticks(range(len(views)), views)
    left.set_ylabel("ms per request (median)")
    left.set_title("Per request, by client")
    left.legend(fontsize="small")

    for mode, walls in scale["walls"].items():  # JSON made the sizes strings
        sizes = sorted(walls, key=int)
        right.plot([int(size) for size in sizes], [walls[size] for size in sizes],
                   marker="o", label=f"pytest {mode}")
    right.set_xlabel("tests in the suite")
    right.set_ylabel("wall seconds (median)")
    right.set_title("Generated API suite")
    right.set_ylim(bottom=0)
    right.legend(fontsize="small")

    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
