"""annotate: the output equals nlp.pipe's; resumable after a crash or a kill;
n_process 2 and Ray give the same shards; bad input is one line."""
import json
import signal
import sys
import time
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin
from spacy.training import Example

from conftest import ASSETS, HANG_TIMEOUT, default_sigint, failure_line, invoke, run, started, wait_for

TEXTS = [line.strip() for line in (ASSETS / "raw" / "tl_sample-raw.txt").read_text(encoding="utf8").splitlines()
         if line.strip()][:60]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """A small tagger on our tok2vec, initialised on the sample (no training needed)."""
    from thinc.api import fix_random_seed

    fix_random_seed(0)
    nlp = spacy.blank("tl")
    nlp.add_pipe("tok2vec", config={"model": {"@architectures": "spacy_lstm.LSTMTok2Vec.v2", "width": 32,
                                              "depth": 1, "include_static_vectors": False}})
    nlp.add_pipe("tagger", config={"model": {"@architectures": "spacy.Tagger.v2", "tok2vec": {
        "@architectures": "spacy.Tok2VecListener.v1", "width": 32, "upstream": "tok2vec"}}})
    words = "Kumain ang bata ng mangga".split()
    example = Example.from_dict(nlp.make_doc(" ".join(words)), {"words": words,
                                                                "tags": ["VERB", "DET", "NOUN", "ADP", "NOUN"]})
    nlp.initialize(lambda: [example])
    path = tmp_path_factory.mktemp("pipeline") / "tagger"
    nlp.to_disk(path)
    return path


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps({"text": t, "id": i}) + "\n" for i, t in enumerate(TEXTS)), encoding="utf8")
    return path


def shard_docs(out, vocab):
    docs = []
    for path in sorted((out / "shards").glob("shard-*.spacy")):
        docs.extend(DocBin().from_disk(path).get_docs(vocab))
    return docs


def files(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_output_equals_nlp_pipe_and_keeps_metadata(pipeline, corpus, tmp_path):
    out = tmp_path / "out"
    code, output = invoke("annotate", pipeline, corpus, out, "--shard-size", "16", "--jsonl", "--quiet")
    assert code == 0, output
    nlp = spacy.load(pipeline)
    expected = list(nlp.pipe(TEXTS))
    got = shard_docs(out, nlp.vocab)
    assert [d.text for d in got] == TEXTS
    assert [[t.tag_ for t in d] for d in got] == [[t.tag_ for t in d] for d in expected]
    assert [d.user_data["id"] for d in got] == list(range(len(TEXTS)))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["docs"] == len(TEXTS) and len(manifest["shards"]) == 4
    assert [s["docs"] for s in manifest["shards"]] == [16, 16, 16, 12]
    assert manifest["shards"][1]["sources"][0]["first_line"] == 17 and manifest["words"] == sum(map(len, got))
    first = json.loads((out / "shards" / "shard-00000.jsonl").read_text().splitlines()[0])
    assert first["text"] == TEXTS[0] and first["tokens"][0]["tag"] == expected[0][0].tag_


def test_a_rerun_redoes_missing_and_partial_shards_only(pipeline, corpus, tmp_path):
    out = tmp_path / "out"
    assert invoke("annotate", pipeline, corpus, out, "--shard-size", "16", "--quiet")[0] == 0
    complete = files(out)
    (out / "shards" / "shard-00001.spacy").unlink()  # a missing shard
    (out / "shards" / "shard-00002.spacy").write_bytes(b"partial")  # a partial one
    (out / "shards" / ".shard-00003.spacy.abc.tmp").write_bytes(b"temp")  # an interrupted write
    sidecar = out / "shards" / "shard-00003.json"
    sidecar.write_bytes(sidecar.read_bytes()[:40])  # a truncated sidecar: the shard is redone
    kept = (out / "shards" / "shard-00000.spacy").stat().st_mtime_ns
    code, output = invoke("annotate", pipeline, corpus, out, "--shard-size", "16", "--quiet")
    assert code == 0 and "Resuming" in output, output
    assert files(out) == complete
    assert (out / "shards" / "shard-00000.spacy").stat().st_mtime_ns == kept  # finished: not redone


def test_a_truncated_manifest_is_rebuilt_and_only_verified_shards_kept(pipeline, corpus, tmp_path):
    """A damaged manifest.json: the rerun says so in one warning naming it,
    rebuilds it, keeps the shards that verify and ends with the files of an
    undisturbed run; a shard from other lines (another shard size) is
    redone, never kept."""
    out = tmp_path / "out"
    assert invoke("annotate", pipeline, corpus, out, "--shard-size", "16", "--quiet")[0] == 0
    complete = files(out)
    manifest = out / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:30])
    kept = (out / "shards" / "shard-00000.spacy").stat().st_mtime_ns
    code, output = invoke("annotate", pipeline, corpus, out, "--shard-size", "16", "--quiet")
    assert code == 0 and f"{manifest} was unreadable" in output, output
    assert files(out) == complete
    assert (out / "shards" / "shard-00000.spacy").stat().st_mtime_ns == kept
    # the same damage, then a run with another shard size: no shard verifies, all are redone
    manifest.write_bytes(b"{")
    assert invoke("annotate", pipeline, corpus, out, "--shard-size", "20", "--quiet")[0] == 0
    other = tmp_path / "other"
    assert invoke("annotate", pipeline, corpus, other, "--shard-size", "20", "--quiet")[0] == 0
    theirs = files(other)
    ours = {k: v for k, v in files(out).items() if k in theirs}
    assert ours == theirs


