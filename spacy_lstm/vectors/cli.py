"""``python -m spacy_lstm train-vectors`` (also ``python -m spacy train-vectors``)."""
import argparse
from typing import List, Optional

from ..command import run_command
from .config import VectorsConfig

COMMAND = "train-vectors"


def build_parser(prog: str = f"python -m spacy_lstm {COMMAND}") -> argparse.ArgumentParser:
    d = VectorsConfig()
    p = argparse.ArgumentParser(
        prog=prog,
        description="Train skip-gram (word or floret) vectors for spaCy's [initialize] vectors.",
    )
    p.add_argument("inputs", nargs="+", help="text (.txt, one sentence/document per line), .spacy or .conllu files")
    p.add_argument(
        "output_dir",
        help="new directory to write (appears only when complete); an existing one is never touched "
        "unless it is empty or an earlier train-vectors output and --overwrite is given",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace OUTPUT_DIR if it is an earlier train-vectors output (config.cfg + training.json "
        "and nothing else); any other existing directory is refused",
    )
    p.add_argument("--mode", choices=["word", "floret"], default=d.mode)
    p.add_argument("--dim", type=int, default=d.dim)
    p.add_argument("--window", type=int, default=d.window)
    p.add_argument("--negative", type=int, default=d.negative)
    p.add_argument("--min-count", type=int, default=d.min_count)
    p.add_argument("--max-vocab", type=int, default=d.max_vocab)
    p.add_argument("--sample", type=float, default=d.sample)
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--minn", type=int, default=d.minn)
    p.add_argument("--maxn", type=int, default=d.maxn)
    p.add_argument("--hash-count", type=int, default=d.hash_count)
    p.add_argument("--bucket", type=int, default=d.bucket)
    p.add_argument("--batch-size", type=int, default=d.batch_size, help="center tokens per step")
    p.add_argument("--neg-group", type=int, default=d.neg_group)
    p.add_argument("--damping", type=float, default=d.damping)
    p.add_argument("--tokenizer", choices=["spacy", "whitespace"], default=d.tokenizer)
    p.add_argument("--lang", default=d.lang)
    p.add_argument("--lowercase", action="store_true")
    p.add_argument("--threads", type=int, default=d.threads, help="0: torch's default")
    p.add_argument("--device", default=d.device, help="cpu, cuda, cuda:N or auto")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def main(argv: Optional[List[str]] = None, prog: Optional[str] = None) -> int:
    parser = build_parser(prog) if prog else build_parser()
    args = vars(parser.parse_args(argv))
    inputs, output_dir = args.pop("inputs"), args.pop("output_dir")
    quiet, overwrite = args.pop("quiet"), args.pop("overwrite")
    config = VectorsConfig(**args)

    def body() -> int:
        from .train import train_vectors

        result = train_vectors(inputs, output_dir, config, progress=not quiet, overwrite=overwrite)
        print(
            f"Trained {config.mode} vectors: {result.vocab_size} words, {result.n_tokens} tokens x "
            f"{config.epochs} epochs in {result.seconds:.1f}s ({result.words_per_second:,.0f} words/s "
            f"on {result.device}); final loss {result.epoch_losses[-1]:.4f}; wrote {output_dir}"
        )
        return 0

    return run_command(body)
