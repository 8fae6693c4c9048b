"""Command line: ``python -m spacy_lstm COMMAND ...``.

Commands: ``train-vectors``, ``convert-conllu``, ``convert-ner``, ``convert-textcat``.
"""
import sys

USAGE = """usage: python -m spacy_lstm COMMAND [options]   (COMMAND --help for details)

  train-vectors    train skip-gram word or floret vectors for spaCy
  convert-conllu   CoNLL-U treebank -> .spacy (validated)
  convert-ner      IOB/IOB2 NER -> .spacy (validated)
  convert-textcat  CSV/TSV text classification -> .spacy (validated)"""


def run() -> int:
    argv = sys.argv[1:]
    command = argv[0] if argv else ""
    if command == "train-vectors":
        from .vectors.cli import main

        return main(argv[1:])
    from .convert.cli import COMMANDS

    if command in COMMANDS:
        from .convert.cli import main as convert_main

        return convert_main(command, argv[1:])
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(run())