def test_killed_then_rerun_equals_one_uninterrupted_run(pipeline, tmp_path):
    corpus = tmp_path / "big.txt"
    corpus.write_text("\n".join(TEXTS * 10) + "\n", encoding="utf8")
    once = tmp_path / "once"
    assert invoke("annotate", pipeline, corpus, once, "--shard-size", "5", "--quiet")[0] == 0
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "spacy", "lstm", "annotate", str(pipeline), str(corpus), str(out),
           "--shard-size", "5", "--batch-size", "1", "--quiet"]
    with started(cmd) as proc:
        wait_for(lambda: len(list((out / "shards").glob("*.json"))) >= 3, proc, "three finished shards")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=HANG_TIMEOUT)
    assert proc.returncode == 143 and "finished shards are kept" in err, err
    assert not json.loads((out / "manifest.json").read_text())["complete"]
    rerun = run(cmd)
    assert rerun.returncode == 0, rerun.stderr
    assert files(out) == files(once)


def assert_two_processes_equal_one(pipeline, source, tmp_path, shard_size):
    """--n-process 2 (a subprocess, with a timeout) writes the same files as one process."""
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke("annotate", pipeline, source, one, "--shard-size", shard_size, "--quiet")[0] == 0
    result = run([sys.executable, "-m", "spacy", "lstm", "annotate", str(pipeline), str(source), str(two),
                             "--shard-size", str(shard_size), "--n-process", "2", "--quiet"])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr  # workers end quietly when the pool stops them
    assert files(two) == files(one)


def test_two_processes_give_the_same_shards(pipeline, corpus, tmp_path):
    assert_two_processes_equal_one(pipeline, corpus, tmp_path, 16)  # the worker pool (.jsonl)


def test_ray_engine_gives_the_same_shards(pipeline, corpus, tmp_path):
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'spacy-lstm[ray]')")
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    assert invoke("annotate", pipeline, corpus, local, "--shard-size", "16", "--jsonl", "--quiet")[0] == 0
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        code, output = invoke("annotate", pipeline, corpus, on_ray, "--shard-size", "16", "--jsonl",
                              "--engine", "ray", "--actors", "2", "--quiet")
    finally:
        ray.shutdown()
    assert code == 0, output
    assert files(on_ray) == files(local)


