"""The README's main job, `spacy project run all`, on a copy of the project.

Runs the whole workflow offline on the team's sample: conversion, vectors,
three trainings, assembly, evaluation, `spacy package`, and the smoke step
that installs the wheel into a fresh venv and calls spacy.load on it. Then
runs it again, which must redo nothing.
"""
import json
import shlex
import shutil
import sys

import pytest
import srsly

from conftest import ROOT, run

# Few steps: this checks the plumbing, not accuracy.
FAST = ["--vars.ud_steps", "60", "--vars.ner_steps", "40", "--vars.textcat_steps", "40",
        "--vars.vectors_epochs", "1", "--vars.pretrain_epochs", "2", "--vars.pretrain_restart_epochs", "[1]", "--vars.adapt_epochs", "1", "--vars.width", "64",
        "--vars.lm_hidden_size", "48", "--vars.ud_refine_hidden_size", "32", "--vars.pretrain_max_words", "30000"]


def project_commands(project_dir):
    """project.yml with its variables filled in, and its commands by name."""
    from weasel.util import load_project_config

    config = load_project_config(project_dir, overrides={})
    return config, {c["name"]: c for c in config["commands"]}


def declared_outputs(project_dir):
    config, commands = project_commands(project_dir)
    workflow = config["workflows"]["all"]
    return workflow, [out for name in workflow for out in commands[name].get("outputs", [])]


@pytest.mark.slow
def test_project_run_all_then_nothing_to_redo(tmp_path):
    for name in ("assets", "configs", "scripts"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "project.yml", tmp_path / "project.yml")
    cmd = [sys.executable, "-m", "spacy", "project", "run", "all", str(tmp_path)] + FAST
    first = run(cmd)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-3000:]

    workflow, outputs = declared_outputs(tmp_path)
    assert len(outputs) >= 15
    missing = [o for o in outputs if not (tmp_path / o).exists()]
    assert not missing, missing

    ud = srsly.read_json(tmp_path / "metrics" / "ud.json")
    for key in ("tag_acc", "pos_acc", "morph_acc", "lemma_acc", "dep_uas", "dep_las"):
        assert 0.0 < ud[key] <= 1.0, (key, ud[key])
    # the size variables reached every step that builds the tok2vec (pretrain's weights had to fit them all)
    from spacy.util import load_config

    for step in ("ud", "ner", "textcat"):
        model = load_config(tmp_path / "training" / step / "model-best" / "config.cfg")["components"]["tok2vec"]["model"]
        assert (model["width"], model["hidden_size"]) == (64, 48), (step, model)
        if step == "ud":
            assert model["refine_hidden_size"] == 32
    ner = srsly.read_json(tmp_path / "metrics" / "ner.json")
    assert set(ner["ents_per_type"]) <= {"PER", "ORG", "LOC"} and ner["ents_per_type"]
    textcat = srsly.read_json(tmp_path / "metrics" / "textcat.json")
    assert set(textcat["cats_f_per_type"]) == {"positibo", "negatibo"}
    summary = (tmp_path / "metrics" / "summary.md").read_text(encoding="utf8")
    assert "| ud | LAS |" in summary and "| ner | NER F |" in summary and "| textcat | Textcat macro F |" in summary
    assert "evaluated on `assets/ud/tl_sample-ud-dev.conllu` (a **dev** file" in summary, summary

    meta = json.loads((tmp_path / "training" / "assembled" / "meta.json").read_text())
    packaged = next((tmp_path / "packages").glob("*/*/meta.json"))
    requirements = json.loads(packaged.read_text())["requirements"]
    assert any(r.startswith("spacy-lstm") for r in requirements), requirements
    assert meta["pipeline"] == [
        "tok2vec", "tagger", "morphologizer", "trainable_lemmatizer", "parser", "ner", "textcat"
    ]

    # spacy assemble loaded the vectors the components were trained with ([initialize] vectors)
    import spacy

    nlp = spacy.load(tmp_path / "training" / "assembled")
    assembled = nlp.vocab.vectors
    trained = spacy.load(tmp_path / "vectors" / "tl_sample").vocab.vectors
    assert assembled.shape == trained.shape and assembled.mode == trained.mode == "floret"
    # empty texts are ordinary in real corpora: in any batch, through every component
    texts = ["", "Bumili si Ana ng mangga sa palengke.", "", "Masarap ang pagkain dito."] * 64
    docs = list(nlp.pipe(texts, batch_size=256))
    assert len(docs) == 256 and all(len(d) == 0 for d in docs[::2]) and all(len(d) for d in docs[1::2])
    assert all(set(d.cats) == {"positibo", "negatibo"} for d in docs)

    smoke = (tmp_path / "metrics" / "smoke.txt").read_text(encoding="utf8").splitlines()
    assert smoke[0] == "pipeline: " + ",".join(meta["pipeline"])
    rows = [line.split("\t") for line in smoke[1:] if "\t" in line]
    assert [r[0] for r in rows][:3] == ["Bumili", "si", "Ana"]
    assert all(r[1] and r[2] for r in rows), "every token has a POS and a dependency label"
    assert smoke[-1].startswith("cats: {") and "positibo" in smoke[-1]

    second = run(cmd)
    assert second.returncode == 0, second.stderr[-3000:]
    for step in workflow:
        assert f"Skipping '{step}': nothing changed" in second.stdout, step


