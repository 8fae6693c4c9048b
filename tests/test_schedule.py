"""``spacy_lstm.warmup_linear_over_text.v1``: a pretraining learning rate
sized by the raw text's words (warm-up, then linear decay to 0 at the end of
the run), advanced by ``PretrainBiLM`` under ``spacy pretrain``."""
import sys
from importlib.metadata import entry_points

import numpy
import pytest
import spacy
from spacy.tokens import Doc
from spacy.util import minibatch, registry
from thinc.api import Adam, fix_random_seed

from conftest import ASSETS, ROOT, run
from spacy_lstm import LSTMTok2Vec_v3
from spacy_lstm.pretraining import progress
from spacy_lstm.pretraining.objective import create_pretrain_bilm_v3
from spacy_lstm.pretraining.progress import TextProgress
from spacy_lstm.pretraining.raw_text import create_raw_text_reader
from spacy_lstm.pretraining.schedule import WarmupLinearOverText, warmup_linear_over_text

NAME = "spacy_lstm.warmup_linear_over_text.v1"


def test_the_rate_warms_up_then_falls_to_zero_at_the_end():
    schedule = WarmupLinearOverText(0.002, warmup=0.1, epochs=2)
    rates = [schedule.rate(f) for f in (0.0, 0.05, 0.1, 0.55, 1.0)]
    assert numpy.allclose(rates, [0.0, 0.001, 0.002, 0.001, 0.0])
    assert WarmupLinearOverText(0.002, warmup=0.0, epochs=1).rate(0.0) == 0.002


def test_progress_counts_words_through_the_passes():
    text = TextProgress(expected_words=80)  # the reader's count before the first pass: a little short here
    text.begin_pass()
    text.read(40)
    assert text.fraction(epochs=2) == pytest.approx(0.25)
    text.read(60)  # 100 words: the pass runs past the count; its share stops at 1
    assert text.fraction(epochs=2) == pytest.approx(0.5)
    text.begin_pass()  # from now on the measured length: 100
    text.read(50)
    assert text.fraction(epochs=2) == pytest.approx(0.75)
    text.read(50)
    assert text.fraction(epochs=2) == pytest.approx(1.0)
    text.read(10)
    assert text.fraction(epochs=2) == 1.0


@pytest.mark.parametrize("settings,said", [
    ({"initial_rate": 0.0}, "initial_rate must be > 0"),
    ({"initial_rate": 0.001, "warmup": 1.0}, "0 <= warmup < 1"),
    ({"initial_rate": 0.001, "epochs": 0}, "epochs must be an int >= 1"),
    ({"initial_rate": 0.001, "epochs": 2.5}, "epochs must be an int >= 1"),
])
def test_bad_settings_are_one_line_errors(settings, said):
    with pytest.raises(ValueError, match=said):
        warmup_linear_over_text(**settings)


def test_without_the_raw_text_reader_it_stops_at_its_first_step():
    progress.reset()
    schedule = warmup_linear_over_text(0.001, warmup=0.1, epochs=1)
    assert next(schedule) == 0.0  # the optimizer's own read when it is made
    with pytest.raises(ValueError, match="spacy_lstm.RawText.v1"):
        next(schedule)


def test_registered_and_found_through_its_entry_point():
    assert NAME in {ep.name for ep in entry_points(group="thinc_schedules")}
    assert registry.schedules.get(NAME) is warmup_linear_over_text


def test_the_objective_follows_the_text_through_a_run(tmp_path):
    """Two epochs over a real raw-text file with the real reader: each update
    of the objective takes the rate of the share of the run read so far: up
    over the first quarter, then down to 0 at the very end (no
    step_schedules needed), as the rate at that share says."""
    words = "ang bata ay kumain ng mangga sa bahay kahapon".split()
    raw = tmp_path / "raw.txt"
    raw.write_text("\n".join(" ".join(words[i % 3:] + words[:i % 3]) for i in range(24)) + "\n", encoding="utf8")
    fix_random_seed(0)
    nlp = spacy.blank("tl")
    tok2vec = LSTMTok2Vec_v3(width=16, depth=1, hidden_size=8, rows=[100, 50, 50, 50], char_width=4,
                             include_static_vectors=False, word_dropout_rate=0.0, dropout=0.0)
    reader = create_raw_text_reader(raw)
    model = create_pretrain_bilm_v3(hidden_size=16, embedding_rows=100)(nlp.vocab, tok2vec)
    docs = [Doc(nlp.vocab, words=words)]
    tok2vec.initialize(X=docs)
    model.initialize(X=docs)
    schedule = warmup_linear_over_text(0.01, warmup=0.25, epochs=2)
    optimizer = Adam(learn_rate=schedule)
    seen, wanted = [], []
    for _epoch in range(2):
        for batch in minibatch(reader(nlp), size=4):
            docs = [eg.reference for eg in batch]
            prediction, backprop = model.begin_update(docs)
            backprop(model.attrs["loss"](model.ops, docs, prediction)[1])
            model.finish_update(optimizer)
            seen.append(optimizer.learn_rate)
            wanted.append(schedule.rate(progress.run_fraction(2)))
    assert len(seen) == 12
    assert numpy.allclose(seen, wanted)
    peak = int(numpy.argmax(seen))
    assert 1 <= peak <= 3 and seen[peak] > 0.008  # the warm-up ends a quarter of the way in
    assert all(a > b for a, b in zip(seen[peak:], seen[peak + 1:]))  # then it only falls ...
    assert seen[-1] == 0.0  # ... to 0 at the end of the last epoch


def test_spacy_pretrain_runs_with_it(tmp_path):
    """The configs' way: [pretraining.optimizer.learn_rate] with epochs taken
    from [pretraining] max_epochs, under spaCy's own command."""
    config = (ROOT / "configs" / "ner.cfg").read_text(encoding="utf8")
    start = config.index("[pretraining.optimizer]")
    end = config.index("\n[", start + 1)
    section = config[start:end]
    assert "learn_rate = 0.001" in section
    section = section.replace("learn_rate = 0.001", "") + (
        "\n[pretraining.optimizer.learn_rate]\n@schedules = \"" + NAME + "\"\ninitial_rate = 0.002\n"
        "warmup = 0.1\nepochs = ${pretraining.max_epochs}\n")
    cfg = tmp_path / "ner_schedule.cfg"
    cfg.write_text(config[:start] + section + config[end:], encoding="utf8")
    out = tmp_path / "pretrain"
    result = run([sys.executable, "-m", "spacy", "pretrain", cfg, out, "--paths.raw_text",
                  ASSETS / "raw" / "tl_sample-raw.txt", "--corpora.pretrain.max_words", "3000",
                  "--pretraining.max_epochs", "2", "--pretraining.batcher.size", "1000",
                  "--components.tok2vec.model.width", "32", "--components.tok2vec.model.hidden_size", "24",
                  "--components.tok2vec.model.include_static_vectors", "false"])
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (out / "model-last.bin").is_file()
