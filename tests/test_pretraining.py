"""Language-model pretraining with spaCy's own ``spacy pretrain`` and the
weights reaching ``spacy train`` through ``[initialize] init_tok2vec``."""
import json
import sys
import warnings

import numpy
import pytest
import spacy
import srsly
from spacy.tokens import Doc, DocBin
from thinc.api import fix_random_seed

from conftest import ASSETS, ROOT, run
from spacy_lstm import LSTMTok2Vec_v2, LSTMTok2Vec_v3
from spacy_lstm.pretraining.objective import create_pretrain_bilm, neighbour_pairs
from spacy_lstm.pretraining.raw_text import RawTextError, create_raw_text_reader, iter_texts

SMALL = ["--components.tok2vec.model.width", "32", "--components.tok2vec.model.hidden_size", "24",
         "--components.tok2vec.model.include_static_vectors", "false"]


def test_neighbour_pairs():
    forward, backward = neighbour_pairs([3, 0, 1, 2])
    assert forward.tolist() == [0, 1, 4] and backward.tolist() == [1, 2, 5]


@pytest.mark.parametrize("target", ["words", "vectors", "characters"])
def test_each_target_learns_in_process(target):
    """A few updates on one batch lower each objective's loss; the gradient
    reaches the tok2vec."""
    fix_random_seed(0)
    nlp = spacy.blank("tl")
    words = "ang bata ay kumain ng mangga sa bahay".split()
    for i, word in enumerate(words):
        nlp.vocab.set_vector(word, numpy.sin(numpy.arange(8, dtype="f") * (i + 1)))
    tok2vec = LSTMTok2Vec_v3(width=16, depth=1, hidden_size=8, rows=[100, 50, 50, 50], char_width=4,
                             vectors_width=4, word_dropout_rate=0.0, dropout=0.0)
    docs = [Doc(nlp.vocab, words=words), Doc(nlp.vocab, words=words[::-1]), Doc(nlp.vocab, words=words[:1])]
    tok2vec.initialize(X=docs)
    model = create_pretrain_bilm(target=target, hidden_size=16, embedding_rows=100, n_characters=2)(nlp.vocab, tok2vec)
    model.initialize(X=docs)
    from thinc.api import Adam

    optimizer = Adam(0.01)
    losses = []
    for _ in range(15):
        prediction, backprop = model.begin_update(docs)
        loss, gradients = model.attrs["loss"](model.ops, docs, prediction)
        backprop(gradients)
        model.finish_update(optimizer)
        losses.append(loss)
    assert losses[-1] < 0.8 * losses[0], losses


def test_a_tok2vec_that_reads_both_sides_is_refused():
    nlp = spacy.blank("tl")
    tok2vec = LSTMTok2Vec_v2(width=8, include_static_vectors=False)
    with pytest.raises(ValueError, match="LSTMTok2Vec.v3"):
        create_pretrain_bilm()(nlp.vocab, tok2vec)


def test_raw_text_formats_and_errors(tmp_path):
    txt = tmp_path / "raw.txt"
    txt.write_bytes(b"\xef\xbb\xbfUna.\n\n  Ikalawa.  \n")
    assert list(iter_texts(txt)) == ["Una.", "Ikalawa."]
    jsonl = tmp_path / "raw.jsonl"
    jsonl.write_text('{"text": "Una.", "id": 1}\n{"text": ""}\n{"text": "Ikalawa."}\n', encoding="utf8")
    assert list(iter_texts(jsonl)) == ["Una.", "Ikalawa."]
    cases = {
        "bad.jsonl": (b'{"text": "Una."}\n{"text": \n', "line 2: invalid JSON"),
        "notext.jsonl": (b'{"text": "Una."}\n["Ikalawa."]\n', 'line 2: expected an object with a "text" string'),
        "latin1.txt": ("Una.\nNiño\n".encode("latin-1"), "line 2: not valid UTF-8"),
    }
    for name, (data, expected) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(RawTextError) as info:
            list(iter_texts(tmp_path / name))
        assert str(info.value).startswith(f"{tmp_path / name}, line") and expected in str(info.value)
    with pytest.raises(RawTextError, match="no such file"):
        list(iter_texts(tmp_path / "missing.txt"))


