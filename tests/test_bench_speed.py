"""bench/speed.py's ``settings``: variants' training steps timed in turns, each against the first."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_settings_times_each_variant_against_the_first(tmp_path):
    out = tmp_path / "speed.json"
    subprocess.run([sys.executable, str(BENCH / "speed.py"), "settings", "--arch", "bert", "--variant", "",
                    "--variant", "batch_size=8,ffn_mult=2", "--steps", "3", "--rounds", "2", "--out", str(out)],
                   check=True, capture_output=True, cwd=BENCH.parent)
    rows = json.loads(out.read_text())["rows"]
    assert [r["variant"] for r in rows] == ["(defaults)", "batch_size=8,ffn_mult=2"]
    assert rows[0]["steps_ratio"] == 1.0 and rows[1]["steps_ratio"] > 0
    assert rows[1]["params"] < rows[0]["params"]  # the model setting reached the model


def test_settings_refuses_a_malformed_variant(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH / "speed.py"), "settings", "--arch", "bert", "--variant", "lr",
                           "--out", str(tmp_path / "x.json")], capture_output=True, text=True, cwd=BENCH.parent)
    assert done.returncode != 0 and "KEY=VALUE" in done.stderr and "Traceback" not in done.stderr
