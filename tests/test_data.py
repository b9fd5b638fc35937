import random
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bracketcloser import data
from bracketcloser.solver import max_depth, solve


def test_seed_distribution_matches_the_original():
    examples = data.generate("seed", 3000, seed=1)
    assert all(1 <= len(ex.answer) <= 3 for ex in examples)
    assert all(ex.answer == solve(ex.prefix) for ex in examples)
    # the original's walk makes sequences of 5..20 brackets; the prefix keeps all but the answer
    assert all(2 <= len(ex.prefix) + len(ex.answer) <= 20 for ex in examples)
    assert set(Counter(len(ex.answer) for ex in examples)) == {1, 2, 3}


def test_original_labels_are_sometimes_wrong_and_ours_never():
    rate = data.seed_label_error_rate(20_000, seed=0)
    assert 0.03 < rate < 0.08  # about 5.6%
    rng = random.Random(0)
    wrong = [(p, a) for p, a in (data.sample_seed_original(rng) for _ in range(5000)) if a != solve(p)]
    assert wrong and all(sorted(a) == sorted(solve(p)) for p, a in wrong)  # right closers, wrong order


def test_dyck_bounds_and_spread():
    examples = data.generate("dyck", 4000, seed=0)
    depths = Counter(max_depth(ex.prefix) for ex in examples)
    lengths = [len(ex.prefix) for ex in examples]
    assert all(1 <= n <= 40 for n in lengths)
    assert set(depths) <= set(range(1, 11)) and len(depths) == 10
    assert all(0 <= len(ex.answer) <= 10 and ex.answer == solve(ex.prefix) for ex in examples)
    assert sum(depths[d] for d in range(6, 11)) > 0.25 * len(examples)  # not dominated by shallow cases
    assert sum(n > 20 for n in lengths) > 0.35 * len(examples)  # nor by short ones
    assert len({len(ex.answer) for ex in examples}) == 11


@pytest.mark.parametrize("name, lengths, depths", [("long", (101, 200), (1, 30)), ("deep", (31, 100), (31, 60))])
def test_generalisation_suites(name, lengths, depths):
    examples = data.suite(name, 300, seed=0)
    assert all(lengths[0] <= len(ex.prefix) <= lengths[1] for ex in examples)
    assert all(depths[0] <= max_depth(ex.prefix, data.GENERAL_VOCAB) <= depths[1] for ex in examples)
    assert all(ex.answer == solve(ex.prefix, data.GENERAL_VOCAB) for ex in examples)
    assert any("<" in ex.prefix for ex in examples)


@pytest.mark.parametrize("name", ["general", "shapes", "walks", "strings", "runs"])
def test_general_range_covers_lengths_depths_and_kinds(name):
    """Every in-range sampler stays inside 1-100 brackets, depth <= 30, answers <= 30, reads
    all four kinds, and reaches both ends of every axis."""
    examples = data.generate(name, 3000, seed=0)
    lengths = [len(ex.prefix) for ex in examples]
    depths = [max_depth(ex.prefix, data.GENERAL_VOCAB) for ex in examples]
    answers = [len(ex.answer) for ex in examples]
    assert min(lengths) <= 5 and max(lengths) >= 95 and max(lengths) <= 100
    assert max(depths) >= 25 and max(depths) <= 30
    assert max(answers) >= 25 and max(answers) <= 30
    assert set("".join(ex.prefix for ex in examples)) == set("()[]{}<>")
    assert all(ex.answer == solve(ex.prefix, data.GENERAL_VOCAB) for ex in examples)


def test_samplers_differ_in_shape():
    """The walks pile up where the shape sampler spreads out: at the depth wall and in runs
    of one bracket kind. (If they had the same shapes the mixture would teach nothing more.)"""
    shapes, walks = data.generate("shapes", 2000, seed=0), data.generate("walks", 2000, seed=0)

    def one_kind(examples):
        return sum(len(set(ex.prefix.translate(str.maketrans(")]}>", "([{<")))) == 1 for ex in examples if len(ex.prefix) > 10)

    assert one_kind(walks) > 3 * max(1, one_kind(shapes))
    at_wall = [sum(len(ex.answer) >= 28 for ex in exs) for exs in (shapes, walks)]
    assert at_wall[1] > 2 * at_wall[0]


def two_long_runs(prefix: str, run: int = 8) -> bool:
    """Two kinds of opener each in a run of ``run`` or more somewhere in ``prefix``."""
    return len({k for k in "([{<" if k * run in prefix}) >= 2


