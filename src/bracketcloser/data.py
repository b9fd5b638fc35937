"""Seeded data: the original's distribution, general Dyck completion, and evaluation suites.

Every generator takes an explicit seed and returns the same examples for the same seed.
Examples are labelled by the exact solver, never by the generator's own bookkeeping.

Held-out data is kept apart by a *split by prefix*: a stable hash of the prefix text puts
every possible prefix in exactly one of ``train`` (85%), ``valid`` (5%) or ``test`` (10%).
Training streams draw only ``train`` prefixes and evaluation suites only ``test`` prefixes,
so no evaluation example can ever have been trained on, whatever the seeds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from .solver import solve
from .tokens import DEFAULT_VOCAB, Vocab


class Example(NamedTuple):
    prefix: str
    answer: str


class Range(NamedTuple):
    """What a distribution covers: longest prefix, deepest nesting, longest answer."""

    length: int
    depth: int
    answer: int


SPLITS = ("train", "valid", "test")
# four kinds, ()[]{}<>: the general range, BIG-Bench Hard, and what real bracket strings use
GENERAL_VOCAB = Vocab(("<>",))
BBH_VOCAB = GENERAL_VOCAB
# the BIG-Bench Hard file ships inside the package (MIT; its licence beside it)
BBH_FILE = Path(__file__).parent / "benchmarks" / "bbh_dyck_languages.json"
GENERAL = Range(100, 30, 30)


# ---- the split ----------------------------------------------------------------------------

def split_of(prefix: str) -> str:
    """Which split a prefix belongs to, by a stable hash of its ASCII text: ``test`` 2 in 20,
    ``valid`` 1 in 20, ``train`` the rest (a byte modulo 20 favours its first 16 values a
    little, so the shares are 10.2%, 5.1% and 84.8% rather than 10, 5 and 85)."""
    bucket = hashlib.blake2b(prefix.encode(), digest_size=8).digest()[0] % 20
    return "test" if bucket < 2 else "valid" if bucket == 2 else "train"


def disjoint(examples: list[Example], trained: Iterable[str]) -> tuple[list[Example], int]:
    """Drop every example whose prefix was trained on; return the rest and how many went."""
    seen = set(trained)
    kept = [ex for ex in examples if ex.prefix not in seen]
    return kept, len(examples) - len(kept)


# ---- the original's distribution ----------------------------------------------------------

def _original_sequence(rng: random.Random, openers: list[str], closer_of: dict[str, str]) -> list[str]:
    """The original's random walk: a balanced sequence of length 5..20."""
    while True:
        limit, steps = rng.randint(1, 5), rng.randint(1, 20)
        seq: list[str] = []
        stack: list[str] = []
        for _ in range(steps):
            if len(stack) < limit and rng.random() > 0.3:
                stack.append(rng.choice(openers))
                seq.append(stack[-1])
            elif stack:
                seq.append(closer_of[stack.pop()])
        seq += [closer_of[o] for o in reversed(stack)]
        if 5 <= len(seq) <= 20:
            return seq


def sample_seed_original(rng: random.Random, vocab: Vocab = DEFAULT_VOCAB) -> tuple[str, str]:
    """One example exactly as the original made it: ``(prefix, the original's answer)``.

    The last k characters (k in 1..3) are cut off; openers among them move to the *front* of
    the prefix and the closers stay in order as the answer. A moved opener becomes the
    outermost bracket, but its closer keeps its old place in the answer, so when the cut
    holds an opener and two closers of different kinds, the answer comes out in the wrong
    order (``((()){[][]()[]`` labelled ``)}``; the truth is ``})``).
    """
    openers = [p[0] for p in vocab.pairs]
    seq = _original_sequence(rng, openers, vocab.closer_of)
    k = rng.randint(1, 3)
    body, cut = seq[:-k], seq[-k:]
    moved = [c for c in cut if c in vocab.closer_of]
    answer = [c for c in cut if c not in vocab.closer_of]
    return "".join(moved + body), "".join(answer)


def sample_seed(rng: random.Random, vocab: Vocab = DEFAULT_VOCAB) -> Example:
    """The original's prefixes, labelled by the solver (answers are 1..3 closers)."""
    prefix, _ = sample_seed_original(rng, vocab)
    return Example(prefix, solve(prefix, vocab))


