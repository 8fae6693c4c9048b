"""Command line: ``python -m spacy_lstm train-vectors ...``."""
import sys

from .vectors.cli import COMMAND, main


def run() -> int:
    argv = sys.argv[1:]
    if not argv or argv[0] != COMMAND:
        print(f"usage: python -m spacy_lstm {COMMAND} INPUT [INPUT ...] OUTPUT_DIR [options]", file=sys.stderr)
        print(f"       python -m spacy_lstm {COMMAND} --help", file=sys.stderr)
        return 2
    return main(argv[1:])


if __name__ == "__main__":
    sys.exit(run())
