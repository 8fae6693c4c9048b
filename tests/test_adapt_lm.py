"""``python -m spacy lstm adapt-lm``: pretrained weights go on learning the
language-model objective on a task's own text, through spaCy's pretraining
loop, into a directory that appears only when complete."""
import json

import pytest
import srsly
from spacy.training.pretrain import pretrain
from spacy.util import load_config

from conftest import ASSETS, ROOT, failure_line, invoke

CONFIG = ROOT / "configs" / "textcat.cfg"
SMALL = ["--components.tok2vec.model.width", "32", "--components.tok2vec.model.hidden_size", "24",
         "--components.tok2vec.model.include_static_vectors", "false", "--pretraining.batcher.size", "1000"]
SMALL_OVERRIDES = {"components.tok2vec.model.width": 32, "components.tok2vec.model.hidden_size": 24,
                   "components.tok2vec.model.include_static_vectors": False, "pretraining.batcher.size": 1000,
                   "paths.raw_text": str(ASSETS / "raw" / "tl_sample-raw.txt"), "pretraining.max_epochs": 1}


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    """One epoch of spacy pretrain on the sample raw text, and the sample's textcat corpus."""
    out = tmp_path_factory.mktemp("adapt")
    config = load_config(CONFIG, overrides=SMALL_OVERRIDES, interpolate=True)
    (out / "pre").mkdir()
    pretrain(config, out / "pre", silent=True)
    code, output = invoke("convert-textcat", ASSETS / "textcat" / "tl_sample-textcat-train.csv", out / "train.spacy")
    assert code == 0, output
    return out


def _epoch_losses(directory):
    rows = [json.loads(line) for line in (directory / "log.jsonl").read_text().splitlines()]
    return {row["epoch"]: row["epoch_loss"] for row in rows if row["epoch_loss"]}


def test_adapt_lm_learns_on_the_task_text_from_the_weights(pretrained, tmp_path):
    weights = pretrained / "pre" / "model-last.bin"
    out = tmp_path / "adapted"
    code, output = invoke("adapt-lm", CONFIG, weights, pretrained / "train.spacy", out, "--epochs", "3", *SMALL)
    assert code == 0, output
    assert f"Adapting {weights}" in " ".join(output.split()) and "Adapted weights in" in output
    names = {p.name for p in out.iterdir()}
    assert {"model0.bin", "model1.bin", "model2.bin", "model-last.bin", "config.cfg", "adapt-lm.json"} <= names
    assert json.loads((out / "adapt-lm.json").read_text())["epochs"] == 3
    assert load_config(out / "config.cfg")["paths"]["raw_text"] == str(pretrained / "train.spacy")
    losses = _epoch_losses(out)
    assert sorted(losses) == [0, 1, 2] and losses[2] < losses[0], losses
    before = srsly.msgpack_loads(weights.read_bytes())
    after = srsly.msgpack_loads((out / "model-last.bin").read_bytes())
    assert before.keys() == after.keys()
    assert srsly.msgpack_dumps(before["shims"]) != srsly.msgpack_dumps(after["shims"])  # the LSTMs moved
    # a rerun is refused without --overwrite, and replaces the directory with it
    code, output = invoke("adapt-lm", CONFIG, weights, pretrained / "train.spacy", out, "--epochs", "1", *SMALL)
    assert code == 2 and failure_line(output) == f"{out}: exists; pass --overwrite to replace it"
    assert (out / "model2.bin").is_file()
    code, output = invoke("adapt-lm", CONFIG, weights, pretrained / "train.spacy", out, "--epochs", "1",
                          "--overwrite", *SMALL)
    assert code == 0, output
    assert not (out / "model2.bin").exists() and (out / "model-last.bin").is_file()


def test_adapt_lm_refuses_what_it_cannot_use_and_writes_nothing(pretrained, tmp_path):
    weights = pretrained / "pre" / "model-last.bin"
    text = pretrained / "train.spacy"
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf8")
    code, output = invoke("adapt-lm", CONFIG, weights, text, foreign, "--overwrite", *SMALL)
    assert code == 2 and "was not written by this command" in failure_line(output)
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    out = tmp_path / "out"
    code, output = invoke("adapt-lm", CONFIG, weights, tmp_path / "missing.spacy", out, *SMALL)
    assert code == 2 and "missing.spacy: no such file" in failure_line(output)
    code, output = invoke("adapt-lm", CONFIG, weights, text, out, "--epochs", "0", *SMALL)
    assert code == 2 and failure_line(output) == "--epochs must be >= 1, got 0"
    # weights of another width do not fit this config: one line naming the file
    wider = [a if a != "32" else "48" for a in SMALL]
    code, output = invoke("adapt-lm", CONFIG, weights, text, out, *wider)
    line = failure_line(output)
    assert code == 1 and line.startswith(f"{weights}: does not fit [components.tok2vec] layer 'lm'"), line
    short = tmp_path / "short.txt"
    short.write_text("Oo.\nHindi!\n", encoding="utf8")  # 2 tokens each; textcat.cfg reads docs of >= 3
    code, output = invoke("adapt-lm", CONFIG, weights, short, out, *SMALL)
    assert code == 1 and failure_line(output).startswith(f"{short}: no document to learn from")
    code, output = invoke("adapt-lm", CONFIG, tmp_path / "none.bin", text, out, *SMALL)
    assert code == 2 and "none.bin: no such file" in failure_line(output)
    assert not out.exists() and not list(tmp_path.glob(".out*"))
