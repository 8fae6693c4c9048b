"""``python -m spacy_lstm convert-conllu | convert-ner | convert-textcat``."""
import argparse
import sys
from pathlib import Path
from typing import List, Optional

from .errors import ConversionError

COMMANDS = ("convert-conllu", "convert-ner", "convert-textcat")


def main(command: str, argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog=f"python -m spacy_lstm {command}")
    p.add_argument("input", type=Path)
    p.add_argument("output", type=Path, help="the .spacy file to write")
    if command == "convert-conllu":
        p.add_argument("--n-sents", type=int, default=1, help="sentences per Doc")
    elif command == "convert-ner":
        p.add_argument("--scheme", choices=["iob2", "iob1"], default="iob2")
        p.add_argument("--labels", default=None, help="comma-separated allowed labels")
    else:
        p.add_argument("--text-column", default="text")
        p.add_argument("--label-column", default="label")
        p.add_argument("--labels", default=None, help="comma-separated full label set")
        p.add_argument("--lang", default="tl")
    args = p.parse_args(argv)
    try:
        if command == "convert-conllu":
            from .conllu import convert_conllu

            n = convert_conllu(args.input, args.output, args.n_sents)
        elif command == "convert-ner":
            from .ner import convert_ner

            labels = args.labels.split(",") if args.labels else None
            n = convert_ner(args.input, args.output, args.scheme, labels)
        else:
            from .textcat import convert_textcat

            labels = args.labels.split(",") if args.labels else None
            n = convert_textcat(
                args.input, args.output, args.text_column, args.label_column, args.lang, labels=labels
            )
    except ConversionError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"Wrote {n} docs to {args.output}")
    return 0
