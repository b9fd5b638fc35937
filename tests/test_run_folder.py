"""``bracketcloser.run_folder``: where a run's files go, that each is written atomically, and
``read_history`` reading a run's history back."""

import csv
import json
import os
import shutil

import pytest
import torch

from bracketcloser.architectures import build
from bracketcloser.data import Example
from bracketcloser.run_folder import HISTORY, RunFolder, read_history
from bracketcloser.tokens import DEFAULT_VOCAB
from bracketcloser.train import TrainConfig

HISTORY_ROWS = [
    {"step": 4, "elapsed_s": 0.51, "lr": 0.003, "train_loss": 1.9, "val_loss": 1.7000000000000002, "val_exact_match": 0.125},
    {"step": 8, "elapsed_s": 1.02, "lr": 0.0027, "train_loss": 1.25, "val_loss": 1 / 3, "val_exact_match": 0.5},
]



def parts():
    torch.manual_seed(0)
    model = build("gru", vocab_size=DEFAULT_VOCAB.size, n_hidden=16)
    cfg = TrainConfig(arch="gru", steps=8, model={"n_hidden": 16})
    state = {"step": 8, "elapsed": 1.02, "best": 0.5, "best_loss": 1 / 3, "best_step": 8, "history": HISTORY_ROWS}
    return model, torch.optim.AdamW(model.parameters()), cfg, state


def test_read_history_of_a_run_folder_or_of_a_copy_of_its_csv(tmp_path):
    folder = RunFolder.create(tmp_path, "gru_x_0m", {"arch": "gru"}, None, "cpu")
    model, optimizer, cfg, state = parts()
    folder.save(model, optimizer, state, cfg)
    rows = read_history(folder.path)
    assert rows == HISTORY_ROWS  # every number as it was, to the last bit
    assert [type(r["step"]) for r in rows] == [int, int]
    assert all(type(v) is float for r in rows for k, v in r.items() if k != "step")
    copy = tmp_path / "elsewhere" / "my_history.csv"
    copy.parent.mkdir()
    shutil.copy(folder.path / HISTORY, copy)
    assert read_history(copy) == read_history(str(copy)) == read_history(str(folder.path)) == HISTORY_ROWS
    with pytest.raises(FileNotFoundError):
        read_history(tmp_path / "absent")


def test_each_file_goes_where_the_layout_says(tmp_path):
    """What save, save_best and write_dataset write, and nothing else (the plot and the
    TensorBoard log of a whole run: test_train.py)."""
    argv = ["bracketcloser", "train"]
    folder = RunFolder.create(tmp_path / "models", "gru_20250101_000000_0m", {"arch": "gru", "model": {}}, argv, "cpu")
    assert folder.path == tmp_path / "models" / "gru_20250101_000000_0m"
    config = json.loads((folder.path / "config.json").read_text())
    assert config["arch"] == "gru" and config["created"][:2] == "20"  # the moment it was made, ISO
    model, optimizer, cfg, state = parts()
    folder.save(model, optimizer, {**state, "history": []}, cfg)  # the checkpoint at step 0: no history yet
    assert sorted(p.name for p in folder.path.iterdir()) == ["checkpoint.safetensors", "config.json", "training_info.json"]
    folder.save_best(model)
    folder.save(model, optimizer, state, cfg)
    folder.write_dataset([Example("((", "))"), Example("[", "]")], DEFAULT_VOCAB)
    names = {p.relative_to(folder.path).as_posix() for p in folder.path.rglob("*") if p.is_file()}
    assert names == {"config.json", "best.safetensors", "checkpoint.safetensors", "training_info.json", HISTORY,
                     "dataset/original/train.json", "dataset/tokenize/train.json",
                     "dataset/preprocessed/train.json", "dataset/vocab.json"}
    info = json.loads((folder.path / "training_info.json").read_text())
    assert (info["steps"], info["best_step"], info["final_val_exact_match"], info["finished"]) == (8, 8, 0.5, False)
    assert info["command_lines"] == ["bracketcloser train"]


