"""bfloat16 prediction LSTMs with their weights packed for oneDNN once (modules/onednn_lstm.py)."""

import pytest
import torch

from spacy_lstm.modules import onednn_lstm
from spacy_lstm.modules.onednn_lstm import direction_call, packed_directions
from spacy_lstm.modules.precision import cpu_has_native_bf16, prediction_copy
from spacy_lstm.modules.residual_lstm import ResidualLSTM

needs_bf16 = pytest.mark.skipif(not cpu_has_native_bf16() or not onednn_lstm._OPS_AVAILABLE,
                                reason="this CPU (or this PyTorch) runs no oneDNN bfloat16 LSTM")


def _bf16_twin(input_size=12, hidden=8, bidirectional=True, seed=0):
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(input_size, hidden, bidirectional=bidirectional)
    return prediction_copy(lstm, {}, torch.bfloat16)


def _torch_lstm(lstm, suffix, x, state):
    params = [getattr(lstm, name + suffix) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    out, h, c = torch.lstm(x, state, params, True, 1, 0.0, False, False, False)
    return out, (h, c)


@needs_bf16
@pytest.mark.parametrize("suffix", ["_l0", "_l0_reverse"])
def test_packed_weights_give_torch_lstm_result_bit_for_bit(suffix):
    """Grids of one and of 16 sequences, short and long, from zero and from
    a carried state: the packed call returns exactly what torch.lstm does."""
    twin = _bf16_twin()
    generator = torch.Generator().manual_seed(1)
    for batch in (1, 16):
        call = direction_call(twin, suffix, batch)
        for steps in (1, 7, 64):
            x = torch.randn((steps, batch, 12), generator=generator).bfloat16()
            state = tuple(torch.randn((1, batch, 8), generator=generator).bfloat16() for _ in range(2))
            with torch.no_grad():
                got, expected = call(x, state), _torch_lstm(twin, suffix, x, state)
            assert torch.equal(got[0], expected[0])
            assert torch.equal(got[1][0], expected[1][0]) and torch.equal(got[1][1], expected[1][1])
    assert packed_directions(twin) == 2  # one packing per batch size, used


def test_trainable_or_float32_lstms_run_torch_lstm():
    """Weights that take gradients (training) or are float32 are never packed."""
    torch.manual_seed(0)
    trainable = torch.nn.LSTM(6, 4)
    float32 = torch.nn.LSTM(6, 4).eval().requires_grad_(False)
    for lstm in (trainable, float32):
        x = torch.randn(5, 1, 6)
        zeros = torch.zeros(1, 1, 4)
        out, _ = direction_call(lstm, "_l0", 1)(x, (zeros, zeros))
        assert torch.equal(out, lstm(x)[0])
        assert packed_directions(lstm) == 0


@needs_bf16
def test_a_packing_that_disagrees_with_torch_lstm_is_not_used(monkeypatch):
    """The check before first use: a packed call that returns anything but
    torch.lstm's result leaves torch.lstm in charge."""
    real = onednn_lstm._packed_call

    def off_by_one(lstm, suffix, packed, reverse=False):
        call = real(lstm, suffix, packed, reverse)
        return lambda x, state: (lambda out: (out[0] + 1, out[1]))(call(x, state))

    monkeypatch.setattr(onednn_lstm, "_packed_call", off_by_one)
    twin = _bf16_twin()
    x = torch.randn(9, 1, 12).bfloat16()
    zeros = torch.zeros(1, 1, 8, dtype=torch.bfloat16)
    with torch.no_grad():
        got = direction_call(twin, "_l0", 1)(x, (zeros, zeros))
    assert torch.equal(got[0], _torch_lstm(twin, "_l0", x, (zeros, zeros))[0])
    assert packed_directions(twin) == 0


def test_without_the_ops_torch_lstm_runs(monkeypatch):
    monkeypatch.setattr(onednn_lstm, "_OPS_AVAILABLE", False)
    twin = _bf16_twin()
    direction_call(twin, "_l0", 1)
    assert packed_directions(twin) == 0


@needs_bf16
def test_bf16_prediction_is_the_same_with_and_without_packing(monkeypatch):
    """A ResidualLSTM predicting in bf16, one doc and a batch: the packed
    weights change nothing in its outputs, and they are used."""
    torch.manual_seed(0)
    lengths = torch.tensor([23, 5, 70, 1, 12])
    X = torch.randn(int(lengths.sum()), 16)
    results = {}
    for packed in (True, False):
        monkeypatch.setattr(onednn_lstm, "_OPS_AVAILABLE", packed)
        torch.manual_seed(0)
        stack = ResidualLSTM(16, 12, depth=2, bidirectional=True, inference_bf16=True).eval()
        with torch.no_grad():
            results[packed] = (stack(X[:23], lengths[:1]), stack(X, lengths))
        twins = [module for module in stack._prediction_copies.values()]
        used = sum(packed_directions(twin[3]) for twin in twins if isinstance(twin[3], torch.nn.LSTM))
        assert (used > 0) is packed
    for a, b in zip(results[True], results[False]):
        assert torch.equal(a, b)


needs_ops = pytest.mark.skipif(not onednn_lstm._OPS_AVAILABLE, reason="this PyTorch has no oneDNN LSTM ops")


@needs_ops
@pytest.mark.parametrize("bidirectional", [False, True])
def test_float32_prediction_copy_runs_packed_and_equals_the_module(bidirectional):
    """float32 ``nlp(text)``: the LSTM of a frozen prediction copy runs on
    weights packed once, and returns what the nn.LSTM module itself returns
    for the doc, bit for bit, at every length (one packing per direction)."""
    from spacy_lstm.modules.direct_lstm import lstm_one_sequence

    torch.manual_seed(0)
    lstm = torch.nn.LSTM(12, 8, bidirectional=bidirectional)
    twin = prediction_copy(lstm, {}, torch.float32)
    assert twin is not lstm
    generator = torch.Generator().manual_seed(2)
    for length in (1, 2, 7, 22, 64, 65, 127, 128, 129, 130, 200):
        x = torch.randn((length, 12), generator=generator)
        with torch.no_grad():
            assert torch.equal(lstm_one_sequence(twin, x), lstm(x.unsqueeze(1))[0].squeeze(1)), length
    assert packed_directions(twin) == (2 if bidirectional else 1)
    assert packed_directions(lstm) == 0  # the trainable module itself is never packed


def test_only_prediction_copies_are_packed():
    """A float32 or bfloat16 LSTM that is not a prediction copy (frozen
    weights a load may overwrite in place) runs torch.lstm."""
    torch.manual_seed(0)
    for dtype in (torch.float32, torch.bfloat16):
        lstm = torch.nn.LSTM(6, 4).to(dtype).eval().requires_grad_(False)
        direction_call(lstm, "_l0", 1)
        assert packed_directions(lstm) == 0


def _recording_packed_calls(monkeypatch):
    """Record the sequence lengths every packed call is given, by (suffix, reverse)."""
    seen = {}
    real = onednn_lstm._packed_call

    def recording(lstm, suffix, packed, reverse=False):
        call = real(lstm, suffix, packed, reverse)

        def record(x, state):
            seen.setdefault((suffix, reverse), set()).add(x.shape[0])
            return call(x, state)

        return record

    monkeypatch.setattr(onednn_lstm, "_packed_call", recording)
    return seen


@needs_ops
def test_float32_one_doc_meets_a_bounded_set_of_lengths(monkeypatch):
    """oneDNN keeps a kernel per sequence length: docs of 1 to 300 tokens
    reach the packed calls as at most PREDICT_STEPS lengths per direction
    (longer docs in slices), plus the one-off check's lengths."""
    from spacy_lstm.modules.direct_lstm import lstm_one_sequence
    from spacy_lstm.modules.onednn_lstm import PREDICT_STEPS, SLICE_CHECK_STEPS

    seen = _recording_packed_calls(monkeypatch)
    torch.manual_seed(0)
    twin = prediction_copy(torch.nn.LSTM(12, 8, bidirectional=True), {}, torch.float32)
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for length in range(1, 301):
            lstm_one_sequence(twin, torch.randn((length, 12), generator=generator))
    assert set(seen) == {("_l0", False), ("_l0_reverse", True)}
    for lengths in seen.values():
        checks = set(SLICE_CHECK_STEPS)
        assert checks <= lengths and max(lengths - checks) == PREDICT_STEPS
        assert len(lengths) <= PREDICT_STEPS + len(checks)


@needs_ops
def test_slices_that_change_the_result_are_not_used(monkeypatch):
    """The check before slicing: where slices would not give the one call's
    bits, a long doc runs in one call, and the result is the module's."""
    from spacy_lstm.modules.direct_lstm import lstm_one_sequence
    from spacy_lstm.modules.onednn_lstm import slice_steps

    real = onednn_lstm.run_in_slices
    monkeypatch.setattr(onednn_lstm, "run_in_slices", lambda *args: real(*args) + 1e-3)
    seen = _recording_packed_calls(monkeypatch)
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(12, 8, bidirectional=True)
    twin = prediction_copy(lstm, {}, torch.float32)
    x = torch.randn((150, 12))
    with torch.no_grad():
        assert torch.equal(lstm_one_sequence(twin, x), lstm(x.unsqueeze(1))[0].squeeze(1))
    assert slice_steps(twin, "_l0") == slice_steps(twin, "_l0_reverse", True) == 0
    assert all(150 in lengths for lengths in seen.values())


@pytest.mark.parametrize("reverse", [False, True])
def test_slices_cover_the_sequence_in_order_and_none_is_one_step(reverse):
    """run_in_slices over every length up to five slices: each slice has
    2 to PREDICT_STEPS steps (a one-row product runs on another oneDNN path,
    with other float32 bits on an AVX-512 EPYC), they cover the sequence in
    the call's direction, and the state runs through them: the result is
    the one call's (a running sum, forwards or backwards)."""
    from spacy_lstm.modules.onednn_lstm import PREDICT_STEPS, run_in_slices

    def running_sum(x, state):
        sizes.append(x.shape[0])
        steps = x.flip(0) if reverse else x
        out = steps.cumsum(0) + state[0]
        return (out.flip(0) if reverse else out), (out[-1:], state[1])

    for n in range(1, 5 * PREDICT_STEPS + 2):
        sizes = []
        x = torch.arange(1, n + 1, dtype=torch.float64).view(n, 1, 1)
        start = torch.full((1, 1, 1), 0.5, dtype=torch.float64)
        got = run_in_slices(running_sum, x, (start, start), PREDICT_STEPS, reverse)
        sizes_sliced, sizes = sizes, []
        assert torch.equal(got, running_sum(x, (start, start))[0]), n
        assert sum(sizes_sliced) == n and max(sizes_sliced) <= PREDICT_STEPS
        assert n == 1 or min(sizes_sliced) >= 2, (n, sizes_sliced)
