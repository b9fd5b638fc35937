"""How quickly the playground answers: from a typed prefix to every shipped model's answer.

    python bench/app_latency.py [--n 30]      # -> bench/results/app_latency.json

Two measurements on the same prefixes (seeded, from the general range):

- ``server``: the page's own work, ``Lab.answers`` for the solver and every shipped model;
- ``browser``: in Debian's Chromium (Playwright), from filling the box to the answers table
  showing the new prefix's answers (the whole round trip through Gradio), each prefix typed
  once the page has drawn the last one; ``pictures_median_s``: until the inspected model's
  probabilities and attention maps are drawn too.

Models are loaded before timing (the page loads each once, on first use). Target: under 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

import torch

from bracketcloser.app import Lab
from bracketcloser.app.page import serve
from bracketcloser.architectures import ARCHS
from bracketcloser.data import DISTS
from common import write_result

CHROMIUM = "/usr/bin/chromium"  # Debian's; never one Playwright downloads
# headless, as root, with nothing reaching out to the network
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def prefixes(n: int) -> list[str]:
    rng, spec, out = random.Random("app_latency"), DISTS["general"], []
    while len(out) < n:
        ex = spec.sample(rng, spec.vocab)
        if ex.answer and (not out or ex.answer != out[-1][1]):  # each answer differs from the last
            out.append((ex.prefix, ex.answer))
    return out


def summary(seconds: list[float]) -> dict:
    s = sorted(seconds)
    return {"n": len(s), "median_s": round(statistics.median(s), 4), "p90_s": round(s[int(0.9 * (len(s) - 1))], 4),
            "max_s": round(s[-1], 4)}


def server_side(cases) -> dict:
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

    # the page served from this process, as `bracketcloser app` serves it (returns once it is up)
    app = serve(port=None, block=False)  # Gradio picks a free port
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            page = browser.new_page()
            page.set_default_timeout(60_000)
            page.goto(app.local_url)
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
                page.wait_for_function("""([answer, rows]) => {
                    const t = document.querySelector('#answers')?.innerText ?? '';
                    const lines = t.split('\\n').map(l => l.trim()).filter(l => l);
                    return lines.includes(answer) && lines.filter(l => l === '✓' || l === '✗').length === rows;
                }""", arg=[answer, n_models + 1])
                answered = time.perf_counter()
                page.wait_for_timeout(100)  # the pictures start after the table
                page.wait_for_function(idle)
                if i:  # the first fill loads every model: not timed
                    times.append(answered - started)
                    pictures.append(time.perf_counter() - started)
            browser.close()
    finally:
        app.close()
    return {**summary(times), "pictures_median_s": round(statistics.median(pictures), 4)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=30)
    p.add_argument("--out", default="bench/results/app_latency.json")
    args = p.parse_args()
    torch.set_num_threads(2)
    cases = prefixes(args.n)
    result = {"prefixes": "general range, seeded ('app_latency')",
              "server": server_side(cases), "browser": in_browser(cases), "target_s": 0.5}
    write_result(args.out, result, models={arch: arch for arch in ARCHS})
    print(json.dumps({k: result[k] for k in ("server", "browser")}, indent=2))


if __name__ == "__main__":
    main()
