"""``bracketcloser.checkpoint``: a checkpoint holds weights, optimizer and RNG exactly, in one
atomic write, and nothing is unpickled; run folders describe themselves (``load_run``,
``list_runs``)."""

import json
import os
import pickle
from dataclasses import asdict

import pytest
import torch

from bracketcloser.architectures import build
from bracketcloser.checkpoint import CHECKPOINT, list_runs, load_checkpoint, load_run, read_config, save_checkpoint, save_weights
from bracketcloser.files import atomic_write_json
from bracketcloser.tokens import DEFAULT_VOCAB


def trained(seed: int, steps: int = 3):
    """A small GPT and its AdamW after ``steps`` steps (so every optimizer slot is filled)."""
    torch.manual_seed(seed)
    model = build("gpt", vocab_size=DEFAULT_VOCAB.size, n_embd=16, n_layer=1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.01)
    idx = torch.randint(1, DEFAULT_VOCAB.size, (4, 12))
    for _ in range(steps):
        _, loss = model(idx, idx)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model, optimizer, idx


def step(model, optimizer, idx) -> None:
    _, loss = model(idx, idx)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def test_a_checkpoint_round_trips_weights_optimizer_rng_and_state_exactly(tmp_path):
    model, optimizer, idx = trained(seed=0)
    state = {"step": 3, "elapsed": 1.5, "best": 0.25, "history": [{"step": 2, "val_loss": 0.125}]}
    torch.manual_seed(123)
    save_checkpoint(tmp_path / CHECKPOINT, model, optimizer, state)
    expected_draw = torch.rand(5)  # what torch's RNG gives next, as saved

    other, other_optimizer, _ = trained(seed=1, steps=1)  # different weights, moments and step count
    torch.manual_seed(999)
    assert load_checkpoint(tmp_path / CHECKPOINT, other, other_optimizer) == state
    assert torch.equal(torch.rand(5), expected_draw)  # the RNG is restored
    for (name, a), b in zip(model.state_dict().items(), other.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    saved, loaded = optimizer.state_dict(), other_optimizer.state_dict()
    assert json.loads(json.dumps(saved["param_groups"])) == loaded["param_groups"]  # as JSON keeps them (betas a list)
    assert saved["state"].keys() == loaded["state"].keys()
    for i, slots in saved["state"].items():
        assert slots.keys() == loaded["state"][i].keys() == {"step", "exp_avg", "exp_avg_sq"}
        assert all(torch.equal(torch.as_tensor(slots[k]), torch.as_tensor(loaded["state"][i][k])) for k in slots), i
    step(model, optimizer, idx)  # and the next step is the same step
    step(other, other_optimizer, idx)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), other.parameters(), strict=True))


def test_a_checkpoint_is_one_atomic_write(tmp_path, monkeypatch):
    """A write that dies before its rename leaves the previous checkpoint whole (weights,
    optimizer and step from one moment) and no temporary file."""
    model, optimizer, idx = trained(seed=0)
    save_checkpoint(tmp_path / CHECKPOINT, model, optimizer, {"step": 3})
    before = {k: v.clone() for k, v in model.state_dict().items()}
    step(model, optimizer, idx)

    def killed(src, dst):
        raise KeyboardInterrupt  # the moment of the rename

    with monkeypatch.context() as m:
        m.setattr(os, "replace", killed)
        with pytest.raises(KeyboardInterrupt):
            save_checkpoint(tmp_path / CHECKPOINT, model, optimizer, {"step": 4})
    assert [p.name for p in tmp_path.iterdir()] == [CHECKPOINT]
    fresh, fresh_optimizer, _ = trained(seed=1, steps=1)
    assert load_checkpoint(tmp_path / CHECKPOINT, fresh, fresh_optimizer) == {"step": 3}
    assert all(torch.equal(before[k], v) for k, v in fresh.state_dict().items())
    assert all(int(s["step"]) == 3 for s in fresh_optimizer.state_dict()["state"].values())


