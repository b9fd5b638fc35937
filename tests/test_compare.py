import json

from bracketcloser.cli import main


def test_compare_writes_leaderboard_and_plot(tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = ["compare", "--steps", "3", "--archs", "gru", "gpt", "--samples", "10", "--quiet",
            "--models-dir", str(tmp_path / "models"), "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "gru" in printed and "gpt" in printed and "deep" in printed
    result = json.loads((out / "leaderboard.json").read_text())
    assert [r["arch"] for r in result["leaderboard"]] == ["gru", "gpt"]
    for row in result["leaderboard"]:
        assert {"params", "steps", "seed", "dyck", "shapes", "walks", "long", "deep", "bbh", "train_time_s"} <= set(row)
        assert 0.0 <= row["dyck"] <= 1.0 and row["steps"] == 3
    assert (out / "leaderboard.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "generalisation.png").read_bytes()[:4] == b"\x89PNG"
