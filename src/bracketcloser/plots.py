"""Figures a learner reads at a glance. Matplotlib only, drawn off-screen, returned as PNG bytes.

Every figure is a ``matplotlib.figure.Figure`` made directly, not through pyplot, and becomes
a PNG through ``png_bytes``: no backend is chosen, no global setting changes and no figure
registry fills up, so a program that imports the package keeps its matplotlib as it was.

``generalisation_png``: exact match against prefix length and against nesting depth, one
line per model, with the range the models trained on shaded, so it shows where each
architecture stops generalising and which one holds on.
"""

from __future__ import annotations

import io
import sys
from collections import defaultdict

from .data import Range

LENGTH_BIN, DEPTH_BIN = 10, 3  # brackets, levels per point


def sweep(records: list[dict]) -> dict:
    """Per-problem records (input, depth, correct) -> exact match by prefix-length bin and by
    depth bin: ``{"by_length": {x: [n, correct]}, "by_depth": {...}}`` with x the bin's centre.
    Small enough to keep in a results JSON and draw again later."""
    out = {}
    for name, key, width in (("by_length", lambda r: len(r["input"]), LENGTH_BIN), ("by_depth", lambda r: r["depth"], DEPTH_BIN)):
        groups: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for r in records:
            g = groups[(max(key(r), 1) - 1) // width]
            g[0] += 1
            g[1] += bool(r["correct"])
        out[name] = {f"{(b + 0.5) * width + 0.5:g}": groups[b] for b in sorted(groups)}
    return out


def png_bytes(fig, dpi: int = 100) -> bytes:
    """``fig`` (a ``matplotlib.figure.Figure``) as PNG bytes. A figure pyplot made (Optuna's)
    is closed too, so pyplot lets it go."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    pyplot = sys.modules.get("matplotlib.pyplot")  # loaded only by whoever drew through it
    if pyplot is not None:
        pyplot.close(fig)
    return buf.getvalue()


def generalisation_png(sweeps: dict[str, dict], trained: Range | None, title: str = "") -> bytes:
    """``sweeps``: per model, ``sweep(records)`` of suites that cover length and depth (e.g.
    shapes, walks, strings, long, deep)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.5))
    by_length, by_depth = fig.subplots(1, 2, sharey=True)
    for name, data in sweeps.items():
        for ax, key in ((by_length, "by_length"), (by_depth, "by_depth")):
            xs = [float(x) for x in data[key]]
            ax.plot(xs, [c / n for n, c in data[key].values()], marker=".", label=name)
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
    return png_bytes(fig)
