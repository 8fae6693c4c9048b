"""inference_precision: fp32 stays the default and exact; bf16 predicts close
to fp32, batch-invariant within its tolerance; training is never bf16."""
import numpy
import pytest
import spacy
from thinc.api import NumpyOps, fix_random_seed

from spacy_lstm import LSTMEncoder, LSTMEncoder_v2, LSTMTok2Vec_v3
from spacy_lstm.layers.matmul_ops import MatmulOps, use_training_matmul
from spacy_lstm.modules import precision
from spacy_lstm.modules.precision import cpu_has_native_bf16, predicts_in_bf16
from spacy_lstm.modules.residual_lstm import ResidualLSTM

#: Largest |bf16 - fp32| and |alone - in a batch| (bf16) accepted on the
#: LayerNorm'd outputs (unit scale); measured: about 0.004.
BF16_TOL = 0.03

TEXTS = ["Nagluto si Lito ng sinigang na baboy kahapon.", "Salamat po!", "",
         "Umuulan nang malakas sa Maynila ngayong gabi kaya hindi kami nakalabas ng bahay."] * 3


def _pair(build, **kwargs):
    """The same weights built with fp32 and with bf16 inference."""
    fix_random_seed(0)
    fp32 = build(inference_precision="fp32", **kwargs)
    bf16 = build(inference_precision="bf16", **kwargs)
    return fp32, bf16


def _tok2vec_pair(depth, **kwargs):
    """Docs of TEXTS and a small LSTMTok2Vec.v3 built in fp32 and in bf16,
    initialized on them, the bf16 one with the fp32 one's weights."""
    docs = list(spacy.blank("tl").pipe(TEXTS))
    fp32, bf16 = _pair(LSTMTok2Vec_v3, width=32, depth=depth, include_static_vectors=False, refine_depth=1,
                       rows=[200, 100, 100, 100], char_width=4, **kwargs)
    fp32.initialize(X=docs)
    bf16.initialize(X=docs)
    bf16.from_bytes(fp32.to_bytes())
    return docs, fp32, bf16


def _bf16_flags(model):
    return [m.inference_bf16 for node in model.walk() for shim in node.shims
            for m in shim._model.modules() if isinstance(m, ResidualLSTM)]


def test_settings():
    assert predicts_in_bf16("fp32") is False and predicts_in_bf16("bf16") is True
    assert predicts_in_bf16("auto") is cpu_has_native_bf16()
    with pytest.raises(ValueError, match="inference_precision must be one of fp32, bf16, auto; got 'fp16'"):
        LSTMEncoder(width=8, depth=1, dropout=0.0, inference_precision="fp16")
    assert _bf16_flags(LSTMEncoder_v2(width=8, depth=2, dropout=0.0)) == [False, False]
    assert _bf16_flags(LSTMEncoder_v2(width=8, depth=2, dropout=0.0, inference_precision="bf16")) == [True, True]


@pytest.mark.parametrize("build,kwargs", [
    (LSTMEncoder, {}), (LSTMEncoder_v2, {}),
], ids=["v1", "v2"])
def test_bf16_predicts_close_to_fp32_and_trains_exactly_as_fp32(build, kwargs):
    fp32, bf16 = _pair(build, width=32, depth=2, dropout=0.0, **kwargs)
    fp32.initialize()
    bf16.initialize()
    bf16.from_bytes(fp32.to_bytes())
    rng = numpy.random.default_rng(0)
    Xs = [rng.normal(size=(n, 32)).astype("float32") for n in (7, 1, 0, 30, 12)]
    a, b = fp32.predict(Xs), bf16.predict(Xs)
    assert all(y.dtype == numpy.float32 for y in b)
    diff = max(float(numpy.abs(x - y).max()) for x, y in zip(a, b) if len(x))
    assert 0 < diff < BF16_TOL, diff  # > 0: bf16 really ran
    for x, y in zip(fp32.begin_update(Xs)[0], bf16.begin_update(Xs)[0]):
        numpy.testing.assert_array_equal(x, y)  # training is float32 whatever the setting


