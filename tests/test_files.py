import json
from pathlib import Path

import pytest

from bracketcloser import data
from bracketcloser.files import atomic_write_json, read_examples, read_json, write_dataset
from bracketcloser.solver import solve
from bracketcloser.tokens import DEFAULT_VOCAB

FIXTURE = Path(__file__).parent / "fixtures" / "original_dataset.json"


def test_three_folder_layout_round_trip(tmp_path):
    examples = data.generate("seed", 40, seed=0)
    write_dataset(tmp_path, examples, name="train")
    assert read_examples(tmp_path) == examples
    texts = json.loads((tmp_path / "original" / "train.json").read_text())
    tokens = json.loads((tmp_path / "tokenize" / "train.json").read_text())
    ids = json.loads((tmp_path / "preprocessed" / "train.json").read_text())
    assert texts[0] == f"input:{examples[0].prefix},output:{examples[0].answer}"
    assert tokens[0][0] == "input" and tokens[0][-1] == ","
    assert len({len(row) for row in ids}) == 1  # padded to one length
    assert DEFAULT_VOCAB.decode(ids[0][: len(tokens[0])]) == tokens[0]


def test_original_files_load_with_full_width_brackets():
    examples = read_examples(FIXTURE)
    assert examples[1].prefix == "{}()[](){}[" and examples[1].answer == "]"
    # the original mislabelled this one ")}": we answer with the truth, or keep its label on request
    assert examples[3].answer == "})" == solve(examples[3].prefix)
    assert read_examples(FIXTURE, keep_labels=True)[3].answer == ")}"


@pytest.mark.parametrize(
    "content, message",
    [
        ('["input:(,output:)", "input:(x,output:)"]', r"bad.json: entry 1: 'x' at position 1"),
        ('["input:(,output:)", "input:()),output:"]', r"bad.json: entry 1: '\)' at position 2"),
        ('["input:(,output:)", 3]', r"bad.json: entry 1: expected a string"),
        ('{"not": "a list"}', r"bad.json: expected a JSON list"),
        ('[1, 2', r"bad.json: not valid JSON"),
    ],
)
def test_malformed_file_names_file_and_entry(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        read_examples(path)


def test_atomic_write_leaves_no_temp_files(tmp_path):
    atomic_write_json(tmp_path / "a.json", {"x": 1})
    assert read_json(tmp_path / "a.json") == {"x": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    with pytest.raises(ValueError, match="no such file"):
        read_json(tmp_path / "missing.json")
