"""No input crashes bracketcloser and none misleads it: arbitrary text, huge prompts, prompts
beyond the trained range, impossible settings, broken run folders, odd umasks."""

import json
import os
import stat
import warnings

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bracketcloser as bc
from bracketcloser.architectures import build
from bracketcloser.cli import main
from bracketcloser.data import GENERAL_VOCAB
from bracketcloser.files import atomic_write_bytes
from bracketcloser.inference import MEMORY_BUDGET, Completer, RangeWarning

PAIRS = {")": "(", "]": "[", "}": "{", ">": "<"}


def reference_answer(text: str) -> str | None:
    """An independent stack: the answer, or None where the text is not a valid prefix."""
    stack = []
    for ch in text.translate({ord("【"): "[", ord("】"): "]"}):
        if ch.isspace():
            continue
        if ch in PAIRS:
            if not stack or stack[-1] != PAIRS[ch]:
                return None
            stack.pop()
        elif ch in "([{<":
            stack.append(ch)
        else:
            return None
    closer = {v: k for k, v in PAIRS.items()}
    return "".join(closer[o] for o in reversed(stack))


brackets = st.text(alphabet="()[]{}<>【】 ", max_size=300)
anything = st.one_of(st.text(max_size=300), brackets, st.builds(lambda n: "(" * n, st.integers(0, 5000)))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(anything)
def test_solve_gives_the_right_answer_or_a_value_error(text):
    truth = reference_answer(text)
    try:
        answer = bc.solve(text, GENERAL_VOCAB)
    except ValueError:
        assert truth is None
    else:
        assert answer == truth


