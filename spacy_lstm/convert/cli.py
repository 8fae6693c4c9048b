"""``python -m spacy_lstm convert-conllu | convert-ner | convert-textcat``."""
import argparse
from pathlib import Path
from typing import List, Optional

from ..command import run_command
from ..errors import UsageError
from ..safe_output import check_file_target, check_not_input

COMMANDS = ("convert-conllu", "convert-ner", "convert-textcat")


def _labels(value: Optional[str]) -> Optional[List[str]]:
    return value.split(",") if value else None


def build_parser(command: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"python -m spacy_lstm {command}")
    p.add_argument("input", type=Path, help="the file to convert (UTF-8; a leading byte order mark is dropped)")
    p.add_argument("output", type=Path, help="the .spacy file to write (must not be the input)")
    if command == "convert-conllu":
        p.add_argument("--n-sents", type=int, default=1, help="sentences per Doc (>= 1)")
        p.add_argument(
            "--keep-subtokens",
            action="store_true",
            help="keep the words of a multi-word token (ito + -ng) as separate tokens instead of "
            "merging them into the surface form (itong), which is what users type",
        )
    elif command == "convert-ner":
        p.add_argument("--scheme", choices=["iob2", "iob1"], default="iob2", help="tagging scheme")
        p.add_argument("--labels", default=None, help="comma-separated allowed labels")
    else:
        p.add_argument("--text-column", default="text", help="header of the text column")
        p.add_argument("--label-column", default="label", help="header of the label column")
        p.add_argument("--labels", default=None, help="comma-separated full label set")
        p.add_argument("--lang", default="tl", help="language of the tokenizer")
    return p


def convert(command: str, args: argparse.Namespace) -> int:
    """Run one converter on parsed arguments; returns the number of docs written."""
    if command == "convert-conllu":
        from .conllu import convert_conllu

        if args.n_sents < 1:
            raise UsageError(f"--n-sents must be >= 1, got {args.n_sents}")
        return convert_conllu(args.input, args.output, args.n_sents, merge_subtokens=not args.keep_subtokens)
    if command == "convert-ner":
        from .ner import convert_ner

        return convert_ner(args.input, args.output, args.scheme, _labels(args.labels))
    from .textcat import convert_textcat

    return convert_textcat(
        args.input, args.output, args.text_column, args.label_column, args.lang, labels=_labels(args.labels)
    )


def main(command: str, argv: Optional[List[str]] = None) -> int:
    args = build_parser(command).parse_args(argv)

    def body() -> int:
        check_not_input(args.output, [args.input])
        check_file_target(args.output)
        n = convert(command, args)
        print(f"Wrote {n} docs to {args.output}")
        return 0

    return run_command(body)
