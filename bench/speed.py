"""How fast: answering (batched against a per-token loop), training, and the playground.

    python bench/speed.py answer [--models RUN_OR_NAME ...] [--suite shapes] [--n 10000]
                                 [--loop-n 300]           # -> bench/results/throughput_shipped.json
    python bench/speed.py train  [--archs gru lstm ...] [--dists general seed] [--steps 40]
                                                          # -> bench/results/train_speed.json
    python bench/speed.py app    [--n 30]                 # -> bench/results/app_latency.json
    python bench/speed.py threads [--recipes gru lstm] [--steps 60]
                                                          # -> bench/results/train_threads.json
    python bench/speed.py settings --arch bert --variant "" --variant batch_size=32 [--dist seed]
                                                          # -> bench/results/ab/speed_bert_settings.json

**answer**: completions per second, batched decoding against a per-example, per-token loop
(how the original evaluated: for each example, for each answer token, run the model on the
whole sequence so far and take the last position; no batching, no cache) and solve(). The
loop is timed on the first ``--loop-n`` prefixes (its cost per example does not depend on how
many there are), batched decoding and solve() on all ``--n``. Peak memory is the process's
peak resident set during each measurement (Linux's VmHWM, reset before each).

**train**: each architecture's training step, exactly as ``train()`` takes it (draw the
batch, forward, backward, clip, AdamW), on ``general`` and on ``seed``, twice: ``before``
(every batch drawn alone, bucket=1, the common settings: what training did before bucketing
and per-architecture defaults) and ``after`` (this version's defaults for the architecture),
the two taking turns so that the machine's noise falls on both. Reported: examples/s,
tokens/s (tokens that are not padding), the share of padded tokens, and model FLOP/s as a
share of **the ceiling**, a large float32 matmul (2048 x 2048) timed in the same run. FLOPs
per step are counted by ``torch.utils.flop_counter.FlopCounterMode`` on a real step, forward
and backward (the LSTM's fused kernel is not seen, so its gates' products are counted by
formula; elementwise work, softmax and the optimizer are not counted, and cost little).

**threads**: how best to spend the machine's two cores on training, for each recipe's model:
``one, 1 thread`` (one training, the other core idle), ``one, 2 threads`` (one training on
both cores) and ``two, 1 thread each`` (two trainings side by side, each in its own process:
how the recipes are run). The three take turns in rounds, never overlapping, each
timing the same batches (the same model from the same seed). Reported: steps/s of each training
and of the machine (the sum), and what a fixed time buys: one model's steps on two threads
against on one, and the steps of two models side by side against one model on two threads.
Run it on a quiet machine: anything else running takes cores from one side.

**settings**: one architecture's training step under each ``--variant`` (``train --set``
settings), the variants taking turns in rounds on one thread: how many steps each makes in the
time the first makes its own, so that an equal-step A/B can be run at equal time.

**app**: from a typed prefix to every shipped model's answer. ``server``: the page's own
work, ``Lab.answers`` for the solver and every shipped model; ``browser``: in Debian's
Chromium (Playwright), from filling the box to the answers table showing the new prefix's
answers (the whole round trip through Gradio), each prefix typed once the page has drawn the
last one; ``pictures_median_s``: until the inspected model's probabilities and attention maps
are drawn too. Models are loaded before timing. Target: under 0.5 s.

Speeds are ratios measured in one process; the machine is shared and noisy, so read them with
a few percent of give (each result's provenance records the load average).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from bracketcloser.architectures import ARCHS, IGNORE, build
from bracketcloser.batch import prompt_batch, stream_batch
from bracketcloser.data import DISTS, generate
from bracketcloser.recipes import read_recipe
from bracketcloser.solver import solve
from bracketcloser.tokens import END, PAD
from bracketcloser.train import TrainConfig, batch_pool, train_vocab
from common import models, write_result

CHROMIUM = "/usr/bin/chromium"  # Debian's; never one Playwright downloads
# headless, as root, with nothing reaching out to the network
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


# -- answer: batched decoding against the original's loop ---------------------------------------


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


def answer(args) -> None:
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
        row = {
            "params": completer.model.num_params(),
            "batched_per_s": args.n / t_batch,
            "loop_per_s": args.loop_n / t_loop,
            "solve_per_s": args.n / t_solve,
            "peak_rss_mb_batched": mem_batch,
            "peak_rss_mb_loop": mem_loop,
            "exact_match": sum(a == ex.answer for a, ex in zip(batched, examples, strict=True)) / args.n,
        }
        row["batched_over_loop"] = row["batched_per_s"] / row["loop_per_s"]
        results[name] = row
        print(
            f"{name:<12} batched {row['batched_per_s']:>9,.0f}/s  loop {row['loop_per_s']:>7,.1f}/s  "
            f"ratio {row['batched_over_loop']:>6,.0f}x  peak {mem_batch or 0:,.0f} MB  "
            f"(solve {row['solve_per_s']:,.0f}/s)",
            flush=True,
        )
    out = {"suite": args.suite, "n": args.n, "loop_n": args.loop_n, "solve_per_s": args.n / t_solve, "results": results}
    write_result(
        args.out or "bench/results/throughput_shipped.json",
        out,
        models=dict(zip(results, args.models or list(results), strict=True)),
    )


# -- train: a training step, before and after this version's defaults ---------------------------


def ceiling(n: int = 2048, repeat: int = 10) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b  # warm-up
    start = time.perf_counter()
    for _ in range(repeat):
        a @ b
    return 2 * n**3 * repeat / (time.perf_counter() - start)


def unseen_recurrent_flops(model, idx, seen: dict) -> float:
    """Forward and backward FLOPs of recurrent layers whose fused kernel the counter did not
    see (the LSTM's, on the CPU): per token and layer, 2 * gates * (input + hidden) * hidden
    for the gates' products, times 3 for forward and backward."""
    total = 0.0
    for name, module in model.named_modules():
        counted = sum(seen.get(f"{type(model).__name__}.{name}", {}).values())
        if isinstance(module, torch.nn.RNNBase) and not counted:
            gates = {"GRU": 3, "LSTM": 4}[module.mode]
            for layer in range(module.num_layers):
                inputs = module.input_size if layer == 0 else module.hidden_size
                total += 3 * 2 * gates * (inputs + module.hidden_size) * module.hidden_size * idx.numel()
    return total


def step_flops(model, optimizer, idx, targets) -> float:
    with FlopCounterMode(display=False) as counter:
        _, loss = model(idx, targets)
        loss.backward()
    optimizer.zero_grad(set_to_none=True)
    return counter.get_total_flops() + unseen_recurrent_flops(model, idx, counter.get_flop_counts())


class Stepper:
    """Training steps as train() takes them (draw the batch, forward, backward, clip, AdamW),
    timed in rounds so that two settings can take turns on the machine."""

    def __init__(self, cfg: TrainConfig):
        torch.manual_seed(cfg.seed)
        self.cfg, self.vocab = cfg, train_vocab(cfg)
        self.model = build(cfg.arch, vocab_size=self.vocab.size, **cfg.model)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, fused=True)
        self.model.train()
        self.step, self.drawn = 0, {}
        self.examples = self.tokens = self.padded = 0
        self.elapsed = self.flops_per_token = 0.0
        self.run(2, timed=False)  # warm-up: first calls allocate and pick kernels
        idx, targets = self._batch()  # FLOPs per token read, on one real batch
        self.flops_per_token = step_flops(self.model, self.optimizer, idx, targets) / idx.numel()

    def _batch(self):
        pool, offset = divmod(self.step, self.cfg.bucket)
        if pool != self.drawn.get("pool"):
            self.drawn = {"pool": pool, "batches": batch_pool(self.cfg, pool, self.vocab, None, 1.0)}
        self.batch = self.drawn["batches"][offset]
        return stream_batch(self.batch, self.vocab, self.cfg.loss_on)

    def run(self, steps: int, timed: bool = True) -> None:
        for _ in range(steps):
            start = time.perf_counter()
            idx, targets = self._batch()
            _, loss = self.model(idx, targets)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.grad_clip)
            self.optimizer.step()
            loss.item()
            self.step += 1
            if timed:
                self.elapsed += time.perf_counter() - start
                real = int((idx != PAD).sum())
                self.examples += len(self.batch)
                self.tokens, self.padded = self.tokens + real, self.padded + idx.numel() - real

    def result(self, peak: float) -> dict:
        cfg, t = self.cfg, self.elapsed
        flop_per_s = self.flops_per_token * (self.tokens + self.padded) / t
        return {
            "batch_size": cfg.batch_size,
            "lr": cfg.lr,
            "bucket": cfg.bucket,
            "steps": self.step - 2,
            "seconds": round(t, 3),
            "examples_per_s": round(self.examples / t, 1),
            "tokens_per_s": round(self.tokens / t, 1),
            "padded_share": round(self.padded / (self.tokens + self.padded), 4),
            "flop_per_s": round(flop_per_s),
            "share_of_ceiling": round(flop_per_s / peak, 5),
        }


