"""Smoke runs of the benchmark scripts on the team's sample (tiny budgets)."""
import json
import sys
from pathlib import Path

import pytest
import spacy

from conftest import ASSETS, ROOT, run


def _run(args):
    proc = run([sys.executable, *args])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


@pytest.mark.slow
def test_accuracy_then_speed_bench_on_sample(tmp_path):
    out = tmp_path / "acc"
    _run([str(ROOT / "bench" / "accuracy.py"),
          "--train", str(ASSETS / "ud" / "tl_sample-ud-train.conllu"),
          "--dev", str(ASSETS / "ud" / "tl_sample-ud-dev.conllu"),
          "--test", str(ASSETS / "ud" / "tl_sample-ud-dev.conllu"),
          "--raw", str(ASSETS / "raw" / "tl_sample-raw.txt"), "--vectors-dim", "16",
          "--vectors-bucket", "2000", "--vectors-epochs", "1",
          "--contenders", "ours,calamancy_md", "--steps", "12", "--eval-frequency", "6",
          "--width", "32", "--out", str(out)])
    results = json.loads((out / "results.json").read_text())
    assert set(results["contenders"]) == {"ours", "calamancy_md"}
    for row in results["contenders"].values():
        assert row["train_seconds"] > 0
        for split in ("dev", "test:tl_sample-ud-dev.conllu"):
            assert all(0.0 <= row[split][k] <= 1.0 for k in ("tag_acc", "pos_acc", "lemma_acc", "dep_las"))
    assert results["ours_reaches_calamancy_md"]["metric"] == "dep_las"
    assert (out / "ours" / "log.jsonl").read_text().count("\n") == 3  # steps 0, 6, 12
    assert "| ours (dev) |" in (out / "results.md").read_text()

    table = _run([str(ROOT / "bench" / "seeds_table.py"), str(out), f"again={out}"])
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines()[2:]}
    assert set(rows) == {"ours", "calamancy_md", "ours again", "calamancy_md again"}
    las = 100 * results["contenders"]["ours"]["dev"]["dep_las"]
    assert rows["ours"].split(" | ")[1] == "1" and f"{las:.1f} ± 0.0" in rows["ours"]

    speed_json = tmp_path / "speed.json"
    _run([str(ROOT / "bench" / "speed.py"), str(out / "ours" / "model-best"), f"{out / 'ours' / 'model-best'}@bf16",
          str(out / "calamancy_md" / "model-best"),
          "--texts", str(ASSETS / "ud" / "tl_sample-ud-dev.conllu"), "--limit", "20", "--threads", "1",
          "--rounds", "1", "--json", str(speed_json)])
    report = json.loads(speed_json.read_text())
    assert report["machine"]["torch_cpu_capability"]
    speed = report["results"]
    assert len(speed) == 3 and f"{out / 'ours' / 'model-best'}@bf16" in speed
    for row in speed.values():
        assert row["threads=1"]["1"] > 0 and row["threads=1"]["256"] > 0 and row["disk_mb"] > 0
        assert set(row["threads=1"]["components"]) >= {"tok2vec", "parser"}

    accuracy_json = tmp_path / "bf16_accuracy.json"
    _run([str(ROOT / "bench" / "bf16_accuracy.py"), str(out / "ours" / "model-best"),
          str(ASSETS / "ud" / "tl_sample-ud-dev.conllu"), "--json", str(accuracy_json)])
    report = json.loads(accuracy_json.read_text())
    assert set(report["scores"]) == {"fp32", "bf16"} and report["tokens"] > 0
    assert 0 <= report["changed_tokens"] <= report["tokens"] and report["largest_difference_points"] >= 0

    probe_json = tmp_path / "probe.json"
    _run([str(ROOT / "bench" / "memory_probe.py"), f"{out / 'ours' / 'model-best'}@fp32",
          str(ASSETS / "raw" / "tl_sample-raw.txt"), "--limit-lines", "40", "--every", "10", "--trim",
          "--json", str(probe_json)])
    rows = json.loads(probe_json.read_text())["rows"]
    assert [row["docs"] for row in rows][:2] == [0, 10] and rows[-1]["words"] > 0
    if Path("/proc/self/status").exists():
        assert all(row["VmHWM"] >= row["VmRSS"] > 0 for row in rows)