def test_runs_of_one_kind_are_what_the_runs_sampler_adds():
    """Two runs of a dozen openers of different kinds (the answer must count each exactly)
    are rare in the training mixture and common in `runs`."""
    n = 2000
    found = {name: sum(two_long_runs(ex.prefix) for ex in data.generate(name, n, seed=0))
             for name in ("shapes", "walks", "strings", "runs")}
    assert found["runs"] > 0.1 * n
    assert all(found[name] < 0.01 * n for name in ("shapes", "walks", "strings")), found


def test_the_mixture_draws_as_before_unless_runs_are_asked_for():
    """runs=0 must draw exactly what the mixture drew before sample_runs existed (the recorded
    recipes reproduce their shipped models); runs=0.2 takes about a fifth from the runs sampler."""
    samplers, weights = [s for s, _ in data.MIXTURE], [w for _, w in data.MIXTURE]

    def before(rng):
        sample = rng.choices(samplers, weights=weights)[0]
        return sample(rng, data.GENERAL_VOCAB) if sample is data.sample_seed else sample(rng, data.GENERAL_VOCAB, max_length=100)

    a, b = random.Random(4), random.Random(4)
    assert [data.sample_general(a) for _ in range(500)] == [before(b) for _ in range(500)]
    rng = random.Random(0)
    mixed = [data.sample_general(rng, runs=0.2).prefix for _ in range(3000)]
    assert 0.04 * 3000 < sum(map(two_long_runs, mixed)) < 0.2 * 3000


def test_dyck_prefix_has_the_asked_shape():
    rng = random.Random(3)
    for length, depth, answer in [(1, 1, 1), (10, 5, 0), (40, 20, 0), (39, 10, 9), (20, 10, 10)]:
        p = data.dyck_prefix(rng, length, depth, answer)
        assert (len(p), max_depth(p), len(solve(p))) == (length, depth, answer)


@pytest.mark.parametrize("dist", ["seed", "dyck", "general", "shapes", "walks", "strings", "runs", "long", "deep"])
def test_seeded(dist):
    assert data.generate(dist, 50, seed=7) == data.generate(dist, 50, seed=7)
    assert data.generate(dist, 50, seed=7) != data.generate(dist, 50, seed=8)


def every_prefix(longest: int) -> list[str]:
    """Every valid prefix of 1..``longest`` brackets over ()[]{}<>, each once."""
    closer = dict(zip("([{<", ")]}>", strict=True))
    out, level = [], [("", "")]  # (prefix, its open brackets)
    for _ in range(longest):
        level = [(p + o, s + o) for p, s in level for o in closer] + [(p + closer[s[-1]], s[:-1]) for p, s in level if s]
        out += [p for p, _ in level]
    return out


def test_the_split_takes_85_5_10_of_every_possible_prefix():
    """The proportions over all 368,088 valid prefixes of up to 8 brackets (each counted once,
    however often a sampler draws it). One of 20 buckets of the hash's first byte is 5%, but
    256 % 20 leaves buckets 0-15 a thirteenth of 256 and 16-19 a twelfth: test 26/256 = 10.16%,
    valid 13/256 = 5.08%, train 84.77%. At this many prefixes one standard error is below
    0.06 points; the bound, 0.2 points, is 3.4 of them where it is widest (train)."""
    prefixes = every_prefix(8)
    assert len(prefixes) == len(set(prefixes)) == 368_088
    counts = Counter(map(data.split_of, prefixes))
    share = {split: counts[split] / len(prefixes) for split in data.SPLITS}
    exact = {"train": 217 / 256, "valid": 13 / 256, "test": 26 / 256}
    assert all(abs(share[s] - exact[s]) < 0.002 for s in data.SPLITS), share
    assert all(abs(share[s] - nominal) < 0.003 for s, nominal in zip(data.SPLITS, (0.85, 0.05, 0.10), strict=True)), share


def test_the_split_is_a_stable_function_of_the_prefix_text():
    """Pinned: the same prefixes in the same splits in every process and every version (not
    Python's per-process ``hash``, not the draw's RNG), or every recorded held-out set moves."""
    mark = {"train": ".", "valid": "v", "test": "T"}
    assert "".join(mark[data.split_of(p)] for p in every_prefix(8)[:80]) == (
        "..v...T.....T......T..T.Tv..........v...........T....vTT........................")
    assert {p: data.split_of(p) for p in ["({", "{}", "(((", "{", "(<(", "(", "{[(", "()"]} == {
        "({": "test", "{}": "test", "(((": "test", "{": "valid", "(<(": "valid",
        "(": "train", "{[(": "train", "()": "train"}
    assert data.split_of("((") == data.split_of("".join(["(", "("]))  # the text, not the object


