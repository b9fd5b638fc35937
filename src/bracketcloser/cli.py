"""The ``bracketcloser`` command: one program, one subcommand per job.

Each subcommand is a pair side by side: ``_add_<name>(sub)`` declares its arguments and
``_cmd_<name>(args)`` does the job; ``build_parser`` loops over ``SUBCOMMANDS``.
Every user mistake (a bad flag, a bad bracket, a malformed file) ends in one line on stderr
and exit status 2; a traceback means a bug in bracketcloser, not in what you typed.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from . import __version__
from .architectures import ARCHS, DEFAULT_ARCH
from .compare import SUITE_NAMES as COMPARED
from .data import DISTS, SAMPLERS, SUITES, TRAIN_DISTS, generate
from .files import read_json, write_dataset
from .inference import RangeWarning
from .recipes import names as recipe_names
from .recipes import read_recipe
from .tokens import DEFAULT_VOCAB
from .train import BUDGETS

DURATION = f"any duration (30s, 5min, 1h30m) or the original's names ({', '.join(BUDGETS)})"

_default_showwarning = warnings.showwarning
MODEL_HELP = f"a shipped architecture name ({', '.join(ARCHS)}), 'latest' or a run folder (default latest)"


class UsageError(Exception):
    """A mistake in what the user asked for: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of argparse's usage + error
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _dists(names) -> str:
    """Help text naming each distribution with what it is."""
    return "; ".join(f"{n}: {DISTS[n].about}" for n in names if n in DISTS).replace("%", "%%")


def _add_models_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models-dir", default="models", help="where runs are saved (default models)")


# ---- demo ----------------------------------------------------------------------------------------

def _add_demo(sub) -> None:
    d = sub.add_parser("demo", help="the main job: the shipped models answer, then one trains before your eyes",
                       description="Show the shipped models answering the original project's README examples, then "
                       "train one model on the embedded defaults, evaluate it on held-out data and show its answers.")
    d.add_argument("--arch", choices=ARCHS, default=DEFAULT_ARCH, help=f"architecture to train (default {DEFAULT_ARCH})")
    d.add_argument("--time", default="1min", help=f"training budget: {DURATION} (default 1min)")
    d.add_argument("--steps", type=int, help="train this many steps instead of a time budget")
    d.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    d.add_argument("--models-dir", default="models", help="where the run is saved (default models)")
    d.add_argument("--lang", choices=["en", "ja"], help="narrate in English or Japanese (default: ja when the locale "
                   "is Japanese, e.g. LANG=ja_JP.UTF-8, else en)")
    d.set_defaults(run=_cmd_demo)


def _cmd_demo(args) -> int:
    from . import demo

    demo.run(args.arch, args.time, args.steps, args.seed, args.models_dir, args.argv, args.lang or demo.language())
    return 0


# ---- generate ------------------------------------------------------------------------------------

def _add_generate(sub) -> None:
    g = sub.add_parser(
        "generate", help="write a dataset in the original's three-folder layout",
        description="Generate seeded examples and write DIR/original, DIR/tokenize and DIR/preprocessed. "
        "The same seed always writes byte-identical files.",
    )
    g.add_argument("--dist", choices=list(SAMPLERS), default="seed", help=f"{_dists(SAMPLERS)} (default seed)")
    g.add_argument("--samples", type=int, default=300, help="number of examples (default 300, as the original)")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument("--split", choices=["train", "valid", "test"], default="train",
                   help="which prefixes to draw: every prefix belongs to exactly one split (default train)")
    g.add_argument("--out", required=True, metavar="DIR", help="dataset folder to write")
    g.set_defaults(run=_cmd_generate)


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


# ---- train ---------------------------------------------------------------------------------------