@pytest.mark.slow
def test_vectors_bench_runs_our_systems(tmp_path):
    report = tmp_path / "v.json"
    _run([str(ROOT / "bench" / "vectors.py"), str(ASSETS / "raw" / "tl_sample-raw.txt"),
          "--systems", "ours-word,ours-floret", "--epochs", "1", "--dim", "16", "--bucket", "2000",
          "--min-count", "2", "--threads", "1", "--json", str(report)])
    data = json.loads(report.read_text())
    assert set(data["results"]) == {"ours-word", "ours-floret"}
    assert all(r["words_per_second"] > 0 and r["vocab"] > 100 for r in data["results"].values())
    assert 0.0 <= data["agreement"]["ours-word"]["ours-floret"] <= 1.0


ENSEMBLE = json.dumps({
    "@architectures": "spacy.TextCatEnsemble.v2", "nO": None,
    "linear_model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
                     "no_output_layer": False, "length": 4096},
    "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 0, "upstream": "*"},
})


@pytest.mark.slow
@pytest.mark.parametrize(
    "task,train,dev,keys,extra",
    [
        ("textcat", "textcat/tl_sample-textcat-train.csv", "textcat/tl_sample-textcat-dev.csv",
         ("cats_macro_p", "cats_macro_r", "cats_macro_f", "cats_macro_auc"),
         ["--set", f"components.textcat.model={ENSEMBLE}"]),
        ("ner", "ner/tl_sample-ner-train.iob", "ner/tl_sample-ner-dev.iob", ("ents_p", "ents_r", "ents_f"),
         ["--drop-model-last"]),
    ],
)
def test_accuracy_bench_other_tasks(tmp_path, task, train, dev, keys, extra):
    out = tmp_path / task
    _run([str(ROOT / "bench" / "accuracy.py"), "--task", task,
          "--train", str(ASSETS / train), "--dev", str(ASSETS / dev), "--test", str(ASSETS / dev),
          "--contenders", "ours,calamancy_md", "--steps", "8", "--eval-frequency", "4",
          "--width", "32", "--threads", "1", "--out", str(out), *extra])
    results = json.loads((out / "results.json").read_text())
    assert set(results["contenders"]) == {"ours", "calamancy_md"}
    for name, row in results["contenders"].items():
        # --drop-model-last removes only what spacy train wrote besides the evaluated model-best
        assert (out / name / "model-best").is_dir()
        assert (out / name / "model-last").exists() == ("--drop-model-last" not in extra)
        if "--set" in extra:  # --set reaches every contender; listener widths still follow each tok2vec
            config = spacy.util.load_config(out / name / "config.cfg")
            textcat = config["components"]["textcat"]["model"]
            assert textcat["@architectures"] == "spacy.TextCatEnsemble.v2"
            assert textcat["tok2vec"]["width"] == (32 if name == "ours" else 256)
        assert row["dev"] == row[f"test:{Path(dev).name}"]  # the same file, converted the same way
        assert set(row["dev"]) == set(keys)
        assert all(row["dev"][k] is None or 0.0 <= row["dev"][k] <= 1.0 for k in keys)
        config = (out / name / "config.cfg").read_text()
        assert ("spacy_lstm.LSTMTok2Vec" in config) == (name == "ours")
    assert results["ours_reaches_calamancy_md"]["metric"] == keys[2]
    if task == "textcat":
        assert results["dev_docs"] == sum(1 for _ in open(ASSETS / dev, encoding="utf8")) - 1

    # seeds_table groups seeds of one task; results of another task are refused, not merged.
    other = tmp_path / "other"
    other.mkdir()
    (other / "results.json").write_text(json.dumps({**results, "args": {**results["args"], "task": "ud"}}))
    proc = run([sys.executable, str(ROOT / "bench" / "seeds_table.py"), str(out), str(other)])
    assert proc.returncode != 0 and "different tasks" in proc.stderr
    assert "| ours | 1 |" in _run([str(ROOT / "bench" / "seeds_table.py"), str(out)])


