"""``python -m spacy_lstm COMMAND ...``: the ``lstm`` group of spaCy's CLI
(``python -m spacy lstm COMMAND ...``), run directly."""
from .cli import lstm_app


def run() -> None:
    lstm_app(prog_name="python -m spacy_lstm")


if __name__ == "__main__":
    run()
