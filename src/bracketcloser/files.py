"""Atomic file writes and dataset folders in the original project's three-folder layout.

A dataset folder holds the same examples three ways, as the original laid them out:

    DIR/original/NAME.json      ["input:{[(,output:)]}", ...]       the example strings
    DIR/tokenize/NAME.json      [["input", "{", ..., ","], ...]      their token lists
    DIR/preprocessed/NAME.json  [[7, 5, ..., 9, 0, 0], ...]          padded ids
    DIR/vocab.json              the vocabulary the ids refer to (our addition)

Every write goes to a temporary file that is renamed into place, so a crash never leaves a
half-written file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .data import Example
from .solver import solve
from .tokens import DEFAULT_VOCAB, Vocab, format_example, pad_ids, parse_example


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it, so put it straight back
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write through a temporary file renamed into place. ``mkstemp`` makes its file 0600;
    the result gets the mode any other program's output would (0666 less the umask)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def json_text(obj) -> str:
    """JSON with one list entry per line: diff-friendly and byte-stable."""
    if isinstance(obj, list):
        return "[\n" + ",\n".join(json.dumps(x, ensure_ascii=False) for x in obj) + "\n]\n"
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def atomic_write_json(path: str | Path, obj) -> None:
    atomic_write_text(path, json_text(obj))


def read_json(path: str | Path):
    """Parse a JSON file; any failure is a one-line ``ValueError`` naming the file."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a folder, expected a JSON file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: not valid JSON ({e})") from None


# ---- dataset folders ---------------------------------------------------------------------------

def write_dataset(
    folder: str | Path, examples: list[Example], vocab: Vocab = DEFAULT_VOCAB, name: str = "bracket_dataset"
) -> Path:
    folder = Path(folder)
    texts = [format_example(ex.prefix, ex.answer) for ex in examples]
    tokens = [vocab.example_tokens(ex.prefix, ex.answer) for ex in examples]
    atomic_write_json(folder / "original" / f"{name}.json", texts)
    atomic_write_json(folder / "tokenize" / f"{name}.json", tokens)
    atomic_write_json(folder / "preprocessed" / f"{name}.json", pad_ids([vocab.encode(t) for t in tokens]))
    atomic_write_json(folder / "vocab.json", vocab.to_dict())
    return folder


def read_examples(path: str | Path, vocab: Vocab = DEFAULT_VOCAB, keep_labels: bool = False) -> list[Example]:
    """Examples from a dataset folder (all of ``original/*.json``) or one JSON file holding a
    list of ``"input:...,output:..."`` strings, the original project's files included.

    Answers are the solver's unless ``keep_labels``: the original's files carry some wrong
    labels (see ``data.sample_seed_original``), and a model is measured against the truth.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted((path / "original").glob("*.json"))
        if not files:
            raise ValueError(f"{path}: no original/*.json dataset files in this folder")
        return [ex for f in files for ex in read_examples(f, vocab, keep_labels)]
    entries = read_json(path)
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a JSON list of 'input:...,output:...' strings")
    out = []
    for i, entry in enumerate(entries):
        try:
            prefix, answer = parse_example(entry, vocab)
            truth = solve(prefix, vocab)
            out.append(Example(prefix, answer if keep_labels else truth))
        except ValueError as e:
            raise ValueError(f"{path}: entry {i}: {e}") from None
    return out
