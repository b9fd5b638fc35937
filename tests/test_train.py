import csv
import json
import re

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from bracketcloser.architectures import ARCHS, DEFAULT_ARCH
from bracketcloser.checkpoint import list_runs, load_run
from bracketcloser.cli import main
from bracketcloser.train import Interrupted, TrainConfig, lr_at, train


def test_run_folder_is_complete(tmp_path, arch, capsys, fast_config):
    run = train(fast_config(arch, steps=8), models_dir=tmp_path, progress=False)
    assert run.name.startswith(f"{arch}_") and run.name.endswith("_0m")
    for name in ["best.safetensors", "checkpoint.safetensors", "config.json", "training_info.json",
                 "history.csv", "training_history.png"]:
        assert (run / name).is_file(), name
    assert list((run / "tensorboard").glob("events.out.tfevents.*"))
    assert (run / "training_history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    info = json.loads((run / "training_info.json").read_text())
    assert info["steps"] == 8 and info["seed"] == 0 and info["finished"] and "torch" in info["versions"]
    assert info["cpu"]["model"] and info["cpu"]["capability"]  # a run is bit-identical on its own kind of CPU only
    rows = list(csv.DictReader((run / "history.csv").open()))
    assert [int(r["step"]) for r in rows] == [4, 8]
    cfg = json.loads((run / "config.json").read_text())
    assert cfg["arch"] == arch and cfg["vocab"]["tokens"][8] == ",output" and cfg["data"]["dist"] == "seed"
    assert main(["models", "--models-dir", str(tmp_path)]) == 0
    assert run.name in capsys.readouterr().out


def test_save_load_gives_identical_logits(tmp_path, arch, small_model, dyck_examples):
    from dataclasses import asdict

    from bracketcloser.batch import stream_batch
    from bracketcloser.checkpoint import save_weights
    from bracketcloser.files import atomic_write_json
    from bracketcloser.tokens import DEFAULT_VOCAB

    with torch.no_grad():
        for p in small_model.parameters():  # move away from the initialisation
            p.add_(torch.randn_like(p) * 0.1)
    atomic_write_json(tmp_path / "config.json",
                      {"arch": arch, "model": asdict(small_model.cfg), "vocab": DEFAULT_VOCAB.to_dict()})
    save_weights(tmp_path / "best.safetensors", small_model)
    loaded, vocab, _ = load_run(tmp_path)
    idx, _ = stream_batch(dyck_examples, vocab)
    torch.testing.assert_close(loaded(idx)[0], small_model(idx)[0], rtol=0, atol=0)


def _stop_at(step):
    return lambda progress: progress.step == step


def test_interrupt_and_resume_equals_one_run(tmp_path, arch, fast_config):
    straight = train(fast_config(arch, steps=12), models_dir=tmp_path / "a", progress=False)
    with pytest.raises(Interrupted) as stop:
        train(fast_config(arch, steps=12), models_dir=tmp_path / "b", progress=False, observe=_stop_at(8))
    assert stop.value.step == 8
    assert (stop.value.run_dir / "training_history.png").is_file()  # the plot is drawn when a run stops
    resumed = train(resume=stop.value.run_dir, progress=False)
    a = load_file(straight / "checkpoint.safetensors")
    b = load_file(resumed / "checkpoint.safetensors")
    assert a.keys() == b.keys()
    for key in a:
        if key.startswith(("model.", "optim.")):
            assert torch.equal(a[key], b[key]), key
    assert json.loads((resumed / "training_info.json").read_text())["steps"] == 12


def test_fixed_dataset_is_saved_in_the_original_layout(tmp_path, fast_config):
    run = train(fast_config("gru", steps=4, samples=50), models_dir=tmp_path, progress=False)
    for sub in ("original", "tokenize", "preprocessed"):
        assert len(json.loads((run / "dataset" / sub / "train.json").read_text())) == 50


def test_lr_schedule_warms_up_then_decays():
    cfg = TrainConfig(lr=1e-3, min_lr=1e-5, warmup_steps=10)
    assert lr_at(cfg, 0, 0.0) == pytest.approx(1e-4)
    assert lr_at(cfg, 10, 0.0) == pytest.approx(1e-3)
    assert lr_at(cfg, 50, 0.5) == pytest.approx((1e-3 + 1e-5) / 2)
    assert lr_at(cfg, 99, 1.0) == pytest.approx(1e-5)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--arch", "rnn"], "invalid choice: 'rnn' (choose from " + ", ".join(f"'{a}'" for a in ARCHS) + ")"),
        (["train", "--time", "5minutes"], "unknown time budget '5minutes': a duration such as 30s"),  # 5min is one now
        (["train", "--dist", "bbh"], "invalid choice: 'bbh'"),
        (["train", "--set", "n_hidden=3"], "unknown setting(s) n_hidden (training settings: arch, batch_size"),
        (["train", "--steps", "0"], "steps must be a positive whole number"),
        (["train", "--set", "lr=abc"], "lr must be a number, got 'abc'"),
        (["train", "--set", "n_embd=abc"], "n_embd must be a whole number, got 'abc'"),
        (["train", "--set", "loss_on=prefix"], "unknown loss_on 'prefix' (choose from answer, closers, all)"),
        (["train", "--device", "tpu9"], "unknown device 'tpu9'"),
    ],
)
def test_cli_bad_arguments(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_resume_errors_name_the_file(tmp_path, capsys, fast_config):
    assert main(["train", "--resume", str(tmp_path)]) == 2
    assert f"{tmp_path}: not a run folder" in capsys.readouterr().err
    run = train(fast_config("gpt", steps=4), models_dir=tmp_path, progress=False)
    (run / "checkpoint.safetensors").write_bytes(b"garbage")
    assert main(["train", "--resume", str(run)]) == 2
    err = capsys.readouterr().err
    assert "checkpoint.safetensors: not a readable safetensors file" in err and err.count("\n") == 1
    (run / "checkpoint.safetensors").unlink()
    assert main(["train", "--resume", str(run)]) == 2
    assert "checkpoint.safetensors: missing" in capsys.readouterr().err


def test_unwritable_models_dir_fails_before_training(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["train", "--steps", "1", "--models-dir", str(blocker / "models"), "--quiet"]) == 2
    assert "cannot create run folder" in capsys.readouterr().err


def test_ctrl_c_saves_and_says_how_to_resume(tmp_path):
    """SIGINT to a running ``bracketcloser train``, sent once its first validation is on disk
    (history.csv is written only then): exit 130, the resume command on stderr, and a saved
    state that agrees with itself (checkpoint, history and training_info.json all at the step
    it stopped on, that step validated) and that ``--resume`` continues to the end."""
    import os
    import signal
    import subprocess
    import sys
    import time

    argv = [sys.executable, "-m", "bracketcloser", "train", "--arch", "gru", "--steps", "100000", "--quiet",
            "--set", "eval_every=5", "--set", "val_samples=8", "--set", "n_hidden=16", "--models-dir", str(tmp_path)]
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 120  # a failure guard only: the first validation comes in seconds
        while not list(tmp_path.glob("*/history.csv")):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"no validation written {'before the run ended' if proc.poll() is not None else 'in 120 s'}: "
                            f"{proc.stderr.read() if proc.poll() is not None else ''}")
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    (run,) = list(tmp_path.iterdir())
    said = re.search(r"^interrupted at step (\d+); saved\. Resume with:\n  bracketcloser train --resume (.+)$", err, re.M)
    assert said and said.group(2) == str(run), err
    info = json.loads((run / "training_info.json").read_text())
    with safe_open(run / "checkpoint.safetensors", framework="pt") as f:
        state = json.loads(f.metadata()["state"])
    rows = list(csv.DictReader((run / "history.csv").open()))
    stopped = int(said.group(1))  # the step it says it stopped on is the one saved
    assert 5 <= stopped == info["steps"] < 100_000 and not info["finished"] and info["best_step"] >= 5
    assert state["step"] == stopped == int(rows[-1]["step"]) == state["history"][-1]["step"]  # the step it stopped on, validated
    assert [int(r["step"]) for r in rows] == [h["step"] for h in state["history"]]
    assert (run / "best.safetensors").is_file() and (run / "training_history.png").is_file()
    config = json.loads((run / "config.json").read_text())
    config["train"]["steps"] = stopped + 2  # resume to a near end
    (run / "config.json").write_text(json.dumps(config))
    assert main(["train", "--resume", str(run), "--quiet"]) == 0
    info = json.loads((run / "training_info.json").read_text())
    assert info["steps"] == stopped + 2 and info["finished"] and len(info["command_lines"]) == 2
    after = [int(r["step"]) for r in csv.DictReader((run / "history.csv").open())]
    # the resumed steps validate at every multiple of eval_every and at the last one
    resumed = sorted({s for s in (stopped + 1, stopped + 2) if s % 5 == 0} | {stopped + 2})
    assert after == [*(int(r["step"]) for r in rows), *resumed]


