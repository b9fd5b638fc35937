"""The page: Gradio components in four tabs, and the events that tie them to a ``Lab``.

Every component that shows words is made through ``Texts.add``, which names its texts by the
keys of ``text.TEXT``; the language switch is then one loop over those components. The
``elem_id``s are what the browser tests (and outside checks) find the page by.

The page carries its own Japanese font: the IPAex Gothic file the figures draw with (from
matplotlib_fontja, see ``figures.japanese_font``) is served by the app itself and named in the
theme's fonts after the Latin one, so Japanese reads the same on a machine with no Japanese
font installed, and nothing is fetched from anywhere but the app.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry calls from a learner's machine

import gradio as gr  # noqa: E402

from ..architectures import ARCHS, DEFAULT_ARCH  # noqa: E402
from ..data import BOARD, DISTS, TRAIN_DISTS  # noqa: E402
from ..text import LANGUAGES, say  # noqa: E402
from .figures import curve_figure, japanese_font  # noqa: E402
from .lab import APP_BUDGETS, Lab  # noqa: E402

# ---- the page's own font --------------------------------------------------------------------------

FONT_FAMILY = "bracketcloser IPAex Gothic"  # a name of its own: never an installed font of the same name


def font_url() -> str:
    """Where the page loads IPAex Gothic from: Gradio's file route, which serves the one file
    ``launch_settings`` allows; relative, so the page finds it under any root path."""
    return "gradio_api/file=" + quote(japanese_font().as_posix())


def font_css() -> str:
    """The @font-face rule that names the served file (the theme's fonts name the family), and
    the theme's fonts for the few parts Gradio draws in a sans of its own (a table's label)."""
    return f"""@font-face {{
  font-family: "{FONT_FAMILY}";
  src: url("{font_url()}") format("truetype");
  font-display: swap;
}}
.gradio-container {{ --font-sans: var(--font); }}"""


def theme() -> gr.themes.Base:
    """Gradio's default theme, with IPAex Gothic after each of its own fonts (which have no
    Japanese): a Japanese character is drawn in it, a Latin one as before."""
    ipaex, local = gr.themes.Font(FONT_FAMILY), gr.themes.LocalFont  # Font: a family by its name, nothing fetched
    return gr.themes.Default(font=(local("Source Sans Pro"), ipaex, "ui-sans-serif", "system-ui", "sans-serif"),
                             font_mono=(local("IBM Plex Mono"), ipaex, "ui-monospace", "Consolas", "monospace"))


def launch_settings() -> dict:
    """What ``launch()`` needs beyond the layout: the theme, the font and the one file it may
    serve from outside the app, no footer (Gradio's links follow the browser's language, not the switch), and quiet: the
    command prints its own address, not Gradio's advice to set ``share=True``."""
    return dict(theme=theme(), css=font_css(), allowed_paths=[str(japanese_font())], footer_links=[], quiet=True)


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
    """A table's value with its headers in ``lang`` (so a table filled later keeps the page's language).
    A table shows the headers its value carries: updating ``headers`` alone leaves a filled one as it was."""
    return {"data": rows, "headers": [say(k, lang) for k in header_keys]}


