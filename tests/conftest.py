from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"


def read_conllu_docs(nlp, path: Path):
    """One Doc per sentence of a CoNLL-U file, with all its annotation
    (validated, multi-word tokens merged: the package's one reader)."""
    from spacy_lstm.convert.conllu import read_conllu_docs as read

    return read(path)


@pytest.fixture(scope="session")
def sample_train_docs():
    import spacy

    return read_conllu_docs(spacy.blank("tl"), ASSETS / "ud" / "tl_sample-ud-train.conllu")