def _add_train(sub) -> None:
    t = sub.add_parser(
        "train", help="train a model (--arch, --time, --samples, --params, --resume)",
        description="Train one architecture on generated brackets. Progress is shown as it runs; the run is "
        "saved in MODELS_DIR/<arch>_<date>_<time>_<minutes>m/ with its weights, config, history, plot and "
        "TensorBoard logs. Ctrl-C saves and prints how to resume.",
        epilog="Settings are applied in order: defaults, --recipe, --params FILE, the flags, then --set. "
        "Examples: bracketcloser train --arch lstm --time 10min --dist dyck --set n_hidden=256; "
        "bracketcloser train --recipe gpt (the shipped GPT's training, reproduced)",
    )
    t.add_argument("--arch", choices=ARCHS, help=f"architecture (default {DEFAULT_ARCH})")
    t.add_argument("--time", help=f"wall-clock budget: {DURATION} (default 1min)")
    t.add_argument("--steps", type=int, help="train this many steps instead of a time budget")
    t.add_argument("--dist", choices=list(TRAIN_DISTS), help=f"training data: {_dists(TRAIN_DISTS)} (default seed)")
    t.add_argument("--samples", type=int, help="train on a fixed set of N examples, as the original (default: a fresh stream)")
    t.add_argument("--seed", type=int, help="random seed for data and initialisation (default 0)")
    t.add_argument("--batch-size", type=int, dest="batch_size", help=f"examples per step (default {_per_arch('batch_size')})")
    t.add_argument("--lr", type=float, help=f"peak learning rate (default {_per_arch('lr')})")
    t.add_argument("--device", help="auto, cpu or cuda (default auto: cuda when present)")
    t.add_argument("--recipe", metavar="NAME|FILE.toml",
                   help=f"a shipped model's whole training ({', '.join(recipe_names())}) or a recipe file of your own")
    t.add_argument("--params", metavar="FILE.json", help="settings from a JSON file (as written by 'tune')")
    t.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="any training or model setting, e.g. --set n_layer=3 --set pos=rotary (repeatable)")
    t.add_argument("--resume", metavar="RUN", help="continue an interrupted run folder exactly where it stopped")
    _add_models_dir(t)
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(run=_cmd_train)


def _per_arch(name: str) -> str:
    """A training default as help text, from the registry: the common value and each exception."""
    from .train import TRAIN_DEFAULTS, training_defaults

    own = [f"{arch} {training_defaults(arch)[name]:g}" for arch in ARCHS
           if training_defaults(arch)[name] != TRAIN_DEFAULTS[name]]
    return f"{TRAIN_DEFAULTS[name]:g}" + (f"; {', '.join(own)}" if own else "")


def _parse_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _key_values(items: list[str] | None) -> dict:
    """``--set KEY=VALUE`` items as settings, each value read as JSON where it parses."""
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--set takes KEY=VALUE, got {item!r}")
        out[key.replace("-", "_")] = _parse_value(value)
    return out


