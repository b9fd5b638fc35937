"""Run folders and checkpoints that describe themselves. Nothing is ever unpickled.

A run folder ``models/<arch>_<YYYYMMDD>_<HHMMSS>_<minutes>m/`` holds

    config.json              architecture, model config, vocabulary, data and training settings
    best.safetensors         weights with the best validation exact match so far
    checkpoint.safetensors   the latest state: weights, optimizer, RNG, step, history (for --resume)
    training_info.json       command line, seed, steps, time, best score, versions
    history.csv, training_history.png, tensorboard/   what happened during training
    dataset/                 the training set, when it was a fixed one (--samples)

``checkpoint.safetensors`` is written in one atomic write, so weights, optimizer and step
always agree with each other: a run killed at any moment resumes from its last checkpoint.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from .architectures import ARCHS, BracketModel, build
from .files import atomic_write_bytes, read_json
from .tokens import Vocab

CONFIG, BEST, CHECKPOINT, INFO = "config.json", "best.safetensors", "checkpoint.safetensors", "training_info.json"


def _tensors(state_dict: dict) -> dict:
    return {k: v.detach().cpu().contiguous() for k, v in state_dict.items()}


def save_weights(path: Path, model: BracketModel) -> None:
    atomic_write_bytes(path, st_save(_tensors(model.state_dict())))


def save_checkpoint(path: Path, model, optimizer, state: dict) -> None:
    """Weights, optimizer tensors and torch's RNG in one file; ``state`` (JSON) in its metadata."""
    tensors = {f"model.{k}": v for k, v in _tensors(model.state_dict()).items()}
    opt = optimizer.state_dict()
    for i, slots in opt["state"].items():
        for name, value in slots.items():
            tensors[f"optim.{i}.{name}"] = torch.as_tensor(value).cpu()
    tensors["rng.torch"] = torch.get_rng_state()
    meta = {"state": json.dumps(state), "param_groups": json.dumps(opt["param_groups"])}
    atomic_write_bytes(path, st_save(tensors, metadata=meta))


def _read_safetensors(path: Path) -> tuple[dict, dict]:
    try:
        tensors = st_load(path.read_bytes())
        with safe_open(path, framework="pt") as f:  # the header's metadata (``state``), as written
            meta = f.metadata()
        return tensors, meta or {}
    except FileNotFoundError:
        raise ValueError(f"{path}: missing") from None
    except (SafetensorError, ValueError, OSError) as e:
        raise ValueError(f"{path}: not a readable safetensors file ({e})") from None


def load_checkpoint(path: Path, model, optimizer) -> dict:
    """Restore model, optimizer and RNG from ``save_checkpoint``; returns its ``state``."""
    tensors, meta = _read_safetensors(path)
    try:
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
        slots: dict = {}
        for key, value in tensors.items():
            if key.startswith("optim."):
                _, i, name = key.split(".", 2)
                slots.setdefault(int(i), {})[name] = value
        optimizer.load_state_dict({"state": slots, "param_groups": json.loads(meta["param_groups"])})
        torch.set_rng_state(tensors["rng.torch"])
        return json.loads(meta["state"])
    except (KeyError, RuntimeError, ValueError) as e:
        raise ValueError(f"{path}: does not match this run ({str(e).splitlines()[0]})") from None


def read_config(run: Path) -> dict:
    if not (run / CONFIG).is_file():
        raise ValueError(f"{run}: not a run folder (no {CONFIG})")
    cfg = read_json(run / CONFIG)
    if not isinstance(cfg, dict) or cfg.get("arch") not in ARCHS or "model" not in cfg:
        raise ValueError(f"{run / CONFIG}: not a bracketcloser run config")
    return cfg


def build_from_config(cfg: dict) -> tuple[BracketModel, Vocab]:
    return build(cfg["arch"], **cfg["model"]), Vocab.from_dict(cfg["vocab"])


def load_run(run: str | Path, weights: str = BEST) -> tuple[BracketModel, Vocab, dict]:
    """Rebuild a trained model from its folder alone: (model in eval mode, vocab, config)."""
    run = Path(run)
    cfg = read_config(run)
    model, vocab = build_from_config(cfg)
    tensors, _ = _read_safetensors(run / weights)
    try:
        model.load_state_dict({k.removeprefix("model."): v for k, v in tensors.items() if not k.startswith(("optim.", "rng."))})
    except RuntimeError as e:
        raise ValueError(f"{run / weights}: weights do not fit {cfg['arch']} ({str(e).splitlines()[0]})") from None
    return model.eval(), vocab, cfg


def list_runs(models_dir: str | Path = "models") -> list[dict]:
    """Every run under ``models_dir``, newest first, with what ``bracketcloser models`` shows.

    ``status``: ``finished``; ``unfinished`` (stopped or killed; ``--resume`` continues it);
    ``broken`` (no readable config, or no weights at all). ``answers`` says whether it has
    weights to answer with (``best.safetensors``, written at its first validation).
    """
    runs = []
    for run in Path(models_dir).glob("*/"):
        if not (run / CONFIG).exists() and not (run / INFO).exists() and not (run / CHECKPOINT).exists():
            continue  # not a run folder at all (e.g. a compare leaderboard)
        try:
            cfg = read_config(run)
        except ValueError:
            cfg = None
        info = {}
        if (run / INFO).is_file():
            try:
                info = read_json(run / INFO)
            except ValueError:
                pass
        answers = cfg is not None and (run / BEST).is_file()
        if cfg is None or not (answers or (run / CHECKPOINT).is_file()):
            status = "broken"
        else:
            status = "finished" if info.get("finished") and answers else "unfinished"
        created = cfg.get("created", "") if cfg else ""
        runs.append({"name": run.name, "path": str(run), "arch": cfg["arch"] if cfg else "?",
                     "params": cfg.get("params") if cfg else None, "steps": info.get("steps"),
                     "best_val_exact_match": info.get("best_val_exact_match"), "created": created,
                     "status": status, "answers": answers})
    # newest first: by creation time, or the folder's own time where the config is unreadable
    return sorted(runs, key=lambda r: (r["created"] or _mtime(r["path"]), r["name"]), reverse=True)


def _mtime(path: str) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(Path(path).stat().st_mtime).isoformat(timespec="seconds")
