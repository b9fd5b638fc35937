import json

import pytest
import torch

import bracketcloser as bc
from bracketcloser.architectures import ARCHS, build
from bracketcloser.cli import main
from bracketcloser.data import Example
from bracketcloser.evaluate import evaluate, result_line, token_accuracy, wilson
from bracketcloser.inference import Completer


class Scripted(Completer):
    """A completer whose answers are given: for checking the metrics by hand."""

    def __init__(self, answers):
        super().__init__(build("gru", n_embd=4, n_hidden=4, n_layer=1))
        self.answers = answers

    def complete(self, prefixes, warn=True):
        return [self.answers[p] for p in self.check(prefixes)]


def test_wilson_interval():
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(9990, 10000)[0] > 0.998


def test_token_accuracy():
    assert token_accuracy(")]", ")]") == (3, 3)  # two closers and the end
    assert token_accuracy("])", ")]") == (1, 3)  # only the end is in place
    assert token_accuracy(")", ")]") == (1, 3)
    assert token_accuracy(")]}", ")]") == (2, 3)  # missed the stop


def test_metrics_on_hand_made_cases():
    examples = [Example("({", "})"), Example("((", "))"), Example("[", "]"), Example("()", "")]
    model = Scripted({"({": "})", "((": ")", "[": "]", "()": ""})
    report = evaluate(model, examples)
    assert report["exact_match"] == 0.75 and report["n"] == 4 and report["correct"] == 3
    assert report["token_accuracy"] == pytest.approx((3 + 1 + 2 + 1) / 9)  # "((" -> ")" gets 1 of 3
    assert report["by_answer_length"] == {"0": {"n": 1, "exact_match": 1.0}, "1": {"n": 1, "exact_match": 1.0},
                                          "2": {"n": 2, "exact_match": 0.5}}
    assert report["by_depth"]["2"] == {"n": 2, "exact_match": 0.5}
    assert report["by_prefix_length"] == {"1-10": {"n": 4, "exact_match": 0.75}}
    json.dumps(report)  # serialisable


def test_breakdowns_run_in_numeric_order():
    """Answer lengths 2 before 10, prefix buckets from the empty prefix to "81+", depth 9
    before 12: ordered by number, not by text."""
    examples = [Example(p, bc.solve(p)) for p in ["(" * 12, "(" * 2, "(" * 9 + ")" * 9, "", "(" * 10 + "()" * 40]]
    report = evaluate(Scripted({ex.prefix: ex.answer for ex in examples}), examples)
    assert list(report["by_answer_length"]) == ["0", "2", "10", "12"]
    assert list(report["by_prefix_length"]) == ["0-0", "1-10", "11-20", "81+"]
    assert list(report["by_depth"]) == ["0", "2", "9", "11", "12"]


def test_unsupported_brackets_score_wrong():
    report = evaluate(Scripted({"(": ")"}), [Example("(", ")"), Example("<(", ")>")])
    assert report["unsupported"] == 1 and report["exact_match"] == 0.5


def test_result_line_has_the_original_form():
    line = result_line({"input": "{}{}(){", "predicted": "}", "expected": "}", "correct": True})
    assert line == "Input: {}{}(){, Predicted Output: }, Expected Output: } [correct]"


def test_complete_validates_input():
    model = Completer(build("gpt", n_embd=16, n_layer=1, max_len=23, pos="learned"))
    assert model.complete([]) == []
    with pytest.raises(ValueError, match=r"prefix 1: '\)' at position 2 closes nothing"):
        model.complete(["(", "())"])
    with pytest.raises(ValueError, match=r"^'a' at position 0"):  # one prefix: no index to name
        model.complete(["a"])
    with pytest.raises(ValueError, match=r"11 brackets with 11 to close are more than this model reads \(limit 23 tokens"):
        model.complete(["(" * 11])
    assert len(model.complete(["()" * 10])) == 1  # 20 brackets fit when the answer is short
    with pytest.raises(TypeError, match="takes a list"):
        model.complete("((")
    with pytest.raises(TypeError, match="prefix 1: expected a string, got NoneType"):
        model.complete(["(", None])
    assert len(model.complete(["(" * 10])) == 1