def train_config(args):
    """The TrainConfig that ``bracketcloser train`` arguments ask for (None with --resume):
    defaults, then --params FILE, then the flags, then each --set KEY=VALUE in order."""
    from .train import TrainConfig

    if args.resume:
        given = [flag for flag, value in [("--arch", args.arch), ("--recipe", args.recipe), ("--params", args.params),
                                          ("--set", args.set),
                                          ("--steps", args.steps), ("--samples", args.samples)] if value]
        if given:
            raise UsageError(f"--resume continues a run with its own settings; drop {', '.join(given)}")
        return None
    settings = {}
    if args.recipe:
        try:
            settings = read_recipe(args.recipe)
        except ValueError as e:
            raise UsageError(str(e)) from None
    if args.params:
        params = read_json(args.params)
        if not isinstance(params, dict):
            raise UsageError(f"{args.params}: expected a JSON object of settings")
        settings.update(params)
    for key in ("arch", "dist", "time", "steps", "samples", "seed", "batch_size", "lr", "device"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    settings.update(_key_values(args.set))
    try:
        return TrainConfig.from_dict(settings)
    except TypeError as e:
        raise UsageError(str(e)) from None


def _cmd_train(args) -> int:
    from .train import Interrupted, train

    cfg = train_config(args)
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


# ---- models --------------------------------------------------------------------------------------

def _add_models(sub) -> None:
    m = sub.add_parser("models", help="list trained runs, newest first")
    _add_models_dir(m)
    m.set_defaults(run=_cmd_models)


def _cmd_models(args) -> int:
    from .checkpoint import list_runs

    runs = list_runs(args.models_dir)
    if not runs:
        print(f"no runs in {args.models_dir}/ yet: try 'bracketcloser train --arch gpt --time 1min'")
        return 0
    print(f"{'name':<38} {'arch':<12} {'params':>9} {'steps':>7} {'best val EM':>11}  status")
    for r in runs:
        em = "-" if r["best_val_exact_match"] is None else f"{r['best_val_exact_match']:.3f}"
        status = {"finished": "", "unfinished": "unfinished (--resume continues it)",
                  "broken": "broken (cannot answer or resume)"}[r["status"]]
        if r["status"] == "unfinished" and not r["answers"]:
            status += ", no weights yet"
        print(f"{r['name']:<38} {r['arch']:<12} {r['params'] or 0:>9,} {r['steps'] or 0:>7} {em:>11}  {status}".rstrip())
    return 0


def _load(args):
    from .inference import load

    return load(args.model, models_dir=args.models_dir)


# ---- evaluate ------------------------------------------------------------------------------------

def _add_evaluate(sub) -> None:
    e = sub.add_parser(
        "evaluate", help="measure a model on a suite or a data file",
        description="Exact match (order included) with a 95% interval, per-token accuracy and breakdowns by "
        "answer length, prefix length and depth. Writes one line per problem to the run's evaluation_results/.",
    )
    e.add_argument("--model", default="latest", help=MODEL_HELP)
    suites = "; ".join(f"{name}: {s.about}" for name, s in SUITES.items()).replace("%", "%%")
    e.add_argument("--suite", choices=list(SUITES), help=f"{suites}; default: the distribution the model trained on")
    e.add_argument("--data", metavar="FILE", help="a dataset file or folder (for --suite bbh: the BIG-Bench Hard JSON)")
    e.add_argument("--samples", type=int, help="how many examples (default 100 generated; all of a file)")
    e.add_argument("--seed", type=int, default=0, help="seed of the generated suite (default 0)")
    e.add_argument("--json", action="store_true", help="print a JSON summary instead of text")
    e.add_argument("--out", help="folder for the result files (default: the run's evaluation_results/)")
    _add_models_dir(e)
    e.set_defaults(run=_cmd_evaluate)


def _cmd_evaluate(args) -> int:
    from .data import default_bbh_path, disjoint, load_bbh, suite
    from .evaluate import evaluate, summary_text, write_results
    from .files import read_examples

    if args.samples is not None and args.samples < 1:
        raise UsageError(f"--samples must be at least 1, got {args.samples}")
    model = _load(args)
    name = args.suite or (model.config.get("data", {}).get("dist") if args.data is None else None) or "seed"
    if args.suite == "bbh":
        examples = load_bbh(args.data or default_bbh_path())[: args.samples]
    elif args.data:
        examples, name = read_examples(args.data, model.vocab)[: args.samples], Path(args.data).stem
    else:
        examples = suite(name, args.samples or 100, args.seed)
    excluded = 0
    dataset = model.folder / "dataset" if model.folder else None
    if dataset is not None and dataset.is_dir():  # trained on a fixed set: never score what it saw
        examples, excluded = disjoint(examples, [ex.prefix for ex in read_examples(dataset, model.vocab)])
    if not examples:
        why = f": all {excluded} were in the model's training set" if excluded else ""
        raise UsageError(f"{args.data or name}: no examples to evaluate{why}")
    report = evaluate(model, examples)
    report.update(model=str(model.folder or model.name), suite=name, seed=args.seed, excluded=excluded)
    # beside the run; a shipped model's results go to ./evaluation_results (never into the package)
    out = Path(args.out) if args.out else model.folder / "evaluation_results" if model.folder else Path("evaluation_results")
    files = write_results(out, name, report)
    if args.json:
        print(json.dumps({k: v for k, v in report.items() if k != "records"}, indent=2))
    else:
        print(summary_text(report, f"{model.name} on {name}"))
        print(f"  results: {files[0]}")
    return 0


# ---- complete ------------------------------------------------------------------------------------

def _add_complete(sub) -> None:
    c = sub.add_parser("complete", help="answer prefixes with a trained model",
                       description="Print the closing brackets a model answers for each prefix.")
    c.add_argument("prefixes", nargs="*", metavar="PREFIX", help='e.g. "{[(" (quote it for the shell)')
    c.add_argument("--model", default="latest", help=MODEL_HELP)
    c.add_argument("-i", "--interactive", action="store_true", help="keep asking for prefixes until an empty line")
    c.add_argument("--explain", action="store_true", help="show each step's top candidates and probabilities")
    _add_models_dir(c)
    c.set_defaults(run=_cmd_complete)


def _cmd_complete(args) -> int:
    model = _load(args)
    if not args.prefixes and not args.interactive:
        raise UsageError("give a prefix, e.g. bracketcloser complete \"{[(\", or -i for an interactive loop")

    def answer(prefix: str) -> None:
        if args.explain:
            for n, candidates in enumerate(model.explain(prefix)):
                cells = "  ".join(f"{tok!r} {p:.3f}" for tok, p in candidates)
                print(f"  step {n + 1}: {cells}")
        print(model.complete([prefix])[0], flush=True)

    for prefix in args.prefixes:
        answer(prefix)
    if args.interactive:  # prompts and errors on stderr: stdout holds only answers, one per line
        print(f"{model!r}: type a prefix such as {{[( and press Enter; an empty line or Ctrl-D quits.", file=sys.stderr)
        while True:
            print("> ", end="", file=sys.stderr, flush=True)
            line = sys.stdin.readline()
            if not line.strip():  # end of input, or an empty line
                break
            try:
                answer(line)
            except ValueError as e:  # a typo should not end the session
                print(f"error: {e}", file=sys.stderr)
    return 0


# ---- compare -------------------------------------------------------------------------------------

def _add_compare(sub) -> None:
    cp = sub.add_parser(
        "compare", help="train several architectures at one budget and print a leaderboard",
        description="Train the chosen architectures one after another at one budget, evaluate each on every "
        f"suite ({', '.join(COMPARED)}) and print a leaderboard; leaderboard.png shows exact "
        "match per suite and the learning curves, generalisation.png exact match by prefix length and depth.",
    )
    cp.add_argument("--time", default="1min", help=f"budget for each model: {DURATION} (default 1min)")
    cp.add_argument("--steps", type=int, help="a step budget instead of --time")
    cp.add_argument("--dist", choices=list(TRAIN_DISTS), default="seed", help=f"training data: {', '.join(TRAIN_DISTS)} "
                    "(default seed)")
    cp.add_argument("--archs", nargs="+", choices=ARCHS, default=list(ARCHS), help="which ones (default all)")
    cp.add_argument("--samples", type=int, default=1000, help="evaluation examples per suite (default 1000)")
    cp.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    cp.add_argument("--out", help="folder for leaderboard.json and leaderboard.png (default: under --models-dir)")
    _add_models_dir(cp)
    cp.add_argument("--quiet", action="store_true", help="no progress bars")
    cp.set_defaults(run=_cmd_compare)


def _cmd_compare(args) -> int:
    from .compare import compare, leaderboard_text

    result = compare(args.archs, time=args.time, steps=args.steps, dist=args.dist, samples=args.samples, seed=args.seed,
                     models_dir=args.models_dir, out=args.out, progress=not args.quiet, argv=args.argv)
    print(leaderboard_text(result))
    print(f"leaderboard and plot: {result['folder']}/leaderboard.json, leaderboard.png")
    return 0


# ---- tune ----------------------------------------------------------------------------------------

def _add_tune(sub) -> None:
    tu = sub.add_parser(
        "tune", help="search hyperparameters with Optuna (resumable, one machine or many)",
        description="Train --trials runs with settings drawn from the search space declared beside the config "
        "fields, prune hopeless ones early (median rule), retrain the best settings and measure them on held-out "
        "data. Re-running the same command continues the study; several processes or machines join it through "
        "one --storage.",
        epilog="Example: bracketcloser tune --arch transformer --dist seed --time 1min --trials 40 --workers 2. "
        "Watch it: optuna-dashboard sqlite:///tuning.db",
    )
    tu.add_argument("--arch", required=True, choices=ARCHS, help="architecture to tune")
    tu.add_argument("--dist", choices=list(TRAIN_DISTS), default="seed", help="training data (default seed)")
    tu.add_argument("--time", default="1min", help=f"budget per trial: {DURATION} (default 1min)")
    tu.add_argument("--steps", type=int, help="a step budget per trial instead of --time")
    tu.add_argument("--trials", type=int, default=20, help="finished trials the study should hold (default 20)")
    tu.add_argument("--study", help="study name (default <arch>_<dist>_<budget>)")
    tu.add_argument("--storage", help="database URL (default sqlite:///tuning.db; e.g. postgresql+psycopg://host/db)")
    tu.add_argument("--workers", type=int, default=1, help="worker processes on this machine (default 1)")
    tu.add_argument("--metric", choices=["exact_match", "time_to_target"], default="exact_match",
                    help="maximise validation exact match, or minimise seconds to 99.9%% (default exact_match)")
    tu.add_argument("--space", metavar="FILE.json", help="narrow or widen the search space, e.g. "
                    '{"lr": {"low": 1e-3, "high": 1e-2, "log": true}, "pos": null}')
    tu.add_argument("--out", help="folder for best_params.json, trials.csv and plots (default tuning/<study>)")
    tu.add_argument("--keep-runs", action="store_true", help="keep every trial's run folder (default: removed)")
    tu.add_argument("--final-samples", type=int, default=10_000, help="held-out examples to measure the best on")
    tu.add_argument("--seed", type=int, default=0, help="training seed of every trial (default 0)")
    tu.add_argument("--set", action="append", metavar="KEY=VALUE", help="a setting every trial shares, not searched "
                    "(e.g. --set eval_every=50; repeatable)")
    tu.set_defaults(run=_cmd_tune)


def _cmd_tune(args) -> int:
    from .tune import tune

    if args.steps is not None and args.steps < 1:
        raise UsageError(f"--steps must be at least 1, got {args.steps}")
    fixed = _key_values(args.set)
    try:
        tune(args.arch, args.dist, time=args.time, steps=args.steps, trials=args.trials, study=args.study,
             storage=args.storage, workers=args.workers, metric=args.metric, out=args.out, space_file=args.space,
             keep_runs=args.keep_runs, final_samples=args.final_samples, seed=args.seed, fixed=fixed)
    except KeyboardInterrupt:
        print("\ninterrupted: the study is saved; run the same command again to continue it", file=sys.stderr)
        return 130
    return 0


# ---- app -----------------------------------------------------------------------------------------

def _add_app(sub) -> None:
    ap = sub.add_parser("app", help="the playground in the browser: answers, attention, training, data",
                        description="Serve a local web page: type brackets and see every model's answer, each "
                        "step's probabilities and what the model looked at (attention, hidden state, stack); train a "
                        "model and watch its curve; the leaderboards; the samplers' data. English or Japanese.")
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    ap.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    _add_models_dir(ap)
    ap.add_argument("--results-dir", metavar="DIR", help="committed results for the Compare tab (default: bench/results, "
                    "when the current folder has one, as a clone does)")
    ap.set_defaults(run=_cmd_app)


def _results_dir(given: str | None) -> Path | None:
    if given is None:
        default = Path("bench") / "results"
        return default if default.is_dir() else None
    if not Path(given).is_dir():
        raise UsageError(f"--results-dir {given}: no such folder")
    return Path(given)


def _cmd_app(args) -> int:
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    results_dir = _results_dir(args.results_dir)
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise UsageError("the app needs Gradio: pip install 'bracketcloser[app]' (or -r requirements.txt)") from None
    import socket

    with socket.socket() as probe:  # a taken port is a one-line error, before Gradio starts
        try:
            probe.bind((args.host, args.port))
        except OSError as e:
            raise UsageError(f"cannot serve on {args.host}:{args.port} ({e.strerror or e}); choose another --port") from None
    from .app import serve

    print(f"bracketcloser app: http://{args.host}:{args.port} (Ctrl-C stops it)", file=sys.stderr)
    try:
        serve(args.host, args.port, args.models_dir, results_dir)
    except OSError as e:  # e.g. the port is taken
        raise UsageError(f"cannot serve on {args.host}:{args.port}: {e}") from None
    return 0


# ---- the program ---------------------------------------------------------------------------------

SUBCOMMANDS = (_add_demo, _add_generate, _add_train, _add_models, _add_evaluate, _add_complete, _add_compare, _add_tune,
               _add_app)  # in the order --help lists them


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="bracketcloser",
        description="Train six kinds of language model (GRU, LSTM, Transformer, BERT, GPT, a stack RNN) to close brackets, "
        "and measure them against the exact answer.",
        epilog="Start with 'bracketcloser demo'. Each subcommand has its own --help.",
    )
    p.add_argument("--version", action="version", version=f"bracketcloser {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in SUBCOMMANDS:
        add(sub)
    return p


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Our own warnings (a prompt beyond the trained range) as one ``warning:`` line on stderr."""
    if issubclass(category, RangeWarning):
        print(f"warning: {message}", file=sys.stderr)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    warnings.showwarning = _show_warning
    warnings.simplefilter("always", RangeWarning)  # every prompt in -i mode, not only the first
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
