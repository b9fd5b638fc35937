"""How fast each architecture trains, and how far that is from what this CPU can do.

    python bench/train_speed.py [--steps 40] [--archs gru lstm ...] [--dists general seed]
                                [--threads 1] [--out bench/results/train_speed.json]

In one run, on the same machine state:

1. **The ceiling**: a large float32 matmul (2048 x 2048) timed on the CPU: the most
   floating-point operations per second (FLOP/s) that PyTorch gets from these cores.
2. **Each architecture's training step**, exactly as ``train()`` takes it (draw the batch,
   forward, backward, clip, AdamW), for ``--steps`` steps on ``general`` and on ``seed``,
   twice: ``before`` (every batch drawn alone, bucket=1, the common settings: what training
   did before bucketing and per-architecture defaults) and ``after`` (this version's
   defaults for the architecture: batches bucketed by length, its own batch size and lr).
   Reported: examples/s, tokens/s (tokens that are not padding), the share of padded tokens,
   and model FLOP/s as a share of the ceiling. FLOPs per step are counted by
   ``torch.utils.flop_counter.FlopCounterMode`` on a real step, forward and backward (the
   matrix products: on the CPU the GRU's gates run as such products too; the LSTM's fused
   kernel is not seen, so its gates' products are counted by formula; the elementwise work,
   softmax and the optimizer are not counted, and cost little).

The ratios (``after / before``) come from one process, measured one after the other; the
machine is shared and noisy, so read them with a few percent of give.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from bracketcloser.architectures import ARCHS, build
from bracketcloser.batch import stream_batch
from bracketcloser.tokens import PAD
from bracketcloser.train import TrainConfig, batch_pool, train_vocab
from common import write_result


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
        return {"batch_size": cfg.batch_size, "lr": cfg.lr, "bucket": cfg.bucket, "steps": self.step - 2,
                "seconds": round(t, 3), "examples_per_s": round(self.examples / t, 1),
                "tokens_per_s": round(self.tokens / t, 1), "padded_share": round(self.padded / (self.tokens + self.padded), 4),
                "flop_per_s": round(flop_per_s), "share_of_ceiling": round(flop_per_s / peak, 5)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", default=list(ARCHS), choices=ARCHS)
    parser.add_argument("--dists", nargs="+", default=["general", "seed"], choices=["general", "seed", "dyck"])
    parser.add_argument("--steps", type=int, default=40, help="timed steps per side")
    parser.add_argument("--rounds", type=int, default=4, help="turns the two sides take")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all cores, as train())")
    parser.add_argument("--out", default="bench/results/train_speed.json")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    peak = ceiling()
    print(f"ceiling: {peak / 1e9:.1f} GFLOP/s float32 matmul on {torch.get_num_threads()} threads")
    rows = []
    for dist in args.dists:
        for arch in args.archs:
            before = TrainConfig(arch=arch, dist=dist, steps=1, bucket=1, batch_size=64, lr=3e-3, warmup_steps=50,
                                 weight_decay=0.01)
            after = TrainConfig(arch=arch, dist=dist, steps=1)
            sides = {"before": Stepper(before), "after": Stepper(after)}
            for _ in range(args.rounds):  # the two take turns, so that noise falls on both
                for stepper in sides.values():
                    stepper.run(args.steps // args.rounds)
            row = {"arch": arch, "dist": dist, **{side: st.result(peak) for side, st in sides.items()}}
            row["examples_per_s_ratio"] = round(row["after"]["examples_per_s"] / row["before"]["examples_per_s"], 2)
            rows.append(row)
            b, a = row["before"], row["after"]
            print(f"{dist:8s} {arch:12s} examples/s {b['examples_per_s']:8.1f} -> {a['examples_per_s']:8.1f} "
                  f"(x{row['examples_per_s_ratio']:.2f})  padded {b['padded_share']:.0%} -> {a['padded_share']:.0%}  "
                  f"ceiling share {b['share_of_ceiling']:.2%} -> {a['share_of_ceiling']:.2%}", flush=True)
    write_result(args.out, {"ceiling_flop_per_s": round(peak), "rows": rows})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
