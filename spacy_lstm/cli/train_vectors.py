"""``python -m spacy lstm train-vectors`` (also ``python -m spacy train-vectors``)."""
from pathlib import Path
from typing import List, Optional

from spacy.cli._util import Arg, Opt, app
from wasabi import msg

from ..documents import FORMATS_HELP
from ..errors import UsageError
from ..vectors.config import VectorsConfig
from ._app import lstm_app, run_and_exit

_D = VectorsConfig()
HELP = "Train skip-gram (word or floret) vectors that spaCy's [initialize] vectors loads."


def train_vectors_cli(
    # fmt: off
    inputs: List[Path] = Arg(..., help=f"Input files: {FORMATS_HELP}; any other suffix is plain text", show_default=False),
    output_dir: Path = Arg(..., help="New directory to write; it appears only when complete. An existing one is never touched unless it is empty, or an earlier train-vectors output and --overwrite is given", show_default=False),
    overwrite: bool = Opt(False, "--overwrite", help="Replace OUTPUT_DIR if it is an earlier train-vectors output (config.cfg + training.json and nothing else); any other existing directory is refused"),
    mode: str = Opt(_D.mode, "--mode", help="'word' (one row per vocabulary word) or 'floret' (hashed subwords; spaCy's floret mode)"),
    dim: int = Opt(_D.dim, "--dim", help="Vector width (calamanCy md: 200)"),
    window: int = Opt(_D.window, "--window", help="Largest context distance; each center draws 1..window"),
    negative: int = Opt(_D.negative, "--negative", help="Negative samples per (center, context) pair, 5-20"),
    min_count: int = Opt(_D.min_count, "--min-count", help="Drop words seen fewer times"),
    max_vocab: Optional[int] = Opt(_D.max_vocab, "--max-vocab", help="Keep at most this many words (default: no cap)"),
    sample: float = Opt(_D.sample, "--sample", help="Subsampling threshold t of frequent words; 0 = off"),
    epochs: int = Opt(_D.epochs, "--epochs", help="Passes over the corpus"),
    lr: float = Opt(_D.lr, "--lr", help="Starting learning rate, decayed linearly to ~0"),
    minn: int = Opt(_D.minn, "--minn", help="floret: shortest character n-gram"),
    maxn: int = Opt(_D.maxn, "--maxn", help="floret: longest character n-gram"),
    hash_count: int = Opt(_D.hash_count, "--hash-count", help="floret: hashes per word and n-gram, 1-4"),
    bucket: int = Opt(_D.bucket, "--bucket", help="floret: rows of the hashed table"),
    batch_size: int = Opt(_D.batch_size, "--batch-size", help="Center tokens per SGD step"),
    neg_group: int = Opt(_D.neg_group, "--neg-group", help="Centers sharing one pool of negatives, 1-64"),
    damping: float = Opt(_D.damping, "--damping", help="A row updated c times in one step gets its summed update scaled by c**-damping (0 = sum, 1 = mean)"),
    tokenizer: str = Opt(_D.tokenizer, "--tokenizer", help="'spacy' (spaCy's rules for --lang) or 'whitespace'"),
    lang: str = Opt(_D.lang, "--lang", help="Language code of the tokenizer and of the written vocab"),
    lowercase: bool = Opt(False, "--lowercase", help="Lowercase every token before counting"),
    threads: int = Opt(_D.threads, "--threads", help="Torch CPU threads; 0 = torch's default"),
    gpu_id: int = Opt(-1, "--gpu-id", "-g", help="GPU id to train on; -1 for CPU"),
    device: Optional[str] = Opt(None, "--device", help="Alias of --gpu-id, in torch's words: cpu, cuda, cuda:N, or auto (a GPU when one is available)"),
    seed: int = Opt(_D.seed, "--seed", help="Seeds every random draw"),
    quiet: bool = Opt(False, "--quiet", "-q", help="No progress output"),
    # fmt: on
) -> None:
    """Train skip-gram (word or floret) vectors that spaCy's [initialize] vectors loads."""

    def body() -> None:
        from ..vectors.train import train_vectors

        config = VectorsConfig(
            mode=mode, dim=dim, window=window, negative=negative, min_count=min_count, max_vocab=max_vocab,
            sample=sample, epochs=epochs, lr=lr, minn=minn, maxn=maxn, hash_count=hash_count, bucket=bucket,
            batch_size=batch_size, neg_group=neg_group, damping=damping, tokenizer=tokenizer, lang=lang,
            lowercase=lowercase, threads=threads, device=_device(gpu_id, device), seed=seed,
        )
        result = train_vectors(
            [str(p) for p in inputs], str(output_dir), config, progress=not quiet, overwrite=overwrite
        )
        msg.good(
            f"Trained {config.mode} vectors: {result.vocab_size} words, {result.n_tokens} tokens x "
            f"{config.epochs} epochs in {result.seconds:.1f}s ({result.words_per_second:,.0f} words/s "
            f"on {result.device}); final loss {result.epoch_losses[-1]:.4f}; wrote {output_dir}"
        )

    run_and_exit(body)


def _device(gpu_id: int, device: Optional[str]) -> str:
    """The torch device named by ``--gpu-id`` or its alias ``--device``."""
    if gpu_id < -1:
        raise UsageError(f"--gpu-id must be -1 (CPU) or a GPU id >= 0, got {gpu_id}")
    if device is None:
        return "cpu" if gpu_id < 0 else f"cuda:{gpu_id}"
    if gpu_id >= 0:
        raise UsageError("give --gpu-id or --device, not both")
    return device


lstm_app.command("train-vectors", help=HELP)(train_vectors_cli)
# the first released name on spaCy's CLI; kept working
app.command("train-vectors", help=HELP + " (also: python -m spacy lstm train-vectors)")(train_vectors_cli)
