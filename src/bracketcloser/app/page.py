"""The page: Gradio components in four tabs, and the events that tie them to a ``Lab``.

Every component that shows words is made through ``Texts.add``, which names its texts by the
keys of ``text.TEXT``; the language switch is then one loop over those components. The
``elem_id``s are what the browser tests (and outside checks) find the page by.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry calls from a learner's machine

import gradio as gr  # noqa: E402

from ..architectures import ARCHS, DEFAULT_ARCH  # noqa: E402
from ..data import BOARD, DISTS, TRAIN_DISTS  # noqa: E402
from .figures import curve_figure  # noqa: E402
from .lab import APP_BUDGETS, Lab  # noqa: E402
from .text import LANGUAGES, say  # noqa: E402


class Texts:
    """The components that show words, and for each, which property shows which text: a key
    of ``text.TEXT``, a list of keys (table headers) or a function of the language."""

    def __init__(self):
        self.shown: list[tuple[gr.components.Component, dict]] = []

    def add(self, make, texts: dict, **kwargs):
        """``make(**kwargs)`` with ``texts`` in English, remembered for the language switch."""
        component = make(**self._words(texts, "en"), **kwargs)
        self.shown.append((component, texts))
        return component

    def updates(self, language: str) -> list[dict]:
        return [gr.update(**self._words(texts, language)) for _, texts in self.shown]

    @staticmethod
    def _words(texts: dict, lang: str) -> dict:
        def one(v):
            return v(lang) if callable(v) else [say(k, lang) for k in v] if isinstance(v, list) else say(v, lang)

        return {prop: one(v) for prop, v in texts.items()}


def table(rows: list[list], header_keys: tuple[str, ...], lang: str) -> dict:
    """A table's value with its headers in ``lang`` (so a table filled later keeps the page's language)."""
    return {"data": rows, "headers": [say(k, lang) for k in header_keys]}


ANSWER_HEADERS = ("model", "answer", "right")
DRAWN_HEADERS = ("prefix_col", "answer_col")


def build_page(lab: Lab) -> gr.Blocks:
    texts = Texts()
    with gr.Blocks(title="bracketcloser", analytics_enabled=False) as page:
        with gr.Row():
            texts.add(gr.Markdown, {"value": "title"})
            lang = texts.add(gr.Radio, {"label": "language"}, choices=list(LANGUAGES), value="English",
                             elem_id="lang", scale=0)
        complete = complete_tab(texts, lab)
        training = train_tab(texts, lab)
        compare_tab(texts, lab)
        data = data_tab(texts, lab)
        complete_events(lab, complete, lang)
        train_events(lab, training, complete, lang)
        data.draw.click(lambda d, n, s, language: table(Lab.draw(d, n, s), DRAWN_HEADERS, language),
                        [data.sampler, data.how_many, data.seed, lang], data.drawn)
        lang.change(texts.updates, lang, [component for component, _ in texts.shown])
    return page


# ---- the tabs ----------------------------------------------------------------------------------

def complete_tab(texts: Texts, lab: Lab) -> SimpleNamespace:
    shipped, choices = lab.shipped(), lab.choices()
    first = DEFAULT_ARCH if DEFAULT_ARCH in shipped else (choices or [None])[0]
    with texts.add(gr.Tab, {"label": "complete"}, id="complete"):
        with gr.Row():
            prefix = texts.add(gr.Textbox, {"label": "prefix", "info": "prefix_info"}, elem_id="prefix", scale=3)
            error = gr.Markdown("", elem_id="error")
        models = texts.add(gr.CheckboxGroup, {"label": "models"}, choices=choices, value=shipped, elem_id="models")
        answers = texts.add(gr.Dataframe, {"label": "answers", "headers": list(ANSWER_HEADERS)}, elem_id="answers",
                            interactive=False, wrap=True)
        chosen = texts.add(gr.Dropdown, {"label": "inspect"}, choices=choices, value=first, elem_id="model")
        warning = gr.Markdown("", elem_id="warning")
        probs = texts.add(gr.Plot, {"label": "probs"}, elem_id="probs")
        inside = texts.add(gr.Plot, {"label": "inside"}, elem_id="inside")
    return SimpleNamespace(prefix=prefix, error=error, models=models, answers=answers, chosen=chosen,
                           warning=warning, probs=probs, inside=inside)


def train_tab(texts: Texts, lab: Lab) -> SimpleNamespace:
    with texts.add(gr.Tab, {"label": "train"}, id="train"):
        with gr.Row():
            arch = texts.add(gr.Dropdown, {"label": "arch"}, choices=list(ARCHS), value=DEFAULT_ARCH, elem_id="train-arch")
            dist = texts.add(gr.Dropdown, {"label": "dist"}, choices=list(TRAIN_DISTS), value="seed", elem_id="train-dist")
            budget = texts.add(gr.Radio, {"label": "budget"}, choices=list(APP_BUDGETS), value="steps",
                               elem_id="train-budget")
            steps = texts.add(gr.Number, {"label": "steps"}, value=200, precision=0, elem_id="train-steps")
        with gr.Row():
            start = texts.add(gr.Button, {"value": "start"}, variant="primary", elem_id="train-start")
            stop = texts.add(gr.Button, {"value": "stop"}, elem_id="train-stop")
        status = texts.add(gr.Markdown, {"value": lab.training_status}, elem_id="train-status")
        curve = gr.Plot(elem_id="train-curve")
        timer = gr.Timer(1.0)
    return SimpleNamespace(arch=arch, dist=dist, budget=budget, steps=steps, start=start, stop=stop, status=status,
                           curve=curve, timer=timer)


def compare_tab(texts: Texts, lab: Lab) -> None:
    with texts.add(gr.Tab, {"label": "compare"}, id="compare"):
        texts.add(gr.Markdown, {"value": "leaderboard"})
        texts.add(gr.Dataframe, {"headers": lambda lang: [say("model", lang), say("params", lang), *BOARD]},
                  value=lab.leaderboard(), interactive=False, elem_id="leaderboard")
        figures = lab.result_figures()
        if figures:
            gr.Gallery(figures, columns=2, height="auto", elem_id="figures")
        else:
            texts.add(gr.Markdown, {"value": "no_results"})
        texts.add(gr.Markdown, {"value": "yours"})
        text, user_figures = lab.comparisons()
        texts.add(gr.Code, {"value": lambda lang: text or say("none_yet", lang)}, elem_id="user-leaderboards")
        if user_figures:
            gr.Gallery(user_figures, columns=2, height="auto")


def data_tab(texts: Texts, lab: Lab) -> SimpleNamespace:
    with texts.add(gr.Tab, {"label": "data"}, id="data"):
        with gr.Row():
            sampler = texts.add(gr.Dropdown, {"label": "sampler"}, choices=[d for d in DISTS if d != "bbh"],
                                value="general", elem_id="data-sampler")
            how_many = texts.add(gr.Slider, {"label": "how_many"}, minimum=1, maximum=200, value=20, step=1)
            seed = texts.add(gr.Number, {"label": "seed"}, value=0, precision=0)
            draw = texts.add(gr.Button, {"value": "draw"}, elem_id="data-draw")
        drawn = texts.add(gr.Dataframe, {"headers": list(DRAWN_HEADERS)}, interactive=False, elem_id="data-table")
        texts.add(gr.Markdown, {"value": "original"})
        wrong, rate = lab.original()
        texts.add(gr.Markdown, {"value": lambda lang: say("original_note", lang).format(rate=rate)})
        texts.add(gr.Dataframe, {"headers": ["prefix_col", "their_label", "truth"]}, value=wrong, interactive=False,
                  elem_id="original")
    return SimpleNamespace(sampler=sampler, how_many=how_many, seed=seed, draw=draw, drawn=drawn)


# ---- the events ----------------------------------------------------------------------------------

def complete_events(lab: Lab, c: SimpleNamespace, lang: gr.Radio) -> None:
    """The answers follow every key typed (and the language); the pictures follow the answers,
    so typing never waits for them."""
    def on_prefix(text, names, language):
        rows, error = lab.answers(text, names or [], language) if text.strip() else ([], "")
        return table(rows, ANSWER_HEADERS, language), error

    def on_inspect(text, who, language):
        probs, inside, warning = lab.inspect(text, who, language)
        return probs, inside, "" if warning.startswith("error: ") else warning  # an error shows beside the box already

    for event in (c.prefix.change, c.prefix.submit, c.models.change, lang.change):
        event(on_prefix, [c.prefix, c.models, lang], [c.answers, c.error], trigger_mode="always_last",
              queue=False, show_progress="hidden")  # straight to the handler: the table keeps up with typing
    for event in (c.answers.change, c.chosen.change):
        event(on_inspect, [c.prefix, c.chosen, lang], [c.probs, c.inside, c.warning], trigger_mode="always_last")


def train_events(lab: Lab, t: SimpleNamespace, c: SimpleNamespace, lang: gr.Radio) -> None:
    """Start, Stop, and once a second the status and the curve; a finished run joins the model lists."""
    t.start.click(lab.start_training, [t.arch, t.dist, t.budget, t.steps, lang], t.status)
    t.stop.click(lab.stop_training, None, None)

    def on_tick(language, names):
        job = lab.job
        figure = curve_figure(job.steps, job.losses, job.validations, language, job.cfg.val_samples) if job else None
        run = lab.newly_finished()
        if run is None:
            return lab.training_status(language), figure, gr.update(), gr.update()
        new = lab.choices()
        return lab.training_status(language), figure, gr.update(choices=new, value=[*(names or []), str(run)]), \
            gr.update(choices=new)

    t.timer.tick(on_tick, [lang, c.models], [t.status, t.curve, c.models, c.chosen])


def serve(host: str = "127.0.0.1", port: int = 7860, models_dir: str | Path = "models",
          results_dir: str | Path | None = None, block: bool = True) -> gr.Blocks:
    """Start the page; with ``block=False`` return the running Gradio app (tests, benchmarks)."""
    page = build_page(Lab(models_dir, results_dir))
    page.queue(default_concurrency_limit=2)
    page.launch(server_name=host, server_port=port, prevent_thread_lock=not block, quiet=not block,
                show_error=True, inbrowser=False)
    return page