@pytest.mark.slow
def test_learning_curve_with_pretrained_weights(tmp_path):
    """spacy pretrain on the sample, then the curve with and without the
    weights (tiny budgets): every point is there and the plot is written."""
    pytest.importorskip("matplotlib")
    pre = tmp_path / "pre"
    _run(["-m", "spacy", "pretrain", str(ROOT / "configs" / "ner.cfg"), str(pre),
          "--paths.raw_text", str(ASSETS / "raw" / "tl_sample-raw.txt"),
          "--components.tok2vec.model.width", "32", "--components.tok2vec.model.include_static_vectors", "false",
          "--pretraining.max_epochs", "1"])
    out = tmp_path / "curve"
    table = _run([str(ROOT / "bench" / "learning_curve.py"), "--task", "ner",
                  "--split", str(ASSETS / "ner" / "tl_sample-ner-train.iob"),
                  "--init-tok2vec", str(pre / "model-last.bin"), "--fractions", "0.5,1", "--steps", "6",
                  "--eval-frequency", "3", "--out", str(out), "--", "--width", "32"])
    curve = json.loads((out / "curve.json").read_text())
    assert set(curve) == {"ours + pretraining", "ours", "calamancy_md"}
    for points in curve.values():
        assert sorted(points) == ["0.5", "1.0"]
        assert points["0.5"]["train_docs"] < points["1.0"]["train_docs"]
    assert (out / "curve.png").stat().st_size > 1000
    assert "| ours + pretraining |" in table


def test_one_settings_flag_for_all_contenders_or_one():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_accuracy", ROOT / "bench" / "accuracy.py")
    accuracy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(accuracy)
    items = ['components.textcat.model={"@architectures": "x"}', "ours:components.tok2vec.model.depth=3",
             "training.seed=1", "ours:paths.note=plain text"]
    assert accuracy.settings_for(items, "calamancy_md", prefixed=False) == [
        ("components.textcat.model", {"@architectures": "x"}), ("training.seed", 1)]
    assert accuracy.settings_for(items, "ours", prefixed=True) == [
        ("components.tok2vec.model.depth", 3), ("paths.note", "plain text")]
    assert accuracy.settings_for(items, "calamancy_md", prefixed=True) == []


@pytest.mark.slow
def test_accuracy_bench_adapts_the_weights_to_the_training_text(tmp_path):
    """--adapt-epochs: adapt-lm on the training split's text, then train from the adapted weights."""
    pre = tmp_path / "pre"
    small = ["--components.tok2vec.model.width", "32", "--components.tok2vec.model.include_static_vectors", "false"]
    _run(["-m", "spacy", "pretrain", str(ROOT / "configs" / "textcat.cfg"), str(pre),
          "--paths.raw_text", str(ASSETS / "raw" / "tl_sample-raw.txt"), *small, "--pretraining.max_epochs", "1"])
    out = tmp_path / "acc"
    printed = _run([str(ROOT / "bench" / "accuracy.py"), "--task", "textcat",
                    "--train", str(ASSETS / "textcat" / "tl_sample-textcat-train.csv"),
                    "--dev", str(ASSETS / "textcat" / "tl_sample-textcat-dev.csv"), "--contenders", "ours",
                    "--init-tok2vec", str(pre / "model-last.bin"), "--adapt-epochs", "2", "--steps", "4",
                    "--eval-frequency", "2", "--width", "32", "--threads", "1", "--out", str(out)])
    assert "ours: adapted the weights to the training text" in printed
    adapted = out / "ours" / "adapted"
    record = json.loads((adapted / "adapt-lm.json").read_text())
    assert record["epochs"] == 2 and record["text"] == str(out / "train.spacy")
    assert (adapted / "model1.bin").is_file()
    results = json.loads((out / "results.json").read_text())
    assert results["contenders"]["ours"]["adapt_seconds"] > 0
    assert (pre / "model-last.bin").read_bytes() != (adapted / "model-last.bin").read_bytes()


