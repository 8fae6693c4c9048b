"""Training static vectors end to end: read, count, train, export atomically."""
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import numpy
import torch

from .config import VectorsConfig
from .corpus import SENTENCE_END, EncodedCorpus, encode_corpus, make_tokenizer
from ..errors import UsageError
from ..safe_output import atomic_directory, check_directory_target, check_not_input
from .errors import VectorsInputError, VectorsTrainingError
from .export import FLORET_NAME, MARKER, VEC_NAME, WRITTEN, write_floret, write_info, write_spacy_dir, write_vec
from .floret_hash import FloretHasher
from .sampling import NegativeSampler, keep_probabilities, linear_learning_rate, window_pairs
from .sgns import SkipGramModel
from .vocab import DROPPED, Vocabulary, build_vocabulary

_CHUNK_TOKENS = 1 << 19
#: The smallest corpus worth training on: fewer kept tokens or words give
#: vectors that are still their random initialisation.
MIN_TOKENS = 10
MIN_WORDS = 2


@dataclass
class TrainingResult:
    """What a run did: sizes, per-epoch mean loss per pair, throughput."""

    vocab_size: int
    n_tokens: int
    epoch_losses: List[float] = field(default_factory=list)
    seconds: float = 0.0
    words_per_second: float = 0.0
    device: str = "cpu"


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        device = None
    if device is None or device.type not in ("cpu", "cuda"):
        raise UsageError(f"device {name!r} is not one of cpu, cuda, cuda:N or auto")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UsageError(f"device {name!r} requested but CUDA is not available")
    return device


def _chunks(stream: numpy.ndarray, remap: numpy.ndarray):
    """Yield (vocabulary ids, line ids, raw token count) per chunk of whole lines."""
    start, total, line_base = 0, stream.shape[0], 0
    while start < total:
        stop = min(start + _CHUNK_TOKENS, total)
        raw = numpy.asarray(stream[start:stop])
        if stop < total:
            ends = numpy.flatnonzero(raw == SENTENCE_END)
            if ends.size:  # cut after the last complete line
                stop = start + int(ends[-1]) + 1
                raw = raw[: ends[-1] + 1]
        is_end = raw == SENTENCE_END
        line_ids = numpy.cumsum(is_end) - is_end + line_base
        line_base = int(line_ids[-1]) + 1
        ids = numpy.where(is_end, DROPPED, remap[numpy.where(is_end, 0, raw)])
        keep = ids >= 0
        yield ids[keep], line_ids[keep], int((~is_end).sum())
        start = stop


class SkipGramTrainer:
    """Runs SGNS epochs over an encoded corpus on one device."""

    def __init__(self, config: VectorsConfig, vocab: Vocabulary, device: torch.device) -> None:
        self.config = config
        self.vocab = vocab
        self.device = device
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(config.seed)
        counts = torch.as_tensor(vocab.counts, device=device)
        self.keep = keep_probabilities(counts, config.sample).to(torch.float32)
        self.sampler = NegativeSampler(counts)
        subwords = None
        rows_in = len(vocab)
        if config.mode == "floret":
            hasher = FloretHasher(config.minn, config.maxn, config.hash_count, config.bucket)
            flat, offsets = hasher.rows_csr(vocab.words)
            subwords = (torch.as_tensor(flat, device=device), torch.as_tensor(offsets, device=device))
            rows_in = config.bucket
        self.model = SkipGramModel(
            rows_in, len(vocab), config.dim, device, self.generator, subwords, config.damping
        )

    def train(self, corpus: EncodedCorpus, progress: bool = False) -> TrainingResult:
        from ..progress import progress_bar

        cfg = self.config
        result = TrainingResult(vocab_size=len(self.vocab), n_tokens=corpus.n_tokens, device=str(self.device))
        planned = float(cfg.epochs * corpus.n_tokens)
        done = 0.0
        began = time.perf_counter()
        group = cfg.neg_group
        with progress_bar(total=int(planned), unit="tok", unit_scale=True, disable=not progress, desc="Training vectors") as bar:
            for _ in range(cfg.epochs):
                loss_sum = torch.zeros((), device=self.device, dtype=torch.float64)
                n_pairs = 0
                for ids_np, lines_np, raw_count in _chunks(corpus.stream(), self.vocab.remap):
                    ids = torch.as_tensor(ids_np, device=self.device)
                    lines = torch.as_tensor(lines_np, device=self.device)
                    draw = torch.rand(ids.shape, generator=self.generator, device=self.device)
                    kept = draw < self.keep[ids]
                    ids, lines = ids[kept], lines[kept]
                    pair_center, pair_context_pos = window_pairs(lines, cfg.window, self.generator)
                    pair_context = ids[pair_context_pos]
                    n_kept = ids.numel()
                    block_starts = list(range(0, n_kept, cfg.batch_size))
                    bounds = torch.searchsorted(
                        pair_center, torch.as_tensor(block_starts + [n_kept], device=self.device)
                    ).tolist()
                    per_block = raw_count / max(len(block_starts), 1)
                    for b, start in enumerate(block_starts):
                        stop = min(start + cfg.batch_size, n_kept)
                        lo, hi = bounds[b], bounds[b + 1]
                        centers = ids[start:stop]
                        n_groups = math.ceil(centers.numel() / group)
                        pad = n_groups * group - centers.numel()
                        if pad:
                            centers = torch.cat([centers, centers.new_zeros(pad)])
                        negatives = self.sampler.draw((n_groups, cfg.negative * group), self.generator)
                        lr = linear_learning_rate(cfg.lr, done, planned)
                        loss, count = self.model.step(
                            centers, pair_center[lo:hi] - start, pair_context[lo:hi], negatives, lr
                        )
                        loss_sum += loss
                        n_pairs += count
                        done += per_block
                        bar.update(int(done) - bar.n)
                        if b % 50 == 0:
                            bar.set_postfix(loss=f"{loss.item() / max(count, 1):.3f}", lr=f"{lr:.4f}")
                    if not block_starts:
                        done += raw_count
                    if not bool(torch.isfinite(loss_sum)):
                        raise VectorsTrainingError(
                            f"training diverged (loss is {loss_sum.item()} in epoch {len(result.epoch_losses) + 1}); "
                            f"lower --lr (now {cfg.lr}; the default is {VectorsConfig.lr})"
                        )
                result.epoch_losses.append(float(loss_sum.item()) / max(n_pairs, 1))
        result.seconds = time.perf_counter() - began
        result.words_per_second = planned / max(result.seconds, 1e-9)
        return result

    def input_table(self) -> numpy.ndarray:
        """Word mode: one vector per vocabulary word. Floret: the bucket table."""
        return self.model.w_in.detach().to("cpu", torch.float32).numpy()

    def word_vectors(self) -> numpy.ndarray:
        """One vector per vocabulary word, as spaCy will look it up (floret mode:
        the mean of the word's subword rows)."""
        return self.model.word_vectors().to("cpu", torch.float32).numpy()


