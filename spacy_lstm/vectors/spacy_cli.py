"""``python -m spacy train-vectors``: the same command on spaCy's own CLI.

Found by spaCy through the ``spacy_cli`` entry point; arguments are passed
through unchanged to the argparse command.
"""
import sys

import typer
from spacy.cli._util import app

from .cli import COMMAND, main


@app.command(
    COMMAND,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def train_vectors_cli(ctx: typer.Context) -> None:
    """Train skip-gram (word or floret) vectors with spacy-lstm; --help for options."""
    code = main(list(ctx.args), prog=f"python -m spacy {COMMAND}")
    if code:
        sys.exit(code)
