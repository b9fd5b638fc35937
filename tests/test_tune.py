"""`bracketcloser tune`: tiny studies end to end, resume, pruning, workers on SQLite and on a
real PostgreSQL server, and the bad inputs."""

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from bracketcloser import tune as tune_module
from bracketcloser.cli import main
from bracketcloser.train import Interrupted, tunable

# every trial: a few steps, a validation every 2, a small validation set
FAST = ["--steps", "4", "--set", "eval_every=2", "--set", "val_samples=16", "--set", "batch_size=8",
        "--final-samples", "40"]


def space_file(tmp_path, arch="gpt", **ranges) -> str:
    """Search only lr (and what ``ranges`` adds), on one small shape."""
    path = tmp_path / f"space_{arch}.json"
    small = {**{k: None for k in tunable(arch, "seed") if k != "lr"}, "n_embd": {"choices": [16]}, "n_layer": {"choices": [1]}}
    path.write_text(json.dumps({**small, **ranges}))
    return str(path)


def finished(storage: str, name: str) -> list:
    study = optuna.load_study(study_name=name, storage=storage)
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED))


def test_tiny_study_end_to_end_and_best_params_train(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["tune", "--arch", "gpt", "--trials", "3", *FAST, "--space", space_file(tmp_path)]) == 0
    out = tmp_path / "tuning" / "gpt_seed_4steps"
    printed = capsys.readouterr().out
    assert printed.count("trial ") >= 3 and "held-out exact match" in printed
    assert (tmp_path / "tuning.db").is_file()  # the default storage
    for name in ("best_params.json", "trials.csv", "result.json", "optimization_history.png"):
        assert (out / name).is_file(), name
    assert len((out / "trials.csv").read_text().splitlines()) == 1 + 3
    result = json.loads((out / "result.json").read_text())
    assert result["test_n"] == 40 and 0 <= result["test_exact_match"] <= 1
    assert not list((out / "runs").glob("*/*"))  # trial runs removed unless --keep-runs
    first = finished("sqlite:///tuning.db", "gpt_seed_4steps")[0]  # the baseline: the defaults inside the space
    assert first.user_attrs.get("defaults") is True and first.params["lr"] == 3e-3
    best = json.loads((out / "best_params.json").read_text())
    assert {"arch", "dist", "lr"} <= set(best)
    assert main(["train", "--params", str(out / "best_params.json"), "--models-dir", str(tmp_path / "m"), "--quiet"]) == 0
    run = next((tmp_path / "m").iterdir())
    assert json.loads((run / "config.json").read_text())["train"]["lr"] == best["lr"]


@pytest.mark.slow
def test_rerun_continues_and_an_interrupted_trial_is_retried(tmp_path, capsys, monkeypatch):
    storage = f"sqlite:///{tmp_path / 's.db'}"
    argv = ["tune", "--arch", "gru", "--study", "s", "--storage", storage, *FAST, "--space", space_file(tmp_path, "gru"),
            "--out", str(tmp_path / "out")]
    real_train, calls = tune_module.train, []

    def interrupted_second(cfg, **kw):
        calls.append(cfg.lr)
        if len(calls) == 2:
            raise Interrupted(Path(kw["models_dir"]), 0)
        return real_train(cfg, **kw)

    monkeypatch.setattr(tune_module, "train", interrupted_second)
    assert main([*argv, "--trials", "3"]) == 130
    assert "run the same command again" in capsys.readouterr().err
    assert len(finished(storage, "s")) == 1
    monkeypatch.setattr(tune_module, "train", real_train)
    assert main([*argv, "--trials", "3"]) == 0
    done = finished(storage, "s")
    assert len(done) == 3 and len({t.number for t in done}) == 3
    assert calls[1] in [t.params["lr"] for t in done]  # the interrupted settings ran again, not lost
    assert main([*argv, "--trials", "4"]) == 0  # more trials: one more, nothing repeated
    assert len(finished(storage, "s")) == 4


def test_a_hopeless_trial_is_pruned(tmp_path):
    storage = f"sqlite:///{tmp_path / 'p.db'}"
    study = tune_module.open_study("p", storage, "gpt", "seed", "60steps", "exact_match", trials=3)
    for lr in (1e-2, 1e-2, 1e-7):  # two that learn, then one that cannot move at all
        study.enqueue_trial({"lr": lr})
    tune_module.tune("gpt", steps=60, trials=3, study="p", storage=storage, out=tmp_path / "out", final_samples=20,
                     space_file=space_file(tmp_path, lr={"choices": [1e-2, 1e-7]}),
                     fixed={"eval_every": 20, "val_samples": 64, "batch_size": 32, "warmup_steps": 0}, report=lambda s: None)
    trials = optuna.load_study(study_name="p", storage=storage).trials
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.COMPLETE, TrialState.PRUNED]
    assert trials[2].params["lr"] == 1e-7 and max(trials[2].intermediate_values) < 60  # stopped early