def _fake_results(path, task, contenders):
    """A bench/accuracy.py --out directory with only the results.json the curve reads."""
    path.mkdir(parents=True)
    rows = {name: {"dev": scores, "train_seconds": 1.0} for name, scores in contenders.items()}
    (path / "results.json").write_text(json.dumps({"args": {"task": task}, "contenders": rows}))
    return path


def test_pretraining_curve_table_and_picture(tmp_path):
    """bench/pretraining_curve.py: per amount of pretraining the seeds' mean
    and sample sd of ours, the baseline's mean, the picture; bad input is
    refused with one line."""
    pytest.importorskip("matplotlib")
    script = str(ROOT / "bench" / "pretraining_curve.py")
    points = []
    for x, values in (("1", (0.60, 0.64)), ("4", (0.66, 0.70, 0.68))):
        for seed, value in enumerate(values):
            d = _fake_results(tmp_path / f"ep{x}_s{seed}", "ner", {"ours": {"ents_f": value, "ents_p": 0.5}})
            points.append(f"{x}={d}")
    md = [_fake_results(tmp_path / f"md_s{s}", "ner", {"ours": {"ents_f": 0.1}, "calamancy_md": {"ents_f": v}})
          for s, v in enumerate((0.62, 0.66))]
    png = tmp_path / "curve.png"
    table = _run([script, *points, *(a for d in md for a in ("--baseline", str(d))),
                  "--baseline-contender", "calamancy_md", "--png", str(png)])
    rows = table.splitlines()
    assert "| ours | 1 | 2 | 60.0 / 64.0 | 62.00 ± 2.83 |" in rows
    assert "| ours | 4 | 3 | 66.0 / 70.0 / 68.0 | 68.00 ± 2.00 |" in rows
    assert "| calamancy_md | | 2 | 62.0 / 66.0 | 64.00 ± 2.83 |" in rows
    assert png.stat().st_size > 0
    # named series stay apart; another metric; the refusals
    table = _run([script, f"a:{points[0]}", f"b:{points[1]}"])
    assert "| a | 1 | 1 | 60.0 | 60.00 ± 0.00 |" in table and "| b | 1 | 1 | 64.0 |" in table
    assert "50.0 / 50.0" in _run([script, *points[:2], "--metric", "ents_p"])
    for bad, said in (([f"one={tmp_path / 'ep1_s0'}"], "X=DIR"), ([str(tmp_path / "nowhere")], "X=DIR"),
                      ([f"1={tmp_path / 'nowhere'}"], "not found"),
                      ([points[0], "--baseline", str(md[0])], "contenders")):
        proc = run([sys.executable, script, *bad])
        assert proc.returncode != 0 and said in proc.stdout + proc.stderr, (bad, proc.stderr)