def seed_label_error_rate(n: int = 100_000, seed: int = 0) -> float:
    """How often the original's recipe labels its own example wrongly."""
    rng = random.Random(seed)
    wrong = 0
    for _ in range(n):
        prefix, answer = sample_seed_original(rng)
        wrong += answer != solve(prefix)
    return wrong / n


# ---- general Dyck completion ----------------------------------------------------------------

def _walk(rng: random.Random, start: int, end: int, steps: int, cap: int) -> list[int]:
    """A uniform-choice random walk of +1/-1 moves from height start to end in [0, cap]."""
    moves, h = [], start
    for left in range(steps - 1, -1, -1):  # moves left after this one
        up = h < cap and abs(h + 1 - end) <= left
        down = h > 0 and abs(h - 1 - end) <= left
        step = 1 if up and (not down or rng.random() < 0.5) else -1
        moves.append(step)
        h += step
    return moves


def dyck_prefix(rng: random.Random, length: int, depth: int, answer: int, vocab: Vocab = DEFAULT_VOCAB) -> str:
    """A random prefix with exactly ``length`` brackets, maximum nesting exactly ``depth``
    and ``answer`` brackets left open. Requires ``answer <= depth``, ``2*depth - answer <=
    length`` and ``length ≡ answer (mod 2)``.

    The walk is split at a moment when it stands at its peak: it climbs from 0 to ``depth``
    and then wanders down to ``answer``, never going above ``depth``. So depth is what was
    asked for, not whatever a free walk happened to reach.
    """
    rise, fall = depth, depth - answer
    firsts = [n for n in range(rise, length - fall + 1) if (n - rise) % 2 == 0]
    first = rng.choice(firsts)
    moves = _walk(rng, 0, depth, first, depth) + _walk(rng, depth, answer, length - first, depth)
    openers, closer_of = [p[0] for p in vocab.pairs], vocab.closer_of
    out, stack = [], []
    for m in moves:
        if m > 0:
            stack.append(rng.choice(openers))
            out.append(stack[-1])
        else:
            out.append(closer_of[stack.pop()])
    return "".join(out)


def _sample_shaped(rng, vocab, lengths: tuple[int, int], depths: tuple[int, int], max_answer: int) -> Example:
    """Draw length uniformly, then depth uniformly among those the length allows, then the
    number of open brackets uniformly among those both allow. Uniform draws per dimension
    (rather than one free random walk, which mostly stays shallow and short-answered) spread
    the data over everything the model must handle: short and long, shallow and deep."""
    while True:
        length = rng.randint(*lengths)
        if depths[0] > length:
            continue
        depth = rng.randint(depths[0], min(depths[1], length))
        answers = [a for a in range(0, min(depth, max_answer) + 1) if (length - a) % 2 == 0 and 2 * depth - a <= length]
        if answers:
            prefix = dyck_prefix(rng, length, depth, rng.choice(answers), vocab)
            return Example(prefix, solve(prefix, vocab))


def sample_dyck(rng, vocab=DEFAULT_VOCAB, max_length: int = 40) -> Example:
    """General completion, first version: prefix length 1..40, depth <= 10, answers 0..10
    closers. ``max_length`` < 40 draws from the same shapes cut at a shorter length (a curriculum)."""
    return _sample_shaped(rng, vocab, (1, max_length), (1, 10), 10)


def sample_shapes(rng, vocab=GENERAL_VOCAB, max_length: int = GENERAL.length) -> Example:
    """The general range, shape-uniform: length 1..100, then depth (<= 30), then the number
    left open (<= 30), each drawn uniformly among what the others allow."""
    return _sample_shaped(rng, vocab, (1, max_length), (1, GENERAL.depth), GENERAL.answer)