@pytest.mark.slow
def test_two_workers_share_one_sqlite_study(tmp_path, capsys):
    storage = f"sqlite:///{tmp_path / 'w.db'}"
    assert main(["tune", "--arch", "gpt", "--study", "w", "--storage", storage, "--workers", "2", "--trials", "4", *FAST,
                 "--space", space_file(tmp_path), "--out", str(tmp_path / "out")]) == 0
    trials = optuna.load_study(study_name="w", storage=storage).trials
    done = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert 4 <= len(done) <= 5 and len({t.number for t in trials}) == len(trials)  # every trial once
    assert not [t for t in trials if t.state in (TrialState.FAIL, TrialState.RUNNING)]


@pytest.mark.parametrize("argv, message", [
    (["tune", "--arch", "rnn"], "invalid choice: 'rnn'"),
    (["tune", "--arch", "gpt", "--storage", "nosuch://x"], "cannot open study storage 'nosuch://x'"),
    (["tune", "--arch", "gpt", "--storage", "postgresql+psycopg://nobody@127.0.0.1:9/none"], "cannot open study storage"),
    (["tune", "--arch", "gpt", "--trials", "0"], "trials must be at least 1"),
    (["tune", "--arch", "gpt", "--set", "nope=1"], "unknown setting(s) nope"),
])
def test_bad_input_is_one_line(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_unknown_parameter_in_space_and_study_for_another_arch(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"n_hidden": {"choices": [8]}}))
    assert main(["tune", "--arch", "gpt", "--space", str(bad), "--storage", f"sqlite:///{tmp_path / 'a.db'}"]) == 2
    assert "unknown parameter 'n_hidden' for gpt" in capsys.readouterr().err
    storage = f"sqlite:///{tmp_path / 'b.db'}"
    tune_module.open_study("mine", storage, "gpt", "seed", "1min", "exact_match", 5)
    assert main(["tune", "--arch", "lstm", "--study", "mine", "--storage", storage]) == 2
    assert "was made for" in capsys.readouterr().err


# ---- a real PostgreSQL server ----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres():
    """A throwaway PostgreSQL server (Debian's package; .ci/run installs it) on a Unix socket."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    assert bins, "PostgreSQL is not installed (apt-get install postgresql; .ci/run does)"
    bin_dir = Path(bins[-1])
    outer = Path(tempfile.mkdtemp(prefix="bc_pg_"))  # not under pytest's private tmp: the server's user must reach it
    root = outer / "pg"
    root.mkdir()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:  # initdb refuses to run as root
        os.chmod(outer, 0o755)
        shutil.chown(root, "postgres")
    port = _free_port()
    run = lambda *cmd: subprocess.run([*as_postgres, *cmd], check=True, capture_output=True)  # noqa: E731
    run(str(bin_dir / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "postgres")
    run(str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-w", "-l", str(root / "log"), "-o",
        f"-k {root} -p {port} -c listen_addresses=''", "start")
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={root}&port={port}"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "stop")
        shutil.rmtree(outer, ignore_errors=True)


@pytest.mark.e2e  # a real PostgreSQL server
def test_two_processes_share_one_postgresql_study(postgres, tmp_path):
    argv = [sys.executable, "-m", "bracketcloser", "tune", "--arch", "gpt", "--study", "pg", "--storage", postgres,
            "--trials", "4", *FAST, "--space", space_file(tmp_path)]
    tune_module.open_study("pg", postgres, "gpt", "seed", "4steps", "exact_match", 4)  # both join, neither creates
    workers = [subprocess.Popen([*argv, "--out", str(tmp_path / f"out{i}")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for i in range(2)]
    outputs = [w.communicate(timeout=600) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [err for _, err in outputs]
    trials = optuna.load_study(study_name="pg", storage=postgres).trials
    done = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert 4 <= len(done) <= 5 and len({t.number for t in trials}) == len(trials)
    assert not [t for t in trials if t.state in (TrialState.FAIL, TrialState.RUNNING)]
    # each process reported the trials it ran: together they account for every one
    ran = [line for out, _ in outputs for line in out.splitlines() if line.startswith("trial ")]
    assert sorted(int(line.split()[1]) for line in ran) == sorted(t.number for t in done)