def test_pretrain_speed_runs_settings_side_by_side(tmp_path):
    """bench/pretrain_speed.py: two settings in fresh processes on the same
    docs; the table names the CPU; bad settings are one line."""
    small = ("components.tok2vec.model.width=32,components.tok2vec.model.hidden_size=16,"
             "components.tok2vec.model.include_static_vectors=false,pretraining.batcher.size=300")
    script = str(ROOT / "bench" / "pretrain_speed.py")
    report = tmp_path / "speed.json"
    out = _run([script, f"fp32={ROOT / 'configs' / 'ud.cfg'}:{small},pretraining.objective.precision=fp32",
                f"bf16={ROOT / 'configs' / 'ud.cfg'}:{small},pretraining.objective.precision=bf16",
                "--raw-text", str(ASSETS / "raw" / "tl_sample-raw.txt"), "--threads", "1", "--docs", "120",
                "--warmup", "1", "--json", str(report), "--profile", str(tmp_path / "profiles")])
    assert "CPU:" in out and "| fp32 | 1 |" in out and "| bf16 | 1 |" in out
    # --profile: where the time went, by part, for each setting; the raw profiles kept
    assert out.count("Where the time goes:") == 2 and "| LSTM backward (torch autograd) |" in out
    assert sorted(p.name for p in (tmp_path / "profiles").iterdir()) == ["bf16-1.prof", "fp32-1.prof"]
    rows = json.loads(report.read_text())["results"]
    assert [r["setting"] for r in rows] == ["fp32", "bf16"]
    assert rows[0]["words"] == rows[1]["words"] > 0 and all(r["words_per_s"] > 0 for r in rows)
    for bad, said in ((["nosetting"], "NAME=CONFIG"), ([f"x={tmp_path / 'none.cfg'}"], "not found"),
                      ([f"x@{tmp_path}={ROOT / 'configs' / 'ud.cfg'}"], "not a spacy-lstm checkout"),
                      ([f"x={ROOT / 'configs' / 'ud.cfg'}", "--profile", str(report)], "is a file")):
        proc = run([sys.executable, script, *bad, "--raw-text", str(ASSETS / "raw" / "tl_sample-raw.txt")])
        assert proc.returncode != 0 and said in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_raw_text_memory_reports_after_the_mark_and_at_the_end():
    out = _run([str(ROOT / "bench" / "raw_text_memory.py"), str(ASSETS / "raw" / "tl_sample-raw.txt"), "--mark", "10"])
    lines = out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("after 10 docs") and "peak RSS" in lines[1]


def test_benchmarks_md_tables_are_what_the_results_json_give():
    """docs/benchmarks.md's accuracy tables are written from bench/results/*.json: in sync."""
    proc = run([sys.executable, str(ROOT / "bench" / "tables.py"), "--check"])
    assert proc.returncode == 0, proc.stderr


def test_tables_add_a_contender_from_accuracy_runs_and_check_notices_edits(tmp_path):
    results, doc = tmp_path / "results", tmp_path / "doc.md"
    results.mkdir()
    table = {"title": "T", "split": "S", "cpu": "C", "metrics": ["UPOS", "LAS"], "key_metric": 1,
             "keys": {"UPOS": "pos_acc", "LAS": "dep_las"}, "command": "python bench/accuracy.py ...", "rows": []}
    (results / "ud.json").write_text(json.dumps(table))
    doc.write_text("before\n<!-- table:ud -->\nold\n<!-- /table:ud -->\nafter\n")
    runs = []
    for seed, las in ((0, 0.72), (1, 0.74)):
        out = tmp_path / f"s{seed}"
        out.mkdir()
        (out / "results.json").write_text(json.dumps(
            {"args": {"seed": seed}, "contenders": {"ours": {"dev": {"pos_acc": 0.93, "dep_las": las}}}}))
        runs.append(str(out))
    tables = [str(ROOT / "bench" / "tables.py"), "--doc", str(doc), "--results", str(results)]
    _run([*tables, "--add", str(results / "ud.json"), "--label", "ours new", *runs])
    text = doc.read_text()
    assert text.startswith("before\n") and text.endswith("after\n") and "old" not in text
    assert "| ours new | 2 | 93.00 ± 0.00 | 73.00 ± 1.41 | 72.00 / 74.00 |" in text
    _run([*tables, "--check"])
    (results / "ud.json").write_text(json.dumps({**table, "title": "T2"}))
    assert run([sys.executable, *tables, "--check"]).returncode == 1


