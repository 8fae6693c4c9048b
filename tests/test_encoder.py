"""LSTMEncoder: batch invariance, the step-by-step oracle, gradients, bad config."""
import numpy
import pytest
import torch
from spacy.ml.models.tok2vec import BiLSTMEncoder
from thinc.api import fix_random_seed

from spacy_lstm import LSTMEncoder
from spacy_lstm.modules import residual_lstm
from reference import reference_residual_lstm

TOL = 1e-5


def random_batch(rng, n_docs, width, max_len=60, min_len=0):
    lengths = rng.integers(min_len, max_len + 1, size=n_docs)
    return [rng.standard_normal((n, width)).astype("float32") for n in lengths]


def max_batch_difference(model, Xs, rng):
    """Largest |output alone - output inside a shuffled batch| over all docs."""
    alone = [model.predict([x])[0] for x in Xs]
    order = rng.permutation(len(Xs))
    batched = model.predict([Xs[i] for i in order])
    return max(
        float(numpy.abs(alone[i] - y).max()) if len(y) else 0.0
        for i, y in zip(order, batched)
    )


def check_batch_invariance(build, width):
    """Each doc alone equals itself inside a shuffled batch of 40 docs of 0..60 tokens."""
    fix_random_seed(0)
    rng = numpy.random.default_rng(0)
    model = build(width=width, depth=2, dropout=0.0)
    model.initialize()
    Xs = random_batch(rng, 40, width)
    Xs.append(numpy.zeros((0, width), dtype="float32"))
    # The batch must mix very short and long docs for the check to mean anything.
    assert min(map(len, Xs)) == 0 and max(map(len, Xs)) >= 50
    assert max_batch_difference(model, Xs, rng) < TOL


def test_batch_invariance():
    check_batch_invariance(LSTMEncoder, 32)


def test_spacy_builtin_bilstm_is_not_batch_invariant():
    """Documents the difference: spaCy's padded encoder exceeds our bound."""
    fix_random_seed(0)
    rng = numpy.random.default_rng(0)
    model = BiLSTMEncoder(width=32, depth=2, dropout=0.0)
    model.initialize()
    Xs = random_batch(rng, 40, 32, min_len=1)
    assert max_batch_difference(model, Xs, rng) > TOL


def test_empty_docs_and_empty_batches():
    model = LSTMEncoder(width=8, depth=1, dropout=0.0)
    model.initialize()
    assert model.predict([]) == []
    Ys, backprop = model.begin_update([numpy.zeros((0, 8), "f")] * 2)
    assert [y.shape for y in Ys] == [(0, 8), (0, 8)]
    assert [d.shape for d in backprop(Ys)] == [(0, 8), (0, 8)]


@pytest.mark.parametrize("padded_max_rows", [0, 10**9], ids=["stepwise", "padded"])
@pytest.mark.parametrize("hidden_size", [None, 5])
@pytest.mark.parametrize("bidirectional", [True, False])
def test_matches_step_by_step_reference(bidirectional, hidden_size, padded_max_rows, monkeypatch):
    monkeypatch.setattr(residual_lstm, "PADDED_MAX_ROWS", padded_max_rows)
    fix_random_seed(1)
    rng = numpy.random.default_rng(1)
    model = LSTMEncoder(
        width=16, depth=2, dropout=0.0, bidirectional=bidirectional, hidden_size=hidden_size
    )
    model.initialize()
    Xs = random_batch(rng, 6, 16, max_len=25)
    module = model.layers[0].shims[0]._model
    with torch.no_grad():
        expected = reference_residual_lstm(module, [torch.from_numpy(x) for x in Xs])
    # Prediction runs nn.LSTM's fused kernels; training (grad enabled, CPU) runs
    # the padded or the stepwise path. All must equal the one-step-at-a-time oracle.
    for Ys in (model.predict(Xs), model.begin_update(Xs)[0]):
        for y, e in zip(Ys, expected):
            assert y.shape == tuple(e.shape)
            numpy.testing.assert_allclose(y, e.numpy(), atol=TOL, rtol=0)


