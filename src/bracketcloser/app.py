"""``bracketcloser app``: a playground in the browser (Gradio) where a learner sees inside the models.

Four tabs:

- **Complete**: type brackets; every chosen model answers as you type, beside the exact
  solver. Pick one model to see each answer step's probabilities and what it looked at:
  attention maps for the transformers, the hidden state for the recurrent models, push/pop
  actions and the stack for the stack model. All of it comes from ``model.explain`` (the
  model contract), so nothing here knows one architecture from another.
- **Train**: train a model (steps, or a time budget up to 10 minutes) and watch its loss
  and validation exact match live; Stop saves the run as Ctrl-C does. One run at a time.
- **Compare**: the committed leaderboard and figures, and any ``compare`` the user ran.
- **Data**: examples from each sampler, and the original's generator beside the truth.

The page speaks English or Japanese (the original project is Japanese), switched on the page.
Everything a callback computes is a plain function of this module (``Lab``), so it is tested
without a browser; the browser tests (tests/test_app.py) drive the page itself.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import warnings
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry calls from a learner's machine

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from .architectures import ARCHS, DEFAULT_ARCH  # noqa: E402
from .checkpoint import list_runs  # noqa: E402
from .data import DISTS, TRAIN_DISTS, sample_seed_original, seed_label_error_rate  # noqa: E402
from .inference import PRETRAINED, Completer, RangeWarning, load  # noqa: E402
from .solver import solve  # noqa: E402
from .train import Interrupted, TrainConfig, train  # noqa: E402

FOUR_KINDS = DISTS["general"].vocab  # the solver reads every kind a shipped model reads
APP_BUDGETS = ("steps", "1min", "10min")  # the longest training the page starts is 10 minutes
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"  # in a clone; absent from a wheel

# ---- words, in both languages ----------------------------------------------------------------

TEXT = {
    "en": {
        "title": "# bracketcloser playground\nType brackets; see how each model closes them, and what it looked at.",
        "complete": "Complete", "train": "Train", "compare": "Compare", "data": "Data",
        "prefix": "Brackets to close", "prefix_info": "e.g. {[(<>)] — any of ()[]{}<>",
        "models": "Models that answer", "inspect": "Look inside", "answers": "Answers",
        "model": "model", "answer": "answer", "right": "right?", "solver": "exact solver (a stack)",
        "yes": "✓", "no": "✗", "probs": "Each answer step: probability of each closer",
        "inside": "Inside the model", "arch": "Architecture", "dist": "Training data",
        "budget": "Budget", "steps": "Steps (when the budget is steps)", "start": "Start", "stop": "Stop",
        "idle": "No training running.", "running": "Training {arch} on '{dist}': step {step}, loss {loss}",
        "finished": "Finished: {run} (in the model list now)", "stopped": "Stopped and saved: {run}",
        "failed": "Training failed: {error}", "busy": "A training is already running: stop it first.",
        "draw": "Draw examples", "sampler": "Sampler", "how_many": "How many", "seed": "Seed",
        "prefix_col": "prefix", "answer_col": "answer", "original": "The original's generator",
        "original_note": ("The original project cut the last 1–3 characters off a balanced string and moved the "
                          "openers among them to the front. When the cut holds an opener and two closers of "
                          "different kinds, its label comes out in the wrong order. Here are some, beside the "
                          "truth ({rate:.1%} of its examples are mislabelled)."),
        "their_label": "original's label", "truth": "true answer", "leaderboard": "Committed leaderboard",
        "yours": "Your comparisons", "none_yet": "None yet: run `bracketcloser compare`.",
        "no_results": "No committed results beside this installation (they live in a clone's bench/results).",
        "language": "Language", "step": "answer step", "no_inside": "This model records nothing to show.",
    },
    "ja": {
        "title": "# bracketcloser プレイグラウンド\n括弧を入力すると、各モデルがどう閉じるか、何を見たかが分かります。",
        "complete": "補完", "train": "学習", "compare": "比較", "data": "データ",
        "prefix": "閉じたい括弧", "prefix_info": "例: {[(<>)] — ()[]{}<> のどれでも",
        "models": "答えるモデル", "inspect": "中を見るモデル", "answers": "答え",
        "model": "モデル", "answer": "答え", "right": "正解?", "solver": "厳密解 (スタック)",
        "yes": "✓", "no": "✗", "probs": "答えの各ステップ: 閉じ括弧ごとの確率",
        "inside": "モデルの中", "arch": "アーキテクチャ", "dist": "学習データ",
        "budget": "予算", "steps": "ステップ数 (予算がステップのとき)", "start": "開始", "stop": "停止",
        "idle": "学習は実行されていません。", "running": "{arch} を '{dist}' で学習中: ステップ {step}, 損失 {loss}",
        "finished": "完了: {run} (モデル一覧に追加しました)", "stopped": "停止して保存しました: {run}",
        "failed": "学習に失敗しました: {error}", "busy": "学習はすでに実行中です。先に停止してください。",
        "draw": "例を生成", "sampler": "サンプラー", "how_many": "個数", "seed": "シード",
        "prefix_col": "接頭辞", "answer_col": "答え", "original": "元のプロジェクトの生成器",
        "original_note": ("元のプロジェクトは、釣り合った文字列の末尾 1〜3 文字を切り取り、その中の開き括弧を先頭へ移して"
                          "いました。切り取った部分に開き括弧と種類の違う閉じ括弧が二つあると、ラベルの順序が逆に"
                          "なります。その例を正しい答えと並べて示します (例の {rate:.1%} が誤ったラベルです)。"),
        "their_label": "元のラベル", "truth": "正しい答え", "leaderboard": "コミット済みのリーダーボード",
        "yours": "あなたの比較", "none_yet": "まだありません: `bracketcloser compare` を実行してください。",
        "no_results": "このインストールにはコミット済みの結果がありません (クローンの bench/results にあります)。",
        "language": "言語", "step": "答えのステップ", "no_inside": "このモデルには表示できる記録がありません。",
    },
}
LANGUAGES = {"English": "en", "日本語": "ja"}


def words(lang: str) -> dict[str, str]:
    return TEXT[LANGUAGES.get(lang, lang) if lang in LANGUAGES or lang in TEXT else "en"]


# ---- what the page computes --------------------------------------------------------------------

class Lab:
    """The page's state: models loaded once, and the one training that may be running."""

    def __init__(self, models_dir: str | Path = "models"):
        self.models_dir = Path(models_dir)
        self._loaded: dict[str, Completer] = {}
        self._lock = threading.Lock()
        self.job: TrainingJob | None = None

    # models
    def shipped(self) -> list[str]:
        return [a for a in ARCHS if (PRETRAINED / a / "config.json").is_file()]

    def choices(self) -> list[str]:
        """Shipped models by name, then the user's runs that can answer, newest first."""
        runs = [r["path"] for r in list_runs(self.models_dir) if r["answers"]] if self.models_dir.is_dir() else []
        return self.shipped() + runs

    def model(self, name: str) -> Completer:
        with self._lock:
            if name not in self._loaded:
                self._loaded[name] = load(name, models_dir=self.models_dir)
            return self._loaded[name]

    @staticmethod
    def label(name: str) -> str:
        return Path(name).name

    # Complete
    def answers(self, prefix: str, names: list[str], lang: str = "en") -> tuple[list[list[str]], str]:
        """Rows (model, answer, right?) for the solver and each model, and an error line
        (empty when the prefix is fine). A bad prefix gives the CLI's one-line error."""
        w = words(lang)
        try:
            truth = solve(prefix, FOUR_KINDS)
        except (ValueError, TypeError) as e:
            return [], f"error: {e}"
        rows = [[w["solver"], truth, w["yes"]]]
        for name in names:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RangeWarning)  # shown beside the inspected model
                    (answer,) = self.model(name).complete([prefix])
                rows.append([self.label(name), answer, w["yes"] if answer == truth else w["no"]])
            except (ValueError, TypeError) as e:  # e.g. a kind of bracket this model never read
                rows.append([self.label(name), f"({e})", w["no"]])
        return rows, ""

    def inspect(self, prefix: str, name: str, lang: str = "en"):
        """(probabilities figure, inside figure, warning line) for one model and prefix; the
        warning is the CLI's own, word for word."""
        if not prefix.strip() or not name:
            return None, None, ""
        try:
            completer = self.model(name)
            seen = completer.inspect(prefix)
            clean = completer.check([prefix])[0]
        except (ValueError, TypeError) as e:
            return None, None, f"error: {e}"
        why = completer.beyond_range(clean)
        warning = f"warning: {completer.range_message(why)}" if why else ""
        tokens, fw = completer.vocab.tokens, figure_words(lang)
        return probs_figure(seen, tokens, fw), inside_figure(seen, tokens, fw), warning

    # Data
    @staticmethod
    def draw(dist: str, n: int, seed: int) -> list[list[str]]:
        spec = DISTS[dist]
        rng = random.Random(f"app/{dist}/{seed}")
        return [[ex.prefix, ex.answer] for ex in (spec.sample(rng, spec.vocab) for _ in range(max(1, min(int(n), 200))))]

    @staticmethod
    def original(n: int = 12, seed: int = 0) -> tuple[list[list[str]], float]:
        """Examples the original's generator labels wrongly, beside the truth, and how often."""
        rng, wrong = random.Random(seed), []
        for _ in range(100_000):
            prefix, label = sample_seed_original(rng)
            if label != (truth := solve(prefix)):
                wrong.append([prefix, label, truth])
                if len(wrong) == n:
                    break
        return wrong, seed_label_error_rate(20_000, seed)


