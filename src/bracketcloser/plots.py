"""Figures a learner reads at a glance. Matplotlib only, drawn off-screen, returned as PNG bytes.

``generalisation_png``: exact match against prefix length and against nesting depth, one
line per model, with the range the models trained on shaded, so it shows where each
architecture stops generalising and which one holds on.
"""

from __future__ import annotations

import io
from collections import defaultdict

from .data import Range

LENGTH_BIN, DEPTH_BIN = 10, 3  # brackets, levels per point


def _binned(records: list[dict], key, width: int) -> tuple[list[float], list[float]]:
    groups: dict[int, list[bool]] = defaultdict(list)
    for r in records:
        groups[(key(r) - 1) // width].append(r["correct"])
    xs = sorted(groups)
    return [(b + 0.5) * width + 0.5 for b in xs], [sum(groups[b]) / len(groups[b]) for b in xs]


def generalisation_png(records: dict[str, list[dict]], trained: Range | None, title: str = "") -> bytes:
    """``records``: per model, the per-problem records of ``evaluate`` (input, depth, correct),
    pooled over suites that sweep length and depth (e.g. shapes, walks, long, deep)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (by_length, by_depth) = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for name, recs in records.items():
        by_length.plot(*_binned(recs, lambda r: len(r["input"]), LENGTH_BIN), marker=".", label=name)
        by_depth.plot(*_binned(recs, lambda r: r["depth"], DEPTH_BIN), marker=".", label=name)
    for ax, limit, what in [(by_length, trained and trained.length, "prefix length (brackets)"),
                            (by_depth, trained and trained.depth, "nesting depth")]:
        if limit:
            ax.axvspan(0, limit, color="tab:green", alpha=0.08, label="trained range")
            ax.axvline(limit, color="tab:green", lw=1, ls="--")
        ax.set(xlabel=what, ylim=(-0.02, 1.02), xlim=(0, None))
        ax.grid(alpha=0.3)
    by_length.set(ylabel="exact match", title=f"by prefix length{title and ' (' + title + ')'}")
    by_depth.set(title="by depth")
    by_depth.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()
