"""A trained model, ready to answer: ``Completer.complete(["{[(", "(()"]) -> [")]}", ")"]``."""

from __future__ import annotations

from pathlib import Path

import torch

from .architectures import BracketModel
from .batch import answer_texts, prompt_batch
from .solver import read_prefix
from .tokens import DEFAULT_VOCAB, Vocab


class Completer:
    """Wraps any architecture behind one method; batched greedy decoding underneath."""

    def __init__(self, model: BracketModel, vocab: Vocab = DEFAULT_VOCAB, name: str = "", batch_size: int = 1024):
        self.model, self.vocab, self.name, self.batch_size = model.eval(), vocab, name, batch_size
        self.device = next(model.parameters()).device
        self.folder: Path | None = None  # the run folder it was loaded from, if any
        self.config: dict = {}

    @property
    def max_prefix_len(self) -> int | None:
        """Longest prefix the model can answer in full: its stream limit, less ``input``,
        ``,output``, an answer as long as the prefix could need, and the end token."""
        limit = self.model.max_len
        return None if limit is None else (limit - 3) // 2

    def check(self, prefixes: list[str]) -> list[str]:
        """Clean and validate; ``ValueError`` names the prefix index, character and position."""
        if isinstance(prefixes, str):
            raise ValueError("complete() takes a list of prefixes, e.g. complete(['{[('])")
        out = []
        for i, p in enumerate(prefixes):
            try:
                if not isinstance(p, str):
                    raise ValueError(f"expected a string, got {type(p).__name__}")
                clean, _ = read_prefix(p, self.vocab)
            except ValueError as e:
                raise ValueError(f"prefix {i}: {e}") from None
            if self.max_prefix_len is not None and len(clean) > self.max_prefix_len:
                raise ValueError(f"prefix {i}: {len(clean)} brackets, longer than this model's limit of {self.max_prefix_len}")
            out.append(clean)
        return out

    @torch.inference_mode()
    def complete(self, prefixes: list[str]) -> list[str]:
        prefixes = self.check(prefixes)
        # batch prefixes of similar length together: less padding, less wasted compute
        order = sorted(range(len(prefixes)), key=lambda i: len(prefixes[i]))
        answers: list[str] = [""] * len(prefixes)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            chunk = [prefixes[i] for i in rows]
            idx, lengths = prompt_batch(chunk, self.vocab, self.device)
            # an answer is never longer than its prefix; +1 for the end token
            out = self.model.generate(idx, lengths, len(chunk[-1]) + 1)
            # each row keeps its own bound, so an answer never depends on its batch-mates
            for i, answer in zip(rows, answer_texts(out, [len(p) + 1 for p in chunk], self.vocab), strict=True):
                answers[i] = answer
        return answers

    @torch.no_grad()
    def explain(self, prefix: str, top: int = 3) -> list[list[tuple[str, float]]]:
        """Greedy decoding of one prefix, showing at each step the ``top`` candidate tokens
        and their probabilities (the first candidate is the one chosen)."""
        (prefix,) = self.check([prefix])
        idx, lengths = prompt_batch([prefix], self.vocab, self.device)
        logits, state = self.model.prefill(idx, lengths)
        steps = []
        for _ in range(len(prefix) + 1):
            probs = logits[0].softmax(-1)
            p, i = probs.topk(min(top, probs.numel()))
            steps.append([(self.vocab.tokens[j], float(q)) for q, j in zip(p.tolist(), i.tolist(), strict=True)])
            if steps[-1][0][0] in (",", "<pad>"):
                break
            logits, state = self.model.step(state, i[:1])
        return steps

    def __repr__(self) -> str:
        return f"Completer({self.name or type(self.model).__name__}, {self.model.num_params():,} parameters)"


PRETRAINED = Path(__file__).parent / "pretrained"


def load(name_or_path: str | Path = "latest", models_dir: str | Path = "models", device: str = "cpu") -> Completer:
    """A model ready to ``.complete(...)``: a shipped one by architecture name (``"gpt"``), the
    newest run in ``models_dir`` (``"latest"``), or a run folder."""
    from .architectures import ARCHS
    from .checkpoint import list_runs, load_run

    name = str(name_or_path)
    if name in ARCHS:
        folder = PRETRAINED / name
        if not (folder / "config.json").is_file():
            raise ValueError(f"no pretrained '{name}' is shipped in this version; train one with "
                             f"'bracketcloser train --arch {name}' and load its run folder")
    elif name == "latest":
        runs = list_runs(models_dir)
        if not runs:
            raise ValueError(f"no trained runs in {models_dir}/ (train one with 'bracketcloser train')")
        folder = Path(runs[0]["path"])
    else:
        folder = Path(name)
        if not folder.exists():
            runs = [r["name"] for r in list_runs(models_dir)][:5]
            known = ", ".join([*ARCHS, "latest", *runs])
            raise ValueError(f"unknown model {name!r}: give one of {known}, or a run folder")
    model, vocab, cfg = load_run(folder)
    shipped = name in ARCHS
    completer = Completer(model.to(device), vocab, name=name if shipped else folder.name)
    completer.folder, completer.config = None if shipped else folder, cfg  # folder: a run of the user's
    return completer
