"""Empty texts are ordinary in real corpora: a pipeline with the project's
textcat (spacy_lstm.TextCatReduce.v1) annotates ``""`` inside any batch."""
import numpy
import pytest
import spacy
from spacy.training import Example
from thinc.api import fix_random_seed

from conftest import ASSETS

TEXTS = [line.strip() for line in (ASSETS / "raw" / "tl_sample-raw.txt").read_text(encoding="utf8").splitlines()
         if line.strip()][:254]


def _textcat_pipeline(architecture):
    fix_random_seed(0)
    nlp = spacy.blank("tl")
    nlp.add_pipe("tok2vec", config={"model": {"@architectures": "spacy_lstm.LSTMTok2Vec.v3", "width": 16, "depth": 1,
                                              "include_static_vectors": False, "refine_depth": 1}})
    nlp.add_pipe("textcat", config={"model": {
        "@architectures": architecture, "exclusive_classes": True, "use_reduce_first": False,
        "use_reduce_last": False, "use_reduce_max": True, "use_reduce_mean": True, "nO": None,
        "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 16, "upstream": "*"}}})
    examples = [Example.from_dict(nlp.make_doc(t), {"cats": {"POS": float(i % 2), "NEG": float(1 - i % 2)}})
                for i, t in enumerate(TEXTS[:20])]
    optimizer = nlp.initialize(lambda: examples)
    nlp.update(examples, sgd=optimizer)
    # an empty text in a training batch too
    nlp.update(examples[:3] + [Example.from_dict(nlp.make_doc(""), {"cats": {"POS": 1.0, "NEG": 0.0}})],
               sgd=optimizer)
    return nlp


def test_empty_texts_in_a_batch_of_256():
    nlp = _textcat_pipeline("spacy_lstm.TextCatReduce.v1")
    texts = ["", *TEXTS[:127], "", *TEXTS[127:]]
    assert len(texts) == 256
    docs = list(nlp.pipe(texts, batch_size=256))
    for i in (0, 128):
        assert len(docs[i]) == 0 and set(docs[i].cats) == {"POS", "NEG"}
        assert abs(sum(docs[i].cats.values()) - 1.0) < 1e-5
    # the other docs are classified as they are alone (empty ones change nothing around them)
    alone = list(nlp.pipe([t for t in texts if t], batch_size=256))
    got = [d for d in docs if len(d)]
    for a, b in zip(alone, got):
        assert numpy.allclose(list(a.cats.values()), list(b.cats.values()), atol=1e-5)


def test_spacys_own_textcat_fails_on_an_empty_text():
    """Why the architecture exists: spaCy's TextCatReduce.v1 fails the batch."""
    fix_random_seed(0)
    nlp = spacy.blank("tl")
    nlp.add_pipe("tok2vec", config={"model": {"@architectures": "spacy_lstm.LSTMTok2Vec.v3", "width": 16, "depth": 1,
                                              "include_static_vectors": False}})
    nlp.add_pipe("textcat", config={"model": {
        "@architectures": "spacy.TextCatReduce.v1", "exclusive_classes": True, "use_reduce_first": False,
        "use_reduce_last": False, "use_reduce_max": True, "use_reduce_mean": True, "nO": None,
        "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 16, "upstream": "*"}}})
    nlp.initialize(lambda: [Example.from_dict(nlp.make_doc(TEXTS[0]), {"cats": {"POS": 1.0, "NEG": 0.0}})])
    with pytest.raises(ValueError):
        list(nlp.pipe(["", TEXTS[0]]))
