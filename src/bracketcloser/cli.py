"""The ``bracketcloser`` command: one program, one subcommand per job.

Every user mistake (a bad flag, a bad bracket, a malformed file) ends in one line on stderr
and exit status 2; a traceback means a bug in bracketcloser, not in what you typed.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__
from .data import DISTRIBUTIONS, SAMPLERS, generate, seed_label_error_rate
from .examples import README_EXAMPLES
from .files import write_dataset
from .solver import solve
from .tokens import DEFAULT_VOCAB, format_example


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

    for name, text, issue in [
        ("train", "train a model (--arch, --time, --samples, --params, --resume)", "the training loop"),
        ("evaluate", "measure a model on a suite or a data file", "evaluation"),
        ("complete", "answer prefixes with a trained model", "evaluation"),
        ("models", "list trained runs, newest first", "the training loop"),
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
