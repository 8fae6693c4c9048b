from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"


def read_conllu_docs(nlp, path: Path):
    """One Doc per sentence of a CoNLL-U file, with all its annotation."""
    from spacy.training.converters import conllu_to_docs

    text = path.read_text(encoding="utf8")
    return list(conllu_to_docs(text, n_sents=1, merge_subtokens=False, no_print=True))


@pytest.fixture(scope="session")
def sample_train_docs():
    import spacy

    return read_conllu_docs(spacy.blank("tl"), ASSETS / "ud" / "tl_sample-ud-train.conllu")