@pytest.fixture(scope="module")
def gpt():
    return bc.load("gpt")


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(anything)
def test_complete_gives_the_right_answer_or_a_value_error(gpt, text):
    """Any Unicode, any length up to the limit and far beyond: the shipped model answers
    correctly inside the range it trained on, answers (with a warning) beyond it, and
    refuses with a ValueError whatever it cannot read."""
    truth = reference_answer(text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            (answer,) = gpt.complete([text])
        except ValueError:
            assert truth is None or any(ch not in "".join(gpt.vocab.pairs) + "【】 " for ch in text) \
                or not gpt.can_read(gpt.vocab.clean(text))
            return
    assert truth is not None and set(answer) <= set(")]}>")
    if not caught:  # inside the trained range: it must be right
        assert answer == truth
    else:
        assert len(caught) == 1 and issubclass(caught[0].category, RangeWarning)


def test_solve_rejects_what_is_not_text():
    with pytest.raises(TypeError, match="expected a string of brackets"):
        bc.solve(None)
    with pytest.raises(TypeError):
        bc.load(3)


def test_a_huge_prompt_is_refused_before_the_model_runs():
    model = Completer(build("gpt", n_embd=16, n_layer=1, pos="none"))

    def never(*args, **kwargs):
        raise AssertionError("the model was asked to read a prompt it cannot")

    model.model.generate = model.model.prefill = never
    for n in (10_000, 100_000, 10_000_000):
        with pytest.raises(ValueError, match="limit of 256 tokens|more than this model reads"):
            model.complete(["(" * n])


def test_decoding_memory_is_bounded_by_chunks():
    """A long list of long prompts is decoded in chunks whose attention maps stay under budget."""
    model = Completer(build("gpt", n_embd=16, n_layer=1, pos="none", max_len=2048))
    shapes = []
    generate = model.model.generate

    def spy(idx, lengths, n):
        shapes.append((idx.size(0), idx.size(1) + max(n)))  # n: each row's own bound
        return generate(idx, lengths, n)

    model.model.generate = spy
    prefixes = ["()" * 300 + "(" * k for k in range(40)] * 5
    assert len(model.complete(prefixes, warn=False)) == 200
    assert len(shapes) > 1 and all(rows * length**2 <= 4 * MEMORY_BUDGET for rows, length in shapes)


def test_beyond_the_trained_range_is_answered_with_one_warning():
    model = bc.load("gpt")
    r = model.trained
    deep = "(" * (r.depth + 2)
    with pytest.warns(RangeWarning, match=rf"depth {r.depth + 2} > {r.depth} trained") as record:
        answers = model.complete([deep, "()", deep + "[]"])
    assert len(record) == 1 and len(answers) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # inside the range: no warning at all
        model.complete(["{[(", "()"])


def test_cli_warns_on_stderr_and_answers_on_stdout(capsys):
    depth = bc.load("gpt").trained.depth + 2
    assert main(["complete", "--model", "gpt", "(" * depth]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1 and set(captured.out.strip()) <= set(")]}>")
    (line,) = captured.err.splitlines()
    assert line.startswith("warning:") and f"depth {depth} > " in line


def test_cli_refuses_a_huge_prompt(capsys):
    assert main(["complete", "--model", "gpt", "(" * 100_000]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bracketcloser: error:") and err.count("\n") == 1


@pytest.mark.parametrize("setting, message", [
    ("n_embd=100000", "n_embd must be between 1 and 4096"),
    ("n_layer=0", "n_layer must be between 1 and 64"),
    ("n_head=-2", "n_head must be between 1"),
    ("max_len=5", "max_len 5 is too short for 'seed'"),
    ("n_embd=4096", "more than half of this machine's"),
    ("nope=1", "training settings: arch, batch_size"),
])
def test_settings_that_cannot_work(setting, message, tmp_path, capsys):
    extra = ["--set", "n_layer=64", "--set", "n_head=64"] if setting == "n_embd=4096" else []
    assert main(["train", "--steps", "5", "--set", setting, *extra, "--models-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not any(tmp_path.iterdir())  # nothing left behind


def test_load_on_a_missing_device_is_a_value_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA device is available"):
        bc.load("gpt", device="cuda")
    with pytest.raises(ValueError, match="unknown device"):
        bc.load("gpt", device="tpu9")


def test_evaluate_on_an_empty_file_is_an_error(tmp_path, capsys):
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    assert main(["evaluate", "--model", "gpt", "--data", str(empty)]) == 2
    assert "no examples to evaluate" in capsys.readouterr().err


# ---- run folders --------------------------------------------------------------------------------

def _tiny(**kw):
    from bracketcloser.train import TrainConfig

    return TrainConfig(arch="gpt", steps=4, batch_size=8, val_samples=8, eval_every=2, warmup_steps=1,
                       model={"n_embd": 16, "n_layer": 1}, **kw)


def test_a_failed_start_leaves_nothing(tmp_path, monkeypatch):
    from bracketcloser import train as train_module

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure in the first step")

    monkeypatch.setattr(train_module, "stream_batch", broken)
    with pytest.raises(RuntimeError):
        train_module.train(_tiny(), models_dir=tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_run_killed_before_its_first_validation_resumes(tmp_path, monkeypatch, capsys):
    from bracketcloser import train as train_module

    def killed(*args, **kwargs):  # like a kill: nothing after it runs, no handler saves
        raise SystemExit(137)

    with monkeypatch.context() as m:
        m.setattr(train_module, "validate", killed)
        with pytest.raises(SystemExit):
            train_module.train(_tiny(), models_dir=tmp_path, progress=False)
    (run,) = tmp_path.iterdir()
    assert main(["models", "--models-dir", str(tmp_path)]) == 0
    assert "unfinished" in capsys.readouterr().out
    assert main(["complete", "--model", "latest", "--models-dir", str(tmp_path), "("]) == 2  # nothing can answer yet
    assert "no trained runs" in capsys.readouterr().err
    assert main(["train", "--resume", str(run), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "restarts from step 0" in captured.err and "trained" in captured.out
    assert json.loads((run / "training_info.json").read_text())["finished"]


def test_latest_is_the_newest_run_that_can_answer(tmp_path, capsys):
    from bracketcloser.train import train

    good = train(_tiny(), models_dir=tmp_path, progress=False)
    broken = tmp_path / "gpt_29991231_235959_0m"  # newer by name and by date, but no weights
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    assert bc.load("latest", models_dir=tmp_path).folder == good
    assert main(["models", "--models-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "broken" in next(line for line in lines if broken.name in line)
    assert "broken" not in next(line for line in lines if good.name in line)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_honour_the_umask(umask, mode, tmp_path):
    from bracketcloser.train import train

    old = os.umask(umask)
    try:
        atomic_write_bytes(tmp_path / "a" / "file.bin", b"x")
        run = train(_tiny(), models_dir=tmp_path / "models", progress=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a" / "file.bin").stat().st_mode) == mode
    for name in ("config.json", "best.safetensors", "checkpoint.safetensors", "training_info.json", "history.csv"):
        assert stat.S_IMODE((run / name).stat().st_mode) == mode, name


# ---- the command line under random flags --------------------------------------------------------

flag_values = st.one_of(st.integers(-5, 50).map(str), st.sampled_from(["", "abc", "1e9", "-1", "0", "nan", "[1]", "{}"]),
                        st.text(max_size=8))
train_flags = st.lists(st.tuples(st.sampled_from(["--arch", "--time", "--steps", "--dist", "--samples", "--seed",
                                                  "--batch-size", "--lr", "--device", "--set", "--params"]),
                                 flag_values), max_size=4)


@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(train_flags, st.sampled_from(["n_layer", "lr", "n_embd", "pos", "curriculum", "batch_size", "warmup_steps"]))
def test_train_arguments_exit_0_or_2(monkeypatch, capsys, flags, key):
    """Random flag values reach the one point where a run would start, or end in one line."""
    from bracketcloser import train as train_module

    started = []
    monkeypatch.setattr(train_module, "train", lambda cfg, **kw: started.append(cfg) or (_ for _ in ()).throw(SystemExit(0)))
    argv = ["train"] + [part for flag, value in flags
                        for part in ([flag, f"{key}={value}"] if flag == "--set" else [flag, value])]
    try:
        status = main(argv)
    except SystemExit as e:  # raised by the stand-in train: the arguments were accepted
        status = e.code
    err = capsys.readouterr().err
    assert status in (0, 2) and "Traceback" not in err
    if status == 2:
        assert err.count("\n") == 1 and not started


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["--suite", "--samples", "--seed", "--model", "--data"]), flag_values), max_size=3),
       st.lists(st.one_of(brackets, st.text(max_size=10)), max_size=3))
def test_evaluate_and_complete_arguments_exit_0_or_2(tmp_path, capsys, flags, prefixes):
    parts = [p for flag, value in flags for p in (flag, value)]
    samples = ["--samples", "5"] if "--samples" not in parts else []
    for argv in (["evaluate", "--model", "gru", *samples, *parts, "--out", str(tmp_path)],
                 ["complete", "--model", "gru", *[p for p in prefixes if not p.startswith("-")]]):
        status = main(argv)
        err = capsys.readouterr().err
        assert status in (0, 2) and "Traceback" not in err
