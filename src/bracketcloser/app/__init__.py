"""``bracketcloser app``: a playground in the browser (Gradio) where a learner sees inside the models.

Four tabs:

- **Complete**: type brackets; every chosen model answers as you type, beside the exact
  solver. Pick one model to see each answer step's probabilities and what it looked at:
  attention maps for the transformers, the hidden state for the recurrent models, push/pop
  actions and the stack for the stack model. All of it comes from ``model.explain`` (the
  model contract), so nothing here knows one architecture from another.
- **Train**: train a model (steps, or a time budget up to 10 minutes) and watch its loss
  and validation error rate live; Stop saves the run as Ctrl-C does. One run at a time.
- **Compare**: the committed leaderboard and figures, each whole (``--results-dir``), and any
  ``compare`` the user ran.
- **Data**: examples from each sampler (a blank answer: nothing left to close), and the
  original's generator beside the truth.

The page and its figures speak English or Japanese (the original project is Japanese),
switched on the page; the page serves its own Japanese font (the figures' IPAex Gothic). Every
word shown stands in the package's one table of texts, ``bracketcloser.text`` (its ``APP`` and
``FIGURES`` groups). By role:

    lab.py      what the page computes (Lab) and the one training that may run (TrainingJob)
    figures.py  the figures, from what model.explain hands back, in the page's language
    page.py     the Gradio layout and events; the only module that imports Gradio

Tests call ``Lab`` and the figures without a browser (tests/test_app.py); the browser tests
drive the page itself (tests/test_app_browser.py).
"""

from ..data import BOARD
from ..text import LANGUAGES, TEXT, say
from .figures import curve_figure, inside_figure, probs_figure
from .lab import APP_BUDGETS, Lab, TrainingJob


def __getattr__(name: str):
    """``build_page`` and ``serve`` need Gradio, an optional dependency: imported when asked for."""
    if name in ("build_page", "serve"):
        from . import page

        return getattr(page, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["APP_BUDGETS", "BOARD", "LANGUAGES", "TEXT", "Lab", "TrainingJob", "build_page", "curve_figure",
           "inside_figure", "probs_figure", "say", "serve"]
