"""The same code on a CUDA GPU: encoders, pretraining and the vector trainer. Skipped without one."""
import numpy
import pytest
import torch
from thinc.api import fix_random_seed, require_cpu, require_gpu

from spacy_lstm import LSTMEncoder, LSTMEncoder_v2

from test_encoder import random_batch

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


# (builder, width): v1 at an even width, v2 (separate stacks) at an odd one
ENCODERS = {"v1": (LSTMEncoder, 32), "v2": (LSTMEncoder_v2, 33)}


@pytest.mark.parametrize("encoder", sorted(ENCODERS))
@pytest.mark.parametrize("mixed_precision", [False, True])
def test_encoder_on_gpu_matches_cpu_and_is_batch_invariant(gpu, mixed_precision, encoder):
    build, width = ENCODERS[encoder]
    rng = numpy.random.default_rng(0)
    Xs = random_batch(rng, 30, width)
    Xs.append(numpy.zeros((0, width), dtype="float32"))
    require_cpu()
    fix_random_seed(0)
    cpu_model = build(width=width, depth=2, dropout=0.0)
    cpu_model.initialize()
    expected = cpu_model.predict(Xs)
    weights = cpu_model.to_bytes()
    require_gpu(0)
    model = build(width=width, depth=2, dropout=0.0, mixed_precision=mixed_precision)
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
    assert [d.shape for d in dXs] == [x.shape for x in Xs]
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


def test_spacy_pretrain_and_train_on_gpu(tmp_path):
    import sys

    from conftest import ASSETS, ROOT, run

    small = ["--components.tok2vec.model.width", "32", "--components.tok2vec.model.include_static_vectors", "false"]
    pre = run(
        [sys.executable, "-m", "spacy", "pretrain", str(ROOT / "configs" / "ner.cfg"), str(tmp_path / "pre"),
         "--paths.raw_text", str(ASSETS / "raw" / "tl_sample-raw.txt"), *small,
         "--pretraining.max_epochs", "1", "--gpu-id", "0"],
    )
    assert pre.returncode == 0, pre.stdout[-2000:] + pre.stderr[-2000:]
    from spacy.tokens import DocBin

    from spacy_lstm.convert.ner import read_iob

    DocBin(docs=list(read_iob(ASSETS / "ner" / "tl_sample-ner-train.iob"))).to_disk(tmp_path / "train.spacy")
    adapt = run(  # adapt-lm on the GPU: the training text, from the pretrained weights
        [sys.executable, "-m", "spacy", "lstm", "adapt-lm", str(ROOT / "configs" / "ner.cfg"),
         str(tmp_path / "pre" / "model-last.bin"), str(tmp_path / "train.spacy"), str(tmp_path / "adapted"),
         "--epochs", "1", *small, "--gpu-id", "0"],
    )
    assert adapt.returncode == 0, adapt.stdout[-2000:] + adapt.stderr[-2000:]
    assert (tmp_path / "adapted" / "model-last.bin").is_file()
    train = run(
        [sys.executable, "-m", "spacy", "train", str(ROOT / "configs" / "ner.cfg"), "--output", str(tmp_path / "out"),
         "--paths.train", str(tmp_path / "train.spacy"), "--paths.dev", str(tmp_path / "train.spacy"),
         "--paths.init_tok2vec", str(tmp_path / "pre" / "model-last.bin"), *small,
         "--training.max_steps", "20", "--training.eval_frequency", "10", "--gpu-id", "0"],
    )
    assert train.returncode == 0, train.stdout[-2000:] + train.stderr[-2000:]
    assert "Loaded pretrained tok2vec weights" in " ".join(train.stdout.split())
