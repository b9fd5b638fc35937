"""The playground's figures, drawn from what ``model.explain`` hands back, in the page's language.

Each figure is a ``matplotlib.figure.Figure`` made directly, not through pyplot, and every
setting it needs is its own: no backend is chosen, no ``rcParams`` change and no figure
registry fills up, so two requests draw at once and a program that imports the app keeps its
matplotlib as it was. Japanese text is drawn with IPAex Gothic, the font that ships inside
``matplotlib_fontja``, handed to each text by its file path.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import torch
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.ticker import LogFormatter

from ..plots import error_axis, error_rate
from ..text import lang_code, say, term


@cache
def japanese_font() -> Path:
    """IPAex Gothic from matplotlib_fontja, found without importing that package: importing it
    calls its ``japanize()``, which rewrites matplotlib's global font settings."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("Japanese figures need matplotlib-fontja: pip install matplotlib-fontja")
    return Path(spec.submodule_search_locations[0]) / "fonts" / "ipaexg.ttf"


def _finish(fig: Figure, lang: str) -> Figure:
    """Lay ``fig`` out; in Japanese, every text in it (titles, ticks, axes, legends) takes the
    Japanese font at its own size and weight."""
    if lang_code(lang) == "ja":
        for text in fig.findobj(Text):
            font = FontProperties(fname=japanese_font(), size=text.get_fontsize(), weight=text.get_fontweight())
            text.set_fontproperties(font)
    fig.tight_layout()
    return fig


def _token_names(tokens: list[str], ids, lang: str) -> list[str]:
    return [say("end", lang) if tokens[i] == "," else tokens[i] for i in ids]


def probs_figure(seen, tokens: list[str], lang: str = "en") -> Figure:
    """Bars: for each answer step, the probability of each closer and of the end token."""
    closers = [i for i, t in enumerate(tokens) if t in ")]}>" or t == ","]
    steps = seen.probs.size(0)
    fig = Figure(figsize=(min(2.2 * steps, 14), 2.4))
    for s, ax in enumerate(fig.subplots(1, steps, squeeze=False, sharey=True)[0]):
        chosen = seen.answer[s] if s < len(seen.answer) else None
        ax.bar(range(len(closers)), seen.probs[s, closers].tolist(),
               color=["tab:orange" if i == chosen else "tab:blue" for i in closers])
        ax.set_xticks(range(len(closers)), _token_names(tokens, closers, lang))
        ax.set_ylim(0, 1)
        ax.set_title(f"{say('step', lang)} {s + 1}", fontsize=9)
    fig.suptitle(say("probs", lang), fontsize=10)
    return _finish(fig, lang)


def part_name(path: str, lang: str = "en") -> str:
    """A module path as a learner reads it: ``decoder.0.xattn`` -> ``decoder layer 1, attending to the prompt``
    (``デコーダ 第1層（プロンプトへのクロスアテンション）``: no space before a full-width parenthesis)."""
    out = [say("layer", lang, n=int(p) + 1) if p.isdigit() else term(p, lang) for p in path.split(".")]
    return " ".join(w for w in out if w).replace(" ,", ",").replace(" （", "（")


def inside_figure(seen, tokens: list[str], lang: str = "en") -> Figure:
    """Attention maps (one per layer and head: rows = answer steps, columns = the stream),
    and tracks along the stream (recurrent states, stack actions and contents)."""
    stream = _token_names(tokens, seen.stream, lang)
    panels = [(f"{part_name(name, lang)} · {say('head', lang)} {h + 1}", maps[:, h], None)
              for name, maps in seen.attention.items() for h in range(maps.size(1))]
    panels += [(term(name, lang), values, name) for name, values in seen.tracks.items()]
    if not panels:
        fig = Figure(figsize=(6, 1))
        ax = fig.subplots()
        ax.axis("off")
        ax.text(0.5, 0.5, say("no_inside", lang), ha="center")
        return _finish(fig, lang)
    cols = 2 if len(panels) > 1 else 1
    rows = (len(panels) + cols - 1) // cols
    fig = Figure(figsize=(7 * cols, 2.2 * rows + 0.6))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[len(panels):]:
        ax.axis("off")
    for ax, (title, data, track) in zip(axes, panels, strict=False):
        if track is None:
            _attention(ax, data, stream, lang)
        else:
            _track(ax, data, stream, seen.track_labels.get(track), seen.track_axis.get(track, ""), lang)
        ax.set_title(title, fontsize=9)
    fig.suptitle(say("inside", lang), fontsize=10)
    return _finish(fig, lang)


