"""A trained model, ready to answer: ``Completer.complete(["{[(", "(()"]) -> [")]}", ")"]``."""

from __future__ import annotations

import warnings
from pathlib import Path

import torch

from .architectures import BracketModel
from .architectures.base import Explanation
from .batch import answer_texts, prompt_batch
from .data import DISTS, GENERAL_VOCAB, Range
from .solver import max_depth, read_prefix
from .tokens import DEFAULT_VOCAB, END, Vocab


class RangeWarning(UserWarning):
    """A prompt beyond what the model trained on: answered, but not to be trusted blindly."""


def pick_device(name: str) -> torch.device:
    """``auto`` (CUDA when present), ``cpu``, ``cuda`` or ``cuda:N``; one-line ValueError otherwise."""
    if not isinstance(name, str):
        raise TypeError(f"device must be a string such as 'cpu' or 'cuda', got {type(name).__name__}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} asked for, but no CUDA device is available (try cpu)")
    try:
        return torch.device(name)
    except RuntimeError:
        raise ValueError(f"unknown device {name!r} (try auto, cpu or cuda)") from None


def trained_range(config: dict) -> Range | None:
    """The lengths, depths and answers a run trained on, from its config (older configs name
    only their distribution)."""
    data = config.get("data") or {}
    if isinstance(data.get("range"), dict):
        return Range(**data["range"])
    dist = DISTS.get(data.get("dist"))
    return dist.range if dist else None


MEMORY_BUDGET = 2**25  # elements of one attention map per head, over a chunk of prompts (~128 MB)


