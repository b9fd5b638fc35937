"""``bracketcloser.inference``: ``load()`` by shipped name, run folder or "latest", its errors,
and what a ``Completer`` promises (the trained range, its warning, ``explain``)."""

import json
import shutil
import warnings

import pytest
import torch
from safetensors.torch import load_file, save_file

import bracketcloser as bc
from bracketcloser import inference
from bracketcloser.architectures import ARCHS
from bracketcloser.data import DISTS, GENERAL, GENERAL_VOCAB, Range
from bracketcloser.inference import PRETRAINED, Completer, RangeWarning, pick_device, trained_range

PROMPTS = ["{[(<", "(()", "<>[<{}>]("]



def a_run(models_dir, name: str = "gpt_20250101_000000_0m", created: str = "2025-01-01T00:00:00", arch: str = "gpt"):
    """A run folder of one's own: a copy of a shipped model's files, with its own name and date."""
    folder = models_dir / name
    shutil.copytree(PRETRAINED / arch, folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "created": created}))
    return folder


def test_a_shipped_name_loads_the_packages_model_in_eval_mode():
    model = bc.load("gpt")
    assert model.name == "gpt" and model.folder is None and not model.model.training
    assert model.config == json.loads((PRETRAINED / "gpt" / "config.json").read_text())
    shipped = load_file(PRETRAINED / "gpt" / "best.safetensors")
    state = model.model.state_dict()
    assert shipped.keys() == state.keys() and all(torch.equal(shipped[k], state[k]) for k in shipped)
    assert next(model.model.parameters()).device == torch.device("cpu")
    assert model.complete(PROMPTS) == [bc.solve(p, GENERAL_VOCAB) for p in PROMPTS] == [">)]}", ")", ")"]


def test_a_run_folder_loads_its_own_weights_by_str_or_path(tmp_path):
    folder = a_run(tmp_path)
    tensors = load_file(folder / "best.safetensors")
    tensors = {k: v + 0.25 for k, v in tensors.items()}  # not the shipped weights any more
    save_file(tensors, folder / "best.safetensors")
    for given in (folder, str(folder)):
        model = bc.load(given)
        assert model.folder == folder and model.name == folder.name and model.config["created"] == "2025-01-01T00:00:00"
        state = model.model.state_dict()
        assert state.keys() == tensors.keys() and all(torch.equal(state[k], tensors[k]) for k in tensors), given


def test_a_name_is_the_shipped_model_even_beside_a_folder_of_that_name(tmp_path, monkeypatch):
    folder = a_run(tmp_path, name="gpt")
    save_file({k: v + 0.25 for k, v in load_file(folder / "best.safetensors").items()}, folder / "best.safetensors")
    monkeypatch.chdir(tmp_path)
    shipped = load_file(PRETRAINED / "gpt" / "best.safetensors")

    def same(model, tensors) -> bool:
        return all(torch.equal(model.model.state_dict()[k], v) for k, v in tensors.items())

    by_name = bc.load("gpt")  # the architecture name wins over ./gpt
    assert by_name.folder is None and same(by_name, shipped)
    by_path = bc.load("./gpt")  # a path says it is one
    assert by_path.folder.resolve() == folder.resolve() and not same(by_path, shipped)


def test_latest_is_the_newest_run_that_can_answer(tmp_path):
    a_run(tmp_path, "gpt_a", created="2025-01-01T00:00:00")
    newest = a_run(tmp_path, "gpt_b", created="2025-06-01T00:00:00")
    a_run(tmp_path, "gpt_c", created="2025-03-01T00:00:00")
    assert bc.load("latest", models_dir=tmp_path).folder == newest
    assert bc.load(models_dir=tmp_path).folder == newest  # "latest" is the default
    (newest / "best.safetensors").unlink()  # newest, but nothing to answer with yet
    assert bc.load("latest", models_dir=tmp_path).folder == tmp_path / "gpt_c"


