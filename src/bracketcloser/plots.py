"""Figures a learner reads at a glance. Matplotlib only, drawn off-screen, returned as PNG bytes.

Every figure is a ``matplotlib.figure.Figure`` made directly, not through pyplot, and becomes
a PNG through ``png_bytes``: no backend is chosen, no global setting changes and no figure
registry fills up, so a program that imports the package keeps its matplotlib as it was.

``generalisation_png``: the error rate against prefix length and against nesting depth, one
line per model, with the range the models trained on shaded, so it shows where each
architecture stops generalising and which one holds on.

Near-perfect scores are drawn as error rates (1 - exact match) on a log axis (``error_axis``):
99% and 99.9% right differ by a factor of ten in errors, the difference every table of this
project is about, which a linear axis of exact match squeezes into its top pixel.
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


def error_rate(exact_match: float, n: int) -> float:
    """1 - exact match, drawn at half an example in ``n`` where none was wrong: a perfect score
    keeps a place on a log axis, just under one error in n."""
    return max(1.0 - exact_match, 0.5 / max(n, 1))


def error_axis(ax, label: str, n: int, none_wrong: str = "none wrong") -> None:
    """Make ``ax``'s y axis a log axis of error rates from half an example in ``n`` (the floor
    where ``error_rate`` draws a perfect score, marked ``none_wrong``) to 100%, labelled as plain
    percentages (0.1%, 1%, 10%, 100%: no mathtext, whose parser is not thread-safe, and the
    app draws while a training thread draws its own plot)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    lowest = 0.5 / max(n, 1)
    ax.set_yscale("log")
    ax.set_ylim(lowest * 0.7, 1.4)
    ax.yaxis.set_major_locator(FixedLocator([10.0**-k for k in range(7) if 10.0**-k >= lowest]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{100 * y:g}%"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.axhline(lowest, color="grey", lw=0.8, ls=":")
    ax.text(0.99, lowest, none_wrong, transform=ax.get_yaxis_transform(), ha="right", va="bottom", fontsize=7,
            color="grey")
    ax.set_ylabel(label)


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
    # one floor for every point: a bin with none wrong sits on it, whatever its size
    most = max(n for data in sweeps.values() for key in ("by_length", "by_depth") for n, _ in data[key].values())
    for name, data in sweeps.items():
        for ax, key in ((by_length, "by_length"), (by_depth, "by_depth")):
            xs = [float(x) for x in data[key]]
            ax.plot(xs, [error_rate(c / n, most) for n, c in data[key].values()], marker=".", label=name)
    for ax, limit, what in [(by_length, trained and trained.length, "prefix length (brackets)"),
                            (by_depth, trained and trained.depth, "nesting depth")]:
        if limit:
            ax.axvspan(0, limit, color="tab:green", alpha=0.08, label="trained range")
            ax.axvline(limit, color="tab:green", lw=1, ls="--")
        ax.set(xlabel=what, xlim=(0, None))
        ax.grid(alpha=0.3)
    error_axis(by_length, "error rate (1 - exact match)", most)
    by_length.set(title=f"by prefix length{title and ' (' + title + ')'}")
    by_depth.set(title="by depth")
    by_depth.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return png_bytes(fig)