def test_raw_text_from_a_training_corpus(tmp_path):
    """A task's .spacy corpus is raw text too (domain adaptation): the docs' texts, annotations ignored."""
    nlp = spacy.blank("tl")
    docs = [nlp.make_doc(t) for t in ("Masaya  ang bata.", " ", "Umuulan sa Maynila ngayon.")]
    docs[0].cats = {"POS": 1.0}
    docs[2].ents = [docs[2].char_span(11, 18, label="LOC")]
    DocBin(docs=docs, store_user_data=True).to_disk(tmp_path / "train.spacy")
    assert list(iter_texts(tmp_path / "train.spacy")) == ["Masaya  ang bata.", "Umuulan sa Maynila ngayon."]
    reader = create_raw_text_reader(tmp_path / "train.spacy", min_length=4)
    assert [eg.reference.text for eg in reader(nlp)] == ["Masaya  ang bata.", "Umuulan sa Maynila ngayon."]
    (tmp_path / "bad.spacy").write_bytes(b"Una.\nIkalawa.\n")
    with pytest.raises(RawTextError) as info:
        list(iter_texts(tmp_path / "bad.spacy"))
    assert str(info.value).startswith(f"{tmp_path / 'bad.spacy'}: not a spaCy DocBin") and "\n" not in str(info.value)