def train_speed(args) -> None:
    if args.threads:
        torch.set_num_threads(args.threads)
    peak = ceiling()
    print(f"ceiling: {peak / 1e9:.1f} GFLOP/s float32 matmul on {torch.get_num_threads()} threads")
    rows = []
    for dist in args.dists:
        for arch in args.archs:
            before = TrainConfig(
                arch=arch, dist=dist, steps=1, bucket=1, batch_size=64, lr=3e-3, warmup_steps=50, weight_decay=0.01
            )
            after = TrainConfig(arch=arch, dist=dist, steps=1)
            sides = {"before": Stepper(before), "after": Stepper(after)}
            for _ in range(args.rounds):  # the two take turns, so that noise falls on both
                for stepper in sides.values():
                    stepper.run(args.steps // args.rounds)
            row = {"arch": arch, "dist": dist, **{side: st.result(peak) for side, st in sides.items()}}
            row["examples_per_s_ratio"] = round(row["after"]["examples_per_s"] / row["before"]["examples_per_s"], 2)
            rows.append(row)
            b, a = row["before"], row["after"]
            print(
                f"{dist:8s} {arch:12s} examples/s {b['examples_per_s']:8.1f} -> {a['examples_per_s']:8.1f} "
                f"(x{row['examples_per_s_ratio']:.2f})  padded {b['padded_share']:.0%} -> {a['padded_share']:.0%}  "
                f"ceiling share {b['share_of_ceiling']:.2%} -> {a['share_of_ceiling']:.2%}",
                flush=True,
            )
    write_result(args.out or "bench/results/train_speed.json", {"ceiling_flop_per_s": round(peak), "rows": rows})


def settings_speed(args) -> None:
    """Each ``--variant`` (comma-separated KEY=VALUE settings, as ``train --set`` takes them; an
    empty string is the defaults) stepping as train() does, the variants taking turns in rounds;
    the steps each makes in a given time, as a ratio to the first's: what equal time buys
    when an equal-step A/B (settings_ab.py) is to stand for equal time."""
    from bracketcloser.cli import UsageError, _key_values

    torch.set_num_threads(1)
    sides = {}
    for variant in args.variant:
        sets = [s for s in variant.split(",") if s]
        try:
            cfg = TrainConfig.from_dict({"arch": args.arch, "dist": args.dist, "steps": 1, **_key_values(sets)})
        except (UsageError, TypeError, ValueError) as e:
            raise SystemExit(f"error: --variant {variant!r}: {e}") from None
        sides[variant or "(defaults)"] = Stepper(cfg)
    for _ in range(args.rounds):
        for stepper in sides.values():
            stepper.run(args.steps)
    first = next(iter(sides.values()))
    rows = []
    for name, st in sides.items():
        ms = 1000 * st.elapsed / (st.step - 2)
        rows.append({"variant": name, "ms_per_step": round(ms, 2), "steps_ratio": round(first.elapsed / st.elapsed, 3),
                     "examples_per_s": round(st.examples / st.elapsed, 1),
                     "params": sum(p.numel() for p in st.model.parameters())})
        print(f"{name:40s} {ms:7.1f} ms/step  x{rows[-1]['steps_ratio']:.2f} steps in equal time", flush=True)
    write_result(args.out or f"bench/results/ab/speed_{args.arch}_settings.json",
                 {"arch": args.arch, "dist": args.dist, "steps_per_round": args.steps, "rounds": args.rounds, "rows": rows})

# -- threads: one training on two cores, or two trainings on one core each -----------------------


def recipe_config(name: str, steps: int) -> TrainConfig:
    """A recipe's training, drawing from its whole range at every step (no curriculum), so that
    steps timed early and late cost the same."""
    return TrainConfig.from_dict({**read_recipe(name), "steps": steps, "curriculum": 0.0})


def _side_by_side(name: str, steps: int, rounds: int, start, done, conn) -> None:
    """A worker: one thread, its own training. Each round it waits until the main process has
    timed its own turn (``start``), times its steps beside the other worker, and waits for the
    other to finish too (``done``) before reporting, so that no two ways ever overlap."""
    torch.set_num_threads(1)
    stepper = Stepper(recipe_config(name, steps))
    for _ in range(rounds):
        start.wait()
        began = time.perf_counter()
        stepper.run(steps, timed=False)
        took = time.perf_counter() - began
        done.wait()
        conn.send(took)
    conn.close()


def train_threads(args) -> None:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    rows = []
    for name in args.recipes:
        # every way trains the same model from the same seed, so that each round times the same
        # batches (the same lengths, the same padding) in each
        alone = {threads: Stepper(recipe_config(name, args.steps)) for threads in (1, 2)}
        seconds = {1: 0.0, 2: 0.0}
        start, done = ctx.Barrier(3), ctx.Barrier(3)  # the two workers and this process
        pipes = [ctx.Pipe(duplex=False) for _ in range(2)]
        workers = [ctx.Process(target=_side_by_side, args=(name, args.steps, args.rounds, start, done, send))
                   for _, send in pipes]
        for w in workers:
            w.start()
        pair = []
        for r in range(args.rounds):  # the three ways take turns, so that the machine's noise falls on all
            for threads in ((1, 2) if r % 2 == 0 else (2, 1)):  # the two alone alternate which goes first
                torch.set_num_threads(threads)
                began = time.perf_counter()
                alone[threads].run(args.steps, timed=False)
                seconds[threads] += time.perf_counter() - began
            torch.set_num_threads(1)
            start.wait()  # the workers' turn; this process only waits
            done.wait()
            pair.append([recv.recv() for recv, _ in pipes])  # both workers' times for this round
        for w in workers:
            w.join()
        each = [sum(times[i] for times in pair) for i in range(2)]
        steps = args.steps * args.rounds
        row = {
            "recipe": name,
            "timed_steps_per_training": steps,
            "steps_per_s": {
                "one, 1 thread": round(steps / seconds[1], 2),
                "one, 2 threads": round(steps / seconds[2], 2),
                "two, 1 thread each": [round(steps / t, 2) for t in each],
            },
        }
        one1, one2 = row["steps_per_s"]["one, 1 thread"], row["steps_per_s"]["one, 2 threads"]
        machine = sum(row["steps_per_s"]["two, 1 thread each"])
        row["machine_steps_per_s"] = {"one, 1 thread": one1, "one, 2 threads": one2, "two, 1 thread each": round(machine, 2)}
        row["two_threads_over_one"] = round(one2 / one1, 3)  # one model, same time: steps it gets
        row["side_by_side_over_two_threads"] = round(machine / one2, 3)  # the machine, same time: steps done
        rows.append(row)
        print(
            f"{name}: steps/s one 1 thread {one1:.2f}, one 2 threads {one2:.2f} (x{row['two_threads_over_one']:.2f}), "
            f"two side by side {machine:.2f} in all (x{row['side_by_side_over_two_threads']:.2f} of one on 2 threads)",
            flush=True,
        )
    write_result(args.out or "bench/results/train_threads.json", {"rows": rows})


# -- app: the playground, from a typed prefix to the answers -------------------------------------


def prefixes(n: int) -> list[str]:
    rng, spec, out = random.Random("app_latency"), DISTS["general"], []
    while len(out) < n:
        ex = spec.sample(rng, spec.vocab)
        if ex.answer and (not out or ex.answer != out[-1][1]):  # each answer differs from the last
            out.append((ex.prefix, ex.answer))
    return out


def summary(seconds: list[float]) -> dict:
    s = sorted(seconds)
    return {
        "n": len(s),
        "median_s": round(statistics.median(s), 4),
        "p90_s": round(s[int(0.9 * (len(s) - 1))], 4),
        "max_s": round(s[-1], 4),
    }


def server_side(cases) -> dict:
    from bracketcloser.app import Lab  # Gradio loads only for this measurement

    lab = Lab()
    names = lab.shipped()
    lab.answers("((", names)  # load every model once
    times = []
    for prefix, _ in cases:
        started = time.perf_counter()
        lab.answers(prefix, names)
        times.append(time.perf_counter() - started)
    return {"models": names, **summary(times)}


def in_browser(cases) -> dict:
    from playwright.sync_api import sync_playwright

    from bracketcloser.app import Lab
    from bracketcloser.app.page import serve

    # the page served from this process, as `bracketcloser app` serves it (returns once it is up)
    served = serve(port=None, block=False)  # Gradio picks a free port
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            page = browser.new_page()
            page.set_default_timeout(60_000)
            page.goto(served.local_url)
            box = page.locator("#prefix textarea")
            n_models = len(Lab().shipped())
            times, pictures = [], []
            idle = "!document.body.innerText.includes('processing')"
            for i, (prefix, answer) in enumerate([("((", "))"), *cases]):
                page.wait_for_function(idle)  # a learner types the next prefix once the page has drawn the last
                page.wait_for_timeout(300)
                page.wait_for_function(idle)
                started = time.perf_counter()
                box.fill(prefix)
                # the solver's row and every model's row are in, for this prefix
                page.wait_for_function(
                    """([answer, rows]) => {
                    const t = document.querySelector('#answers')?.innerText ?? '';
                    const lines = t.split('\\n').map(l => l.trim()).filter(l => l);
                    return lines.includes(answer) && lines.filter(l => l === '✓' || l === '✗').length === rows;
                }""",
                    arg=[answer, n_models + 1],
                )
                answered = time.perf_counter()
                page.wait_for_timeout(100)  # the pictures start after the table
                page.wait_for_function(idle)
                if i:  # the first fill loads every model: not timed
                    times.append(answered - started)
                    pictures.append(time.perf_counter() - started)
            browser.close()
    finally:
        served.close()
    return {**summary(times), "pictures_median_s": round(statistics.median(pictures), 4)}


def app(args) -> None:
    torch.set_num_threads(2)
    cases = prefixes(args.n)
    result = {
        "prefixes": "general range, seeded ('app_latency')",
        "server": server_side(cases),
        "browser": in_browser(cases),
        "target_s": 0.5,
    }
    write_result(args.out or "bench/results/app_latency.json", result, models={arch: arch for arch in ARCHS})
    print(json.dumps({k: result[k] for k in ("server", "browser")}, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("answer", help="completions per second: batched, the per-token loop, solve()")
    p.add_argument("--models", nargs="*")
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--loop-n", type=int, default=300)
    p.add_argument("--train-steps", type=int, default=400, help="when no model is shipped, train this long")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--suite", default="seed", help="which prefixes to answer (default seed; shapes: the general range)")
    p.set_defaults(run=answer)
    p = sub.add_parser("train", help="training steps per second, before and after this version's defaults")
    p.add_argument("--archs", nargs="+", default=list(ARCHS), choices=ARCHS)
    p.add_argument("--dists", nargs="+", default=["general", "seed"], choices=["general", "seed", "dyck"])
    p.add_argument("--steps", type=int, default=40, help="timed steps per side")
    p.add_argument("--rounds", type=int, default=4, help="turns the two sides take")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own, all cores; train() uses one)")
    p.set_defaults(run=train_speed)
    p = sub.add_parser("settings", help="training steps per second of settings side by side (equal time from equal steps)")
    p.add_argument("--arch", required=True, choices=ARCHS)
    p.add_argument("--dist", default="seed", choices=["general", "seed", "dyck"])
    p.add_argument("--variant", action="append", required=True, help="KEY=VALUE,...; an empty string is the defaults")
    p.add_argument("--steps", type=int, default=150, help="timed steps per variant per round")
    p.add_argument("--rounds", type=int, default=3, help="turns the variants take")
    p.set_defaults(run=settings_speed)
    p = sub.add_parser("threads", help="one training on two threads, or two trainings side by side")
    p.add_argument("--recipes", nargs="+", default=["gru", "lstm"])
    p.add_argument("--steps", type=int, default=60, help="timed steps per side per round")
    p.add_argument("--rounds", type=int, default=3, help="turns the three take")
    p.set_defaults(run=train_threads)
    p = sub.add_parser("app", help="the playground's answer time, in the page and in Chromium")
    p.add_argument("--n", type=int, default=30)
    p.set_defaults(run=app)
    for p in sub.choices.values():
        p.add_argument("--out", help="default: the result file named above")
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
