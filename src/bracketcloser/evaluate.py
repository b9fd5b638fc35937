"""Measure a model honestly: exact match (the original's criterion, order included) with a
95% Wilson interval, per-token accuracy, and exact match broken down by answer length,
prefix length and nesting depth. One function for every architecture."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from .data import BBH_VOCAB, Example
from .files import atomic_write_json, atomic_write_text
from .inference import Completer
from .solver import max_depth
from .text import say

PREFIX_BUCKETS = [(1, 10), (11, 20), (21, 40), (41, 60), (61, 80), (81, 10**9)]


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval for k successes in n trials: unlike the normal
    approximation it stays inside [0, 1] and is sensible at 0% and 100%."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def token_accuracy(predicted: str, expected: str) -> tuple[int, int]:
    """(correct, total) over the expected answer and its end token, position by position."""
    end = "\0"
    return sum(a == b for a, b in zip(predicted + end, expected + end, strict=False)), len(expected) + 1


def prefix_bucket(n: int) -> tuple[int, int]:
    """The bucket of PREFIX_BUCKETS that a prefix of ``n`` brackets falls in ((0, 0): empty)."""
    return next(b for b in PREFIX_BUCKETS if b[0] <= n <= b[1]) if n > 0 else (0, 0)


def bucket_name(bucket: tuple[int, int]) -> str:
    lo, hi = bucket
    return f"{lo}+" if hi == 10**9 else f"{lo}-{hi}"


def _breakdown(records: list[dict], key, name=str) -> dict:
    """Exact match per group, in the order of the groups' keys: ``key`` gives a record's number
    (or bucket), ``name`` the group's label in the report."""
    groups: dict = defaultdict(list)
    for r in records:
        groups[key(r)].append(r["correct"])
    return {name(k): {"n": len(groups[k]), "exact_match": sum(groups[k]) / len(groups[k])} for k in sorted(groups)}


def evaluate(completer: Completer, examples: list[Example]) -> dict:
    """Score ``completer`` on ``examples`` (expected answers from the solver). Examples the
    model cannot read (a bracket its vocabulary lacks, or a prefix past its length limit) are
    scored wrong and counted as ``unsupported``."""
    if not examples:
        raise ValueError("no examples to evaluate")
    known = set("".join(completer.vocab.pairs))
    supported = [i for i, ex in enumerate(examples) if set(ex.prefix) <= known and completer.can_read(ex.prefix)]
    predicted = [None] * len(examples)
    for i, answer in zip(supported, completer.complete([examples[i].prefix for i in supported], warn=False), strict=True):
        predicted[i] = answer
    records = []
    correct_tokens = total_tokens = 0
    for ex, pred in zip(examples, predicted, strict=True):
        ok = pred == ex.answer
        c, t = token_accuracy(pred or "", ex.answer) if pred is not None else (0, len(ex.answer) + 1)
        correct_tokens, total_tokens = correct_tokens + c, total_tokens + t
        records.append({"input": ex.prefix, "predicted": pred, "expected": ex.answer, "correct": ok,
                        "depth": max_depth(ex.prefix, BBH_VOCAB), "answer_length": len(ex.answer)})
    n, k = len(records), sum(r["correct"] for r in records)
    lo, hi = wilson(k, n)
    return {
        "exact_match": k / n if n else 0.0, "n": n, "correct": k, "ci95": [lo, hi],
        "token_accuracy": correct_tokens / total_tokens if total_tokens else 0.0,
        "unsupported": n - len(supported),
        "by_answer_length": _breakdown(records, lambda r: r["answer_length"]),
        "by_prefix_length": _breakdown(records, lambda r: prefix_bucket(len(r["input"])), bucket_name),
        "by_depth": _breakdown(records, lambda r: r["depth"]),
        "records": records,
    }


def result_line(r: dict) -> str:
    """One problem in the original's form."""
    pred = "(unsupported brackets)" if r["predicted"] is None else r["predicted"]
    mark = "correct" if r["correct"] else "incorrect"
    return f"Input: {r['input']}, Predicted Output: {pred}, Expected Output: {r['expected']} [{mark}]"


def write_results(folder: str | Path, name: str, report: dict) -> tuple[Path, Path]:
    """``folder/<name>_<timestamp>.txt`` (one problem per line) and ``.json`` beside it."""
    stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
    base = Path(folder) / f"{name}_{stamp}"
    lines = [result_line(r) for r in report["records"]]
    summary = f"Exact match: {report['exact_match']:.4f} ({report['correct']}/{report['n']})"
    atomic_write_text(base.with_suffix(".txt"), "\n".join(lines + ["", summary]) + "\n")
    atomic_write_json(base.with_suffix(".json"), report)
    return base.with_suffix(".txt"), base.with_suffix(".json")


def summary_text(report: dict, title: str, lang: str = "en") -> str:
    """A report in a few lines, in English or Japanese (``bracketcloser evaluate``, the demo)."""
    lo, hi = report["ci95"]
    out = [say("summary", lang, title=title, em=report["exact_match"], correct=report["correct"], n=report["n"],
               lo=lo, hi=hi, tok=report["token_accuracy"])]
    if report.get("excluded"):
        out.append(say("excluded", lang, n=report["excluded"]))
    if report["unsupported"]:
        out.append(say("unsupported", lang, n=report["unsupported"]))
    for name in ("by_answer_length", "by_prefix_length", "by_depth"):
        cells = ", ".join(f"{k}: {v['exact_match']:.0%} ({v['n']})" for k, v in report[name].items())
        out.append(f"  {say(name, lang)}: {cells}")
    return "\n".join(out)
