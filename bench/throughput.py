"""Completions per second: batched decoding vs. a per-example, per-token loop vs. solve().

    python bench/throughput.py [--models RUN_OR_NAME ...] [--n 10000] [--loop-n 300]

The loop is how the original evaluated: for each example, for each answer token, run the
model on the whole sequence so far and take the last position (no batching, no cache).
It is timed on the first ``--loop-n`` prefixes (its cost per example does not depend on how
many there are); batched decoding and solve() on all ``--n``. Peak memory is the process's
peak resident set during each measurement (Linux's VmHWM, reset before each).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from bracketcloser.architectures import IGNORE
from bracketcloser.batch import prompt_batch
from bracketcloser.data import DISTS, generate
from bracketcloser.solver import solve
from bracketcloser.tokens import END
from common import models, write_result


def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


@torch.no_grad()
def per_token_loop(completer, prefixes: list[str]) -> list[str]:
    model, vocab = completer.model, completer.vocab
    answers = []
    for prefix in prefixes:
        seq, _ = prompt_batch([prefix], vocab)
        out = []
        for _ in range(completer._open_count(prefix) + 1):
            targets = torch.full_like(seq, IGNORE)
            targets[0, -1] = 0  # score only the last position: the one we read
            token = int(model(seq, targets)[0][0, -1].argmax())
            if token == END:
                break
            out.append(token)
            seq = torch.cat([seq, torch.tensor([[token]])], 1)
        answers.append(vocab.answer_text(out))
    return answers


def timed(fn, *args):
    reset_peak()
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start, peak_mb()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="*")
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--loop-n", type=int, default=300)
    p.add_argument("--train-steps", type=int, default=400, help="when no model is shipped, train this long")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--suite", default="seed", help="which prefixes to answer (default seed; shapes: the general range)")
    p.add_argument("--out", default="bench/results/throughput_shipped.json")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    examples = generate(args.suite, args.n, seed=0, split="test")
    prefixes = [ex.prefix for ex in examples]
    vocab = DISTS[args.suite].vocab
    _, t_solve, _ = timed(lambda ps: [solve(x, vocab) for x in ps], prefixes)
    results = {}
    for name, completer in models(args.models, args.train_steps).items():
        completer.complete(prefixes[:64])  # warm-up
        batched, t_batch, mem_batch = timed(completer.complete, prefixes)
        looped, t_loop, mem_loop = timed(per_token_loop, completer, prefixes[: args.loop_n])
        assert looped == batched[: args.loop_n], f"{name}: the loop and batched decoding disagree"
        row = {"params": completer.model.num_params(), "batched_per_s": args.n / t_batch,
               "loop_per_s": args.loop_n / t_loop, "solve_per_s": args.n / t_solve,
               "peak_rss_mb_batched": mem_batch, "peak_rss_mb_loop": mem_loop,
               "exact_match": sum(a == ex.answer for a, ex in zip(batched, examples, strict=True)) / args.n}
        row["batched_over_loop"] = row["batched_per_s"] / row["loop_per_s"]
        results[name] = row
        print(f"{name:<12} batched {row['batched_per_s']:>9,.0f}/s  loop {row['loop_per_s']:>7,.1f}/s  "
              f"ratio {row['batched_over_loop']:>6,.0f}x  peak {mem_batch or 0:,.0f} MB  "
              f"(solve {row['solve_per_s']:,.0f}/s)", flush=True)
    out = {"suite": args.suite, "n": args.n, "loop_n": args.loop_n, "solve_per_s": args.n / t_solve, "results": results}
    write_result(args.out, out, models=dict(zip(results, args.models or list(results), strict=True)))


if __name__ == "__main__":
    main()
