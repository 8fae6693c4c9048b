"""``python -m spacy lstm convert-*``: one command per converter.

Adding a converter is adding one function here: it takes the input and the
output (``INPUT`` / ``OUTPUT``, described once below) and its own options,
and hands a closure that writes the file to :func:`_convert`, which checks
the paths, reports and maps errors the same way for every converter.
"""
from pathlib import Path
from typing import Callable, List, Optional

from spacy.cli._util import Arg, Opt
from wasabi import msg

from ..errors import UsageError
from ..safe_output import check_file_target, check_not_input
from ._app import lstm_app, run_and_exit

INPUT_HELP = "The file to convert (UTF-8; a leading byte order mark is dropped)"
OUTPUT_HELP = "The .spacy file to write; written to a temporary file and renamed when complete; must not be the input"


def _convert(input_path: Path, output_path: Path, write: Callable[[], int]) -> None:
    """Check that OUTPUT may be written, run ``write`` (returns the docs written), report."""

    def body() -> None:
        check_not_input(output_path, [input_path])
        check_file_target(output_path)
        n_docs = write()
        msg.good(f"Wrote {n_docs} docs to {output_path}")

    run_and_exit(body)


def _labels(value: Optional[str]) -> Optional[List[str]]:
    return value.split(",") if value else None


@lstm_app.command("convert-conllu")
def convert_conllu_cli(
    # fmt: off
    input_path: Path = Arg(..., help=INPUT_HELP, show_default=False),
    output_path: Path = Arg(..., help=OUTPUT_HELP, show_default=False),
    n_sents: int = Opt(1, "--n-sents", "-n", help="Sentences per Doc (>= 1)"),
    keep_subtokens: bool = Opt(False, "--keep-subtokens", help="Keep the words of a multi-word token (ito + -ng) as tokens instead of merging them into the surface form users type (itong)"),
    # fmt: on
) -> None:
    """Convert a CoNLL-U treebank to .spacy, validating every sentence (a tree, one root, heads in range)."""

    def write() -> int:
        from ..convert.conllu import convert_conllu

        if n_sents < 1:
            raise UsageError(f"--n-sents must be >= 1, got {n_sents}")
        return convert_conllu(input_path, output_path, n_sents, merge_subtokens=not keep_subtokens)

    _convert(input_path, output_path, write)


@lstm_app.command("convert-ner")
def convert_ner_cli(
    # fmt: off
    input_path: Path = Arg(..., help=INPUT_HELP, show_default=False),
    output_path: Path = Arg(..., help=OUTPUT_HELP, show_default=False),
    scheme: str = Opt("iob2", "--scheme", help="Tagging scheme: iob2 or iob1"),
    labels: Optional[str] = Opt(None, "--labels", help="Comma-separated entity labels allowed (default: any)"),
    # fmt: on
) -> None:
    """Convert IOB NER data (TOKEN<TAB>TAG, or Universal NER's ID<TAB>TOKEN<TAB>TAG layout) to .spacy."""

    def write() -> int:
        from ..convert.ner import convert_ner

        if scheme not in ("iob2", "iob1"):
            raise UsageError(f"--scheme must be iob2 or iob1, got {scheme!r}")
        return convert_ner(input_path, output_path, scheme, _labels(labels))

    _convert(input_path, output_path, write)


@lstm_app.command("convert-textcat")
def convert_textcat_cli(
    # fmt: off
    input_path: Path = Arg(..., help=INPUT_HELP, show_default=False),
    output_path: Path = Arg(..., help=OUTPUT_HELP, show_default=False),
    text_column: str = Opt("text", "--text-column", help="Header of the text column"),
    label_column: str = Opt("label", "--label-column", help="Header of the label column"),
    labels: Optional[str] = Opt(None, "--labels", help="Comma-separated full label set (default: the labels seen)"),
    lang: str = Opt("tl", "--lang", help="Language of the tokenizer"),
    # fmt: on
) -> None:
    """Convert a CSV/TSV text-classification file (one text and one label per row) to .spacy."""

    def write() -> int:
        from ..convert.textcat import convert_textcat

        return convert_textcat(input_path, output_path, text_column, label_column, lang, labels=_labels(labels))

    _convert(input_path, output_path, write)