def test_bf16_pipeline_is_batch_invariant_within_tolerance_and_close_to_fp32():
    docs, fp32, bf16 = _tok2vec_pair(depth=2)
    batch = bf16.predict(docs)
    for doc, in_batch, reference in zip(docs, batch, fp32.predict(docs)):
        alone = bf16.predict([doc])[0]
        assert alone.shape == in_batch.shape == (len(doc), 32)
        if len(doc):
            assert float(numpy.abs(alone - in_batch).max()) < BF16_TOL
            assert float(numpy.abs(in_batch - reference).max()) < BF16_TOL
    again = bf16.predict(docs)
    for x, y in zip(batch, again):
        numpy.testing.assert_array_equal(x, y)  # reproducible


def test_bf16_prediction_runs_token_bounded_sub_batches(monkeypatch):
    """bf16 prediction splits a batch of more than PREDICT_MAX_TOKENS tokens
    into consecutive sub-batches (docs whole, in order; its memory bounded by
    design): the encoder never sees more rows than the bound or the longest
    doc, and the outputs stay within bf16's tolerance of one whole batch.
    fp32 prediction always runs the whole batch, bit for bit as before."""
    from spacy_lstm.models import tok2vec_model
    from spacy_lstm.modules.bilm import BiLMStack

    docs, fp32, bf16 = _tok2vec_pair(depth=1)
    seen = []
    real = BiLMStack.forward
    monkeypatch.setattr(BiLMStack, "forward", lambda self, X, lengths: seen.append(int(X.shape[0])) or
                        real(self, X, lengths))
    whole = {name: model.predict(docs) for name, model in (("fp32", fp32), ("bf16", bf16))}
    n_tokens = sum(len(doc) for doc in docs)
    assert seen == [n_tokens, n_tokens]
    bound = 20
    monkeypatch.setattr(tok2vec_model, "PREDICT_MAX_TOKENS", bound)
    seen.clear()
    split = bf16.predict(docs)
    assert len(seen) > 1 and sum(seen) == n_tokens
    assert max(seen) <= max(bound, max(len(doc) for doc in docs))
    for a, b in zip(split, whole["bf16"]):
        assert a.shape == b.shape
        if len(a):
            assert float(numpy.abs(a - b).max()) < BF16_TOL
    seen.clear()
    for a, b in zip(fp32.predict(docs), whole["fp32"]):
        numpy.testing.assert_array_equal(a, b)
    assert seen == [n_tokens]
    parts = list(tok2vec_model.token_bounded(docs, bound))
    assert [doc for part in parts for doc in part] == docs
    assert all(sum(map(len, part)) <= bound or len(part) == 1 for part in parts)


def test_matmul_ops_for_prediction_is_blis_outside_a_prediction_pass():
    rng = numpy.random.default_rng(0)
    x, y = rng.standard_normal((23, 70)).astype("f"), rng.standard_normal((50, 70)).astype("f")
    ops = MatmulOps(predict_in_torch=True)
    blis = NumpyOps().gemm(x, y, trans2=True)
    numpy.testing.assert_array_equal(ops.gemm(x, y, trans2=True), blis)
    with precision.prediction_pass():
        assert precision.in_prediction_pass()
        in_torch = ops.gemm(x, y, trans2=True)
    assert not precision.in_prediction_pass()  # scoped to the block
    import torch

    numpy.testing.assert_array_equal(in_torch, torch.mm(torch.from_numpy(x), torch.from_numpy(y).t()).numpy())
    numpy.testing.assert_allclose(in_torch, blis, rtol=1e-4, atol=1e-4)


