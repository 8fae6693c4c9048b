"""The README's main job, `spacy project run all`, on a copy of the project."""
import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_project_run_all_then_nothing_to_redo(tmp_path):
    for name in ("assets", "configs"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "project.yml", tmp_path / "project.yml")
    cmd = [sys.executable, "-m", "spacy", "project", "run", "all", str(tmp_path),
           "--vars.max_steps", "100"]
    first = subprocess.run(cmd, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]

    metrics = json.loads((tmp_path / "metrics" / "tagger_parser.json").read_text())
    for key in ("tag_acc", "dep_uas", "dep_las"):
        assert 0.0 < metrics[key] <= 1.0, (key, metrics[key])
    assert (tmp_path / "training" / "tagger_parser" / "model-best" / "config.cfg").exists()

    second = subprocess.run(cmd, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr[-3000:]
    for step in ("convert", "train", "evaluate"):
        assert f"Skipping '{step}': nothing changed" in second.stdout