def test_default_size_variables_give_each_config_its_own_null():
    """The workflow test runs with non-default sizes; with the defaults, every
    step that builds the tok2vec gets hidden_size (and train-ud
    refine_hidden_size) = None, i.e. exactly what the configs say."""
    from spacy.cli._util import parse_config_overrides

    _, commands = project_commands(ROOT)
    scripts = [(name, line) for name in ("pretrain", "adapt-textcat", "train-ud", "train-ner", "train-textcat")
               for line in commands[name]["script"]]
    assert len(scripts) == 5  # one command per step
    for name, line in scripts:
        words = shlex.split(line)
        pairs = [(word, words[i + 1]) for i, word in enumerate(words) if word.endswith("hidden_size")]
        sizes = parse_config_overrides([part for pair in pairs for part in pair])
        wanted = {"components.tok2vec.model.hidden_size": None}
        if name == "train-ud":
            wanted["components.tok2vec.model.refine_hidden_size"] = None
        assert sizes == wanted, (name, line, sizes)


def test_pretraining_is_one_spacy_pretrain_run_that_every_training_starts_from():
    """pretrain is one `spacy pretrain` command (its restart is a setting of
    the run, not a second command); every later step reads its weights."""
    from spacy.cli._util import parse_config_overrides

    config, commands = project_commands(ROOT)
    corpus = config["vars"]["corpus"]
    (script,) = commands["pretrain"]["script"]
    words = shlex.split(script)
    assert words[:4] == ["python", "-m", "spacy", "pretrain"]
    overrides = parse_config_overrides([w for w in words[6:] if w != "--gpu-id" and w != config["vars"]["gpu_id"]
                                        and w != str(config["vars"]["gpu_id"])])
    assert overrides["pretraining.max_epochs"] == config["vars"]["pretrain_epochs"]
    restarts = overrides["pretraining.objective.restart_epochs"]
    assert all(0 < epoch < config["vars"]["pretrain_epochs"] for epoch in restarts), restarts
    wanted = f"pretrain/{corpus}/model-last.bin"
    assert commands["pretrain"]["outputs"] == [wanted]
    for name in ("adapt-textcat", "train-ud", "train-ner"):
        assert wanted in commands[name]["deps"] and wanted in commands[name]["script"][0], name


@pytest.mark.slow
def test_the_public_path_runs_offline_without_hand_work(tmp_path):
    """--vars.corpus tl_public after `spacy project assets --extra`, offline:
    archives of the real layouts (Hate Speech Filipino's hatespeech/*.csv,
    TLUnified's tlunified/train.txt) are unpacked by `prepare`, then every
    step to the evaluation runs on them (few steps, a pretraining budget)."""
    import json as _json
    import zipfile

    for name in ("assets", "configs", "scripts"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "project.yml", tmp_path / "project.yml")
    assets = tmp_path / "assets"
    for kind, suffix in (("ud", "conllu"), ("ner", "iob")):
        for split in ("train", "dev"):
            shutil.copy(assets / kind / f"tl_sample-{kind}-{split}.{suffix}",
                        assets / kind / f"tl_public-{kind}-{split}.{suffix}")
    with zipfile.ZipFile(assets / "textcat" / "hatespeech_raw.zip", "w") as z:
        for split, ours in (("train", "train"), ("valid", "dev"), ("test", "dev")):
            z.writestr(f"hatespeech/{split}.csv", (assets / "textcat" / f"tl_sample-textcat-{ours}.csv").read_bytes())
    with zipfile.ZipFile(assets / "raw" / "tlunified-raw.zip", "w") as z:
        z.writestr("tlunified/train.txt", (assets / "raw" / "tl_sample-raw.txt").read_bytes())
    public = ["--vars.corpus", "tl_public", "--vars.pretrain_max_words", "20000"]
    workflow, _ = declared_outputs(tmp_path)
    # the whole workflow but packaging (corpus-independent, and tested above)
    for step in [s for s in workflow if s not in ("package", "smoke")]:
        result = run([sys.executable, "-m", "spacy", "project", "run", step, str(tmp_path)] + FAST + public)
        assert result.returncode == 0, (step, result.stdout[-3000:] + result.stderr[-3000:])
    assert (assets / "raw" / "tl_public-raw.txt").read_bytes() == (assets / "raw" / "tl_sample-raw.txt").read_bytes()
    for split in ("train", "dev", "test"):
        assert (tmp_path / "corpus" / f"textcat-{split}.spacy").is_file()
    log = [_json.loads(line) for line in (tmp_path / "pretrain" / "tl_public" / "log.jsonl").read_text().splitlines()]
    assert 0 < log[0]["nr_word"] <= 20000  # epoch 0 read the budget, not the whole raw text
    assert (tmp_path / "pretrain" / "tl_public" / "model-last.bin").is_file()
    summary = (tmp_path / "metrics" / "summary.md").read_text(encoding="utf8")
    assert "`assets/ud/tl_public-ud-dev.conllu`" in summary and "| ud | LAS |" in summary