class Completer:
    """Wraps any architecture behind one method; batched greedy decoding underneath."""

    def __init__(self, model: BracketModel, vocab: Vocab = DEFAULT_VOCAB, name: str = "", batch_size: int = 1024):
        self.model, self.vocab, self.name, self.batch_size = model.eval(), vocab, name, batch_size
        self.device = next(model.parameters()).device
        self.folder: Path | None = None  # the run folder it was loaded from, if any
        self.config: dict = {}

    @property
    def trained(self) -> Range | None:
        return trained_range(self.config)

    def beyond_range(self, prefix: str) -> list[str]:
        """Which trained limits a clean, valid ``prefix`` passes, e.g. ``["depth 22 > 10 trained"]``."""
        r = self.trained
        if r is None:
            return []
        out = []
        if len(prefix) > r.length:
            out.append(f"length {len(prefix)} > {r.length} trained")
        if len(prefix) > r.depth and (depth := max_depth(prefix, self.vocab)) > r.depth:  # depth <= length
            out.append(f"depth {depth} > {r.depth} trained")
        if (answer := self._open_count(prefix)) > r.answer:
            out.append(f"answer of {answer} closers > {r.answer} trained")
        return out

    def _warn_beyond_range(self, prefixes: list[str]) -> None:
        flagged = [(i, why) for i, p in enumerate(prefixes) if (why := self.beyond_range(p))]
        if not flagged:
            return
        i, why = flagged[0]
        where = "the prefix" if len(prefixes) == 1 else f"{len(flagged)} of {len(prefixes)} prefixes (first: prefix {i})"
        warnings.warn(self.range_message(why, where), RangeWarning, stacklevel=4)  # the caller of complete()

    def range_message(self, why: list[str], where: str = "the prefix") -> str:
        """The warning for a prefix beyond the trained range (the CLI and the app show it)."""
        return f"{where} lies beyond what {self.name or 'this model'} trained on: {', '.join(why)}; the answer may be wrong"

    def can_read(self, prefix: str) -> bool:
        """Whether a clean, valid ``prefix`` and its answer fit the model's length limit."""
        return self.model.can_read(len(prefix), self._open_count(prefix))

    def check(self, prefixes: list[str]) -> list[str]:
        """Clean and validate; ``ValueError`` names the prefix index, character and position,
        or the length limit. Nothing is allocated for a prompt the model cannot read."""
        if isinstance(prefixes, str) or not isinstance(prefixes, (list, tuple)):
            raise TypeError(f"complete() takes a list of prefixes, e.g. complete(['{{[(']), got {type(prefixes).__name__}")
        out = []
        limit = self.model.max_len
        for i, p in enumerate(prefixes):
            label = f"prefix {i}: " if len(prefixes) > 1 else ""  # which one, when there are several
            if not isinstance(p, str):
                raise TypeError(f"{label}expected a string, got {type(p).__name__}")
            if limit is not None and len(p) > 64 * limit:  # refuse before even reading a huge string
                raise ValueError(f"{label}{len(p):,} characters, far beyond this model's limit of {limit} tokens")
            try:
                clean, stack = read_prefix(p, self.vocab)
            except ValueError as e:
                raise ValueError(f"{label}{e}{self._unseen_brackets(p)}") from None
            if not self.model.can_read(len(clean), len(stack)):
                raise ValueError(f"{label}{len(clean)} brackets with {len(stack)} to close are more than this model reads "
                                 f"(limit {limit} tokens: input, prefix, ,output, answer, end)")
            out.append(clean)
        return out

    def _unseen_brackets(self, prefix: str) -> str:
        """Where a prefix holds brackets this model never saw but the general range has: say so."""
        known = "".join(self.vocab.pairs)
        unseen = sorted(set(prefix) & set("".join(GENERAL_VOCAB.pairs)) - set(known))
        if not unseen:
            return ""
        return (f": this model was trained on {known} only (the shipped models, trained on the general range, "
                f"read {''.join(GENERAL_VOCAB.pairs)})")

    def _open_count(self, prefix: str) -> int:
        """Brackets left open by a clean, valid prefix: openers less closers."""
        return len(prefix) - 2 * sum(prefix.count(c) for c in self.vocab.opener_of)

    @torch.inference_mode()
    def complete(self, prefixes: list[str], warn: bool = True) -> list[str]:
        """Answers for a list of prefixes, in order. A prefix beyond the trained range is
        answered, with one ``RangeWarning`` (a ``UserWarning``) per call unless ``warn=False``."""
        prefixes = self.check(prefixes)
        if warn:
            self._warn_beyond_range(prefixes)
        # batch prefixes of similar length together: less padding, less wasted compute
        order = sorted(range(len(prefixes)), key=lambda i: len(prefixes[i]))
        answers: list[str] = [""] * len(prefixes)
        start = 0
        while start < len(order):
            # memory stays bounded: rows x stream length^2 (an attention map) under a budget
            longest = 2 * len(prefixes[order[min(start + self.batch_size, len(order)) - 1]]) + 3
            rows = order[start : start + max(1, min(self.batch_size, MEMORY_BUDGET // longest**2))]
            start += len(rows)
            chunk = [prefixes[i] for i in rows]
            idx, lengths = prompt_batch(chunk, self.vocab, self.device)
            # the true answer closes every open bracket: at most that many tokens, + 1 for the end
            # (a model that does not stop there is wrong either way); each row stops at its own
            # bound, so it never reads past the length limit and never depends on its batch-mates
            bounds = [self._open_count(p) + 1 for p in chunk]
            out = self.model.generate(idx, lengths, bounds)
            for i, answer in zip(rows, answer_texts(out, bounds, self.vocab), strict=True):
                answers[i] = answer
        return answers

    @torch.no_grad()
    def inspect(self, prefix: str) -> Explanation:
        """Greedy-answer one prefix and keep what the model computed on the way: each step's
        probabilities, attention maps, recurrent states, stack actions (``model.explain``)."""
        (prefix,) = self.check([prefix])
        ids = torch.tensor(self.vocab.prompt_ids(prefix), device=self.device)
        return self.model.explain(ids, self._open_count(prefix) + 1)

    def explain(self, prefix: str, top: int = 3) -> list[list[tuple[str, float]]]:
        """Greedy decoding of one prefix, showing at each step the ``top`` candidate tokens
        and their probabilities (the first candidate is the one chosen; the end token is "end",
        as the figures call it)."""
        steps = []
        for probs in self.inspect(prefix).probs:
            p, i = probs.topk(min(top, probs.numel()))
            steps.append([("end" if j == END else self.vocab.tokens[j], float(q))
                          for q, j in zip(p.tolist(), i.tolist(), strict=True)])
        return steps

    def __repr__(self) -> str:
        return f"Completer({self.name or type(self.model).__name__}, {self.model.num_params():,} parameters)"


PRETRAINED = Path(__file__).parent / "pretrained"
# shipped beside the six for the course to open, not as an architecture's best: the GPT as
# chapter 3 builds it (softmax, two heads, positions learned for 256 tokens), shipped as "gpt"
# until chapter 7's settings replaced it; chapters 5 and 7 read its heads
ALSO_SHIPPED = ("gpt_softmax",)


def load(name_or_path: str | Path = "latest", models_dir: str | Path = "models", device: str = "cpu") -> Completer:
    """A model ready to ``.complete(...)``: a shipped one by architecture name (``"gpt"``) or
    by a name in ``ALSO_SHIPPED``, the newest run in ``models_dir`` (``"latest"``), or a run folder."""
    from .architectures import ARCHS
    from .checkpoint import list_runs, load_run

    if not isinstance(name_or_path, (str, Path)):
        raise TypeError(f"load() takes an architecture name, 'latest' or a run folder, got {type(name_or_path).__name__}")
    device = pick_device(device)
    name = str(name_or_path)
    shipped = name in ARCHS or name in ALSO_SHIPPED
    if shipped:
        folder = PRETRAINED / name
        if not (folder / "config.json").is_file():
            raise ValueError(f"no pretrained '{name}' is shipped in this version; train one with "
                             f"'bracketcloser train --arch {name}' and load its run folder")
    elif name == "latest":  # the newest run that can answer: unfinished runs with weights count, broken ones not
        runs = [r for r in list_runs(models_dir) if r["answers"]]
        if not runs:
            raise ValueError(f"no trained runs in {models_dir}/ (train one with 'bracketcloser train')")
        folder = Path(runs[0]["path"])
    else:
        folder = Path(name)
        if not folder.exists():
            runs = [r["name"] for r in list_runs(models_dir)][:5]
            known = ", ".join([*ARCHS, *ALSO_SHIPPED, "latest", *runs])
            raise ValueError(f"unknown model {name!r}: give one of {known}, or a run folder")
    model, vocab, cfg = load_run(folder)
    completer = Completer(model.to(device), vocab, name=name if shipped else folder.name)
    completer.folder, completer.config = None if shipped else folder, cfg  # folder: a run of the user's
    return completer
