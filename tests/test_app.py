"""The playground's logic, without a browser (the page itself: test_app_browser.py)."""

import json
import re
import socket
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import matplotlib
import pytest
import torch

from bracketcloser.app import BOARD, Lab, TrainingJob, inside_figure, probs_figure, say
from bracketcloser.app.figures import curve_figure, japanese_font, part_name
from bracketcloser.cli import main
from bracketcloser.solver import solve
from bracketcloser.train import TrainConfig


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    return Lab(tmp_path_factory.mktemp("models"))


def test_every_shipped_model_answers_beside_the_solver(lab):
    names = lab.shipped()
    rows, error = lab.answers("{[(<>)]", names)
    assert error == ""
    assert rows[0][1] == solve("{[(<>)]", lab.model("gpt").vocab) == "}"
    assert [r[0] for r in rows[1:]] == names
    assert all(r[1] == "}" and r[2] == say("yes") for r in rows[1:])


def test_a_bad_prefix_is_the_clis_one_line_error(lab, capsys):
    rows, error = lab.answers("(]", lab.shipped())
    main(["complete", "--model", "gpt", "(]"])
    assert rows == [] and error == capsys.readouterr().err.strip().replace("bracketcloser: ", "")
    assert error.startswith("error: ") and "\n" not in error
    assert lab.answers("abc", ["gpt"])[1].startswith("error: ")


def test_inspect_draws_each_kind_of_model_and_warns_beyond_range(lab):
    for name in ("gpt", "transformer", "gru", "stack"):
        probs, inside, warning = lab.inspect("{[(<>)]", name)
        assert probs is not None and inside is not None and warning == "", name
        assert len(inside.axes) >= 1
    titles = [ax.get_title() for ax in lab.inspect("{[(", "transformer")[1].axes]
    assert any("attending to the prompt" in t for t in titles)  # cross-attention, named for a learner
    assert "actions" in [ax.get_title() for ax in lab.inspect("{[(", "stack")[1].axes]
    deep = "(" * 35
    assert lab.inspect(deep, "gpt")[2].startswith("warning: the prefix lies beyond what gpt trained on: depth 35 > 30")
    assert lab.inspect("(]", "gpt")[2].startswith("error: ")


def test_figures_take_any_explanation(lab):
    seen, tokens = lab.model("bert").inspect("[["), lab.model("bert").vocab.tokens
    assert probs_figure(seen, tokens).axes[0].get_title() == "answer step 1"
    assert inside_figure(seen, tokens).get_suptitle() == "Inside the model"