def test_a_taken_name_gets_a_number_and_an_unwritable_place_a_clear_error(tmp_path):
    first = RunFolder.create(tmp_path, "gpt_same_second_0m", {"arch": "gpt"}, None, "cpu")
    second = RunFolder.create(tmp_path, "gpt_same_second_0m", {"arch": "gpt"}, None, "cpu")
    third = RunFolder.create(tmp_path, "gpt_same_second_0m", {"arch": "gpt"}, None, "cpu")
    assert [f.path.name for f in (first, second, third)] == ["gpt_same_second_0m", "gpt_same_second_0m_2",
                                                             "gpt_same_second_0m_3"]
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="^cannot create run folder .*file/gpt_x_0m: Not a directory$"):
        RunFolder.create(tmp_path / "file", "gpt_x_0m", {"arch": "gpt"}, None, "cpu")


def test_every_file_of_the_folder_is_renamed_into_place_and_a_crash_keeps_the_last_whole(tmp_path, monkeypatch):
    """Written through a temporary file in the same folder and renamed: a run killed while
    saving keeps its previous checkpoint, history and info whole, and leaves no temporary file."""
    folder = RunFolder.create(tmp_path, "gru_x_0m", {"arch": "gru"}, None, "cpu")
    model, optimizer, cfg, state = parts()
    renamed, real_replace = [], os.replace

    def replace(src, dst):
        renamed.append((os.path.dirname(src), os.path.basename(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    folder.save_best(model)
    folder.save(model, optimizer, state, cfg)
    assert sorted(name for _, name in renamed) == sorted(p.name for p in folder.path.iterdir() if p.name != "config.json")
    assert {where for where, _ in renamed} == {str(folder.path)}  # a rename within one file system
    before = {p.name: p.read_bytes() for p in folder.path.iterdir()}

    def killed(src, dst):
        if os.path.basename(dst) == HISTORY:  # after the checkpoint, before the history and info
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        folder.save(model, optimizer, {**state, "step": 9, "history": [*HISTORY_ROWS, {**HISTORY_ROWS[-1], "step": 9}]}, cfg)
    after = {p.name: p.read_bytes() for p in folder.path.iterdir()}
    assert after.keys() == before.keys()  # no temporary file left
    assert after[HISTORY] == before[HISTORY] and after["training_info.json"] == before["training_info.json"]
    assert [int(r["step"]) for r in csv.DictReader((folder.path / HISTORY).open())] == [4, 8]


def test_reopen_needs_a_checkpoint_and_load_fills_what_old_checkpoints_lack(tmp_path):
    folder = RunFolder.create(tmp_path, "gru_x_0m", {"arch": "gru", "model": {}}, None, "cpu")
    with pytest.raises(ValueError, match="checkpoint.safetensors: missing, cannot resume$"):
        RunFolder.reopen(folder.path, None)
    with pytest.raises(ValueError, match="not a run folder"):
        RunFolder.reopen(tmp_path / "absent", None)
    model, optimizer, cfg, state = parts()
    old = {k: v for k, v in state.items() if k != "best_loss"}  # written before best_loss was kept
    folder.save(model, optimizer, old, cfg)
    again, config = RunFolder.reopen(folder.path, ["bracketcloser", "train", "--resume", str(folder.path)])
    assert config["arch"] == "gru" and again.path == folder.path
    assert again.load(model, optimizer) == {**old, "best_loss": float("inf")}
    again.write_info(cfg, state, finished=True)  # a resumed run adds its command line once
    again.write_info(cfg, state, finished=True)
    info = json.loads((folder.path / "training_info.json").read_text())
    assert info["command_lines"] == ["bracketcloser.train.train()", f"bracketcloser train --resume {folder.path}"]
    assert info["finished"]
    again.remove()
    assert not folder.path.exists()
