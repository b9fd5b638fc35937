"""Check that training and decoding work on a CUDA GPU, and measure decoding there.

    python bench/cuda_check.py [--steps 600] [--out bench/results/cuda_check.json]

For each architecture: train ``--steps`` steps on the GPU with the same loop as on a CPU,
then decode held-out ``seed`` prefixes on the GPU and on the CPU with the same weights and
count where the answers differ (they should not, up to float rounding between the two
devices), and time batched decoding of 10,000 prefixes on the GPU. Needs a CUDA device;
the project itself never does.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

import bracketcloser as bc
from bracketcloser.architectures import ARCHS
from bracketcloser.data import suite
from bracketcloser.evaluate import evaluate
from bracketcloser.train import TrainConfig, train
from common import write_result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--archs", nargs="*", default=list(ARCHS), choices=ARCHS)
    p.add_argument("--out", default="bench/results/cuda_check.json")
    args = p.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("cuda_check: no CUDA device here")
    prefixes = [ex.prefix for ex in suite("seed", 10_000, seed=0)]
    examples = suite("seed", 2_000, seed=0)
    results = {}
    for arch in args.archs:
        start = time.perf_counter()
        run = train(TrainConfig(arch=arch, steps=args.steps, device="cuda"), models_dir=tempfile.mkdtemp(), progress=False)
        train_s = time.perf_counter() - start
        info = json.loads((Path(run) / "training_info.json").read_text())
        gpu, cpu = bc.load(run, device="cuda"), bc.load(run, device="cpu")
        on_gpu, on_cpu = gpu.complete([e.prefix for e in examples]), cpu.complete([e.prefix for e in examples])
        gpu.complete(prefixes[:1000])  # warm-up
        torch.cuda.synchronize()
        start = time.perf_counter()
        gpu.complete(prefixes)
        torch.cuda.synchronize()
        rate = len(prefixes) / (time.perf_counter() - start)
        results[arch] = {"train_device": info["device"], "steps": info["steps"], "train_s": round(train_s, 1),
                         "steps_per_s": round(info["steps"] / info["train_time_s"], 1),
                         "exact_match_gpu": evaluate(gpu, examples)["exact_match"],
                         "answers_differing_gpu_vs_cpu": sum(a != b for a, b in zip(on_gpu, on_cpu, strict=True)),
                         "gpu_completions_per_s": round(rate)}
        print(arch, results[arch], flush=True)
    write_result(args.out, {"gpu": torch.cuda.get_device_name(), "results": results}, models={a: a for a in results})


if __name__ == "__main__":
    main()
