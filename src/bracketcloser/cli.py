"""The ``bracketcloser`` command: one program, one subcommand per job.

Every user mistake (a bad flag, a bad bracket, a malformed file) ends in one line on stderr
and exit status 2; a traceback means a bug in bracketcloser, not in what you typed.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .data import DISTRIBUTIONS, SAMPLERS, generate, seed_label_error_rate
from .examples import README_EXAMPLES
from .files import read_json, write_dataset
from .models import ARCHS
from .solver import solve
from .tokens import DEFAULT_VOCAB, format_example
from .train import BUDGETS, TRAIN_DISTS


class UsageError(Exception):
    """A mistake in what the user asked for: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of argparse's usage + error
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _cmd_generate(args) -> int:
    if args.samples < 1:
        raise UsageError(f"--samples must be at least 1, got {args.samples}")
    examples = generate(args.dist, args.samples, args.seed, split=args.split)
    try:
        folder = write_dataset(args.out, examples, DEFAULT_VOCAB, name=f"{args.dist}_{args.split}")
    except OSError as e:
        raise UsageError(f"cannot write to {args.out}: {e.strerror}") from None
    print(f"wrote {len(examples)} '{args.dist}' examples (seed {args.seed}, split {args.split}) to {folder}/")
    for sub in ("original", "tokenize", "preprocessed"):
        print(f"  {folder / sub / f'{args.dist}_{args.split}.json'}")
    return 0


def _cmd_demo(args) -> int:
    print("The task: given the start of a bracket sequence, answer the brackets that close it.\n")
    print("The exact solver (a stack) on the 21 examples of the original project's README:")
    for prefix, expected in README_EXAMPLES:
        predicted = solve(prefix)
        mark = "correct" if predicted == DEFAULT_VOCAB.clean(expected) else "INCORRECT"
        print(f"  Input: {prefix}, Predicted Output: {predicted}, Expected Output: {expected}  [{mark}]")
    rate = seed_label_error_rate(20_000, seed=args.seed)
    print(f"\nThe original's generator labels {rate:.1%} of its own examples wrongly (checked on 20,000);")
    print("bracketcloser keeps its prefixes and labels every example with the solver.\n")
    for dist in DISTRIBUTIONS:
        examples = generate(dist, 5, args.seed)
        print(f"Five '{dist}' training examples (seed {args.seed}):")
        for ex in examples:
            print(f"  {format_example(ex.prefix, ex.answer)}")
    print("\nNext: bracketcloser generate --dist seed --samples 300 --seed 0 --out data/seed")
    return 0


def _parse_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _cmd_train(args) -> int:
    from .train import Interrupted, TrainConfig, train

    if args.resume:
        given = [flag for flag, value in [("--arch", args.arch), ("--params", args.params), ("--set", args.set),
                                          ("--steps", args.steps), ("--samples", args.samples)] if value]
        if given:
            raise UsageError(f"--resume continues a run with its own settings; drop {', '.join(given)}")
        cfg = None
    else:
        settings = {}
        if args.params:
            settings = read_json(args.params)
            if not isinstance(settings, dict):
                raise UsageError(f"{args.params}: expected a JSON object of settings")
        for key in ("arch", "dist", "time", "steps", "samples", "seed", "batch_size", "lr", "device"):
            if getattr(args, key) is not None:
                settings[key] = getattr(args, key)
        for item in args.set or []:
            key, sep, value = item.partition("=")
            if not sep:
                raise UsageError(f"--set takes KEY=VALUE, got {item!r}")
            settings[key.replace("-", "_")] = _parse_value(value)
        try:
            cfg = TrainConfig.from_dict(settings)
        except TypeError as e:
            raise UsageError(str(e)) from None
    try:
        run_dir = train(cfg, models_dir=args.models_dir, resume=args.resume, progress=not args.quiet, argv=args.argv)
    except Interrupted as stop:
        print(f"\ninterrupted at step {stop.step}; saved. Resume with:\n  bracketcloser train --resume {stop.run_dir}",
              file=sys.stderr)
        return 130
    info = read_json(run_dir / "training_info.json")
    print(f"trained {run_dir.name}: {info['steps']} steps in {info['train_time_s']:.0f} s, "
          f"best validation exact match {info['best_val_exact_match']:.3f} (step {info['best_step']})")
    print(f"  run folder: {run_dir}/  (plot: training_history.png, logs: tensorboard --logdir {run_dir}/tensorboard)")
    return 0