def same(a, b) -> bool:
    """Deep equality of msgpack-loaded model data (arrays compared exactly)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, numpy.ndarray) or isinstance(b, numpy.ndarray):
        return numpy.array_equal(a, b)
    return a == b


@pytest.mark.slow
def test_spacy_pretrain_then_train_starts_from_those_weights(tmp_path):
    out = tmp_path / "pretrain"
    result = run(
        [sys.executable, "-m", "spacy", "pretrain", str(ROOT / "configs" / "ner.cfg"), str(out),
         "--paths.raw_text", str(ASSETS / "raw" / "tl_sample-raw.txt"), *SMALL,
         "--pretraining.max_epochs", "3", "--pretraining.batcher.size", "1000"],
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    epoch_losses = [row["epoch_loss"] for row in log if row["epoch"] < 3]
    assert len(epoch_losses) == 3 and epoch_losses[2] < 0.9 * epoch_losses[0], epoch_losses
    weights = out / "model-last.bin"
    # spacy train with init_tok2vec and a learning rate of 0: the trained
    # pipeline's tok2vec must hold exactly the pretrained weights
    from spacy_lstm.convert.ner import read_iob

    docs = list(read_iob(ASSETS / "ner" / "tl_sample-ner-train.iob"))
    DocBin(docs=docs).to_disk(tmp_path / "train.spacy")
    trained = tmp_path / "trained"
    result = run(
        [sys.executable, "-m", "spacy", "train", str(ROOT / "configs" / "ner.cfg"), "--output", str(trained),
         "--paths.train", str(tmp_path / "train.spacy"), "--paths.dev", str(tmp_path / "train.spacy"),
         "--paths.init_tok2vec", str(weights), *SMALL,
         "--training.max_steps", "2", "--training.eval_frequency", "1", "--training.optimizer.learn_rate", "0"],
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Loaded pretrained tok2vec weights (spacy_lstm.PretrainBiLM.v3, target 'words')" in " ".join(
        result.stdout.split()
    )
    # [pretraining] layer = "lm": the pretrained part of the tok2vec (ner.cfg
    # adds a window layer after it, trained on the task only)
    saved = srsly.msgpack_loads(spacy.load(trained / "model-last").get_pipe("tok2vec").model.get_ref("lm").to_bytes())
    pretrained = srsly.msgpack_loads(weights.read_bytes())
    assert same(saved["shims"], pretrained["shims"])  # the LSTM stacks
    assert same(saved["params"], pretrained["params"])  # embedding tables, mixer, LayerNorms
    fresh = run(  # without init_tok2vec the weights differ: the check above can fail
        [sys.executable, "-m", "spacy", "train", str(ROOT / "configs" / "ner.cfg"), "--output", str(tmp_path / "fresh"),
         "--paths.train", str(tmp_path / "train.spacy"), "--paths.dev", str(tmp_path / "train.spacy"), *SMALL,
         "--training.max_steps", "2", "--training.eval_frequency", "1", "--training.optimizer.learn_rate", "0",
         "--components.tok2vec.model.freeze_lm", "false"],  # ner.cfg freezes the lm, which needs weights
    )
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    unpretrained = srsly.msgpack_loads(
        spacy.load(tmp_path / "fresh" / "model-last").get_pipe("tok2vec").model.get_ref("lm").to_bytes()
    )
    assert not same(unpretrained["shims"], pretrained["shims"])
    assert "Loaded pretrained" not in fresh.stdout
    # the trained pipeline loads silently: the mark is not saved with it
    loaded = run([sys.executable, "-c", f"import spacy; spacy.load({str(trained / 'model-last')!r})"])
    assert loaded.returncode == 0 and "Loaded pretrained" not in loaded.stdout + loaded.stderr


def _tagger_with(tok2vec_cfg):
    nlp = spacy.blank("tl")
    nlp.add_pipe("tok2vec", config={"model": tok2vec_cfg})
    nlp.add_pipe("tagger", config={"model": {"@architectures": "spacy.Tagger.v2", "tok2vec": {
        "@architectures": "spacy.Tok2VecListener.v1", "width": tok2vec_cfg["width"], "upstream": "tok2vec"}}})
    from spacy.training import Example

    words = "ang bata ay kumain ng mangga sa bahay".split()
    tags = ["DET", "NOUN", "PART", "VERB", "ADP", "NOUN", "ADP", "NOUN"]
    examples = [Example.from_dict(nlp.make_doc(" ".join(words)), {"words": words, "tags": tags})]
    return nlp, examples


FROZEN = {"@architectures": "spacy_lstm.LSTMTok2Vec.v3", "width": 16, "depth": 1, "hidden_size": 8,
          "rows": [100, 50, 50, 50], "char_width": 4, "include_static_vectors": False, "window_size": 1,
          "freeze_lm": True}


def test_freeze_lm_keeps_the_pretrained_part_exactly_and_trains_the_rest():
    fix_random_seed(0)
    nlp, examples = _tagger_with(FROZEN)
    optimizer = nlp.initialize(lambda: examples)
    tok2vec = nlp.get_pipe("tok2vec").model
    lm = tok2vec.get_ref("lm")
    lm.from_bytes(lm.to_bytes())  # as [initialize] init_tok2vec does
    lm_before, refine_before = lm.to_bytes(), tok2vec.get_ref("refine").to_bytes()
    losses = {}
    for _ in range(5):
        nlp.update(examples, sgd=optimizer, losses=losses)
    assert lm.to_bytes() == lm_before
    assert tok2vec.get_ref("refine").to_bytes() != refine_before
    assert losses["tagger"] > 0
    # a pipeline saved and loaded again can go on training (its weights were loaded)
    config = nlp.config
    again = spacy.util.load_model_from_config(config, auto_fill=True)
    again.from_bytes(nlp.to_bytes())
    again.update(examples, sgd=again.resume_training())
    assert again.get_pipe("tok2vec").model.get_ref("lm").to_bytes() == lm_before


def test_freeze_lm_without_pretrained_weights_fails_in_one_line():
    nlp, examples = _tagger_with(FROZEN)
    optimizer = nlp.initialize(lambda: examples)
    with pytest.raises(ValueError, match=r"freeze_lm = true, but no pretrained weights.*init_tok2vec"):
        nlp.update(examples, sgd=optimizer)
    # prediction needs no pretrained weights
    assert nlp("ang bata")[0].tag_ in {"DET", "NOUN", "PART", "VERB", "ADP"}


def _weights(model):
    arrays = [node.get_param(name).copy() for node in model.walk() for name in node.param_names
              if node.has_param(name)]
    arrays += [p.detach().numpy().copy() for node in model.walk() for shim in node.shims
               for p in shim._model.parameters()]
    return arrays


def test_lm_learn_rate_scale_scales_the_pretrained_part_only():
    """lm_learn_rate_scale = 0.25: the lm's weights move a quarter as far as
    with the default, the rest exactly as far. (Two updates: the tagger's
    zero-initialised output layer sends no gradient back on the first.)"""
    deltas = {}
    for scale in (1.0, 0.25):
        fix_random_seed(0)
        nlp, examples = _tagger_with({**FROZEN, "freeze_lm": False, "lm_learn_rate_scale": scale})
        optimizer = nlp.initialize(lambda: examples)
        tok2vec = nlp.get_pipe("tok2vec").model
        tok2vec.get_ref("lm").from_bytes(tok2vec.get_ref("lm").to_bytes())  # as init_tok2vec does
        parts = {"lm": tok2vec.get_ref("lm"), "refine": tok2vec.get_ref("refine"),
                 "tagger": nlp.get_pipe("tagger").model}
        before = {name: _weights(part) for name, part in parts.items()}
        fix_random_seed(1)
        for _ in range(2):
            nlp.update(examples, sgd=optimizer)
        deltas[scale] = {name: [a - b for a, b in zip(_weights(part), before[name])] for name, part in parts.items()}
    full, scaled = deltas[1.0], deltas[0.25]
    assert any(numpy.abs(d).max() > 0 for d in full["lm"])
    for a, b in zip(full["lm"], scaled["lm"]):
        numpy.testing.assert_allclose(b, 0.25 * a, rtol=1e-3, atol=1e-7)
    for name in ("refine", "tagger"):
        for a, b in zip(full[name], scaled[name]):
            numpy.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-7)


def test_lm_learn_rate_scale_without_pretrained_weights_learns_at_the_full_rate():
    deltas = []
    for scale in (1.0, 0.25):
        fix_random_seed(0)
        nlp, examples = _tagger_with({**FROZEN, "freeze_lm": False, "lm_learn_rate_scale": scale})
        optimizer = nlp.initialize(lambda: examples)
        lm = nlp.get_pipe("tok2vec").model.get_ref("lm")
        before = _weights(lm)
        fix_random_seed(1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(2):
                nlp.update(examples, sgd=optimizer)
        said = [str(w.message) for w in caught if "lm_learn_rate_scale" in str(w.message)]
        assert said == ([] if scale == 1.0 else
                        ["spacy_lstm tok2vec: lm_learn_rate_scale = 0.25 ignored: no pretrained weights were loaded "
                         "(set [initialize] init_tok2vec), so the language model learns at the full rate"])
        deltas.append([a - b for a, b in zip(_weights(lm), before)])
    for a, b in zip(*deltas):
        numpy.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7)


def test_raw_text_word_budget_streams_the_first_words(tmp_path):
    """max_words: the first docs up to the budget, never past it; the file is
    read lazily (a budget stops reading before a bad line far enough on:
    the tokenizer reads ahead one batch of 256 lines)."""
    raw = tmp_path / "raw.txt"
    good = "isa dalawa tatlo\napat lima\nanim pito walo siyam\n" + "sampu\n" * 600
    raw.write_bytes(good.encode("utf8") + b"\xff bad line\n")
    nlp = spacy.blank("tl")
    texts = lambda **kw: [eg.reference.text for eg in create_raw_text_reader(raw, **kw)(nlp)]  # noqa: E731
    assert texts(max_words=5) == ["isa dalawa tatlo", "apat lima"]
    assert texts(max_words=8) == ["isa dalawa tatlo", "apat lima"]
    assert texts(max_words=9) == ["isa dalawa tatlo", "apat lima", "anim pito walo siyam"]
    with pytest.raises(RawTextError, match="line 604"):
        texts(max_words=0)
    with pytest.raises(ValueError, match="max_words"):
        create_raw_text_reader(raw, max_words=-1)


@pytest.mark.parametrize("content,said", [
    (b"", "no text"),
    (b"\n  \n", "no text"),
    (b"Una.\n\xff\n", "line 2: not valid UTF-8"),
])
def test_spacy_pretrain_refuses_bad_raw_text_before_writing_weights(tmp_path, content, said):
    """An empty or unreadable raw text: `spacy pretrain` stops with one line
    naming the file, exit 1, and writes no weights."""
    raw = tmp_path / "raw.txt"
    raw.write_bytes(content)
    out = tmp_path / "pretrain"
    result = run([sys.executable, "-m", "spacy", "pretrain", ROOT / "configs" / "ner.cfg", out,
                  "--paths.raw_text", raw, *SMALL])
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("\u2718")]
    assert len(lines) == 1 and str(raw) in lines[0] and said in lines[0], result.stderr
    assert not list(out.glob("*.bin"))
    with pytest.raises(RawTextError, match="at least 50 words"):
        create_raw_text_reader(ROOT / "assets" / "raw" / "tl_sample-raw.txt", max_words=20, min_words=50)


@pytest.mark.parametrize("setting,value,said", [
    ("restart_epochs", "[0]", "restart_epochs must be a list of epochs >= 1"),
    ("target", "sounds", "target must be one of"),
    ("precision", "fp8", "precision"),
    ("hidden_size", "0", "must be >= 1"),
])
def test_spacy_pretrain_refuses_a_bad_objective_setting_in_one_line(tmp_path, setting, value, said):
    """A bad [pretraining.objective] setting stops `spacy pretrain` with one
    line (no traceback), exit 1, before any weights are written."""
    out = tmp_path / "pretrain"
    result = run([sys.executable, "-m", "spacy", "pretrain", ROOT / "configs" / "ner.cfg", out,
                  "--paths.raw_text", ROOT / "assets" / "raw" / "tl_sample-raw.txt", *SMALL,
                  f"--pretraining.objective.{setting}", value])
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("\u2718")]
    assert len(lines) == 1 and "PretrainBiLM" in lines[0] and said in lines[0], result.stderr
    assert not list(out.glob("*.bin"))


def _bilm(restart_epochs):
    fix_random_seed(0)
    nlp = spacy.blank("tl")
    words = "ang bata ay kumain ng mangga sa bahay".split()
    tok2vec = LSTMTok2Vec_v3(width=16, depth=1, hidden_size=8, rows=[100, 50, 50, 50], char_width=4,
                             include_static_vectors=False, word_dropout_rate=0.0, dropout=0.0)
    docs = [Doc(nlp.vocab, words=words), Doc(nlp.vocab, words=words[::-1])]
    tok2vec.initialize(X=docs)
    from spacy_lstm.pretraining.objective import create_pretrain_bilm_v2

    model = create_pretrain_bilm_v2(hidden_size=16, embedding_rows=100, restart_epochs=restart_epochs)(
        nlp.vocab, tok2vec)
    model.initialize(X=docs)
    return nlp, model, docs


def _step(model, docs, optimizer):
    prediction, backprop = model.begin_update(docs)
    loss, gradients = model.attrs["loss"](model.ops, docs, prediction)
    backprop(gradients)
    model.finish_update(optimizer)


def test_restart_epochs_restart_as_a_resumed_run_would():
    """At the first batch of a restart epoch: the tok2vec's weights become
    its averages (what spaCy saves and --resume-path reads), the heads are
    initialised afresh, and the optimizer's moments, counts and averages are
    gone; batches of other epochs change none of that."""
    from thinc.api import Adam

    from spacy_lstm.pretraining.restart import begin_pass

    nlp, model, docs = _bilm([1])
    optimizer = Adam(0.01)
    begin_pass(nlp.vocab)  # epoch 0
    for _ in range(5):
        _step(model, docs, optimizer)
    tok2vec = model.get_ref("tok2vec")
    native = [(node, name) for node in tok2vec.walk() for name in node.param_names
              if (node.id, name) in optimizer.averages]
    assert native
    averages = {(node.id, name): optimizer.averages[(node.id, name)].copy() for node, name in native}
    heads = [layer.get_param(name).copy() for layer in model.layers[1:] for layer in layer.walk()
             for name in layer.param_names]
    assert optimizer.mom1 and max(optimizer.nr_update.values()) == 5
    _step(model, docs, optimizer)  # still epoch 0: nothing restarts
    assert max(optimizer.nr_update.values()) == 6
    averages = {(node.id, name): optimizer.averages[(node.id, name)].copy() for node, name in native}
    heads = [node.get_param(name).copy() for layer in model.layers[1:] for node in layer.walk()
             for name in node.param_names]
    begin_pass(nlp.vocab)  # epoch 1
    model.begin_update(docs)  # the restart happens before the batch is computed
    assert not optimizer.mom1 and not optimizer.mom2 and not optimizer.nr_update and not optimizer.averages
    for node, name in native:
        numpy.testing.assert_array_equal(node.get_param(name), averages[(node.id, name)])
    fresh = [node.get_param(name) for layer in model.layers[1:] for node in layer.walk() for name in node.param_names]
    assert len(fresh) == len(heads) and all(not numpy.array_equal(a, b) for a, b in zip(heads, fresh) if a.std() > 0)
    _step(model, docs, optimizer)  # once only: the next batches of epoch 1 train on
    _step(model, docs, optimizer)
    assert max(optimizer.nr_update.values()) == 2


def test_restart_epochs_need_the_raw_text_reader_and_epochs_from_1():
    from thinc.api import Adam

    nlp, model, docs = _bilm([2])
    with pytest.raises(ValueError, match="spacy_lstm.RawText.v1"):
        _step(model, docs, Adam(0.01))
    with pytest.raises(ValueError, match="restart_epochs must be a list of epochs >= 1"):
        _bilm([0])


def test_spacy_pretrain_restarts_once_at_the_epoch_asked(tmp_path):
    out = tmp_path / "pretrain"
    result = run(
        [sys.executable, "-m", "spacy", "pretrain", str(ROOT / "configs" / "ner.cfg"), str(out),
         "--paths.raw_text", str(ASSETS / "raw" / "tl_sample-raw.txt"), *SMALL, "--corpora.pretrain.max_words", "3000",
         "--pretraining.max_epochs", "3", "--pretraining.batcher.size", "1000",
         "--pretraining.objective.restart_epochs", "[2]"],
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    said = [line for line in result.stdout.splitlines() if ": restart (" in line]
    assert len(said) == 1 and "Epoch 2: restart" in said[0], said
    assert (out / "model-last.bin").is_file()


def test_step_schedules_advances_the_pretraining_optimizers_schedules():
    """spaCy's pretraining loop never steps the optimizer's schedules;
    step_schedules does, once per update after the first (update k uses the
    schedule's value k), and without it the value stays the first."""
    from thinc.api import Adam, warmup_linear

    for step, wanted in ((False, [0.0] * 4), (True, [0.0, 0.0025, 0.005, 0.0075])):
        fix_random_seed(0)
        nlp = spacy.blank("tl")
        words = "ang bata ay kumain ng mangga sa bahay".split()
        tok2vec = LSTMTok2Vec_v3(width=16, depth=1, hidden_size=8, rows=[100, 50, 50, 50], char_width=4,
                                 include_static_vectors=False, word_dropout_rate=0.0, dropout=0.0)
        docs = [Doc(nlp.vocab, words=words)]
        tok2vec.initialize(X=docs)
        from spacy_lstm.pretraining.objective import create_pretrain_bilm_v2

        model = create_pretrain_bilm_v2(hidden_size=16, embedding_rows=100, step_schedules=step)(nlp.vocab, tok2vec)
        model.initialize(X=docs)
        optimizer = Adam(learn_rate=warmup_linear(0.01, 4, 100))
        seen = []
        for _ in range(4):
            prediction, backprop = model.begin_update(docs)
            backprop(model.attrs["loss"](model.ops, docs, prediction)[1])
            model.finish_update(optimizer)
            seen.append(optimizer.learn_rate)
        assert numpy.allclose(seen[1:], wanted[1:]), (step, seen)


def test_the_objective_keeps_averages_for_the_tok2vec_only_and_saves_the_same_weights():
    """The optimizer keeps no averages for the heads and output embedding
    (never read: spaCy saves the tok2vec under its averages); the weights it
    saves are those of Thinc's plain update, bit for bit."""
    from thinc.api import Adam, Model

    saved, kept = [], []
    for plain in (True, False):
        nlp, model, docs = _bilm([])
        optimizer = Adam(0.01, use_averages=True, L2=0.01, grad_clip=1.0)
        for _ in range(4):
            prediction, backprop = model.begin_update(docs)
            loss, gradients = model.attrs["loss"](model.ops, docs, prediction)
            backprop(gradients)
            Model.finish_update(model, optimizer) if plain else model.finish_update(optimizer)
        with model.use_params(optimizer.averages):  # what spacy pretrain writes as model{N}.bin
            saved.append(model.get_ref("tok2vec").to_bytes())
        heads = {(node.id, name) for layer in model.layers[1:] for node in layer.walk() for name in node.param_names}
        kept.append((len(heads & set(optimizer.averages)), len(set(optimizer.averages) - heads)))
    assert saved[0] == saved[1]
    assert kept[0][0] > 0 and kept[1][0] == 0  # the plain update averaged the heads; ours does not
    assert kept[0][1] == kept[1][1] > 0  # the tok2vec's own parameters (and its torch shim's) are averaged