@pytest.mark.parametrize("padded_max_rows", [0, 10**9], ids=["stepwise", "padded"])
def test_gradients_match_finite_differences(padded_max_rows, monkeypatch):
    """Check the backward pass (through Thinc's conversions and the packing)
    against central differences, in float64, for inputs and parameters, on
    both CPU training paths."""
    monkeypatch.setattr(residual_lstm, "PADDED_MAX_ROWS", padded_max_rows)
    fix_random_seed(2)
    rng = numpy.random.default_rng(2)
    model = LSTMEncoder(width=4, depth=2, dropout=0.0)
    model.initialize()
    module = model.layers[0].shims[0]._model.double()
    Xs = [rng.standard_normal((n, 4)) for n in (3, 1, 0, 5)]
    check_finite_differences(model, module, Xs, rng, [(0, 0, 0), (0, 2, 3), (1, 0, 1), (3, 4, 2), (3, 1, 0)])


def check_finite_differences(model, module, Xs, rng, probes, eps=1e-6):
    """Input gradients at ``probes`` (doc, row, col) and one random entry of
    every parameter, against central differences of a random linear loss."""
    weights = [rng.standard_normal(x.shape) for x in Xs]

    def loss(inputs):
        return sum(float((y * w).sum()) for y, w in zip(model.predict(inputs), weights))

    _, backprop = model.begin_update(Xs)
    dXs = backprop(weights)
    for doc, row, col in probes:
        plus = [x.copy() for x in Xs]
        minus = [x.copy() for x in Xs]
        plus[doc][row, col] += eps
        minus[doc][row, col] -= eps
        numeric = (loss(plus) - loss(minus)) / (2 * eps)
        assert dXs[doc][row, col] == pytest.approx(numeric, rel=1e-5, abs=1e-7)
    for name, param in module.named_parameters():
        flat = param.data.view(-1)
        i = int(rng.integers(flat.numel()))
        analytic = float(param.grad.view(-1)[i])
        original = float(flat[i])
        flat[i] = original + eps
        upper = loss(Xs)
        flat[i] = original - eps
        lower = loss(Xs)
        flat[i] = original
        assert analytic == pytest.approx((upper - lower) / (2 * eps), rel=1e-5, abs=1e-7), name


def test_output_width_and_dims():
    model = LSTMEncoder(width=10, depth=3, dropout=0.2, hidden_size=7)
    assert model.get_dim("nI") == model.get_dim("nO") == 10
    model.initialize()
    Ys = model.predict([numpy.ones((4, 10), "f")])
    assert Ys[0].shape == (4, 10)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"width": 8, "depth": 0, "dropout": 0.0}, "depth"),
        ({"width": 8, "depth": 1, "dropout": -0.1}, "dropout"),
        ({"width": 8, "depth": 1, "dropout": 1.0}, "dropout"),
        ({"width": 0, "depth": 1, "dropout": 0.0}, "width"),
        ({"width": 8, "depth": 1, "dropout": 0.0, "hidden_size": 0}, "hidden_size"),
    ],
)
def test_bad_configuration_fails_at_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LSTMEncoder(**kwargs)


def test_wrong_input_width_is_reported():
    model = LSTMEncoder(width=8, depth=1, dropout=0.0)
    with pytest.raises(ValueError, match="input width is 6"):
        model.initialize(X=[numpy.zeros((2, 6), "f")])