def test_bf16_tok2vec_predicts_its_thinc_products_in_torch_and_trains_on_blis(monkeypatch):
    """With LSTMs predicting in bf16, the tok2vec's Thinc layers (the mixer, the
    static vectors' projection) run their float32 products in torch when
    predicting, and on thinc's blis when training (so training is bit for bit
    the fp32 model's); an fp32 tok2vec never leaves thinc's NumpyOps."""
    nlp = spacy.blank("tl")
    docs = list(nlp.pipe(TEXTS))
    fp32, bf16 = _pair(LSTMTok2Vec_v3, width=32, depth=1, include_static_vectors=False, refine_depth=1,
                       rows=[200, 100, 100, 100], char_width=4, dropout=0.0, word_dropout_rate=0.0)
    assert all(type(node.ops) is NumpyOps for node in fp32.walk())
    on_matmul = [node for node in bf16.walk() if type(node.ops) is MatmulOps]
    assert len(on_matmul) == len(list(bf16.walk()))
    assert all(node.ops.predict_in_torch and not node.ops.float32_in_torch for node in on_matmul)
    fp32.initialize(X=docs)
    bf16.initialize(X=docs)
    bf16.from_bytes(fp32.to_bytes())
    blis_calls = []
    blis = NumpyOps.gemm
    monkeypatch.setattr(NumpyOps, "gemm", lambda self, *a, **k: blis_calls.append(1) or blis(self, *a, **k))
    bf16.predict(docs)
    assert not blis_calls
    fp32.predict(docs)
    assert blis_calls
    for a, b in zip(fp32.begin_update(docs)[0], bf16.begin_update(docs)[0]):
        numpy.testing.assert_array_equal(a, b)
    # pretraining's ops (float32 products in torch) keep the prediction flag
    use_training_matmul(bf16, float32_in_torch=True)
    assert all(node.ops.predict_in_torch and node.ops.float32_in_torch for node in bf16.walk())


def test_bf16_weights_follow_weight_updates():
    """The cached bfloat16 copies are made again when the weights change."""
    from thinc.api import Adam

    rng = numpy.random.default_rng(1)
    Xs = [rng.normal(size=(n, 16)).astype("float32") for n in (5, 9)]
    fp32, bf16 = _pair(LSTMEncoder_v2, width=16, depth=1, dropout=0.0)
    fp32.initialize()
    bf16.initialize()
    original = fp32.to_bytes()
    bf16.from_bytes(original)
    before = bf16.predict(Xs)
    Ys, backprop = bf16.begin_update(Xs)  # a training step changes the weights
    backprop([numpy.ones_like(y) for y in Ys])
    bf16.finish_update(Adam(0.1))
    fp32.from_bytes(bf16.to_bytes())
    after, reference = bf16.predict(Xs), fp32.predict(Xs)
    assert max(float(numpy.abs(a - b).max()) for a, b in zip(before, after)) > 10 * BF16_TOL / 3
    assert max(float(numpy.abs(a - b).max()) for a, b in zip(after, reference)) < BF16_TOL
    bf16.from_bytes(original)  # loading weights (a state_dict copy) is seen too
    for a, b in zip(bf16.predict(Xs), before):
        numpy.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("inference_precision", ["fp32", "bf16"])
def test_one_doc_predictions_follow_an_optimizer_step(inference_precision):
    """One doc predicts from a frozen copy of the weights (fp32 packed for
    oneDNN; bf16). A prediction between a training pass and its optimizer
    step (spaCy's annotating components) must not leave a stale copy: after
    the step, the doc's prediction is that of the new weights, bit for bit."""
    from thinc.api import Adam

    rng = numpy.random.default_rng(1)
    Xs = [rng.normal(size=(n, 16)).astype("float32") for n in (7, 4)]
    fix_random_seed(0)
    model = LSTMEncoder_v2(width=16, depth=1, dropout=0.0, inference_precision=inference_precision)
    model.initialize()
    before = model.predict(Xs[:1])[0]
    Ys, backprop = model.begin_update(Xs)
    model.predict(Xs[:1])  # between the pass and the step
    backprop([numpy.ones_like(y) for y in Ys])
    model.finish_update(Adam(0.1))
    after = model.predict(Xs[:1])[0]
    fix_random_seed(0)
    fresh = LSTMEncoder_v2(width=16, depth=1, dropout=0.0, inference_precision=inference_precision)
    fresh.initialize()
    fresh.from_bytes(model.to_bytes())
    assert float(numpy.abs(after - before).max()) > 0.01
    numpy.testing.assert_array_equal(after, fresh.predict(Xs[:1])[0])


@pytest.mark.parametrize("flags,wanted", [({"avx2", "avx512f"}, False), ({"avx512f", "avx512_bf16"}, True),
                                          ({"amx_bf16", "amx_tile"}, True), (set(), False)])