def test_ctrl_c_saves_the_step_it_stopped_on(tmp_path, capsys, monkeypatch):
    """A real SIGINT during step 7 (not a validation step; eval_every 5), in this process:
    the step is finished, validated and saved, and the command says so and exits 130."""
    import signal

    from bracketcloser import train as train_module

    one_step = train_module.Training.step

    def step_then_ctrl_c(self):
        loss = one_step(self)
        if self.state["step"] == 7:
            signal.raise_signal(signal.SIGINT)  # to this process, whose main thread trains
        return loss

    monkeypatch.setattr(train_module.Training, "step", step_then_ctrl_c)
    argv = ["train", "--arch", "gru", "--steps", "40", "--quiet", "--set", "eval_every=5", "--set", "val_samples=8",
            "--set", "n_hidden=16", "--set", "batch_size=16", "--models-dir", str(tmp_path)]
    assert main(argv) == 130
    (run,) = list(tmp_path.iterdir())
    assert f"interrupted at step 7; saved. Resume with:\n  bracketcloser train --resume {run}\n" in capsys.readouterr().err
    info = json.loads((run / "training_info.json").read_text())
    assert info["steps"] == 7 and not info["finished"]
    assert [int(r["step"]) for r in csv.DictReader((run / "history.csv").open())] == [5, 7]
    with safe_open(run / "checkpoint.safetensors", framework="pt") as f:
        assert json.loads(f.metadata()["state"])["step"] == 7


