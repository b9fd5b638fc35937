"""The playground's logic, without a browser (the page itself: test_app_browser.py)."""

import threading
import time

import pytest

from bracketcloser.app import (
    Lab,
    TrainingJob,
    figure_words,
    inside_figure,
    probs_figure,
    start_training,
    training_status,
    words,
)
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
    assert all(r[1] == "}" and r[2] == words("en")["yes"] for r in rows[1:])


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
    seen = lab.model("bert").inspect("[[")
    w = figure_words("ja")  # Japanese titles where a font has the glyphs, else English
    assert probs_figure(seen, lab.model("bert").vocab.tokens, w).axes[0].get_title().startswith(w["step"])
    assert inside_figure(seen, lab.model("bert").vocab.tokens, w)._suptitle.get_text() == w["inside"]


def test_training_from_the_page_finishes_and_joins_the_model_list(tmp_path):
    lab = Lab(tmp_path)
    assert "gpt" in lab.choices() and not any(str(tmp_path) in c for c in lab.choices())
    status = start_training(lab, "gpt", "seed", "steps", 6)
    assert status.startswith("Training gpt")
    assert start_training(lab, "gpt", "seed", "steps", 6) == words("en")["busy"]  # one at a time
    lab.job.thread.join(120)
    assert not lab.job.running and lab.job.error is None
    assert lab.job.steps == list(range(1, 7)) and len(lab.job.validations) >= 1
    assert str(lab.job.run) in lab.choices()
    assert training_status(lab).startswith("Finished")
    assert lab.answers("((", [str(lab.job.run)])[0][1][0] == lab.job.run.name


def test_stop_saves_the_run_like_ctrl_c(tmp_path):
    cfg = TrainConfig(arch="gpt", steps=100_000, eval_every=10_000, val_samples=16, threads=1,
                      model={"n_embd": 16, "n_layer": 1})
    job = TrainingJob(cfg, tmp_path).start()
    deadline = time.monotonic() + 60
    while len(job.steps) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    job.stop()
    job.thread.join(60)
    assert job.stopped and job.run is not None and job.error is None
    assert (job.run / "checkpoint.safetensors").is_file() and (job.run / "best.safetensors").is_file()
    assert len(job.steps) < 100_000


def test_bad_training_requests_are_one_line_messages(tmp_path):
    lab = Lab(tmp_path)
    assert start_training(lab, "gpt", "seed", "steps", 0).startswith("Training failed: steps must be between")
    assert start_training(lab, "gpt", "seed", "1hour", 0).startswith("Training failed: budget must be one of")
    assert start_training(lab, "gpt", "nope", "steps", 5).startswith("Training failed: unknown distribution")
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


def test_compare_tab_shows_the_committed_leaderboard():
    from bracketcloser.app import BOARD, committed_figures, committed_leaderboard

    rows = {r[0]: r for r in committed_leaderboard()}
    assert {"gpt", "stack"} <= set(rows)
    assert float(rows["stack"][2 + BOARD.index("bbh")]) == 100.0  # in percent, from bench/results/pretrained.json
    assert any(f.endswith("generalisation_shipped.png") for f in committed_figures())


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
