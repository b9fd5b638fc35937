"""Time budgets: the original's names and any duration."""

import pytest

from bracketcloser.cli import main
from bracketcloser.train import BUDGETS, budget_seconds


@pytest.mark.parametrize("budget, seconds", [("30s", 30), ("5min", 300), ("1h30m", 5400), ("2d", 172_800),
                                             *BUDGETS.items()])
def test_a_budget_is_any_duration_or_one_of_the_original_names(budget, seconds):
    assert budget_seconds(budget) == seconds


@pytest.mark.parametrize("budget", ["5", "five minutes", "0s", "5 min", "1hx", ""])
def test_what_is_no_duration_is_refused_in_one_line(budget, capsys):
    with pytest.raises(ValueError, match="a duration such as 30s"):
        budget_seconds(budget)
    assert main(["train", "--time", budget, "--quiet"]) != 0
    err = capsys.readouterr().err.strip()
    assert "unknown time budget" in err and len(err.splitlines()) == 1


def test_a_run_of_a_few_seconds_trains_and_saves(tmp_path):
    assert main(["train", "--time", "3s", "--models-dir", str(tmp_path), "--quiet"]) == 0
    run = next(tmp_path.iterdir())
    assert (run / "best.safetensors").is_file() and (run / "training_info.json").is_file()
