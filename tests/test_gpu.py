"""The same code on a CUDA GPU: encoder and vector trainer. Skipped without one."""
import numpy
import pytest
import torch
from thinc.api import fix_random_seed, require_cpu, require_gpu

from spacy_lstm import LSTMEncoder

from test_encoder import max_batch_difference, random_batch

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

# cuDNN may use TF32 and other kernels than the CPU; agreement is looser than
# the CPU-vs-oracle 1e-5, but far below the built-in encoder's 0.1-0.2 drift.
GPU_TOL = 2e-3


@pytest.fixture
def gpu():
    require_gpu(0)
    yield
    require_cpu()


def _to_numpy(arrays):
    return [a.get() if hasattr(a, "get") else numpy.asarray(a) for a in arrays]


@pytest.mark.parametrize("mixed_precision", [False, True])
def test_encoder_on_gpu_matches_cpu_and_is_batch_invariant(gpu, mixed_precision):
    rng = numpy.random.default_rng(0)
    Xs = random_batch(rng, 30, 32)
    Xs.append(numpy.zeros((0, 32), dtype="float32"))
    require_cpu()
    fix_random_seed(0)
    cpu_model = LSTMEncoder(width=32, depth=2, dropout=0.0)
    cpu_model.initialize()
    expected = cpu_model.predict(Xs)
    weights = cpu_model.to_bytes()
    require_gpu(0)
    model = LSTMEncoder(width=32, depth=2, dropout=0.0, mixed_precision=mixed_precision)
    model.initialize()
    model.from_bytes(weights)
    Xs_gpu = [model.ops.asarray(x) for x in Xs]
    got = _to_numpy(model.predict(Xs_gpu))
    tol = GPU_TOL if not mixed_precision else 5e-2
    diff = max(float(numpy.abs(g - e).max()) for g, e in zip(got, expected) if len(e))
    print(f"gpu vs cpu max diff (mixed_precision={mixed_precision}): {diff:.2e}")
    assert all(g.dtype == numpy.float32 for g in got)
    assert diff < tol
    alone = [_to_numpy(model.predict([x]))[0] for x in Xs_gpu]
    batched = _to_numpy(model.predict(Xs_gpu))
    drift = max(float(numpy.abs(a - b).max()) for a, b in zip(alone, batched) if len(a))
    print(f"gpu batch drift (mixed_precision={mixed_precision}): {drift:.2e}")
    assert drift < tol
    Ys, backprop = model.begin_update(Xs_gpu)
    dXs = _to_numpy(backprop(Ys))
    assert all(numpy.isfinite(d).all() for d in dXs)
    assert sum(float(numpy.abs(d).sum()) for d in dXs) > 0


@pytest.mark.parametrize("mode", ["word", "floret"])
def test_vector_trainer_on_gpu_recovers_planted_pairs(tmp_path, mode):
    from test_vectors_training import N_PAIRS, _config, _nearest, _train_in_memory, planted_corpus

    pairs = planted_corpus(tmp_path / "planted.txt")
    words, table, result = _train_in_memory([tmp_path / "planted.txt"], _config(mode, device="cuda"))
    assert result.device.startswith("cuda")
    assert result.epoch_losses[-1] < 0.85 * result.epoch_losses[0]
    hits = sum(_nearest(words, table, a) == b for a, b in pairs)
    hits += sum(_nearest(words, table, b) == a for a, b in pairs)
    assert hits >= int(0.9 * 2 * N_PAIRS)