def test_bad_names_and_paths_are_one_line_errors_that_say_what_is_wrong(tmp_path, monkeypatch):
    models = tmp_path / "models"
    run = a_run(models, "gpt_20250101_000000_0m")

    def error(*args, **kwargs) -> str:
        with pytest.raises(ValueError) as e:
            bc.load(*args, **kwargs)
        assert "\n" not in str(e.value)
        return str(e.value)

    assert error(str(tmp_path / "absent"), models_dir=models) == (
        f"unknown model '{tmp_path / 'absent'}': give one of {', '.join(ARCHS)}, gpt_softmax, latest, {run.name}, "
        "or a run folder")
    assert error("latest", models_dir=tmp_path / "none") == (
        f"no trained runs in {tmp_path / 'none'}/ (train one with 'bracketcloser train')")
    (tmp_path / "empty").mkdir()
    assert error(tmp_path / "empty") == f"{tmp_path / 'empty'}: not a run folder (no config.json)"
    (run / "best.safetensors").write_bytes(b"not weights")
    assert error(run).startswith(f"{run / 'best.safetensors'}: not a readable safetensors file (")
    shutil.copy(PRETRAINED / "gru" / "best.safetensors", run / "best.safetensors")
    assert error(run).startswith(f"{run / 'best.safetensors'}: weights do not fit gpt (")
    (run / "config.json").write_text("{")
    assert error(run).startswith(f"{run / 'config.json'}: not valid JSON (")
    monkeypatch.setattr(inference, "PRETRAINED", tmp_path / "no_package")
    assert error("gru") == ("no pretrained 'gru' is shipped in this version; train one with "
                            "'bracketcloser train --arch gru' and load its run folder")
    with pytest.raises(TypeError, match="load\\(\\) takes an architecture name, 'latest' or a run folder, got int"):
        bc.load(3)


def test_the_trained_range_comes_from_the_config_or_its_distribution():
    assert trained_range({"data": {"range": {"length": 7, "depth": 3, "answer": 2}}}) == Range(7, 3, 2)
    assert trained_range({"data": {"dist": "dyck"}}) == DISTS["dyck"].range  # a config from before ranges were kept
    assert trained_range({}) is None and trained_range({"data": {"dist": "nope"}}) is None
    gpt = bc.load("gpt")
    assert gpt.trained == GENERAL
    assert gpt.beyond_range("(" * 35) == ["depth 35 > 30 trained", "answer of 35 closers > 30 trained"]
    assert gpt.beyond_range("()" * 60) == ["length 120 > 100 trained"]
    assert gpt.beyond_range("(" * 30) == []
    unknown = Completer(gpt.model, gpt.vocab)  # no config: no range, nothing to warn about
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert unknown.beyond_range("(" * 35) == [] and len(unknown.complete(["(" * 35])) == 1


def test_beyond_the_range_warns_once_per_call_naming_the_first_prefix_unless_told_not_to():
    gpt = bc.load("gpt")
    with pytest.warns(RangeWarning) as caught:
        answers = gpt.complete(["()", "(" * 35, "()" * 60])
    (message,) = [str(w.message) for w in caught]
    assert message.startswith("2 of 3 prefixes (first: prefix 1) ")  # how many, and which first
    assert message.endswith(" beyond what gpt trained on: depth 35 > 30 trained, answer of 35 closers > 30 trained; "
                            "the answer may be wrong")
    assert answers[0] == "" and len(answers) == 3  # "()" closes nothing
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gpt.complete(["(" * 35], warn=False)[0] == gpt.complete(["(" * 35, "("], warn=False)[0]


def test_explain_shows_the_greedy_choice_first_at_every_step():
    gpt = bc.load("gpt")
    for prefix in PROMPTS:
        steps = gpt.explain(prefix, top=3)
        chosen = [candidates[0][0] for candidates in steps]
        assert "".join(chosen[:-1]) == gpt.complete([prefix])[0] and chosen[-1] == "end"  # answer, then the end token
        for candidates in steps:
            probs = [p for _, p in candidates]
            assert len(candidates) == 3 and probs == sorted(probs, reverse=True) and 0 <= sum(probs) <= 1 + 1e-6


def test_pick_device():
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device("auto") == torch.device("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="unknown device 'tpu9' \\(try auto, cpu or cuda\\)"):
        pick_device("tpu9")
    with pytest.raises(TypeError, match="device must be a string"):
        pick_device(0)


def test_a_bracket_the_model_never_saw_is_named_with_what_it_knows(tmp_path):
    """A model trained on three kinds, asked about ``<``: the error says what it was trained on
    and that the shipped models read ``<>``, not only that ``<`` is no bracket."""
    from bracketcloser.train import TrainConfig, train

    run = train(TrainConfig(steps=1, eval_every=1, val_samples=4), models_dir=tmp_path, progress=False)
    with pytest.raises(ValueError, match=r"'<' at position 3 .*trained on \(\)\[\]\{\} only .*read \(\)\[\]\{\}<>"):
        bc.load(run).complete(["{[(<"])