def test_load_errors():
    with pytest.raises(ValueError, match=f"unknown model 'nope': give one of {', '.join(ARCHS)}, gpt_softmax, latest"):
        bc.load("nope")
    with pytest.raises(ValueError, match="no trained runs"):
        bc.load("latest", models_dir="/nonexistent")


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    from bracketcloser.train import TrainConfig, train

    folder = tmp_path_factory.mktemp("models")
    cfg = TrainConfig(arch="gpt", steps=6, samples=200, batch_size=16, val_samples=16, eval_every=3,
                      model={"n_embd": 16, "n_layer": 1})
    return train(cfg, models_dir=folder, progress=False)


def test_batched_decoding_equals_one_by_one(trained_run):
    model = bc.load(trained_run)
    prefixes = [ex.prefix for ex in bc.data.generate("dyck", 40, seed=3)]
    torch.manual_seed(0)
    assert model.complete(prefixes) == [model.complete([p])[0] for p in prefixes]


def test_cli_evaluate_json_and_result_file(trained_run, capsys):
    assert main(["evaluate", "--model", str(trained_run), "--suite", "seed", "--samples", "300", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert isinstance(report["exact_match"], float) and isinstance(report["n"], int)
    assert report["n"] + report["excluded"] == 300
    assert {"by_answer_length", "by_prefix_length", "by_depth", "ci95", "token_accuracy"} <= set(report)
    (txt,) = (trained_run / "evaluation_results").glob("seed_*.txt")
    first = txt.read_text().splitlines()[0]
    assert first.startswith("Input: ") and ", Predicted Output: " in first and ", Expected Output: " in first
    assert first.endswith(("[correct]", "[incorrect]"))
    assert (txt.with_suffix(".json")).is_file()


def test_cli_evaluate_excludes_training_prefixes(trained_run, tmp_path, capsys):
    train_file = trained_run / "dataset" / "original" / "train.json"
    assert main(["evaluate", "--model", str(trained_run), "--data", str(train_file), "--json"]) == 2
    assert "no examples to evaluate: all 200 were in the model's training set" in capsys.readouterr().err
    mixed = tmp_path / "mixed.json"
    mixed.write_text(json.dumps(json.loads(train_file.read_text())[:5] + ["input:((((,output:))))"]))
    assert main(["evaluate", "--model", str(trained_run), "--data", str(mixed), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] + report["excluded"] == 6 and report["excluded"] >= 5


def test_cli_evaluate_bbh(trained_run, capsys):
    assert main(["evaluate", "--model", str(trained_run), "--suite", "bbh", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 250 and 0 < report["unsupported"] < 250


def test_cli_evaluate_bad_samples(trained_run, capsys):
    assert main(["evaluate", "--model", str(trained_run), "--samples", "0"]) == 2
    assert "--samples must be at least 1" in capsys.readouterr().err


def test_cli_evaluate_bad_data_file(trained_run, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('["input:(,output:)", "input:(],output:"]')
    assert main(["evaluate", "--model", str(trained_run), "--data", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json: entry 1: ']' at position 1" in err and err.count("\n") == 1


def test_cli_complete(trained_run, capsys, monkeypatch):
    assert main(["complete", "--model", str(trained_run), "{[("]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # one answer line (a barely trained model's answer may be wrong)
    assert main(["complete", "--model", str(trained_run), "--explain", "(("]) == 0
    assert "step 1:" in capsys.readouterr().out
    assert main(["complete", "--model", str(trained_run), "(x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bracketcloser: error: 'x' at position 1 is not a bracket") and err.count("\n") == 1


def test_cli_complete_interactive_keeps_stdout_for_answers(trained_run, capsys, monkeypatch):
    """Fed by a pipe: stdout holds one answer per good line, nothing else; prompts and
    errors go to stderr, and an error names the character, not a 'prefix 0'."""
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("((\n(]\n[\n\n"))
    assert main(["complete", "--model", str(trained_run), "-i"]) == 0
    captured = capsys.readouterr()
    assert "> " not in captured.out and len(captured.out.splitlines()) == 2
    assert all(set(line) <= set(")]}") for line in captured.out.splitlines())
    assert "error: ']' at position 1 does not close '('" in captured.err and "prefix 0" not in captured.err
    assert captured.err.count("> ") == 4