# ---- figures ----------------------------------------------------------------------------------------

def _cjk_font() -> str | None:
    """A font with Japanese glyphs, if the machine has one (Debian: fonts-noto-cjk)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "TakaoGothic") if n in names), None)


def figure_words(lang: str) -> dict[str, str]:
    """The page's words for figure titles: Japanese where a font can draw them, else English."""
    w = words(lang)
    if w is TEXT["ja"]:
        font = _cjk_font()
        if font is None:
            return TEXT["en"]
        matplotlib.rcParams["font.family"] = [font, "DejaVu Sans"]
    return w


def _tidy(fig):
    fig.tight_layout()
    return fig


def probs_figure(seen, tokens: list[str], w: dict):
    """Bars: for each answer step, the probability of each closer and of the end token."""
    closers = [i for i, t in enumerate(tokens) if t in ")]}>" or t == ","]
    steps = seen.probs.size(0)
    fig, axes = plt.subplots(1, steps, figsize=(min(2.2 * steps, 14), 2.4), squeeze=False, sharey=True)
    for s, ax in enumerate(axes[0]):
        p = seen.probs[s, closers].tolist()
        chosen = seen.answer[s] if s < len(seen.answer) else None
        ax.bar(range(len(closers)), p, color=["tab:orange" if i == chosen else "tab:blue" for i in closers])
        ax.set_xticks(range(len(closers)), ["end" if tokens[i] == "," else tokens[i] for i in closers])
        ax.set_ylim(0, 1)
        ax.set_title(f"{w['step']} {s + 1}", fontsize=9)
    fig.suptitle(w["probs"], fontsize=10)
    return _tidy(fig)