def test_bad_input(pipeline, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Kumain ang bata."}\n{"text": oops}\n{"text": "Umuulan."}\n', encoding="utf8")
    code, output = invoke("annotate", pipeline, bad, tmp_path / "a", "--quiet")
    assert code == 1 and failure_line(output).startswith(f"{bad}, line 2: invalid JSON")
    code, output = invoke("annotate", pipeline, bad, tmp_path / "b", "--skip-bad", "--quiet")
    assert code == 0, output
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["docs"] == 2 and [b["line"] for b in manifest["bad_lines"]] == [2]
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf8")
    code, output = invoke("annotate", pipeline, empty, tmp_path / "c", "--quiet")
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert code == 0 and manifest["docs"] == 0 and manifest["shards"] == [] and manifest["complete"]


def test_refusals_write_nothing(pipeline, corpus, tmp_path):
    code, output = invoke("annotate", tmp_path / "no-pipeline", corpus, tmp_path / "out", "--quiet")
    assert code == 2 and "cannot load it" in failure_line(output) and not (tmp_path / "out").exists()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mine.txt").write_text("keep")
    code, output = invoke("annotate", pipeline, corpus, notes, "--quiet")
    assert code == 2 and "not the output of an annotate run" in failure_line(output)
    assert [p.name for p in notes.iterdir()] == ["mine.txt"]
    out = tmp_path / "out"
    assert invoke("annotate", pipeline, corpus, out, "--shard-size", "16", "--quiet")[0] == 0
    code, output = invoke("annotate", pipeline, corpus, out, "--shard-size", "8", "--quiet")
    assert code == 2 and "shard_size differ" in failure_line(output)
    code, output = invoke("annotate", pipeline, corpus, tmp_path / "x", "--n-process", "2",
                          "--threads-per-process", "2")
    assert code == 2 and "--threads-per-process" in failure_line(output)
    code, output = invoke("annotate", pipeline, corpus, tmp_path / "y", "--mmap-threshold-mb", "33")
    assert code == 2 and failure_line(output).endswith("--mmap-threshold-mb must be 0-32, got 33")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_the_annotate_benchmark_runs(pipeline, tmp_path):
    from conftest import ROOT

    report = tmp_path / "speed.json"
    # PIPELINE@fp32: a copy with the tok2vec's inference_precision set (the pipeline itself is left alone)
    config_before = (Path(pipeline) / "config.cfg").read_text()
    result = run([sys.executable, str(ROOT / "bench" / "annotate_speed.py"), f"{pipeline}@fp32",
                  str(ASSETS / "raw" / "tl_sample-raw.txt"), "--limit-lines", "20", "--settings", "1,2",
                  "--json", str(report)])
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(report.read_text())
    assert [r["setting"] for r in rows] == ["1", "2"] and rows[0]["words"] == rows[1]["words"] > 0
    assert all(r["peak_rss_mb"] > 50 for r in rows)
    assert "CPU: " in result.stdout and (Path(pipeline) / "config.cfg").read_text() == config_before
    bad = run([sys.executable, str(ROOT / "bench" / "annotate_speed.py"), f"{pipeline}@fp16",
               str(ASSETS / "raw" / "tl_sample-raw.txt")])
    assert bad.returncode == 2 and "must be one of fp32, bf16, auto" in bad.stderr


def test_two_processes_on_conllu_use_nlp_pipe_and_agree(pipeline, tmp_path):
    assert_two_processes_equal_one(pipeline, ASSETS / "ud" / "tl_sample-ud-dev.conllu", tmp_path, 10)


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupting_the_worker_pool_is_one_line(pipeline, tmp_path, sig, code):
    """Ctrl-C reaches the whole process group; SIGTERM the command: either way
    the command stops at once with its one line, and the workers stay quiet."""
    import os

    corpus = tmp_path / "big.txt"
    corpus.write_text("\n".join(TEXTS * 200) + "\n", encoding="utf8")
    out = tmp_path / "out"
    with started([sys.executable, "-m", "spacy", "lstm", "annotate", pipeline, corpus, out, "--shard-size", "20",
                  "--batch-size", "1", "--n-process", "2", "--quiet"], preexec_fn=default_sigint) as proc:
        wait_for(lambda: len(list((out / "shards").glob("*.json"))) >= 2, proc, "two finished shards")
        os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)
        _, err = proc.communicate(timeout=HANG_TIMEOUT)
    assert proc.returncode == code, err
    assert err.strip() == "\u2718 interrupted: finished shards are kept; run the same command again to resume"


def _group_members(pgid):
    """Live processes (not zombies) whose process group is ``pgid`` (Linux /proc)."""
    import os

    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


@pytest.mark.skipif(not __import__("os").path.isdir("/proc"), reason="needs Linux's /proc")
def test_killing_the_command_ends_its_workers(pipeline, tmp_path):
    """SIGKILL of the command mid-run (no handler runs): its workers are gone
    within 5 s, not orphaned."""
    import os

    corpus = tmp_path / "big.txt"
    corpus.write_text("\n".join(TEXTS * 100) + "\n", encoding="utf8")
    out = tmp_path / "out"
    with started([sys.executable, "-m", "spacy", "lstm", "annotate", pipeline, corpus, out, "--shard-size", "20",
                  "--batch-size", "1", "--n-process", "2", "--quiet"]) as proc:
        wait_for(lambda: len(list((out / "shards").glob("*.json"))) >= 2, proc, "two finished shards")
        assert len(_group_members(proc.pid)) >= 3  # the command and its two workers (and the forkserver)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while _group_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _group_members(proc.pid)
    assert left == [], f"processes left after the command was killed: {left}"


def test_two_processes_finish_beside_a_busy_loop(pipeline, corpus, tmp_path):
    """The worker pool under CPU contention (a busy loop on each core),
    three times over: every run finishes with the same shards."""
    import os

    one = tmp_path / "one"
    assert invoke("annotate", pipeline, corpus, one, "--shard-size", "8", "--quiet")[0] == 0
    busy = [sys.executable, "-c", "while True: pass"]
    with started(busy), started(busy):
        for attempt in range(3):
            two = tmp_path / f"two{attempt}"
            result = run([sys.executable, "-m", "spacy", "lstm", "annotate", pipeline, corpus, two, "--shard-size", "8",
                          "--n-process", "2", "--quiet"], env=dict(os.environ, OMP_NUM_THREADS="2"))
            assert result.returncode == 0, result.stderr
            assert files(two) == files(one)


