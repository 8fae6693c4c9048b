"""scripts/prepare.py: the public archives unpacked where the later steps
read (offline, with archives of the real layouts), shapes checked in one
line, and a file the step did not write never overwritten."""
import json
import sys
import zipfile

from conftest import ASSETS, ROOT, run

SCRIPT = ROOT / "scripts" / "prepare.py"


def _archives(assets, csv_text="text,label\nMasarap ito,1\nPangit,0\n"):
    (assets / "textcat").mkdir(parents=True, exist_ok=True)
    (assets / "raw").mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(assets / "textcat" / "hatespeech_raw.zip", "w") as z:
        for split in ("train", "valid", "test"):
            z.writestr(f"hatespeech/{split}.csv", csv_text)
    raw = (ASSETS / "raw" / "tl_sample-raw.txt").read_bytes()
    with zipfile.ZipFile(assets / "raw" / "tlunified-raw.zip", "w") as z:
        z.writestr("tlunified/train.txt", raw)
    return raw


def _prepare(assets, record, corpus="tl_public"):
    return run([sys.executable, SCRIPT, corpus, "--assets", assets, "--record", record])


def test_prepare_unpacks_checks_and_never_overwrites_a_users_file(tmp_path):
    assets, record = tmp_path / "assets", tmp_path / "corpus" / "prepare.json"
    raw = _archives(assets)
    result = _prepare(assets, record)
    assert result.returncode == 0, result.stderr
    assert (assets / "raw" / "tl_public-raw.txt").read_bytes() == raw
    for split in ("train", "dev", "test"):
        assert (assets / "textcat" / f"tl_public-textcat-{split}.csv").read_text().startswith("text,label")
    written = json.loads(record.read_text())
    assert written["textcat/tl_public-textcat-dev.csv"]["documents"] == 2
    assert _prepare(assets, record).returncode == 0  # again: the same files, nothing refused
    # a file the user edited is never overwritten
    dev = assets / "textcat" / "tl_public-textcat-dev.csv"
    dev.write_text("text,label\nakin ito,1\n", encoding="utf8")
    result = _prepare(assets, record)
    assert result.returncode == 1 and str(dev) in result.stderr and "not what this step wrote" in result.stderr
    assert dev.read_text() == "text,label\nakin ito,1\n"
    # the sample needs nothing
    assert _prepare(assets, tmp_path / "s.json", corpus="tl_sample").returncode == 0


def test_prepare_refuses_archives_of_the_wrong_shape_in_one_line(tmp_path):
    assets = tmp_path / "assets"
    _archives(assets, csv_text="sentence,category\nMasarap,1\n")
    result = _prepare(assets, tmp_path / "r.json")
    assert result.returncode == 1 and "hatespeech/train.csv, line 1: expected the columns text, label" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    (assets / "raw" / "tlunified-raw.zip").write_bytes(b"not a zip")
    _archives(assets)
    (assets / "raw" / "tlunified-raw.zip").write_bytes(b"not a zip")
    result = _prepare(assets, tmp_path / "r.json")
    assert result.returncode == 1 and "tlunified-raw.zip: not a zip archive" in result.stderr
    (assets / "raw" / "tlunified-raw.zip").unlink()
    result = _prepare(assets, tmp_path / "r.json")
    assert result.returncode == 1 and "spacy project assets --extra" in result.stderr