def test_splits_are_disjoint_whatever_drew_the_prefix():
    """Streams of every split, of three seeds and of two distributions, and the evaluation suites:
    a prefix several of them draw (hundreds are) lands in one split only, the one its text
    hashes to. A split decided by the draw (its seed, distribution or RNG) would put a
    prefix drawn twice in two splits."""
    splits, streams = defaultdict(set), Counter()
    for dist, seed in [("seed", 0), ("seed", 1), ("seed", 2), ("dyck", 0)]:
        for split in data.SPLITS:
            for prefix in {ex.prefix for ex in data.generate(dist, 400, seed, split=split)}:
                splits[prefix].add(split)
                streams[prefix] += 1
    for name in ["seed", "dyck", "shapes", "walks", "long", "deep"]:
        for prefix in {ex.prefix for ex in data.suite(name, 300, seed=0)}:
            splits[prefix].add("test")
            streams[prefix] += 1
    assert sum(n > 1 for n in streams.values()) > 300  # drawn by more than one stream
    assert {p: s for p, s in splits.items() if len(s) > 1} == {}
    assert all(s == {data.split_of(p)} for p, s in splits.items())


def test_disjoint_drops_trained_prefixes():
    examples = [data.Example("((", "))"), data.Example("(", ")"), data.Example("((", "))")]
    kept, dropped = data.disjoint(examples, ["(("])
    assert kept == [data.Example("(", ")")] and dropped == 2


def test_bbh_ships_in_the_package_and_agrees_with_the_solver():
    path = data.default_bbh_path()
    assert path.is_relative_to(Path(data.__file__).parent)  # inside the package: a clone carries it
    assert (path.parent / "BBH_LICENSE").read_text().startswith("MIT License")
    examples = data.load_bbh(path)
    assert len(examples) == 250
    assert any("<" in ex.prefix for ex in examples)
    assert all(ex.answer == solve(ex.prefix, data.BBH_VOCAB) for ex in examples)


def test_bbh_malformed(tmp_path):
    bad = tmp_path / "bbh.json"
    bad.write_text('{"examples": [{"input": "Input: ( [", "target": "] )"}, {"input": "Input: ( [", "target": ")"}]}')
    with pytest.raises(ValueError, match=r"bbh.json: entry 1: "):
        data.load_bbh(bad)


def test_unknown_names():
    with pytest.raises(ValueError, match="choose from"):
        data.generate("nope", 1, 0)
    with pytest.raises(ValueError, match="choose from"):
        data.suite("nope")


def test_each_distributions_range_holds_what_it_draws():
    """The recorded range is what warnings compare against: it must cover every draw."""
    import random

    from bracketcloser.data import DISTS
    from bracketcloser.solver import max_depth

    for name, spec in DISTS.items():
        rng = random.Random(name)
        for _ in range(3000 if name in ("seed", "dyck", "general", "shapes", "walks") else 100):
            ex = spec.sample(rng, spec.vocab)
            assert len(ex.prefix) <= spec.range.length, name
            assert max_depth(ex.prefix, spec.vocab) <= spec.range.depth, name
            assert len(ex.answer) <= spec.range.answer, name


def test_the_suite_registry():
    """One list of suites that every caller reads: each name loads, and the views taken from
    it (the figure's pool, the leaderboard's columns) are what the README and app show."""
    in_range = ["seed", "dyck", "shapes", "walks", "strings", "runs"]
    assert list(data.SUITES) == [*in_range, "long", "longer", "deep", "len1000", "depth100", "bbh"]
    for name, s in data.SUITES.items():
        assert s.reach in data.REACH and s.about and s.size > 0, name
        assert len(data.suite(name, 3, seed=0)) == 3, name
    assert len(data.suite("bbh")) == data.SUITES["bbh"].size == 250
    assert data.SWEEP == ("shapes", "walks", "strings", "long", "deep")
    assert data.BOARD == ("shapes", "walks", "strings", "seed", "runs", "bbh", "long", "deep", "len1000", "depth100")
    beyond = {name for name, s in data.SUITES.items() if s.reach != "in"}
    assert all(data.DISTS[name].range != data.GENERAL for name in beyond)
    assert all(data.DISTS[name].range == data.GENERAL for name in ("shapes", "walks", "strings", "runs"))
