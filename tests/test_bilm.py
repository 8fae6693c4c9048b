"""LSTMEncoder.v2 / LSTMTok2Vec.v3: the step-by-step oracle, finite
differences, batch invariance, any width, and the exact no-peeking property
of the whole tok2vec that language-model pretraining relies on."""
import numpy
import pytest
import spacy
import torch
from thinc.api import fix_random_seed

from spacy_lstm import LSTMEncoder_v2, LSTMTok2Vec_v3
from spacy_lstm.modules import residual_lstm
from spacy_lstm.modules.bilm import reversal_index, split_width
from reference import reference_bilm

from test_encoder import TOL, check_batch_invariance, check_finite_differences, random_batch


def test_reversal_index_reverses_each_doc_in_place():
    index = reversal_index(torch.tensor([3, 0, 1, 2]), torch.device("cpu"))
    assert index.tolist() == [2, 1, 0, 3, 5, 4]
    # one doc (nlp(text)) and one empty doc
    assert reversal_index(torch.tensor([4]), torch.device("cpu")).tolist() == [3, 2, 1, 0]
    assert reversal_index(torch.tensor([0]), torch.device("cpu")).tolist() == []


@pytest.mark.parametrize("padded_max_rows", [0, 10**9], ids=["stepwise", "padded"])
@pytest.mark.parametrize("width,hidden_size", [(16, None), (15, 6)])
def test_matches_step_by_step_reference(width, hidden_size, padded_max_rows, monkeypatch):
    monkeypatch.setattr(residual_lstm, "PADDED_MAX_ROWS", padded_max_rows)
    fix_random_seed(1)
    rng = numpy.random.default_rng(1)
    model = LSTMEncoder_v2(width=width, depth=2, dropout=0.0, hidden_size=hidden_size)
    model.initialize()
    Xs = random_batch(rng, 6, width, max_len=25)
    module = model.layers[0].shims[0]._model
    with torch.no_grad():
        expected = reference_bilm(module, [torch.from_numpy(x) for x in Xs])
    for Ys in (model.predict(Xs), model.begin_update(Xs)[0]):
        for y, e in zip(Ys, expected):
            assert y.shape == tuple(e.shape) == (len(e), width)
            numpy.testing.assert_allclose(y, e.numpy(), atol=TOL, rtol=0)


@pytest.mark.parametrize("padded_max_rows", [0, 10**9], ids=["stepwise", "padded"])
def test_gradients_match_finite_differences(padded_max_rows, monkeypatch):
    monkeypatch.setattr(residual_lstm, "PADDED_MAX_ROWS", padded_max_rows)
    fix_random_seed(2)
    rng = numpy.random.default_rng(2)
    model = LSTMEncoder_v2(width=5, depth=2, dropout=0.0, hidden_size=3)
    model.initialize()
    module = model.layers[0].shims[0]._model.double()
    Xs = [rng.standard_normal((n, 5)) for n in (3, 1, 0, 4)]
    check_finite_differences(model, module, Xs, rng, [(0, 0, 0), (0, 2, 4), (1, 0, 1), (3, 3, 2), (3, 1, 0)])


def test_batch_invariance():
    check_batch_invariance(LSTMEncoder_v2, 33)


@pytest.mark.parametrize("width", [333, 321, 8])
def test_any_width_builds_and_trains(width):
    model = LSTMEncoder_v2(width=width, depth=1, dropout=0.1, hidden_size=16)
    model.initialize()
    assert model.attrs["halves"] == split_width(width) and sum(split_width(width)) == width
    Ys, backprop = model.begin_update([numpy.ones((4, width), "f"), numpy.ones((2, width), "f")])
    assert [y.shape for y in Ys] == [(4, width), (2, width)]
    assert [d.shape for d in backprop(Ys)] == [(4, width), (2, width)]


@pytest.mark.parametrize("kwargs,message", [
    ({"width": 1, "depth": 1, "dropout": 0.0}, "width"),
    ({"width": 8, "depth": 0, "dropout": 0.0}, "depth"),
    ({"width": 8, "depth": 1, "dropout": 1.0}, "dropout"),
    ({"width": 8, "depth": 1, "dropout": 0.0, "hidden_size": 0}, "hidden_size"),
])
def test_bad_configuration_fails_at_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LSTMEncoder_v2(**kwargs)


#: What "never peeks" means in floating point. By construction the forward
#: half at t is computed from tokens 0..t only (and the backward half from
#: t..n-1): no arithmetic path connects it to the other tokens. The numbers
#: are still not always bit-identical when the *length* of the doc changes:
#: oneDNN (and MKL) choose their kernels, and with them the order of a sum,
#: by the shape of the whole call, which moves the last bits on some CPUs
#: (about 1e-7 seen on an AVX-512 BF16 EPYC; 0 on an AMX Xeon). So the tests
#: allow PEEK_TOL, a hundred times that rounding, and show (with an injected
#: peek of weight PEEK_WEIGHT, far weaker than anything a trained model
#: would learn) that a real peek moves the output by far more.
PEEK_TOL = 1e-5
PEEK_WEIGHT = 0.01