def _attention(ax, data: torch.Tensor, stream: list[str], lang: str) -> None:
    """(steps, stream): where each answer step looked."""
    ax.imshow(data.numpy(), aspect="auto", cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(stream)), stream, fontsize=7)
    ax.set_yticks(range(data.size(0)), [f"{say('step', lang)} {s + 1}" for s in range(data.size(0))], fontsize=7)


def _track(ax, data: torch.Tensor, stream: list[str], labels, axis: str, lang: str) -> None:
    """(tokens read, n): one row per token read, drawn with the tokens along x; named columns
    (a stack's actions) as rows of their own, unnamed ones (a hidden state) the most varied."""
    shown = data if labels else _most_varied(data, 16)
    ax.imshow(shown.T.numpy(), aspect="auto", cmap="Greens" if labels else "RdBu_r",
              vmin=0 if labels else None, vmax=1 if labels else None)
    ax.set_xticks(range(data.size(0)), stream[: data.size(0)], fontsize=7)
    if labels:
        ax.set_yticks(range(len(labels)), [term(label, lang) for label in labels], fontsize=7)
    else:
        ax.set_ylabel(term(axis, lang), fontsize=7)


def _most_varied(data: torch.Tensor, k: int) -> torch.Tensor:
    """The ``k`` columns that change most along the stream (the units worth looking at);
    all of them when there are few (a stack's slots, in order)."""
    if data.size(1) <= k:
        return data
    keep = data.std(0).topk(k).indices.sort().values
    return data[:, keep]


class _PlainLog(LogFormatter):
    """The ticks a log axis labels, as plain numbers (0.1, 0.03, 2)."""

    def __call__(self, x, pos=None) -> str:
        return f"{x:g}" if super().__call__(x, pos) else ""


def curve_figure(steps: list[int], losses: list[float], validations: list[tuple[int, float]], lang: str = "en",
                 val_samples: int = 500) -> Figure:
    """A training's loss at every step and its validation error rate (1 - exact match), both on
    log axes: near the end, 1% and 0.1% wrong are a factor of ten apart, not a pixel. One legend
    names both curves, above the plot, where no curve runs under it."""
    fig = Figure(figsize=(7, 3.3))
    ax = fig.subplots()
    if steps:
        ax.plot(steps, losses, color="tab:blue", lw=1, label=say("train_loss", lang))
        ax.set_yscale("log")
        # plain numbers, not mathtext (10^-1): its parser is not thread-safe, and the training
        # thread draws its own history plot while the page draws this one
        ax.yaxis.set_major_formatter(_PlainLog())
        ax.yaxis.set_minor_formatter(_PlainLog(labelOnlyBase=False, minor_thresholds=(2, 0.4)))
    ax.set_xlabel(say("step_axis", lang))
    ax.set_ylabel(say("loss", lang))
    lines = ax.get_lines()
    if validations:
        em = ax.twinx()
        lines += em.plot([s for s, _ in validations], [error_rate(v, val_samples) for _, v in validations], "o-",
                         color="tab:green", label=say("val_error_rate", lang))
        error_axis(em, say("error_rate", lang), val_samples, say("none_wrong", lang))
    if lines:  # outside the axes, over their top edge: the layout makes room for it
        ax.legend(lines, [line.get_label() for line in lines], loc="lower center", bbox_to_anchor=(0.5, 1.0),
                  ncol=len(lines), fontsize=8, frameon=False)
    return _finish(fig, lang)