def test_cli_trains_and_lists(tmp_path, capsys):
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"n_embd": 32, "n_layer": 1, "batch_size": 8, "val_samples": 16}))
    argv = ["train", "--arch", "lstm", "--steps", "3", "--params", str(params), "--models-dir", str(tmp_path), "--quiet"]
    assert main(argv) == 0
    (run,) = list_runs(tmp_path)
    assert run["arch"] == "lstm" and run["steps"] == 3
    info = json.loads((tmp_path / run["name"] / "training_info.json").read_text())
    assert "--params" in info["command_lines"][0]


def test_curriculum_grows_the_longest_prefix():
    from bracketcloser.tokens import Vocab
    from bracketcloser.train import batch_examples

    cfg = TrainConfig(arch=DEFAULT_ARCH, dist="dyck", steps=100, batch_size=256, curriculum=0.5)
    early = batch_examples(cfg, 0, Vocab(), None, progress=0.0)
    late = batch_examples(cfg, 0, Vocab(), None, progress=0.6)
    assert max(len(ex.prefix) for ex in early) <= 10
    assert max(len(ex.prefix) for ex in late) > 30
    without = batch_examples(TrainConfig(arch=DEFAULT_ARCH, dist="dyck", steps=100, batch_size=256), 0, Vocab(), None, 0.0)
    assert max(len(ex.prefix) for ex in without) > 30


@pytest.mark.parametrize("settings", [{"curriculum": 0.5}, {"curriculum": 1.5, "dist": "dyck"}])
def test_curriculum_is_checked(settings):
    with pytest.raises(ValueError, match="curriculum"):
        TrainConfig(**settings)


def test_runs_take_their_share_of_the_general_mixture():
    from bracketcloser.data import GENERAL_VOCAB
    from bracketcloser.train import batch_examples

    def long_runs(cfg):
        batch = batch_examples(cfg, 0, GENERAL_VOCAB, None, progress=1.0)
        return sum(len({k for k in "([{<" if k * 8 in ex.prefix}) >= 2 for ex in batch)

    plain = TrainConfig(dist="general", steps=100, batch_size=512)
    assert long_runs(plain) == 0 < long_runs(TrainConfig(dist="general", steps=100, batch_size=512, runs=0.5))


@pytest.mark.parametrize("settings", [{"runs": 1.0, "dist": "general"}, {"runs": -0.1, "dist": "general"}, {"runs": 0.2}])
def test_runs_are_checked(settings):
    with pytest.raises(ValueError, match="runs"):
        TrainConfig(**settings)