def test_a_worker_that_does_not_start_in_time_is_one_line(pipeline, corpus, tmp_path):
    import os

    result = run([sys.executable, "-m", "spacy", "lstm", "annotate", pipeline, corpus, tmp_path / "out",
                  "--shard-size", "8", "--n-process", "2", "--quiet"],
                 env=dict(os.environ, SPACY_LSTM_WORKER_START_TIMEOUT="0.01"))
    assert result.returncode == 1, result.stderr
    line = failure_line(result.stderr)
    assert "did not load" in line and "SPACY_LSTM_WORKER_START_TIMEOUT" in line


def test_a_second_run_on_the_same_output_is_refused_in_one_line(pipeline, tmp_path):
    """Two annotate runs on one OUT: the second is refused with one line
    naming the first's pid (before it touches anything); the first finishes
    and its output equals an undisturbed run's."""
    import os

    corpus = tmp_path / "big.txt"
    corpus.write_text("\n".join(TEXTS * 20) + "\n", encoding="utf8")
    once = tmp_path / "once"
    assert invoke("annotate", pipeline, corpus, once, "--shard-size", "20", "--quiet")[0] == 0
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "spacy", "lstm", "annotate", pipeline, corpus, out, "--shard-size", "20",
           "--batch-size", "1", "--quiet"]
    with started(cmd) as first:
        wait_for(lambda: len(list((out / "shards").glob("*.json"))) >= 1, first, "a finished shard")
        os.kill(first.pid, signal.SIGSTOP)  # mid-run, however fast this machine is
        try:
            second = run(cmd)
        finally:
            os.kill(first.pid, signal.SIGCONT)
        assert second.returncode == 2, second.stderr
        line = failure_line(second.stderr)
        assert "being written by another annotate" in line and f"pid {first.pid}" in line, line
        _, err = first.communicate(timeout=HANG_TIMEOUT)
        assert first.returncode == 0, err
    assert files(out) == files(once)


def test_mistakes_are_one_line_and_a_failed_start_can_be_redone(pipeline, tmp_path):
    """OUT under a file; a JSONL integer beyond 64 bits (and --skip-bad
    skipping it); a damaged pipeline meta.json named; a run that failed
    before any shard restarts with other options."""
    import shutil as _shutil

    a_file = tmp_path / "file.txt"
    a_file.write_text("x\n", encoding="utf8")
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"text": TEXTS[0], "id": 1}) + "\n" + '{"text": "Isa pa.", "id": ' + "9" * 30 + "}\n"
                      + json.dumps({"text": TEXTS[1]}) + "\n", encoding="utf8")
    code, output = invoke("annotate", pipeline, corpus, a_file / "out", "--quiet")
    assert code == 2 and str(a_file / "out") in failure_line(output)
    out = tmp_path / "out"
    code, output = invoke("annotate", pipeline, corpus, out, "--quiet")
    line = failure_line(output)
    assert code == 1 and f"{corpus}, line 2" in line and "64 bits" in line and "'id'" in line, line
    # the failed run wrote no shard: the same OUT with --skip-bad starts again
    code, output = invoke("annotate", pipeline, corpus, out, "--skip-bad", "--quiet")
    assert code == 0, output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["docs"] == 2 and len(manifest["bad_lines"]) == 1
    broken = tmp_path / "broken"
    _shutil.copytree(pipeline, broken)
    (broken / "meta.json").write_text('{"lang": "tl", "name', encoding="utf8")
    code, output = invoke("annotate", broken, corpus, tmp_path / "out2", "--quiet")
    assert code == 2 and str(broken / "meta.json") in failure_line(output), output
    assert not (tmp_path / "out2").exists()


@pytest.mark.parametrize("n_process", ["1", "2"])
def test_a_line_over_max_length_is_one_line_or_skipped(pipeline, tmp_path, n_process):
    """A line longer than the pipeline's max_length: one line naming file and
    line; with --skip-bad it is skipped and counted (in the worker pool too)."""
    small = pipeline
    limit = spacy.load(small).max_length  # spaCy's default, 1,000,000 characters
    corpus = tmp_path / "c.txt"
    corpus.write_text(f"{TEXTS[0]}\n{'mahaba ' * (limit // 7 + 1)}\n{TEXTS[1]}\n", encoding="utf8")
    code, output = invoke("annotate", small, corpus, tmp_path / "out", "--n-process", n_process, "--quiet")
    line = failure_line(output)
    assert code == 1 and f"{corpus}, line 2" in line and f"max_length ({limit:,})" in line, line
    result = run([sys.executable, "-m", "spacy", "lstm", "annotate", small, corpus, tmp_path / "out", "--skip-bad",
                  "--n-process", n_process, "--shard-size", "1", "--quiet"])
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["docs"] == 2 and [b["line"] for b in manifest["bad_lines"]] == [2]