def test_packing_plan_equals_the_grid_definition_and_is_linear_in_tokens():
    """The plan is the row-major (time, sequence) selection of the packed
    layout, and its memory grows with the number of tokens, not with
    max_length x n_docs (one long doc among many short ones)."""
    import sys

    from conftest import run

    from spacy_lstm.modules.packing import plan_packing

    rng = numpy.random.default_rng(0)
    for lengths in [rng.integers(0, 30, size=n) for n in (1, 3, 17, 64)] + [numpy.array([0, 0, 4, 4, 1])]:
        lengths_t = torch.as_tensor(lengths)
        plan = plan_packing(lengths_t, torch.device("cpu"))
        sorted_lengths, order = torch.sort(lengths_t, descending=True, stable=True)
        starts = torch.cumsum(lengths_t, 0) - lengths_t
        steps = torch.arange(int(lengths.max()) if lengths.max() else 0)
        running = steps[:, None] < sorted_lengths[None, :]
        assert torch.equal(plan.batch_sizes, running.sum(dim=1))
        assert torch.equal(plan.to_packed, (starts[order][None, :] + steps[:, None])[running])
        assert torch.equal(plan.to_flat[plan.to_packed], torch.arange(int(lengths.sum())))
    script = (
        "import resource, torch\n"
        "from spacy_lstm.modules.packing import plan_packing\n"
        "lengths = torch.tensor([200000] + [1] * 2000)\n"
        "plan_packing(torch.tensor([3, 1]), torch.device('cpu'))\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "plan = plan_packing(lengths, torch.device('cpu'))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "assert plan.to_packed.numel() == 202000\n"
        "print((after - before) // 1024)\n"
    )
    out = run([sys.executable, "-c", script])
    assert out.returncode == 0, out.stderr
    # a (time x docs) grid would be 200,000 x 2,001 booleans (400 MB) plus int64 indices
    assert int(out.stdout.strip()) < 100, f"plan_packing grew the peak RSS by {out.stdout.strip()} MiB"


@pytest.mark.parametrize("width", [333, 321, 7])
def test_any_width_builds_trains_and_round_trips(width):
    """Odd widths work by default (spaCy's own config tests use 321 and 333)."""
    model = LSTMEncoder(width=width, depth=1, dropout=0.0)
    model.initialize()
    assert model.attrs["hidden_size"] == (width + 1) // 2
    Xs = [numpy.ones((3, width), "f"), numpy.zeros((0, width), "f")]
    Ys, backprop = model.begin_update(Xs)
    assert [y.shape for y in Ys] == [(3, width), (0, width)]
    assert [d.shape for d in backprop(Ys)] == [(3, width), (0, width)]
    copy = LSTMEncoder(width=width, depth=1, dropout=0.0)
    copy.initialize()
    copy.from_bytes(model.to_bytes())
    numpy.testing.assert_array_equal(copy.predict(Xs)[0], model.predict(Xs)[0])


def test_even_width_default_is_unchanged():
    assert LSTMEncoder(width=256, depth=1, dropout=0.0).attrs["hidden_size"] == 128


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_predicting_does_not_switch_off_training_mode(version):
    """Predictions leave the module in eval mode (no per-call mode switch,
    see layers/torch_shim.py); a training pass after a prediction still
    applies dropout, and predictions before and after it agree."""
    from spacy_lstm.layers.lstm_encoder import LSTMEncoder_v2

    build = LSTMEncoder if version == "v1" else LSTMEncoder_v2
    fix_random_seed(0)
    model = build(width=8, depth=2, dropout=0.5)
    model.initialize()
    Xs = [numpy.random.default_rng(0).normal(size=(n, 8)).astype("float32") for n in (4, 7)]
    before = model.predict(Xs)
    Ys, _ = model.begin_update(Xs)
    assert any(not numpy.allclose(y, p) for y, p in zip(Ys, before)), "dropout was off while training"
    for x, y in zip(before, model.predict(Xs)):
        numpy.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_one_sequence_lstm_equals_the_module(bidirectional, dtype):
    """The single-doc prediction path calls nn.LSTM's own op: bit-identical."""
    from spacy_lstm.modules.direct_lstm import lstm_one_sequence

    torch.manual_seed(0)
    lstm = torch.nn.LSTM(6, 5, bidirectional=bidirectional).to(dtype).eval()
    x = torch.randn(9, 6).to(dtype)
    with torch.no_grad():
        assert torch.equal(lstm_one_sequence(lstm, x), lstm(x.unsqueeze(1))[0].squeeze(1))