@pytest.mark.parametrize("flag,value", [("--longest", "-1"), ("--stride", "0"), ("--threads", "0")])
def test_memory_probe_refuses_bad_counts(tmp_path, flag, value):
    # checked before any pipeline is loaded: no pipeline needed
    proc = run([sys.executable, str(ROOT / "bench" / "memory_probe.py"), str(tmp_path / "none"),
                str(ASSETS / "raw" / "tl_sample-raw.txt"), flag, value])
    assert proc.returncode == 2 and flag in proc.stderr, proc.stderr[-2000:]


def _speed_report(flags, ratios_by_threads):
    """A bench/speed.py report: md, ours@fp32, ours@auto, TorchBiLSTM; ``ratios_by_threads``
    gives ours@auto's words/s at (batch 256, batch 1) with md and the TorchBiLSTM at 1,000."""
    models = ["md", "ours@fp32", "ours@auto", "bilstm"]
    results = {m: {} for m in models}
    for threads, (big, one) in ratios_by_threads.items():
        for m in models:
            results[m][f"threads={threads}"] = {"256": 1000.0, "1": 1000.0}
        results["ours@auto"][f"threads={threads}"] = {"256": 1000.0 * big, "1": 1000.0 * one}
    return {"args": {"models": models}, "machine": {"flags": flags}, "results": results}


def test_gates_summary_states_each_goal(tmp_path):
    (tmp_path / "cpu.txt").write_text("Test CPU; flags: avx512_bf16\n")
    (tmp_path / "speed.json").write_text(json.dumps(_speed_report(["avx2", "avx512_bf16"], {2: (4.6, 1.05),
                                                                                         1: (4.0, 0.93)})))
    for precision, peak in (("fp32", 700.0), ("auto", 784.0)):
        (tmp_path / f"annotate_{precision}.json").write_text(json.dumps(
            [{"setting": "2", "peak_rss_mb": peak, "words_per_second": 9000.0}]))
    rows = [{"docs": 0, "VmRSS": 300.0, "VmHWM": 320.0}, {"docs": 0, "VmRSS": 400.0, "VmHWM": 400.0},
            {"docs": 64, "VmRSS": 500.0, "VmHWM": 650.0}]
    (tmp_path / "longest_fp32.json").write_text(json.dumps({"rows": rows}))
    (tmp_path / "bf16_accuracy.json").write_text(json.dumps(
        {"largest_difference_points": 0.02, "changed_tokens": 1, "tokens": 6695}))
    table = _run([str(ROOT / "bench" / "gates_summary.py"), str(tmp_path)])
    met = {line.split(" | ")[0].strip("| "): line.rsplit("|", 2)[1].strip() for line in table.splitlines()
           if line.startswith("| ") and "---" not in line}
    assert met["batch 256, 2 threads: `auto` vs md (goal 4.5x)"] == "yes"  # AVX-512 BF16: the EPYC's goal
    assert met["batch 1, 2 threads: `auto` vs TorchBiLSTM (goal 1.0x)"] == "yes"
    assert met["batch 1, 1 thread: `auto` vs TorchBiLSTM (goal 1.0x)"] == "no"
    assert met["annotate --n-process 2, peak RSS: `auto` vs fp32 (goal within 10 %)"] == "no"  # +12 %
    assert "| one batch of the 64 longest lines, MB added: fp32 / `auto` | 250 / - |" in table
    assert met["largest score difference, bf16 vs fp32 (goal at most 0.05 points)"] == "yes"
    assert table.startswith("CPU: Test CPU")


def test_cpu_gates_script_parses():
    import subprocess

    assert subprocess.run(["bash", "-n", str(ROOT / "bench" / "cpu_gates.sh")]).returncode == 0
    proc = run(["bash", str(ROOT / "bench" / "cpu_gates.sh"), "/nonexistent.conllu", "/nonexistent.txt"])
    assert proc.returncode == 2 and "no such file" in proc.stderr