def _peek_differences(depth, peek=False):
    """Largest change of (forward half at <= t when later tokens change,
    backward half at >= t when earlier tokens change), and the smallest of
    the changes that must happen."""
    fix_random_seed(3)
    nlp = spacy.blank("tl")
    nlp.vocab.set_vector("bahay", numpy.arange(6, dtype="f"))
    nlp.vocab.set_vector("aso", -numpy.arange(6, dtype="f"))
    model = LSTMTok2Vec_v3(width=17, depth=depth, hidden_size=8, rows=[100, 50, 50, 50], char_width=4,
                           vectors_width=4)
    base = "kumain ang aso sa bahay ni Juan kahapon nang tanghali".split()
    t = 4
    later = base[: t + 1] + "ng pusa ang isda sa ilog".split()
    earlier = "Tumakbo ang bata at ang".split() + base[t:]
    docs = [spacy.tokens.Doc(nlp.vocab, words=w) for w in (base, later, earlier)]
    model.initialize(X=docs)
    forward, backward = split_width(17)
    out_base, out_later, out_earlier = model.predict(docs)
    shift = len(earlier) - len(base)

    def diff(a, b):
        return float(numpy.abs(a - b).max())

    must_not_change = max(diff(out_base[: t + 1, :forward], out_later[: t + 1, :forward]),
                          diff(out_base[t:, forward:], out_earlier[t + shift :, forward:]))
    must_change = min(diff(out_base[t + 1 :, :forward], out_later[t + 1 : len(base), :forward]),
                      diff(out_base[:t, forward:], out_earlier[shift : t + shift, forward:]),
                      # the backward half does see later tokens, and the forward half earlier ones
                      diff(out_base[: t + 1, forward:], out_later[: t + 1, forward:]))
    return must_not_change, must_change


@pytest.mark.parametrize("depth", [1, 3])
def test_whole_tok2vec_never_peeks(depth):
    """Changing the tokens after position t leaves the forward half of the
    output at positions <= t unchanged, and changing the tokens before t
    leaves the backward half at positions >= t unchanged (within PEEK_TOL,
    see above): embedding (hash tables, characters, static vectors)
    included."""
    must_not_change, must_change = _peek_differences(depth)
    assert must_not_change < PEEK_TOL
    assert must_change > 100 * PEEK_TOL


@pytest.mark.parametrize("depth", [1, 3])
def test_an_injected_peek_fails_the_no_peeking_check(depth, monkeypatch):
    """The check above is strong enough: each stack reading its input plus
    PEEK_WEIGHT times the next row (a peek one token ahead for the forward
    stack, one token back for the backward one) is caught."""
    from spacy_lstm.modules.residual_lstm import ResidualLSTM

    run_planned = ResidualLSTM.run_planned

    def peeking(self, X, plan):
        return run_planned(self, X + PEEK_WEIGHT * torch.roll(X, -1, 0), plan)

    monkeypatch.setattr(ResidualLSTM, "run_planned", peeking)
    must_not_change, _ = _peek_differences(depth)
    assert must_not_change > 10 * PEEK_TOL


def test_window_layer_sits_after_the_encoder_and_the_objective_skips_it():
    """v3's window_size adds a layer after the encoder (ref "refine"); the
    language model the objective trains (embedding + encoder) still never
    peeks, while the refined output does see the next token."""
    from spacy_lstm.pretraining.objective import language_model_layers

    fix_random_seed(4)
    nlp = spacy.blank("tl")
    model = LSTMTok2Vec_v3(width=12, depth=1, hidden_size=8, rows=[100, 50, 50, 50], char_width=4,
                           include_static_vectors=False, window_size=1)
    assert model.get_ref("refine") is model.layers[-1] and model.get_ref("lm") is model.layers[0]
    lm = language_model_layers(model)
    assert lm == model.get_ref("lm").layers and lm[-1] is model.get_ref("encode")
    words = "kumain ang aso sa bahay".split()
    docs = [spacy.tokens.Doc(nlp.vocab, words=w) for w in (words, words[:2] + ["pusa", "ng", "isda"])]
    model.initialize(X=docs)
    forward, _ = split_width(12)
    lm_out = docs
    for layer in lm:
        lm_out = layer.predict(lm_out)
    assert numpy.array_equal(lm_out[0][:2, :forward], lm_out[1][:2, :forward])
    full = model.predict(docs)
    assert not numpy.array_equal(full[0][:2, :forward], full[1][:2, :forward])