def fit_vectors(
    inputs: Sequence[Union[str, Path]], config: Optional[VectorsConfig] = None, progress: bool = False
) -> Tuple[SkipGramTrainer, TrainingResult]:
    """Read ``inputs`` and train on them; returns the trainer (tables, vocabulary)
    and the result. Writes nothing but a scratch token file, removed at the end."""
    config = config or VectorsConfig()
    config.validate()
    device = resolve_device(config.device)
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    paths = [Path(p) for p in inputs]
    tokenize = make_tokenizer(config.tokenizer, config.lang)
    with tempfile.TemporaryDirectory(prefix="spacy-lstm-vectors-") as scratch:
        corpus = encode_corpus(paths, Path(scratch) / "stream.i32", tokenize, config.lowercase, progress)
        vocab = build_vocabulary(corpus.words, corpus.counts, config.min_count, config.max_vocab)
        if len(vocab) == 0:
            raise VectorsInputError(
                f"no word occurs at least min_count={config.min_count} times in "
                f"{corpus.n_tokens} tokens; lower --min-count or add text"
            )
        kept = int(vocab.counts.sum())
        if kept < MIN_TOKENS or len(vocab) < MIN_WORDS:
            names = ", ".join(str(p) for p in paths)
            raise VectorsInputError(
                f"{names}: too little text to train on ({kept} tokens of {len(vocab)} distinct words kept "
                f"with min_count={config.min_count}); need at least {MIN_TOKENS} tokens and {MIN_WORDS} words"
            )
        trainer = SkipGramTrainer(config, vocab, device)
        result = trainer.train(corpus, progress)
    return trainer, result


def train_vectors(
    inputs: Sequence[Union[str, Path]],
    output_dir: Union[str, Path],
    config: Optional[VectorsConfig] = None,
    progress: bool = False,
    overwrite: bool = False,
) -> TrainingResult:
    """Train skip-gram vectors on ``inputs`` and write them to ``output_dir``.

    ``output_dir`` becomes a spaCy pipeline directory with the vectors (for
    ``[initialize] vectors``), plus ``vectors.vec`` (word mode) or
    ``vectors.floret`` (floret mode) and ``training.json``. It appears only
    once everything is written; on any error nothing is left behind.

    An existing ``output_dir`` is replaced only if it is empty, or if it is a
    vectors directory written by this function and ``overwrite`` is set;
    anything else (an input, a directory holding an input, a directory of
    other files) raises :class:`spacy_lstm.safe_output.OutputRefused` before
    any work starts.
    """
    config = config or VectorsConfig()
    config.validate()
    check_not_input(output_dir, inputs)
    check_directory_target(output_dir, MARKER, WRITTEN, overwrite)
    trainer, result = fit_vectors(inputs, config, progress)
    table = trainer.input_table()
    if not numpy.isfinite(table).all():
        raise VectorsTrainingError(f"training diverged (non-finite vectors); lower --lr (now {config.lr})")
    check_directory_target(output_dir, MARKER, WRITTEN, overwrite)
    with atomic_directory(Path(output_dir)) as tmp:
        if config.mode == "word":
            text_path = tmp / VEC_NAME
            write_vec(text_path, trainer.vocab.words, table)
        else:
            text_path = tmp / FLORET_NAME
            write_floret(text_path, table, config.minn, config.maxn, config.hash_count)
        write_spacy_dir(text_path, tmp, config.lang, config.mode, name=f"{config.lang}_spacy_lstm.vectors")
        write_info(
            tmp,
            {
                "config": config.to_dict(),
                "inputs": [str(p) for p in inputs],
                "vocab_size": result.vocab_size,
                "tokens": result.n_tokens,
                "epoch_losses": result.epoch_losses,
                "seconds": result.seconds,
                "words_per_second": result.words_per_second,
                "device": result.device,
            },
        )
    return result