def inside_figure(seen, tokens: list[str], w: dict):
    """Attention maps (one per layer and head: rows = answer steps, columns = the stream),
    and tracks along the stream (recurrent states, stack actions and contents)."""
    stream = ["end" if tokens[t] == "," else tokens[t] for t in seen.stream]
    panels = [(f"{_part_name(name)} · head {h + 1}", "attention", maps[:, h])
              for name, maps in seen.attention.items() for h in range(maps.size(1))]
    panels += [(name, "track", values) for name, values in seen.tracks.items()]
    if not panels:
        fig, ax = plt.subplots(figsize=(6, 1))
        ax.axis("off")
        ax.text(0.5, 0.5, w["no_inside"], ha="center")
        return fig
    cols = 2 if len(panels) > 1 else 1
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(7 * cols, 2.2 * rows + 0.6), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.axis("off")
    for ax, (title, kind, data) in zip(axes.flat, panels, strict=False):
        if kind == "attention":  # (steps, stream): where each answer step looked
            ax.imshow(data.numpy(), aspect="auto", cmap="Blues", vmin=0, vmax=1)
            ax.set_xticks(range(len(stream)), stream, fontsize=7)
            ax.set_yticks(range(data.size(0)), [f"{w['step']} {s + 1}" for s in range(data.size(0))], fontsize=7)
        else:  # (tokens read, n): one row per token read, drawn with tokens along x
            labels = seen.track_labels.get(title)
            shown = data if labels else _most_varied(data, 16)
            ax.imshow(shown.T.numpy(), aspect="auto", cmap="RdBu_r" if not labels else "Greens",
                      vmin=None if not labels else 0, vmax=None if not labels else 1)
            read = stream[: data.size(0)]
            ax.set_xticks(range(len(read)), read, fontsize=7)
            if labels:
                ax.set_yticks(range(len(labels)), labels, fontsize=7)
            else:
                ax.set_ylabel(seen.track_axis.get(title, ""), fontsize=7)
        ax.set_title(title, fontsize=9)
    fig.suptitle(w["inside"], fontsize=10)
    return _tidy(fig)


