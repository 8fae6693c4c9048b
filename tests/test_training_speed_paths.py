"""The fast training paths hold the same function: length-bucketed padded
LSTMs equal the step-by-step packed LSTM, ``PretrainBiLM.v2`` in fp32 is v1's
objective, and its bf16 training changes nothing outside training; ``.v3``
is v2 with torch's float32 matrix products."""
import numpy
import pytest
import spacy
import torch
from spacy.tokens import Doc
from thinc.api import Adam, NumpyOps, fix_random_seed

from spacy_lstm import LSTMTok2Vec_v3
from spacy_lstm.layers.matmul_ops import MatmulOps, use_training_matmul
from spacy_lstm.modules import padded_lstm as padded_module
from spacy_lstm.modules import precision
from spacy_lstm.modules.padded_lstm import padded_lstm, plan_padding
from spacy_lstm.modules.packing import plan_packing
from spacy_lstm.modules.stepwise_lstm import packed_lstm_stepwise
from spacy_lstm.pretraining.objective import create_pretrain_bilm, create_pretrain_bilm_v2, create_pretrain_bilm_v3

WORDS = "ang bata ay kumain ng mangga sa bahay namin kahapon".split()


@pytest.mark.parametrize("chunk", [0, 16])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_bucketed_padded_lstm_equals_the_stepwise_packed_lstm(bidirectional, chunk):
    """Very different lengths make several buckets; outputs and gradients
    equal the stepwise packed path's (float32 rounding apart). With a chunk
    (bf16 prediction's grids) every grid is that many sequences wide, and
    grids longer than PREDICT_STEPS run in slices that carry the state."""
    torch.manual_seed(0)
    lengths = torch.tensor([300, 3, 40, 41, 7, 120, 1, 2, 39, 300, 5] + [6] * 60)
    lstm = torch.nn.LSTM(8, 6, bidirectional=bidirectional)
    plan = plan_packing(lengths, torch.device("cpu"))
    batch_sizes = plan.batch_sizes.tolist()
    padding = plan_padding(batch_sizes, torch.device("cpu"), chunk)
    assert len(padding.buckets) >= (6 if chunk else 3)
    assert padding.slice_steps == (padded_module.PREDICT_STEPS if chunk else 0)  # training runs each grid whole
    # every sequence's rows sit in exactly one bucket
    rows = torch.cat([b.packed_rows for b in padding.buckets]).sort().values
    assert torch.equal(rows, torch.arange(int(lengths.sum())))
    # no bucket pads more than its share (beyond the slack for small ones),
    # times the rounding of each dimension to a recurring size (<= 25 % each)
    for bucket in padding.buckets:
        grid = bucket.n_steps * bucket.n_seqs
        share = padded_module.MAX_PADDING * len(bucket.packed_rows) + padded_module.MIN_BUCKET_ROWS
        if chunk:
            assert bucket.n_seqs == chunk and len(bucket.packed_rows) <= chunk * bucket.n_steps
            short = [size for size in padded_module._GRID_SIZES if size <= padded_module.PREDICT_STEPS]
            assert bucket.n_steps in short or bucket.n_steps % padded_module.PREDICT_STEPS == 0
        else:
            assert bucket.n_steps in padded_module._GRID_SIZES
            assert grid <= share * 1.25**2 and bucket.n_seqs in padded_module._GRID_SIZES
    X = torch.randn(int(lengths.sum()), 8, requires_grad=True)
    data = X.index_select(0, plan.to_packed)
    ours = padded_lstm(lstm, data, padding)
    grad = torch.randn_like(ours)
    d_ours = torch.autograd.grad((ours * grad).sum(), [X, *lstm.parameters()], retain_graph=True)
    reference = packed_lstm_stepwise(lstm, data, batch_sizes)
    d_reference = torch.autograd.grad((reference * grad).sum(), [X, *lstm.parameters()])
    torch.testing.assert_close(ours, reference, atol=1e-5, rtol=0)
    for a, b in zip(d_ours, d_reference):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)


def _objective(builder, **kwargs):
    fix_random_seed(0)
    nlp = spacy.blank("tl")
    tok2vec = LSTMTok2Vec_v3(width=32, depth=2, hidden_size=24, rows=[100, 50, 50, 50], char_width=4,
                             include_static_vectors=False, word_dropout_rate=0.0, dropout=0.0)
    docs = [Doc(nlp.vocab, words=WORDS), Doc(nlp.vocab, words=WORDS[::-1]), Doc(nlp.vocab, words=WORDS[:3])]
    tok2vec.initialize(X=docs)
    model = builder(hidden_size=16, embedding_rows=100, **kwargs)(nlp.vocab, tok2vec)
    model.initialize(X=docs)
    return model, tok2vec, docs


def _losses(model, docs, steps=8):
    optimizer = Adam(0.01)
    losses = []
    for _ in range(steps):
        prediction, backprop = model.begin_update(docs)
        loss, gradients = model.attrs["loss"](model.ops, docs, prediction)
        backprop(gradients)
        model.finish_update(optimizer)
        losses.append(loss)
    return losses