def sample_walk(rng, vocab=GENERAL_VOCAB, max_length: int = GENERAL.length) -> Example:
    """The general range, built another way: a free random walk of 1..100 brackets whose
    opening probability is drawn per example (0.1, mostly closing, to 0.9, mostly opening),
    over a per-example subset of the bracket kinds, never deeper than 30. Where the shape
    sampler spreads depth evenly, these pile up at the walls: long runs of one kind, answers
    of 25-30 closers, prefixes that return to depth 0 again and again."""
    length, p_open = rng.randint(1, max_length), rng.uniform(0.1, 0.9)
    openers = [pair[0] for pair in vocab.pairs]
    kinds = openers if rng.random() < 0.5 else rng.sample(openers, rng.randint(1, len(openers)))
    out, stack = [], []
    for _ in range(length):
        if stack and (len(stack) == GENERAL.depth or rng.random() >= p_open):
            out.append(vocab.closer_of[stack.pop()])
        else:
            stack.append(rng.choice(kinds))
            out.append(stack[-1])
    prefix = "".join(out)
    return Example(prefix, solve(prefix, vocab))


@functools.cache
def _completions(depth_cap: int, kinds: int, longest: int) -> list[list[int]]:
    """``n[r][h]``: how many valid bracket strings of ``r`` more brackets start at height ``h``
    without going below 0 or above ``depth_cap`` (each opener one of ``kinds``)."""
    n = [[1] * (depth_cap + 1)]
    for _ in range(longest):
        last = n[-1]
        n.append([(kinds * last[h + 1] if h < depth_cap else 0) + (last[h - 1] if h > 0 else 0)
                  for h in range(depth_cap + 1)])
    return n


def sample_strings(rng, vocab=GENERAL_VOCAB, max_length: int = GENERAL.length) -> Example:
    """The general range, built a third way: a length drawn uniformly from 1..100, then one
    string drawn uniformly from *every* valid prefix of that length (depth <= 30). Counting
    makes each string equally likely, so the shapes are whatever most strings look like: an
    opener has four choices and a closer one, so most climb to the depth limit and stay
    near it. Used for evaluation only: no model trains on it."""
    length = rng.randint(1, max_length)
    openers = [pair[0] for pair in vocab.pairs]
    counts = _completions(GENERAL.depth, len(openers), GENERAL.length)
    out, stack = [], []
    for left in range(length, 0, -1):
        h = len(stack)
        up = len(openers) * counts[left - 1][h + 1] if h < GENERAL.depth else 0
        down = counts[left - 1][h - 1] if h > 0 else 0
        if rng.randrange(up + down) < up:
            stack.append(rng.choice(openers))
            out.append(stack[-1])
        else:
            out.append(vocab.closer_of[stack.pop()])
    prefix = "".join(out)
    return Example(prefix, solve(prefix, vocab))


def sample_runs(rng, vocab=GENERAL_VOCAB, max_length: int = GENERAL.length) -> Example:
    """The general range, built a fourth way: a walk of runs. A length drawn uniformly from
    1..100 and a longest run from 2..30; then, until the length is reached, a run of 1 to that
    many brackets that all go one way, up (every opener of one kind) or down, never deeper
    than 30. The other samplers choose a kind for every opener, so a dozen of one kind in a
    row, ``{{{{{{{{{{{{<<<<<<<<<<<<``, is rare in them; here it is common, and the answer must
    then say exactly how many of each: openers of one kind differ only by where they stand."""
    length, longest = rng.randint(1, max_length), rng.randint(2, GENERAL.depth)
    openers = [pair[0] for pair in vocab.pairs]
    out, stack = [], []
    while len(out) < length:
        run = rng.randint(1, min(longest, length - len(out)))
        if stack and (len(stack) == GENERAL.depth or rng.random() < 0.5):
            for _ in range(min(run, len(stack))):
                out.append(vocab.closer_of[stack.pop()])
        else:
            kind = rng.choice(openers)
            for _ in range(min(run, GENERAL.depth - len(stack))):
                stack.append(kind)
                out.append(kind)
    prefix = "".join(out)
    return Example(prefix, solve(prefix, vocab))


# how the training mixture draws: (sampler, weight). The original's recipe stays in it, over
# four kinds, so the short answers of the 1-minute task are never forgotten.
MIXTURE = ((sample_shapes, 0.45), (sample_walk, 0.45), (sample_seed, 0.10))