def test_auto_is_bf16_only_where_the_cpu_has_it(monkeypatch, flags, wanted):
    """"auto" read from simulated CPU flags; on a CPU without bf16 the shipped
    setting builds exactly the fp32 model (same flags, same outputs, bit for bit)."""
    from spacy_lstm.modules import precision

    monkeypatch.setattr(precision, "cpu_info", lambda: ("a simulated CPU", frozenset(flags)))
    assert predicts_in_bf16("auto") is wanted
    fix_random_seed(0)
    auto = LSTMEncoder_v2(width=16, depth=1, dropout=0.0, inference_precision="auto")
    fix_random_seed(0)
    fp32 = LSTMEncoder_v2(width=16, depth=1, dropout=0.0)
    assert _bf16_flags(auto) == [wanted, wanted]
    Xs = [auto.ops.asarray2f(numpy.random.default_rng(0).normal(size=(n, 16)).astype("f")) for n in (5, 1, 9)]
    auto.initialize(X=Xs)
    fp32.initialize(X=Xs)
    fp32.from_bytes(auto.to_bytes())
    for a, b in zip(auto.predict(Xs), fp32.predict(Xs)):
        if wanted:
            assert 0 < numpy.abs(a - b).max() < BF16_TOL
        else:
            numpy.testing.assert_array_equal(a, b)


def test_bf16_prediction_meets_only_rounded_grid_shapes(monkeypatch):
    """bf16 prediction runs the LSTMs on padded grids PREDICT_CHUNK sequences
    wide and at most PREDICT_STEPS long (longer texts run in slices): a long
    run of varied batch sizes and lengths, texts of up to 300 tokens, calls
    the kernel with at most grid_shape_bound(..., chunk) shapes, a bound
    that does not grow with the longest text (oneDNN keeps a primitive and
    its scratch memory per shape)."""
    import torch

    import spacy_lstm.modules.residual_lstm as residual
    from spacy_lstm.modules import direct_lstm, padded_lstm
    from spacy_lstm.modules.padded_lstm import PREDICT_CHUNK, PREDICT_STEPS, grid_shape_bound

    seen, rows, tokens = set(), 0, 0
    real_direction, real_plan = padded_lstm.direction_call, padded_lstm.plan_padding

    def direction(lstm, suffix, batch):
        call = real_direction(lstm, suffix, batch)

        def recorded(x, state):
            seen.add(tuple(x.shape[:2]))
            return call(x, state)

        return recorded

    def counting(batch_sizes, device, chunk=0):
        nonlocal rows
        plan = real_plan(batch_sizes, device, chunk)
        rows += sum(len(bucket.packed_rows) for bucket in plan.buckets)
        return plan

    # every bf16 prediction kernel call, one doc or a batch, goes through direction_call
    monkeypatch.setattr(padded_lstm, "direction_call", direction)
    monkeypatch.setattr(direct_lstm, "direction_call", direction)
    monkeypatch.setattr(residual, "plan_padding", counting)
    module = ResidualLSTM(8, 4, 1).eval()
    module.inference_bf16 = True
    rng = numpy.random.default_rng(0)
    with torch.no_grad():
        for i in range(150):
            lengths = torch.tensor(rng.integers(1, 301, size=1 if i % 10 == 0 else int(rng.integers(2, 65))))
            module(torch.zeros(int(lengths.sum()), 8), lengths)
            tokens += int(lengths.sum()) if len(lengths) > 1 else 0
    monkeypatch.undo()
    assert {seqs for _, seqs in seen} == {1, PREDICT_CHUNK} and max(steps for steps, _ in seen) == PREDICT_STEPS
    bound = grid_shape_bound(300, 64, PREDICT_CHUNK)
    assert bound == grid_shape_bound(10**6, 64, PREDICT_CHUNK) < grid_shape_bound(300, 64)
    assert len({shape for shape in seen if shape[1] == PREDICT_CHUNK}) <= bound
    assert len({shape for shape in seen if shape[1] == 1}) <= bound
    assert rows == tokens  # every token of a batch ran through one grid