def test_a_bucketed_batch_holds_streams_of_similar_length():
    from bracketcloser.tokens import Vocab
    from bracketcloser.train import batch_pool, train_vocab

    cfg = TrainConfig(arch=DEFAULT_ARCH, dist="general", steps=100)
    assert cfg.bucket == 50
    batches = batch_pool(cfg, 0, train_vocab(cfg), None)
    assert len(batches) == 50 and all(len(b) == cfg.batch_size for b in batches)
    length = [[len(ex.prefix) + len(ex.answer) for ex in b] for b in batches]
    spread = [max(b) - min(b) for b in length]
    assert max(spread) <= 16 and sum(spread) / len(spread) <= 5  # general streams range over 2..130 tokens
    assert [min(b) for b in length] != sorted(min(b) for b in length)  # the order of batches is shuffled
    alone = batch_pool(TrainConfig(arch=DEFAULT_ARCH, dist="general", steps=100, bucket=1), 0, Vocab(("<>",)), None)
    assert len(alone) == 1 and max(len(ex.prefix) for ex in alone[0]) - min(len(ex.prefix) for ex in alone[0]) > 50
    # the same pool, drawn again, is the same (what an exact resume relies on)
    assert batch_pool(cfg, 0, train_vocab(cfg), None) == batches


def test_resume_inside_a_pool_with_a_curriculum_equals_one_run(tmp_path, fast_config):
    settings = {"dist": "general", "steps": 12, "curriculum": 0.5, "bucket": 5}
    straight = train(fast_config("gru", **settings), models_dir=tmp_path / "a", progress=False)
    with pytest.raises(Interrupted):  # step 8 is inside the pool of steps 5..9
        train(fast_config("gru", **settings), models_dir=tmp_path / "b", progress=False, observe=_stop_at(8))
    resumed = train(resume=next((tmp_path / "b").iterdir()), progress=False)
    a, b = load_file(straight / "checkpoint.safetensors"), load_file(resumed / "checkpoint.safetensors")
    assert all(torch.equal(a[k], b[k]) for k in a if k.startswith(("model.", "optim.")))


def test_a_run_from_before_bucketing_resumes_batch_by_batch(tmp_path, fast_config):
    run = train(fast_config("gpt", steps=4, bucket=1), models_dir=tmp_path, progress=False)
    config = json.loads((run / "config.json").read_text())
    del config["train"]["bucket"]  # as written before the setting existed
    (run / "config.json").write_text(json.dumps(config))
    config["train"]["steps"] = 8
    (run / "config.json").write_text(json.dumps(config))
    resumed = train(resume=run, progress=False)
    assert json.loads((resumed / "config.json").read_text())["train"].get("bucket") is None  # the file is kept as it was
    assert json.loads((resumed / "training_info.json").read_text())["steps"] == 8


def test_each_architecture_trains_with_its_own_defaults():
    from bracketcloser.architectures import TRAINING
    from bracketcloser.train import TRAIN_DEFAULTS

    for arch in ARCHS:
        cfg = TrainConfig(arch=arch)
        for name, common in TRAIN_DEFAULTS.items():
            assert getattr(cfg, name) == TRAINING.get(arch, {}).get(name, common), (arch, name)
    assert TrainConfig(arch="transformer").batch_size == 128 and TrainConfig(arch="transformer").lr == 2e-3
    assert TrainConfig(arch="transformer", batch_size=32).batch_size == 32  # a setting given wins
    with pytest.raises(ValueError, match="batch_size must be a whole number"):
        TrainConfig.from_dict({"arch": "gru", "batch_size": "many"})


def test_validation_can_follow_another_sampler_of_the_range(tmp_path, fast_config):
    from bracketcloser.data import generate
    from bracketcloser.train import Training

    for val_dist in (None, "strings"):
        run = Training(fast_config("gru", dist="general", steps=4, val_dist=val_dist), tmp_path / str(val_dist), None, [])
        run.folder.close()
        assert run.valid == generate(val_dist or "general", 32, 0, "valid", run.vocab)
    assert run.valid != generate("general", 32, 0, "valid", run.vocab)
    with pytest.raises(ValueError, match="val_dist must sample the training range of general"):
        TrainConfig(dist="general", val_dist="seed")