def _texts(fig) -> list:
    return [t for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def test_figures_speak_japanese_in_the_shipped_font_and_leave_matplotlib_as_it_was(lab):
    before = dict.copy(matplotlib.rcParams)  # as stored: reading an item would pick a backend
    probs, inside, _ = lab.inspect("{[(", "stack", "日本語")  # the switch's label, or "ja"
    curve = curve_figure([1, 2, 3], [1.0, 0.5, 0.2], [(2, 0.5)], "ja")
    assert probs.axes[0].get_title() == "答えのステップ 1" and inside.get_suptitle() == "モデルの中"
    assert [ax.get_title() for ax in inside.axes] == ["操作", "スタック"]  # the model's own words, translated
    assert [t.get_text() for t in inside.axes[0].get_yticklabels()] == ["プッシュ", "ポップ", "そのまま"]
    assert curve.axes[0].get_xlabel() == "ステップ" and curve.axes[1].get_ylabel() == "誤り率（1 − 完全一致率）"
    assert [t.get_text() for t in curve.axes[0].get_legend().get_texts()] == ["学習損失", "検証データの誤り率"]
    assert "誤りなし" in [t.get_text() for t in curve.axes[1].texts]  # the floor of a perfect score, in Japanese too
    curve.draw_without_rendering()  # the log axis labels its ticks as plain numbers, not mathtext, which
    assert not [t for t in _texts(curve) if "$" in t.get_text()]  # is not thread-safe (a training draws too)
    for fig in (probs, inside, curve):  # every text, titles to legends, in IPAex Gothic from matplotlib_fontja
        assert {Path(t.get_fontproperties().get_file()) for t in _texts(fig)} == {japanese_font()}
    assert japanese_font().is_file() and "matplotlib_fontja" in str(japanese_font())
    assert dict.copy(matplotlib.rcParams) == before and "matplotlib_fontja" not in sys.modules
    assert all("IPA" not in str(t.get_fontproperties().get_file()) for t in _texts(lab.inspect("{[(", "gpt")[1]))


def test_the_training_curves_legend_sits_above_the_curves():
    curve = curve_figure(list(range(1, 101)), [1 / s for s in range(1, 101)], [(50, 0.9), (100, 1.0)], "en")
    curve.draw_without_rendering()
    legend = curve.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["train loss", "validation error rate"]  # one legend, both
    box, plot = legend.get_window_extent(), curve.axes[0].get_window_extent()
    assert box.y0 >= plot.y1 - 1 and box.y1 <= curve.bbox.y1 + 1  # over the plot's top edge, inside the figure


def test_the_page_and_its_figures_speak_the_switchs_language():  # every text: tests/test_text.py
    assert say("prefix", "ja") == say("prefix", "日本語") == "閉じたい括弧" and say("prefix", "fr") == "Brackets to close"
    assert part_name("decoder.0.xattn", "ja") == "デコーダ 第1層（プロンプトへのクロスアテンション）"


def test_the_language_switch_relabels_every_component_that_shows_words(tmp_path):
    pytest.importorskip("gradio")
    from bracketcloser.app import build_page

    page = build_page(Lab(tmp_path))
    switch = next(f for f in page.fns.values() if [b.elem_id for b in f.inputs] == ["lang"] and len(f.outputs) > 20)
    updates = {b._id: u for b, u in zip(switch.outputs, switch.fn("日本語"), strict=True)}
    named = {b.elem_id: b._id for b in page.blocks.values() if b.elem_id}
    labelled = {b._id for b in page.blocks.values() if getattr(b, "label", None)}
    assert labelled <= set(updates)  # one table: no label is left out of the switch
    assert updates[named["prefix"]]["label"] == "閉じたい括弧" and updates[named["train-start"]]["value"] == "開始"
    assert updates[named["answers"]]["headers"] == ["モデル", "答え", "正解？"]
    assert switch.fn("English")[0]["value"].startswith("# bracketcloser playground")


def test_the_switch_puts_every_table_header_and_choice_in_japanese(tmp_path):
    """A filled table shows the headers its value carries, so the switch sends each table's
    value; the examples drawn keep their rows; the budgets are choices with Japanese labels."""
    pytest.importorskip("gradio")
    import pandas as pd

    from bracketcloser.app import build_page

    page = build_page(Lab(tmp_path, results_dir=Path(__file__).parents[1] / "bench" / "results"))
    switch = next(f for f in page.fns.values() if [b.elem_id for b in f.inputs] == ["lang"] and len(f.outputs) > 20)
    updates = {b.elem_id: u for b, u in zip(switch.outputs, switch.fn("日本語"), strict=True)}
    board = updates["leaderboard"]["value"]
    assert board["headers"] == ["モデル", "パラメータ数", *BOARD] and {row[0] for row in board["data"]} >= {"gpt", "stack"}
    original = updates["original"]["value"]
    assert original["headers"] == ["接頭辞", "元のラベル", "正しい答え"] and len(original["data"]) == 12
    assert updates["train-budget"]["choices"] == [("ステップ数を指定", "steps"), ("1 分", "1min"), ("10 分", "10min")]
    assert updates["data-note"]["value"] == say("drawn_note", "ja") and "空" in updates["data-note"]["value"]
    relabel = next(f for f in page.fns.values() if [b.elem_id for b in f.inputs] == ["data-table", "lang"])
    drawn = pd.DataFrame(Lab.draw("seed", 3, 0), columns=["prefix", "answer"])
    assert relabel.fn(drawn, "日本語") == {"data": Lab.draw("seed", 3, 0), "headers": ["接頭辞", "答え"]}
    assert relabel.fn(None, "English") == {"data": [], "headers": ["prefix", "answer"]}


def test_the_app_serves_its_own_japanese_font_and_no_share_hint(tmp_path, capsys):
    """The page names IPAex Gothic in its theme and an @font-face rule whose file the app itself
    serves (that one file, not its folder); the launch log gives no advice about share=True."""
    pytest.importorskip("gradio")
    from bracketcloser.app import serve
    from bracketcloser.app.page import FONT_FAMILY, font_url

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    page = serve("127.0.0.1", port, tmp_path, None, block=False)
    try:
        base = f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(base + font_url()) as r:
            assert r.headers["Content-Type"] == "font/ttf" and r.read() == japanese_font().read_bytes()
        neighbour = japanese_font().parents[1] / "__init__.py"
        assert neighbour.is_file()
        with pytest.raises(urllib.error.HTTPError, match="403"):  # the one file: its neighbours stay private
            urllib.request.urlopen(base + "gradio_api/file=" + quote(neighbour.as_posix()))
        with urllib.request.urlopen(base + "config") as r:
            css = json.loads(r.read())["css"]
        assert f'font-family: "{FONT_FAMILY}"' in css and f'url("{font_url()}")' in css
        with urllib.request.urlopen(base + "theme.css") as r:
            theme = r.read().decode()
        assert re.search(rf"--font: 'Source Sans Pro', '{FONT_FAMILY}'", theme), "Japanese comes after the Latin font"
        assert "fonts.googleapis" not in theme + css  # nothing is fetched from elsewhere
    finally:
        page.close()
    assert "share=True" not in capsys.readouterr().out


def test_training_from_the_page_finishes_and_joins_the_model_list(tmp_path):
    lab = Lab(tmp_path)
    assert "gpt" in lab.choices() and not any(str(tmp_path) in c for c in lab.choices())
    threads = torch.get_num_threads()
    status = lab.start_training("gpt", "seed", "steps", 6)
    assert status.startswith("Training gpt")
    assert lab.start_training("gpt", "seed", "steps", 6) == say("busy")  # one at a time
    lab.job.thread.join(120)
    assert not lab.job.running and lab.job.error is None
    assert torch.get_num_threads() == threads  # the job trained on one thread, and gave the count back
    assert lab.job.steps == list(range(1, 7)) and len(lab.job.validations) >= 1
    assert str(lab.job.run) in lab.choices()
    assert lab.training_status().startswith("Finished") and lab.training_status("ja").startswith("完了")
    assert lab.newly_finished() == lab.job.run and lab.newly_finished() is None  # joins the lists once
    assert lab.answers("((", [str(lab.job.run)])[0][1][0] == lab.job.run.name


class PressStopAt(list):
    """A job's ``steps`` list that presses the job's Stop button as step ``at`` is recorded:
    the press lands at a known step, whatever the machine's speed."""

    def __init__(self, job, at: int):
        super().__init__()
        self.job, self.at = job, at

    def append(self, step):
        super().append(step)
        if step == self.at:
            self.job.stop()


def test_stop_saves_the_run_like_ctrl_c(tmp_path):
    """Stop at step 3 of 12 ends the run after that step and saves what Ctrl-C saves: the
    same checkpoint, bit for bit, as the same run stopped by a real SIGINT at step 3, a
    validation of the step it stopped at, the plot, an unfinished training_info.json (what
    ``--resume`` continues exactly: test_train.py)."""
    import signal

    from safetensors import safe_open
    from safetensors.torch import load_file

    from bracketcloser.train import Interrupted, train

    cfg = dict(arch="gpt", steps=12, eval_every=2, val_samples=16, batch_size=16, threads=1,
               model={"n_embd": 16, "n_layer": 1})
    job = TrainingJob(TrainConfig(**cfg), tmp_path / "job")
    job.steps = PressStopAt(job, 3)
    job.start().thread.join(120)  # the run takes a second or two: the timeout only guards a hang
    assert not job.running, "the training thread did not end within 120 s"
    assert job.error is None and job.stopped and job.run is not None
    assert job.steps == [1, 2, 3] and [step for step, _ in job.validations] == [2]  # nothing after the press

    def ctrl_c_at_3(progress):
        if progress.step == 3:
            signal.raise_signal(signal.SIGINT)  # to this process, whose main thread is training

    with pytest.raises(Interrupted) as pressed:
        train(TrainConfig(**cfg), models_dir=tmp_path / "ctrl_c", progress=False, observe=ctrl_c_at_3)
    assert pressed.value.step == 3

    saved = load_file(job.run / "checkpoint.safetensors")
    by_signal = load_file(pressed.value.run_dir / "checkpoint.safetensors")
    assert saved.keys() == by_signal.keys() and any(k.startswith("optim.") for k in saved)
    assert all(torch.equal(saved[k], by_signal[k]) for k in saved if k.startswith(("model.", "optim."))), "not what Ctrl-C saves"
    with safe_open(job.run / "checkpoint.safetensors", framework="pt") as f:
        state = json.loads(f.metadata()["state"])
    assert state["step"] == 3 and [row["step"] for row in state["history"]] == [2, 3]  # Stop validates its step
    info = json.loads((job.run / "training_info.json").read_text())
    assert info["steps"] == 3 and not info["finished"]
    for name in ("best.safetensors", "history.csv", "training_history.png"):
        assert (job.run / name).is_file(), name


def test_bad_training_requests_are_one_line_messages(tmp_path):
    lab = Lab(tmp_path)
    assert lab.start_training("gpt", "seed", "steps", 0).startswith("Training failed: steps must be between")
    assert lab.start_training("gpt", "seed", "1hour", 0).startswith("Training failed: budget must be one of")
    assert lab.start_training("gpt", "seed", "1hour", 0, "ja").startswith("学習に失敗しました: 学習の長さは")
    assert lab.start_training("gpt", "nope", "steps", 5).startswith("Training failed: unknown distribution")
    assert lab.job is None


def test_data_tab_draws_true_examples_and_shows_the_originals_mistakes():
    for dist in ("seed", "general", "deep"):
        rows = Lab.draw(dist, 30, seed=1)
        assert len(rows) == 30 and all(answer == solve(prefix, _vocab(dist)) for prefix, answer in rows)
    wrong, rate = Lab.original(5)
    assert len(wrong) == 5 and 0 < rate < 0.2
    assert all(label != truth == solve(prefix) for prefix, label, truth in wrong)


def _vocab(dist):
    from bracketcloser.data import DISTS

    return DISTS[dist].vocab


def test_app_command_refuses_a_bad_port(capsys):
    assert main(["app", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip() == "bracketcloser: error: --port must be between 1 and 65535, got 70000"


def test_models_load_once_even_when_asked_together(lab):
    got = []
    threads = [threading.Thread(target=lambda: got.append(lab.model("lstm"))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(m) for m in got}) == 1


def test_compare_tab_shows_the_committed_leaderboard(tmp_path):
    lab = Lab(tmp_path, results_dir=Path(__file__).parents[1] / "bench" / "results")
    rows = {r[0]: r for r in lab.leaderboard()}
    assert {"gpt", "stack"} <= set(rows)
    assert float(rows["stack"][2 + BOARD.index("bbh")]) == 100.0  # in percent, from bench/results/pretrained.json
    assert any(f.endswith("generalisation_shipped.png") for f in lab.result_figures())
    assert Lab(tmp_path).leaderboard() == [] and Lab(tmp_path).result_figures() == []  # none given: none shown
    assert Lab(tmp_path, tmp_path / "absent").leaderboard() == []


def test_app_command_refuses_a_missing_results_dir(tmp_path, capsys):
    assert main(["app", "--results-dir", str(tmp_path / "absent")]) == 2
    assert capsys.readouterr().err.strip() == f"bracketcloser: error: --results-dir {tmp_path / 'absent'}: no such folder"


def test_app_command_says_when_the_port_is_taken(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"bracketcloser: error: cannot serve on 127.0.0.1:{port} (") and err.endswith("choose another --port")
    assert "\n" not in err