def test_nothing_is_unpickled(tmp_path, monkeypatch):
    model, optimizer, _ = trained(seed=0)
    save_checkpoint(tmp_path / CHECKPOINT, model, optimizer, {"step": 3})
    atomic_write_json(tmp_path / "config.json", {"arch": "gpt", "model": asdict(model.cfg), "vocab": DEFAULT_VOCAB.to_dict()})
    save_weights(tmp_path / "best.safetensors", model)

    def refuse(*args, **kwargs):
        raise AssertionError("something was unpickled")

    for module, name in [(pickle, "load"), (pickle, "loads"), (pickle, "Unpickler"), (torch, "load")]:
        monkeypatch.setattr(module, name, refuse)
    fresh, fresh_optimizer, _ = trained(seed=1, steps=1)
    assert load_checkpoint(tmp_path / CHECKPOINT, fresh, fresh_optimizer) == {"step": 3}
    for weights in ("best.safetensors", CHECKPOINT):  # load_run reads the model out of either file
        loaded, vocab, cfg = load_run(tmp_path, weights)
        assert cfg["arch"] == "gpt" and vocab == DEFAULT_VOCAB and not loaded.training
        assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), loaded.state_dict().values(), strict=True))


def test_a_checkpoint_of_another_model_is_refused_by_name(tmp_path):
    model, optimizer, _ = trained(seed=0)
    save_checkpoint(tmp_path / CHECKPOINT, model, optimizer, {"step": 3})
    bigger = build("gpt", vocab_size=DEFAULT_VOCAB.size, n_embd=32, n_layer=1)
    with pytest.raises(ValueError, match=f"^{tmp_path / CHECKPOINT}: does not match this run \\(") as e:
        load_checkpoint(tmp_path / CHECKPOINT, bigger, torch.optim.AdamW(bigger.parameters()))
    assert "\n" not in str(e.value)
    with pytest.raises(ValueError, match="checkpoint.safetensors: missing"):
        load_checkpoint(tmp_path / "absent" / CHECKPOINT, bigger, torch.optim.AdamW(bigger.parameters()))


def test_read_config_names_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match=f"^{tmp_path}: not a run folder \\(no config.json\\)$"):
        read_config(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"arch": "rnn", "model": {}}))
    with pytest.raises(ValueError, match="config.json: not a bracketcloser run config$"):
        read_config(tmp_path)


def test_list_runs_newest_first_with_each_runs_status(tmp_path):
    model, optimizer, _ = trained(seed=0, steps=1)
    config = {"arch": "gpt", "model": asdict(model.cfg), "vocab": DEFAULT_VOCAB.to_dict(), "params": 123}

    def run(name, created, best=True, checkpoint=True, finished=False):
        folder = tmp_path / name
        atomic_write_json(folder / "config.json", {**config, "created": created})
        atomic_write_json(folder / "training_info.json", {"steps": 7, "best_val_exact_match": 0.5, "finished": finished})
        if best:
            save_weights(folder / "best.safetensors", model)
        if checkpoint:
            save_checkpoint(folder / CHECKPOINT, model, optimizer, {"step": 7})

    run("done", "2025-01-03T00:00:00", finished=True)
    run("stopped", "2025-01-02T00:00:00")
    run("early", "2025-01-04T00:00:00", best=False)  # killed before its first validation
    run("claims_finished", "2025-01-01T00:00:00", best=False, finished=True)  # no weights: not finished
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.json").write_text("{")
    (tmp_path / "leaderboard").mkdir()  # not a run at all
    (tmp_path / "leaderboard" / "leaderboard.json").write_text("{}")
    runs = list_runs(tmp_path)
    assert [(r["name"], r["status"], r["answers"]) for r in runs if r["name"] != "broken"] == [
        ("early", "unfinished", False), ("done", "finished", True), ("stopped", "unfinished", True),
        ("claims_finished", "unfinished", False)]
    (broken,) = [r for r in runs if r["name"] == "broken"]
    assert broken["status"] == "broken" and broken["arch"] == "?" and not broken["answers"]
    (early,) = [r for r in runs if r["name"] == "early"]
    assert early["steps"] == 7 and early["params"] == 123 and early["path"] == str(tmp_path / "early")
    assert list_runs(tmp_path / "absent") == []