def test_v2_in_fp32_is_v1():
    v1, _, docs = _objective(create_pretrain_bilm)
    v2, _, _ = _objective(create_pretrain_bilm_v2, precision="fp32")
    assert type(v2.ops) is NumpyOps and not v2.attrs["bf16"]
    numpy.testing.assert_allclose(_losses(v1, docs), _losses(v2, docs), rtol=1e-5)


def test_v3_in_fp32_is_v2_with_torch_matrix_products():
    """v3's float32 products are torch's (bit for bit torch.mm's, not blis'),
    and it trains as v2 does up to float32 rounding."""
    v2, _, docs = _objective(create_pretrain_bilm_v2, precision="fp32")
    v3, _, _ = _objective(create_pretrain_bilm_v3, precision="fp32")
    assert not v3.attrs["bf16"] and isinstance(v3.ops, MatmulOps) and v3.ops.float32_in_torch
    assert all(type(node.ops) is not NumpyOps for node in v3.walk())
    rng = numpy.random.default_rng(0)
    x, y = rng.standard_normal((300, 257)).astype("f"), rng.standard_normal((129, 257)).astype("f")
    expected = torch.mm(torch.from_numpy(x), torch.from_numpy(y).t()).numpy()
    assert numpy.array_equal(v3.ops.gemm(x, y, trans2=True), expected)
    numpy.testing.assert_allclose(v3.ops.gemm(x, y, trans2=True), NumpyOps().gemm(x, y, trans2=True), rtol=1e-4,
                                  atol=1e-4)
    numpy.testing.assert_allclose(_losses(v2, docs), _losses(v3, docs), rtol=1e-4)


def test_v2_in_bf16_learns_like_fp32_and_predicts_unchanged():
    fp32, tok2vec_fp32, docs = _objective(create_pretrain_bilm_v2, precision="fp32")
    bf16, tok2vec_bf16, _ = _objective(create_pretrain_bilm_v2, precision="bf16")
    assert isinstance(bf16.ops, MatmulOps) and bf16.attrs["bf16"]
    # before training: the same weights predict the same, bit for bit (bf16 is for training only)
    for a, b in zip(tok2vec_fp32.predict(docs), tok2vec_bf16.predict(docs)):
        assert numpy.array_equal(a, b)
    with precision.training_in_bf16():
        pass
    assert not precision.trains_in_bf16()  # scoped: nothing left set after the block
    losses_fp32, losses_bf16 = _losses(fp32, docs), _losses(bf16, docs)
    assert losses_bf16[-1] < 0.8 * losses_bf16[0]
    # bfloat16 has 8 bits of mantissa: the losses follow fp32's to a few percent
    numpy.testing.assert_allclose(losses_bf16, losses_fp32, rtol=0.05)
    assert losses_bf16 != losses_fp32  # and bf16 did run


def test_training_matmul_ops_is_numpy_outside_bf16_training():
    rng = numpy.random.default_rng(0)
    x, y = rng.standard_normal((7, 5)).astype("f"), rng.standard_normal((4, 5)).astype("f")
    ops = MatmulOps()
    assert numpy.array_equal(ops.gemm(x, y, trans2=True), NumpyOps().gemm(x, y, trans2=True))
    with precision.training_in_bf16():
        product = ops.gemm(x, y, trans2=True)
        assert product.dtype == numpy.float32
        numpy.testing.assert_allclose(product, x @ y.T, atol=0.05, rtol=0.02)
        assert not numpy.array_equal(product, x @ y.T)
    model = LSTMTok2Vec_v3(width=8, depth=1, include_static_vectors=False)
    assert use_training_matmul(model) > 0 and all(type(n.ops) is not NumpyOps for n in model.walk())


def test_precision_auto_follows_the_cpu(monkeypatch):
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: False)
    assert not precision.predicts_in_bf16("auto")
    model, _, _ = _objective(create_pretrain_bilm_v2, precision="auto")
    assert not model.attrs["bf16"] and type(model.ops) is NumpyOps
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: True)
    model, _, _ = _objective(create_pretrain_bilm_v2, precision="auto")
    assert model.attrs["bf16"]
    with pytest.raises(ValueError, match="precision must be one of"):
        create_pretrain_bilm_v2(precision="fp16")


def test_grid_shapes_recur():
    """oneDNN builds a kernel per input shape: over many random batches the
    grids take few distinct shapes (each dimension one of a few dozen
    sizes), so kernels are reused instead of rebuilt for every batch."""
    rng = numpy.random.default_rng(0)
    shapes = set()
    for _ in range(300):
        lengths = torch.as_tensor(numpy.minimum(rng.geometric(1 / 28, size=int(rng.integers(20, 160))) + 2, 300))
        plan = plan_packing(lengths, torch.device("cpu"))
        shapes.update((b.n_steps, b.n_seqs) for b in plan_padding(plan.batch_sizes.tolist(), torch.device("cpu")).buckets)
    sizes = padded_module._GRID_SIZES
    assert all(t in sizes and n in sizes for t, n in shapes)
    assert len({t for t, _ in shapes}) <= 40 and len({n for _, n in shapes}) <= 40
    assert padded_module.grid_size(17) == 20 and padded_module.grid_size(16) == 16
    assert all(padded_module.grid_size(n) >= n and padded_module.grid_size(n) <= max(n * 1.25, n + 4)
               for n in range(1, 5000))