def rows_of(value) -> list[list]:
    """A table's rows, as an event hands its value over (a pandas DataFrame, or a dict)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return value.get("data") or []
    return value.values.tolist()


ANSWER_HEADERS = ("model", "answer", "right")
DRAWN_HEADERS = ("prefix_col", "answer_col")
ORIGINAL_HEADERS = ("prefix_col", "their_label", "truth")


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
        # the examples drawn keep their rows and take the language's headers
        lang.change(lambda value, language: table(rows_of(value), DRAWN_HEADERS, language), [data.drawn, lang],
                    data.drawn)
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


def budget_choices(lang: str) -> list[tuple[str, str]]:
    """The budgets as the switch shows them in ``lang``, each with the value the Lab takes."""
    return [(say(f"budget_{b}", lang), b) for b in APP_BUDGETS]


def train_tab(texts: Texts, lab: Lab) -> SimpleNamespace:
    with texts.add(gr.Tab, {"label": "train"}, id="train"):
        with gr.Row():
            arch = texts.add(gr.Dropdown, {"label": "arch"}, choices=list(ARCHS), value=DEFAULT_ARCH, elem_id="train-arch")
            dist = texts.add(gr.Dropdown, {"label": "dist"}, choices=list(TRAIN_DISTS), value="seed", elem_id="train-dist")
            budget = texts.add(gr.Radio, {"label": "budget", "choices": budget_choices}, value="steps",
                               elem_id="train-budget")
            steps = texts.add(gr.Number, {"label": "steps"}, value=200, precision=0, elem_id="train-steps")
        with gr.Row():
            start = texts.add(gr.Button, {"value": "start"}, variant="primary", elem_id="train-start")
            stop = texts.add(gr.Button, {"value": "stop"}, elem_id="train-stop")
        status = texts.add(gr.Markdown, {"value": lab.training_status}, elem_id="train-status")
        curve = texts.add(gr.Plot, {"label": "curve"}, elem_id="train-curve")
        timer = gr.Timer(1.0)
    return SimpleNamespace(arch=arch, dist=dist, budget=budget, steps=steps, start=start, stop=stop, status=status,
                           curve=curve, timer=timer)


def compare_tab(texts: Texts, lab: Lab) -> None:
    with texts.add(gr.Tab, {"label": "compare"}, id="compare"):
        texts.add(gr.Markdown, {"value": "leaderboard"})
        board = lab.leaderboard()

        def board_table(lang: str) -> dict:  # the suites head their columns by name in both languages, as in the docs
            return {"data": board, "headers": [say("model", lang), say("params", lang), *BOARD]}

        texts.add(gr.Dataframe, {"value": board_table}, interactive=False, elem_id="leaderboard")
        figures = lab.result_figures()
        if figures:
            show_figures(figures, "figures")
        else:
            texts.add(gr.Markdown, {"value": "no_results"})
        texts.add(gr.Markdown, {"value": "yours"})
        text, user_figures = lab.comparisons()
        if text:  # the leaderboards as `compare` printed them
            gr.Code(text, show_label=False, elem_id="user-leaderboards")
        else:
            texts.add(gr.Markdown, {"value": "none_yet"}, elem_id="user-leaderboards")
        if user_figures:
            show_figures(user_figures, "user-figures")


def show_figures(paths: list[str], elem_id: str) -> None:
    """Each figure whole, at the page's width, one under another (a gallery crops them to squares)."""
    with gr.Column(elem_id=elem_id):
        for path in paths:
            gr.Image(path, show_label=False, interactive=False, buttons=["fullscreen", "download"], alt_text=Path(path).stem,
                     elem_classes="figure")


def data_tab(texts: Texts, lab: Lab) -> SimpleNamespace:
    with texts.add(gr.Tab, {"label": "data"}, id="data"):
        with gr.Row():
            sampler = texts.add(gr.Dropdown, {"label": "sampler"}, choices=[d for d in DISTS if d != "bbh"],
                                value="general", elem_id="data-sampler")
            how_many = texts.add(gr.Slider, {"label": "how_many"}, minimum=1, maximum=200, value=20, step=1)
            seed = texts.add(gr.Number, {"label": "seed"}, value=0, precision=0)
            draw = texts.add(gr.Button, {"value": "draw"}, elem_id="data-draw")
        drawn = gr.Dataframe(table([], DRAWN_HEADERS, "en"), interactive=False, elem_id="data-table")  # relabelled apart
        texts.add(gr.Markdown, {"value": "drawn_note"}, elem_id="data-note")
        texts.add(gr.Markdown, {"value": "original"})
        wrong, rate = lab.original()
        texts.add(gr.Markdown, {"value": lambda lang: say("original_note", lang, rate=rate)})
        texts.add(gr.Dataframe, {"value": lambda lang: table(wrong, ORIGINAL_HEADERS, lang)}, interactive=False,
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
    page.launch(server_name=host, server_port=port, prevent_thread_lock=not block, show_error=True, inbrowser=False,
                **launch_settings())
    return page