def sample_deep_answer(rng, vocab=GENERAL_VOCAB, max_length: int = GENERAL.length,
                       shortest: int = 15) -> Example:
    """The general range where it is hardest for a fixed-size state: an answer of ``shortest``
    to 30 closers (drawn uniformly among those ``max_length`` allows), then a length uniform up
    to ``max_length`` and a depth uniform among those the two allow. Every other sampler gives
    such answers to few examples (walks pile up at the walls, shapes spread the answer over
    0..depth), and they are exactly the answers a recurrent model still gets wrong: it must
    write out the whole stack, not only its top. Below ``shortest`` brackets (early in a
    curriculum) the answers are as long as the length allows."""
    longest = min(GENERAL.answer, max_length)
    answer = rng.randint(min(shortest, longest), longest)
    length = rng.choice(range(answer, max_length + 1, 2))
    depth = rng.randint(answer, min(GENERAL.depth, (length + answer) // 2))
    prefix = dyck_prefix(rng, length, depth, answer, vocab)
    return Example(prefix, solve(prefix, vocab))


def sample_general(rng, vocab=GENERAL_VOCAB, max_length: int = GENERAL.length, runs: float = 0.0,
                   deep: float = 0.0, deep_from: int = 15) -> Example:
    """The training mixture for the general range: each example from one of ``MIXTURE``'s
    differently built samplers, so no one sampler's shapes are all a model ever sees; with
    ``runs`` > 0 that share comes from ``sample_runs``, with ``deep`` > 0 that share from
    ``sample_deep_answer`` (answers of ``deep_from``..30 closers: depth balance), and the rest
    from ``MIXTURE`` as before (0, the default, draws exactly as the mixture did before either
    existed, so every recorded recipe still reproduces its model)."""
    samplers, weights = [s for s, _ in MIXTURE], [w for _, w in MIXTURE]
    if runs:
        samplers, weights = [*samplers, sample_runs], [*(w * (1 - runs) for w in weights), runs]
    if deep:
        samplers, weights = [*samplers, sample_deep_answer], [*(w * (1 - deep) for w in weights), deep]
    sample = rng.choices(samplers, weights=weights)[0]
    if sample is sample_seed:
        return sample(rng, vocab)
    if sample is sample_deep_answer:
        return sample(rng, vocab, max_length=max_length, shortest=deep_from)
    return sample(rng, vocab, max_length=max_length)


def sample_long(rng, vocab=GENERAL_VOCAB) -> Example:
    """Longer than the general range (101..200), no deeper (<= 30): length generalisation alone."""
    return _sample_shaped(rng, vocab, (GENERAL.length + 1, 2 * GENERAL.length), (1, GENERAL.depth), GENERAL.answer)


def sample_longer(rng, vocab=GENERAL_VOCAB) -> Example:
    """Two to five times the general range's length (201..500), no deeper (<= 30): how far past
    its training length a model still reads."""
    return _sample_shaped(rng, vocab, (2 * GENERAL.length + 1, 5 * GENERAL.length), (1, GENERAL.depth), GENERAL.answer)


def sample_deep(rng, vocab=GENERAL_VOCAB) -> Example:
    """Deeper than the general range (31..60), no longer (<= 100): depth generalisation alone."""
    return _sample_shaped(rng, vocab, (GENERAL.depth + 1, GENERAL.length), (GENERAL.depth + 1, 2 * GENERAL.depth),
                          2 * GENERAL.depth)


FAR = (1000, 100)  # far beyond the range: 1,000 brackets; depth 100


def sample_thousand(rng, vocab=GENERAL_VOCAB) -> Example:
    """Far longer than the general range: exactly 1,000 brackets, depth <= 30."""
    return _sample_shaped(rng, vocab, (FAR[0], FAR[0]), (1, GENERAL.depth), GENERAL.answer)


def sample_depth100(rng, vocab=GENERAL_VOCAB) -> Example:
    """Far deeper than the general range: depth exactly 100, 100..300 brackets."""
    return _sample_shaped(rng, vocab, (FAR[1], 3 * FAR[1]), (FAR[1], FAR[1]), FAR[1])


def sample_far(rng, vocab=GENERAL_VOCAB, length: int = 2000, depth: int = 200) -> Example:
    """Far beyond in both: exactly ``length`` brackets, depth drawn up to ``depth``, answers of
    up to ``depth`` closers (2,000 brackets at depth <= 200, 10,000 at <= 1,000: what the stack
    model meets in bench/stack_long.py)."""
    return _sample_shaped(rng, vocab, (length, length), (1, depth), depth)


class Dist(NamedTuple):
    """A named distribution: its sampler, the vocabulary it draws from, and its range."""

    sample: object
    vocab: Vocab
    range: Range
    about: str


DISTS = {
    # depth 6 too (0.1%): the openers the recipe moves to the front nest one level deeper
    "seed": Dist(sample_seed, DEFAULT_VOCAB, Range(19, 6, 3), "the original's recipe: 2-19 brackets, answers of 1-3"),
    "dyck": Dist(sample_dyck, DEFAULT_VOCAB, Range(40, 10, 10), "first version: 1-40 brackets, depth <= 10, three kinds"),
    "general": Dist(sample_general, GENERAL_VOCAB, GENERAL,
                    "the general range, a mixture of samplers: 1-100 brackets, depth <= 30, four kinds"),
    "shapes": Dist(sample_shapes, GENERAL_VOCAB, GENERAL, "general range, shape-uniform sampler"),
    "walks": Dist(sample_walk, GENERAL_VOCAB, GENERAL, "general range, free random walks"),
    "strings": Dist(sample_strings, GENERAL_VOCAB, GENERAL,
                    "general range, every valid prefix of a length equally likely (never trained on)"),
    "runs": Dist(sample_runs, GENERAL_VOCAB, GENERAL, "general range, runs of one kind: counting by position"),
    "longer": Dist(sample_longer, GENERAL_VOCAB, Range(5 * GENERAL.length, GENERAL.depth, GENERAL.answer),
                   "beyond the general range: 201-500 brackets, depth <= 30"),
    "long": Dist(sample_long, GENERAL_VOCAB, Range(2 * GENERAL.length, GENERAL.depth, GENERAL.answer),
                 "beyond the general range: 101-200 brackets, depth <= 30"),
    "deep": Dist(sample_deep, GENERAL_VOCAB, Range(GENERAL.length, 2 * GENERAL.depth, 2 * GENERAL.depth),
                 "beyond the general range: depth 31-60, <= 100 brackets"),
    "len1000": Dist(sample_thousand, GENERAL_VOCAB, Range(FAR[0], GENERAL.depth, GENERAL.answer),
                    "far beyond: exactly 1,000 brackets, depth <= 30"),
    "depth100": Dist(sample_depth100, GENERAL_VOCAB, Range(3 * FAR[1], FAR[1], FAR[1]),
                     "far beyond: depth exactly 100, 100-300 brackets"),
}
SAMPLERS = {name: d.sample for name, d in DISTS.items()}
TRAIN_DISTS = ("seed", "dyck", "general")
CURRICULUM = {"dyck": (10, 40), "general": (20, GENERAL.length)}  # shortest, longest max_length


# ---- the evaluation suites: the one list every caller reads (CLI, compare, app, benchmarks) ---

class Suite(NamedTuple):
    """An evaluation suite, as its callers need it."""

    about: str
    reach: str  # where it lies against the general range: one of REACH
    size: int = 10_000  # examples the shipped models are measured on (fewer where reading is slow)
    sweep: bool = False  # pooled for the figure of exact match by prefix length and by depth
    board: bool = True  # a column of the shipped models' leaderboard (README, app)


REACH = ("in", "beyond", "far")  # inside the general range, beyond it, far beyond (1,000 brackets, depth 100)
SUITES = {  # iterating it gives the names
    "seed": Suite(DISTS["seed"].about, "in"),
    # inside `shapes` (three kinds, up to 40 brackets): the leaderboard of the four-kind models leaves it out
    "dyck": Suite(DISTS["dyck"].about, "in", board=False),
    "shapes": Suite(DISTS["shapes"].about, "in", sweep=True),
    "walks": Suite(DISTS["walks"].about, "in", sweep=True),
    "strings": Suite(DISTS["strings"].about, "in", sweep=True),
    "runs": Suite(DISTS["runs"].about, "in"),
    "long": Suite(DISTS["long"].about, "beyond", 2000, sweep=True),
    # 2x-5x the length: for the length benchmark, not (yet) a column of the shipped models' board
    "longer": Suite(DISTS["longer"].about, "beyond", 500, board=False),
    "deep": Suite(DISTS["deep"].about, "beyond", 2000, sweep=True),
    # far beyond, fewer: a model whose positions stop at 256 cannot read them at all
    "len1000": Suite(DISTS["len1000"].about, "far", 500),
    "depth100": Suite(DISTS["depth100"].about, "far", 1000),
    "bbh": Suite("BIG-Bench Hard dyck_languages (250, shipped)", "in", 250),
}
SWEEP = tuple(name for name, s in SUITES.items() if s.sweep)
# the leaderboard's columns: in range first, the general range's own samplers leading, then beyond
BOARD = tuple(sorted((name for name, s in SUITES.items() if s.board),
                     key=lambda name: (REACH.index(SUITES[name].reach), not SUITES[name].sweep)))


# ---- streams, sets and suites ----------------------------------------------------------------

def stream(dist: str, seed: int, split: str = "train", vocab: Vocab | None = None) -> Iterator[Example]:
    """An endless, seeded stream of examples whose prefixes all belong to ``split``, drawn
    over ``vocab``'s brackets (by default the distribution's own)."""
    if dist not in SAMPLERS:
        raise ValueError(f"unknown distribution {dist!r} (choose from {', '.join(SAMPLERS)})")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (choose from {', '.join(SPLITS)})")
    return in_split(SAMPLERS[dist], random.Random(f"{dist}/{split}/{seed}"), vocab or DISTS[dist].vocab, split)


def in_split(sample, rng: random.Random, vocab: Vocab, split: str) -> Iterator[Example]:
    """Draw with ``sample`` from ``rng`` for ever, keeping the examples whose prefix is in ``split``."""
    while True:
        ex = sample(rng, vocab)
        if split_of(ex.prefix) == split:
            yield ex


def generate(dist: str, n: int, seed: int, split: str = "train", vocab: Vocab | None = None) -> list[Example]:
    """The first ``n`` examples of ``stream(dist, seed, split)``."""
    if n < 0:
        raise ValueError(f"number of examples must be >= 0, got {n}")
    it = stream(dist, seed, split, vocab)
    return [next(it) for _ in range(n)]


def suite(name: str, n: int = 10_000, seed: int = 0, bbh_path: str | Path | None = None) -> list[Example]:
    """A named evaluation suite: ``n`` seeded ``test`` examples, or the BIG-Bench Hard file."""
    if name == "bbh":
        return load_bbh(bbh_path or default_bbh_path())[:n]
    if name not in SAMPLERS:
        raise ValueError(f"unknown suite {name!r} (choose from {', '.join(SUITES)})")
    return generate(name, n, seed, split="test")


def default_bbh_path() -> Path:
    """The BIG-Bench Hard file shipped in the package (``bracketcloser/benchmarks/``)."""
    if not BBH_FILE.is_file():
        raise ValueError(f"the BIG-Bench Hard file is missing from the package ({BBH_FILE}); pass its path with --data")
    return BBH_FILE


def load_bbh(path: str | Path) -> list[Example]:
    """BIG-Bench Hard ``dyck_languages``: ``{"examples": [{"input": "... Input: ( [ {", "target":
    "} ] )"}]}``. Four bracket types (``<>`` besides ours); evaluation only, never training."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        entries = raw["examples"]
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: not a BIG-Bench Hard file ({type(e).__name__}: {e})") from None
    out = []
    for i, entry in enumerate(entries):
        try:
            prefix = BBH_VOCAB.clean(entry["input"].rsplit("Input:", 1)[1])
            answer = BBH_VOCAB.clean(entry["target"])
            if solve(prefix, BBH_VOCAB) != answer:
                raise ValueError(f"target {answer!r} does not close the input")
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as e:
            raise ValueError(f"{path}: entry {i}: {e}") from None
        out.append(Example(prefix, answer))
    return out