def _cmd_models(args) -> int:
    from .checkpoint import list_runs

    runs = list_runs(args.models_dir)
    if not runs:
        print(f"no runs in {args.models_dir}/ yet: try 'bracketcloser train --arch gpt --time 1min'")
        return 0
    print(f"{'name':<38} {'arch':<12} {'params':>9} {'steps':>7} {'best val EM':>11}")
    for r in runs:
        em = "-" if r["best_val_exact_match"] is None else f"{r['best_val_exact_match']:.3f}"
        print(f"{r['name']:<38} {r['arch']:<12} {r['params'] or 0:>9,} {r['steps'] or 0:>7} {em:>11}")
    return 0


def _not_built(issue: str):
    def run(args) -> int:
        print(f"bracketcloser {args.command}: not built yet (planned: {issue}).", file=sys.stderr)
        return 2
    return run


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="bracketcloser",
        description="Train five kinds of language model (GRU, LSTM, Transformer, BERT, GPT) to close brackets, "
        "and measure them against the exact answer.",
        epilog="Start with 'bracketcloser demo'. Each subcommand has its own --help.",
    )
    p.add_argument("--version", action="version", version=f"bracketcloser {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    d = sub.add_parser("demo", help="the main job: show the task, the solver and the data")
    d.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    d.set_defaults(run=_cmd_demo)

    g = sub.add_parser(
        "generate", help="write a dataset in the original's three-folder layout",
        description="Generate seeded examples and write DIR/original, DIR/tokenize and DIR/preprocessed. "
        "The same seed always writes byte-identical files.",
    )
    g.add_argument("--dist", choices=sorted(SAMPLERS), default="seed",
                   help="seed: the original's distribution; dyck: general completion (length 1-40, depth <= 10); "
                   "long/deep: the evaluation shapes (default seed)")
    g.add_argument("--samples", type=int, default=300, help="number of examples (default 300, as the original)")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument("--split", choices=["train", "valid", "test"], default="train",
                   help="which prefixes to draw: every prefix belongs to exactly one split (default train)")
    g.add_argument("--out", required=True, metavar="DIR", help="dataset folder to write")
    g.set_defaults(run=_cmd_generate)

    t = sub.add_parser(
        "train", help="train a model (--arch, --time, --samples, --params, --resume)",
        description="Train one architecture on generated brackets. Progress is shown as it runs; the run is "
        "saved in MODELS_DIR/<arch>_<date>_<time>_<minutes>m/ with its weights, config, history, plot and "
        "TensorBoard logs. Ctrl-C saves and prints how to resume.",
        epilog="Settings are applied in order: defaults, --params FILE, the flags, then --set. "
        "Example: bracketcloser train --arch lstm --time 10min --dist dyck --set n_hidden=256",
    )
    t.add_argument("--arch", choices=ARCHS, help="architecture (default gpt)")
    t.add_argument("--time", choices=list(BUDGETS), help="wall-clock budget, as the original named them (default 1min)")
    t.add_argument("--steps", type=int, help="train this many steps instead of a time budget")
    t.add_argument("--dist", choices=list(TRAIN_DISTS), help="training data: seed (the original's) or dyck (default seed)")
    t.add_argument("--samples", type=int, help="train on a fixed set of N examples, as the original (default: a fresh stream)")
    t.add_argument("--seed", type=int, help="random seed for data and initialisation (default 0)")
    t.add_argument("--batch-size", type=int, dest="batch_size", help="examples per step (default 64)")
    t.add_argument("--lr", type=float, help="peak learning rate (default 3e-3)")
    t.add_argument("--device", help="auto, cpu or cuda (default auto: cuda when present)")
    t.add_argument("--params", metavar="FILE.json", help="settings from a JSON file (as written by 'tune')")
    t.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="any training or model setting, e.g. --set n_layer=3 --set pos=rotary (repeatable)")
    t.add_argument("--resume", metavar="RUN", help="continue an interrupted run folder exactly where it stopped")
    t.add_argument("--models-dir", default="models", help="where runs are saved (default models)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(run=_cmd_train)

    m = sub.add_parser("models", help="list trained runs, newest first")
    m.add_argument("--models-dir", default="models", help="where runs are saved (default models)")
    m.set_defaults(run=_cmd_models)

    for name, text, issue in [
        ("evaluate", "measure a model on a suite or a data file", "evaluation"),
        ("complete", "answer prefixes with a trained model", "evaluation"),
        ("compare", "train all five at one budget and print a leaderboard", "the comparison"),
        ("tune", "search hyperparameters with Optuna", "a later version"),
        ("app", "the web playground", "a later version"),
    ]:
        s = sub.add_parser(name, help=text, description=text)
        s.set_defaults(run=_not_built(issue))
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        args.argv = ["bracketcloser", *(sys.argv[1:] if argv is None else argv)]  # recorded beside a run
        if args.command is None:
            parser.print_help()
            return 2
        return args.run(args)
    except (UsageError, ValueError) as e:
        print(f"bracketcloser: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bracketcloser: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `bracketcloser demo | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
