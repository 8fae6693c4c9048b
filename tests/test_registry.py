"""Every registered spacy_lstm name resolves without importing spacy_lstm first."""
import json
import sys
from importlib.metadata import entry_points

import pytest

from conftest import run

# Minimal arguments each architecture needs to build.
BUILD_ARGS = {
    "spacy_lstm.LSTMEncoder.v1": {"width": 8, "depth": 1, "dropout": 0.0},
    "spacy_lstm.LSTMTok2Vec.v1": {"width": 8, "include_static_vectors": False},
    "spacy_lstm.LSTMTok2Vec.v2": {"width": 8, "include_static_vectors": False},
    "spacy_lstm.LSTMTok2Vec.v3": {"width": 9, "include_static_vectors": False},
    "spacy_lstm.LSTMEncoder.v2": {"width": 9, "depth": 1, "dropout": 0.0},
    "spacy_lstm.PretrainBiLM.v1": {"target": "words"},
    "spacy_lstm.PretrainBiLM.v2": {"target": "words", "precision": "auto"},
    "spacy_lstm.PretrainBiLM.v3": {"target": "words", "precision": "auto"},
    "spacy_lstm.TextCatReduce.v1": {"tok2vec": {"@architectures": "spacy_lstm.LSTMTok2Vec.v2", "width": 8,
                                                "include_static_vectors": False},
                                    "exclusive_classes": True, "use_reduce_first": False, "use_reduce_last": False,
                                    "use_reduce_max": True, "use_reduce_mean": True, "nO": 2},
    "spacy_lstm.CompactEmbed.v1": {"width": 8, "attrs": ["NORM", "SHAPE"], "rows": [50, 20],
                                   "attr_widths": [4, 2], "include_static_vectors": False},
    "spacy_lstm.Refine.v1": {"width": 8, "depth": 1},
    "spacy_lstm.LSTMEncoder.v3": {"width": 9, "depth": 1, "language_model": True},
    "spacy_lstm.LSTMTok2Vec.v4": {"width": 9, "include_static_vectors": False},
    "spacy_lstm.Tok2Vec.v1": {
        "embed": {"@architectures": "spacy_lstm.CompactEmbed.v1", "width": 8, "attrs": ["NORM"], "rows": [50],
                  "attr_widths": [4], "include_static_vectors": False},
        "encode": {"@architectures": "spacy_lstm.LSTMEncoder.v2", "width": 8, "depth": 1, "dropout": 0.0},
        "refine": {"@architectures": "spacy_lstm.Refine.v1", "width": 8, "depth": 0, "window_size": 1},
    },
}


def declared_names():
    return sorted(
        ep.name for ep in entry_points(group="spacy_architectures")
        if ep.name.startswith("spacy_lstm.")
    )


def test_every_declared_name_has_build_args():
    names = declared_names()
    assert names, "no spacy_lstm entry points: is the package installed (pip install -e .)?"
    assert set(names) == set(BUILD_ARGS)


@pytest.mark.parametrize("name", sorted(BUILD_ARGS))
def test_name_resolves_in_fresh_process(name):
    config = {"model": {"@architectures": name, **BUILD_ARGS[name]}}
    script = f"""
import json, sys
import spacy
from thinc.api import Config
assert "spacy_lstm" not in sys.modules
resolved = spacy.registry.resolve(Config(json.loads({json.dumps(config)!r})))
model = resolved["model"]
if callable(model) and not hasattr(model, "get_dim"):  # a pretraining objective's factory
    print(json.dumps({{"factory": True}}))
else:
    print(json.dumps({{"name": model.name, "nO": model.get_dim("nO")}}))
"""
    out = run(
        [sys.executable, "-c", script]
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if "width" in BUILD_ARGS[name]:
        assert result["nO"] == BUILD_ARGS[name]["width"]
    elif "nO" in BUILD_ARGS[name]:
        assert result["nO"] == BUILD_ARGS[name]["nO"]
    elif "encode" in BUILD_ARGS[name]:  # a tok2vec from blocks is as wide as its encoder
        assert result["nO"] == BUILD_ARGS[name]["encode"]["width"]
    else:
        assert result == {"factory": True}


def test_raw_text_reader_resolves_through_its_entry_point(tmp_path):
    raw = tmp_path / "raw.jsonl"
    raw.write_text('{"text": "Kumain ang bata."}\n{"text": "Umuulan."}\n', encoding="utf8")
    script = f"""
import sys
import spacy
assert "spacy_lstm" not in sys.modules
reader = spacy.registry.resolve({{"r": {{"@readers": "spacy_lstm.RawText.v1", "path": {str(raw)!r}}}}})["r"]
print([eg.reference.text for eg in reader(spacy.blank("tl"))])
"""
    out = run([sys.executable, "-c", script])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['Kumain ang bata.', 'Umuulan.']"