def _part_name(path: str) -> str:
    """A module path as a learner reads it: ``decoder.0.xattn`` -> ``decoder layer 1, attending to the prompt``."""
    words = {"blocks": "", "attn": "", "xattn": ", attending to the prompt"}
    out = [f"layer {int(p) + 1}" if p.isdigit() else words.get(p, p) for p in path.split(".")]
    return " ".join(w for w in out if w).replace(" ,", ",")


def _most_varied(data: torch.Tensor, k: int) -> torch.Tensor:
    """The ``k`` columns that change most along the stream (the units worth looking at);
    all of them when there are few (a stack's slots, in order)."""
    if data.size(1) <= k:
        return data
    keep = data.std(0).topk(k).indices.sort().values
    return data[:, keep]


def curve_figure(steps: list[int], losses: list[float], validations: list[tuple[int, float]], w: dict):
    fig, ax = plt.subplots(figsize=(7, 3))
    if steps:
        ax.plot(steps, losses, color="tab:blue", lw=1, label="train loss")
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    if validations:
        em = ax.twinx()
        em.plot([s for s, _ in validations], [v for _, v in validations], "o-", color="tab:green",
                label="validation exact match")
        em.set_ylim(0, 1.02)
        em.set_ylabel("exact match")
        em.legend(loc="center right", fontsize=8)
    ax.legend(loc="upper right", fontsize=8)
    return _tidy(fig)


# ---- one training at a time ----------------------------------------------------------------------

class TrainingJob:
    """A training run in a background thread, with what the page draws: every step's loss and
    every validation. ``stop()`` saves it as Ctrl-C does."""

    def __init__(self, cfg: TrainConfig, models_dir: Path):
        self.cfg, self.models_dir = cfg, models_dir
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.validations: list[tuple[int, float]] = []
        self.run: Path | None = None
        self.error: str | None = None
        self.stopped = False
        self.listed = False  # whether the page has added the finished run to its model lists
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._work, daemon=True)

    def start(self) -> TrainingJob:
        self.thread.start()
        return self

    def _work(self) -> None:
        def at_step(step: int, loss: float) -> None:
            self.steps.append(step)
            self.losses.append(loss)

        def at_validation(step: int, row: dict) -> None:
            self.validations.append((step, row["val_exact_match"]))

        try:
            self.run = train(self.cfg, models_dir=self.models_dir, callback=at_validation, progress=False,
                             on_step=at_step, stop_event=self._stop)
        except Interrupted as e:
            self.run, self.stopped = e.run_dir, True
        except Exception as e:  # shown on the page; the page keeps working
            self.error = str(e)

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return self.thread.is_alive()