def test_one_long_doc_in_slices_equals_one_kernel_call():
    """The one-doc prediction path pads to predict_steps(length) and runs
    PREDICT_STEPS steps a call, carrying the state: the same outputs as one
    torch call over the whole text (float32 rounding apart), both directions."""
    import torch

    from spacy_lstm.modules.direct_lstm import lstm_one_sequence, lstm_one_sequence_rounded

    torch.manual_seed(0)
    lstm = torch.nn.LSTM(8, 6, bidirectional=True).eval()
    for length in (1, 64, 65, 150):
        x = torch.randn(length, 8)
        with torch.no_grad():
            torch.testing.assert_close(lstm_one_sequence_rounded(lstm, x), lstm_one_sequence(lstm, x),
                                       atol=1e-5, rtol=0)


@pytest.mark.parametrize("bf16", [False, True], ids=["fp32", "bf16"])
def test_one_doc_runs_each_layer_as_the_module_would(bf16):
    """A single doc's stack: float32, each layer ``LayerNorm(h + Project(LSTM(h)))``
    with the nn.LSTM module itself, bit for bit; bfloat16, the LSTMs in bf16
    and the projections, residuals and LayerNorms in float32, within bf16's
    rounding of that."""
    import torch

    torch.manual_seed(0)
    stack = ResidualLSTM(16, 12, depth=2, bidirectional=True, inference_bf16=bf16).eval()
    x = torch.randn(23, 16)
    with torch.no_grad():
        got = stack(x, torch.tensor([23]))
        h = x
        for lstm, project, norm in zip(stack.lstms, stack.projections, stack.norms):
            h = norm(h + project(lstm(h.unsqueeze(1))[0].squeeze(1)))
    if bf16:
        assert 0 < float((got - h).abs().max()) < BF16_TOL
    else:
        assert torch.equal(got, h)


def test_the_execution_path_is_chosen_in_one_place(monkeypatch):
    from spacy_lstm.modules import residual_lstm
    from spacy_lstm.modules.residual_lstm import Path, choose_path

    def path(**kwargs):
        settings = dict(training=False, cuda=False, one_doc=False, inference_bf16=False, n_rows=10)
        settings.update(kwargs)
        return choose_path(**settings)

    assert path() is Path.PACKED and path(one_doc=True) is Path.ONE_DOC
    assert path(inference_bf16=True) is Path.PADDED_BF16 and path(inference_bf16=True, one_doc=True) is Path.ONE_DOC_BF16
    assert path(cuda=True, inference_bf16=True) is Path.PACKED and path(cuda=True, training=True) is Path.PACKED
    # float32 CPU training: padded with AVX-512; without it stepwise on one thread or in
    # large batches, padded for small batches on more threads (the faster on each CPU kind measured)
    big = residual_lstm.STEPWISE_MIN_ROWS
    for avx512, threads, rows, expected in ((True, 1, big, Path.PADDED), (True, 2, 10, Path.PADDED),
                                            (False, 1, 10, Path.STEPWISE), (False, 2, big, Path.STEPWISE),
                                            (False, 2, big - 1, Path.PADDED)):
        monkeypatch.setattr(residual_lstm, "cpu_has_avx512", lambda: avx512)
        monkeypatch.setattr(residual_lstm.torch, "get_num_threads", lambda: threads)
        assert path(training=True, n_rows=rows) is expected, (avx512, threads, rows)
        with precision.training_in_bf16():  # bf16 asked on a CPU without it: float32 LSTMs, the same choice
            monkeypatch.setattr(residual_lstm, "cpu_has_native_bf16", lambda: False)
            assert path(training=True, n_rows=rows) is expected
    monkeypatch.undo()
    monkeypatch.setattr(residual_lstm, "cpu_has_native_bf16", lambda: True)
    with precision.training_in_bf16():
        assert path(training=True) is Path.PADDED_AUTOCAST
    # tests pin the path by rows, on any CPU
    monkeypatch.setattr(residual_lstm, "PADDED_MAX_ROWS", 5)
    assert path(training=True) is Path.STEPWISE
    monkeypatch.setattr(residual_lstm, "PADDED_MAX_ROWS", 1 << 62)
    for native, expected in ((True, Path.PADDED_AUTOCAST), (False, Path.PADDED)):
        # oneDNN builds no bfloat16 LSTM without AMX / AVX-512 BF16 (an AVX2 EPYC failed): float32 LSTMs there
        monkeypatch.setattr(residual_lstm, "cpu_has_native_bf16", lambda: native)
        with precision.training_in_bf16():
            assert path(training=True) is expected