def start_training(lab: Lab, arch: str, dist: str, budget: str, steps, lang: str = "en") -> str:
    w = words(lang)
    if lab.job is not None and lab.job.running:
        return w["busy"]
    try:
        if budget not in APP_BUDGETS:
            raise ValueError(f"budget must be one of {', '.join(APP_BUDGETS)}")
        by_steps = budget == "steps"
        n = int(steps or 0)
        if by_steps and not 1 <= n <= 100_000:
            raise ValueError(f"steps must be between 1 and 100,000, got {steps}")
        # one thread: the page (and the models answering on it) keep the other core
        cfg = TrainConfig(arch=arch, dist=dist, steps=n if by_steps else None, time=None if by_steps else budget,
                          eval_every=max(1, min(200, n // 4)) if by_steps else 100, threads=1)
    except (ValueError, TypeError) as e:
        return w["failed"].format(error=e)
    lab.job = TrainingJob(cfg, lab.models_dir).start()
    return w["running"].format(arch=arch, dist=dist, step=0, loss="-")


def training_status(lab: Lab, lang: str = "en") -> str:
    w, job = words(lang), lab.job
    if job is None:
        return w["idle"]
    if job.running:
        loss = f"{job.losses[-1]:.4f}" if job.losses else "-"
        return w["running"].format(arch=job.cfg.arch, dist=job.cfg.dist, step=job.steps[-1] if job.steps else 0, loss=loss)
    if job.error:
        return w["failed"].format(error=job.error)
    return w["stopped" if job.stopped else "finished"].format(run=job.run)


# ---- committed and user results -------------------------------------------------------------------

def committed_leaderboard() -> list[list]:
    path = RESULTS / "pretrained.json"
    if not path.is_file():
        return []
    return [[arch, r.get("params"), *[_pct(r.get(s)) for s in BOARD]]
            for arch, r in json.loads(path.read_text()).get("models", {}).items()]


BOARD = ("shapes", "walks", "strings", "seed", "bbh", "long", "deep", "len1000", "depth100")  # the columns shown


def _pct(v) -> str:
    return "" if v is None else f"{100 * (v['exact_match'] if isinstance(v, dict) else v):.2f}"


def committed_figures() -> list[str]:
    return [str(p) for p in sorted(RESULTS.glob("*.png"))] if RESULTS.is_dir() else []


def user_comparisons(models_dir: Path) -> tuple[str, list[str]]:
    boards = sorted(Path(models_dir).glob("compare_*/leaderboard.json"), reverse=True) if Path(models_dir).is_dir() else []
    if not boards:
        return "", []
    from .compare import leaderboard_text

    text = "\n\n".join(f"{b.parent.name}\n{leaderboard_text(json.loads(b.read_text()))}" for b in boards[:3])
    figures = [str(p) for b in boards[:3] for p in sorted(b.parent.glob("*.png"))]
    return text, figures


# ---- the page -----------------------------------------------------------------------------------------

def build_page(lab: Lab):
    import gradio as gr

    w = TEXT["en"]
    shipped, choices = lab.shipped(), lab.choices()
    with gr.Blocks(title="bracketcloser", analytics_enabled=False) as page:
        with gr.Row():
            title = gr.Markdown(w["title"])
            lang = gr.Radio(list(LANGUAGES), value="English", label=w["language"], elem_id="lang", scale=0)
        with gr.Tab(w["complete"], id="complete") as tab_complete:
            with gr.Row():
                prefix = gr.Textbox(label=w["prefix"], info=w["prefix_info"], elem_id="prefix", scale=3)
                error = gr.Markdown("", elem_id="error")
            models = gr.CheckboxGroup(choices, value=shipped, label=w["models"], elem_id="models")
            answers = gr.Dataframe(headers=[w["model"], w["answer"], w["right"]], label=w["answers"],
                                   elem_id="answers", interactive=False, wrap=True)
            first = DEFAULT_ARCH if DEFAULT_ARCH in shipped else (choices or [None])[0]
            chosen = gr.Dropdown(choices, value=first, label=w["inspect"], elem_id="model")
            warning = gr.Markdown("", elem_id="warning")
            probs = gr.Plot(label=w["probs"], elem_id="probs")
            inside = gr.Plot(label=w["inside"], elem_id="inside")
        with gr.Tab(w["train"], id="train") as tab_train:
            with gr.Row():
                arch = gr.Dropdown(list(ARCHS), value=DEFAULT_ARCH, label=w["arch"], elem_id="train-arch")
                dist = gr.Dropdown(list(TRAIN_DISTS), value="seed", label=w["dist"], elem_id="train-dist")
                budget = gr.Radio(list(APP_BUDGETS), value="steps", label=w["budget"], elem_id="train-budget")
                steps = gr.Number(200, precision=0, label=w["steps"], elem_id="train-steps")
            with gr.Row():
                start = gr.Button(w["start"], variant="primary", elem_id="train-start")
                stop = gr.Button(w["stop"], elem_id="train-stop")
            status = gr.Markdown(w["idle"], elem_id="train-status")
            curve = gr.Plot(elem_id="train-curve")
            timer = gr.Timer(1.0)
        with gr.Tab(w["compare"], id="compare") as tab_compare:
            board_title = gr.Markdown(f"### {w['leaderboard']}")
            gr.Dataframe(committed_leaderboard(), headers=["model", "params", *BOARD], interactive=False,
                         elem_id="leaderboard")
            figures = committed_figures()
            gr.Gallery(figures, columns=2, height="auto", elem_id="figures") if figures else gr.Markdown(w["no_results"])
            yours_title = gr.Markdown(f"### {w['yours']}")
            text, user_figures = user_comparisons(lab.models_dir)
            gr.Code(text or w["none_yet"], elem_id="user-leaderboards")
            if user_figures:
                gr.Gallery(user_figures, columns=2, height="auto")
        with gr.Tab(w["data"], id="data") as tab_data:
            with gr.Row():
                sampler = gr.Dropdown([d for d in DISTS if d != "bbh"], value="general", label=w["sampler"],
                                      elem_id="data-sampler")
                how_many = gr.Slider(1, 200, value=20, step=1, label=w["how_many"])
                seed = gr.Number(0, precision=0, label=w["seed"])
                draw = gr.Button(w["draw"], elem_id="data-draw")
            drawn = gr.Dataframe(headers=[w["prefix_col"], w["answer_col"]], interactive=False, elem_id="data-table")
            original_title = gr.Markdown(f"### {w['original']}")
            wrong, rate = Lab.original()
            original_note = gr.Markdown(w["original_note"].format(rate=rate))
            original = gr.Dataframe(wrong, headers=["prefix", w["their_label"], w["truth"]], interactive=False,
                                    elem_id="original")

        # ---- events ----
        def on_prefix(text, names, language):
            return lab.answers(text, names or [], language) if text.strip() else ([], "")

        def on_inspect(text, who, language):
            p, i, warn = lab.inspect(text, who, language)
            plt.close("all")  # the figures are serialised already; free them
            return p, i, "" if warn.startswith("error: ") else warn  # an error shows beside the box already

        # the answers first (fast); the pictures follow the table, so typing never waits for them
        for event in (prefix.change, prefix.submit, models.change):  # as you type, and on Enter
            event(on_prefix, [prefix, models, lang], [answers, error], trigger_mode="always_last",
                  queue=False, show_progress="hidden")  # straight to the handler: the table keeps up with typing
        for event in (answers.change, chosen.change):
            event(on_inspect, [prefix, chosen, lang], [probs, inside, warning], trigger_mode="always_last")

        def on_start(a, d, b, n, language):
            return start_training(lab, a, d, b, n, language)

        start.click(on_start, [arch, dist, budget, steps, lang], status)
        stop.click(lambda: lab.job.stop() if lab.job else None, None, None)

        def on_tick(language, names):
            job = lab.job
            text = training_status(lab, language)
            figure = curve_figure(job.steps, job.losses, job.validations, figure_words(language)) if job else None
            plt.close("all")
            if job is not None and not job.running and job.run is not None and not job.listed:
                job.listed = True  # the finished run joins the model lists once
                new = lab.choices()
                return text, figure, gr.update(choices=new, value=[*(names or []), str(job.run)]), gr.update(choices=new)
            return text, figure, gr.update(), gr.update()

        timer.tick(on_tick, [lang, models], [status, curve, models, chosen])

        draw.click(lambda d, n, s: Lab.draw(d, n, s), [sampler, how_many, seed], drawn)

        def on_language(language):
            t = words(language)
            return [
                gr.update(value=t["title"]), gr.update(label=t["language"]),
                gr.update(label=t["complete"]), gr.update(label=t["train"]), gr.update(label=t["compare"]),
                gr.update(label=t["data"]),
                gr.update(label=t["prefix"], info=t["prefix_info"]), gr.update(label=t["models"]),
                gr.update(label=t["answers"], headers=[t["model"], t["answer"], t["right"]]),
                gr.update(label=t["inspect"]), gr.update(label=t["probs"]), gr.update(label=t["inside"]),
                gr.update(label=t["arch"]), gr.update(label=t["dist"]), gr.update(label=t["budget"]),
                gr.update(label=t["steps"]), gr.update(value=t["start"]), gr.update(value=t["stop"]),
                gr.update(value=f"### {t['leaderboard']}"), gr.update(value=f"### {t['yours']}"),
                gr.update(label=t["sampler"]), gr.update(label=t["how_many"]), gr.update(label=t["seed"]),
                gr.update(value=t["draw"]), gr.update(value=f"### {t['original']}"),
                gr.update(value=t["original_note"].format(rate=rate)),
                gr.update(headers=["prefix", t["their_label"], t["truth"]]), gr.update(value=training_status(lab, language)),
            ]

        lang.change(on_language, lang, [
            title, lang, tab_complete, tab_train, tab_compare, tab_data, prefix, models, answers, chosen, probs, inside,
            arch, dist, budget, steps, start, stop, board_title, yours_title, sampler, how_many, seed, draw,
            original_title, original_note, original, status])
    return page


def serve(host: str = "127.0.0.1", port: int = 7860, models_dir: str | Path = "models", block: bool = True):
    """Start the page; with ``block=False`` return the running Gradio app (tests, benchmarks)."""
    page = build_page(Lab(models_dir))
    page.queue(default_concurrency_limit=2)
    page.launch(server_name=host, server_port=port, prevent_thread_lock=not block, quiet=not block,
                show_error=True, inbrowser=False)
    return page


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


__all__ = ["Lab", "TrainingJob", "build_page", "serve", "probs_figure", "inside_figure"]
