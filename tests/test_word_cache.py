"""The cached embedding layers predict exactly what spaCy's layers predict."""
import numpy
import pytest
import spacy
from spacy.ml import _character_embed, staticvectors
from spacy.tokens import Doc
from spacy.vectors import Vectors
from thinc.api import Model

from spacy_lstm.layers.char_embed import CharacterEmbed
from spacy_lstm.layers.static_vectors import StaticVectors
from spacy_lstm.layers.word_cache import WordCache

WORDS = [["Ang", "bata", "ay", "naglaro", "ng", "bola", "."], ["Naglaro", "ang", "bata", "sa", "labas", "ngayóng", "araw"],
         ["bata"], ["ñ", "\u201c", "mga", "bata", "!"]]


def floret_nlp(hash_count: int = 2):
    nlp = spacy.blank("tl")
    rng = numpy.random.default_rng(0)
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=rng.normal(size=(50, 6)).astype("float32"),
                                mode="floret", minn=2, maxn=4, hash_count=hash_count)
    return nlp


def docs_of(nlp, groups):
    return [Doc(nlp.vocab, words=words) for words in groups]


def same_output(ours: Model, theirs: Model, docs) -> None:
    """Predictions equal spaCy's on every batch, and again from the cache."""
    for _ in range(2):
        for batch in (docs, docs[1:3], docs[2:3], docs[::-1]):
            a, b = ours.predict(batch), theirs.predict(batch)
            a = a.dataXd if hasattr(a, "dataXd") else numpy.concatenate(a)
            b = b.dataXd if hasattr(b, "dataXd") else numpy.concatenate(b)
            numpy.testing.assert_array_equal(a, b)


def copy_params(ours: Model, theirs: Model) -> None:
    for name in theirs.param_names:
        ours.set_param(name, theirs.get_param(name).copy())


def test_character_embed_predicts_as_spacy():
    nlp = spacy.blank("tl")
    docs = docs_of(nlp, WORDS)
    theirs = _character_embed.CharacterEmbed(nM=3, nC=8)
    theirs.initialize()
    theirs.set_param("E", numpy.random.default_rng(1).normal(size=theirs.get_param("E").shape).astype("float32"))
    ours = CharacterEmbed(nM=3, nC=8)
    ours.initialize()
    copy_params(ours, theirs)
    same_output(ours, theirs, docs)
    assert ours.name == theirs.name
    assert {d: ours.get_dim(d) for d in ours.dim_names} == {d: theirs.get_dim(d) for d in theirs.dim_names}


def vector_layers(nlp):
    """Our StaticVectors and spaCy's, with the same weights, and the docs."""
    docs = docs_of(nlp, WORDS)
    theirs = staticvectors.StaticVectors(nO=4, dropout=0.0)
    theirs.initialize(X=docs)
    ours = StaticVectors(nO=4, dropout=0.0)
    ours.initialize(X=docs)
    copy_params(ours, theirs)
    return docs, ours, theirs


@pytest.mark.parametrize("hash_count", [1, 2])
def test_static_vectors_predict_as_spacy_in_floret_mode(hash_count):
    docs, ours, theirs = vector_layers(floret_nlp(hash_count))
    same_output(ours, theirs, docs)
    assert len(ours.attrs["word_cache"].rows) == len({w for words in WORDS for w in words})


def test_static_vectors_cache_forgets_replaced_vectors():
    nlp = floret_nlp()
    docs = docs_of(nlp, WORDS)
    ours = StaticVectors(nO=4, dropout=0.0)
    ours.initialize(X=docs)
    before = ours.predict(docs).dataXd.copy()
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=nlp.vocab.vectors.data * 2, mode="floret",
                                minn=2, maxn=4, hash_count=2)
    after = ours.predict(docs_of(nlp, WORDS)).dataXd
    numpy.testing.assert_allclose(after, before * 2, rtol=1e-5)


@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_training_gives_spacys_output_and_gradient(dropout):
    """A training pass (cached floret rows) gives spaCy's output, dropout
    mask and gradient exactly."""
    from thinc.api import fix_random_seed

    docs, ours, theirs = vector_layers(floret_nlp())
    ours.attrs["dropout_rate"] = theirs.attrs["dropout_rate"] = dropout
    fix_random_seed(7)
    a, back_a = ours.begin_update(docs)
    fix_random_seed(7)
    b, back_b = theirs.begin_update(docs)
    numpy.testing.assert_array_equal(a.dataXd, b.dataXd)
    assert (dropout == 0.0) == bool((a.dataXd != 0).all())
    back_a(a), back_b(b)
    numpy.testing.assert_array_equal(ours.get_grad("W"), theirs.get_grad("W"))
    assert len(ours.attrs["word_cache"].rows) == len({w for words in WORDS for w in words})


def test_word_vectors_run_spacys_pass():
    """Word-mode (not floret) vectors: spaCy's pass, nothing cached."""
    nlp = spacy.blank("tl")
    for i, word in enumerate(["bata", "ang", "ay"]):
        nlp.vocab.set_vector(word, numpy.full((6,), i + 1, dtype="float32"))
    docs, ours, theirs = vector_layers(nlp)
    same_output(ours, theirs, docs)
    assert not ours.attrs["word_cache"].rows


def test_word_cache_stops_adding_when_full():
    cache = WordCache(max_words=2)
    calls = []

    def compute(keys):
        calls.append(list(keys))
        return [k * 10 for k in keys]

    assert cache.lookup((), [1, 2, 3, 1], compute) == [10, 20, 30, 10]
    assert calls == [[1, 2, 3]] and set(cache.rows) == {1, 2}
    assert cache.lookup((), [3, 2], compute) == [30, 20]
    assert calls[-1] == [3]
    source = object()
    assert cache.lookup((source,), [1], compute) == [10]
    assert set(cache.rows) == {1}


def test_character_embed_trains_as_spacy():
    """A training pass (cached ids) gives spaCy's output and gradient exactly,
    also for a word repeated within a doc (spaCy's ``+=`` keeps one of its rows)."""
    nlp = spacy.blank("tl")
    docs = docs_of(nlp, WORDS + [["bata", "bata", "ang", "bata"]])
    theirs = _character_embed.CharacterEmbed(nM=3, nC=8)
    theirs.initialize()
    theirs.set_param("E", numpy.random.default_rng(1).normal(size=theirs.get_param("E").shape).astype("float32"))
    ours = CharacterEmbed(nM=3, nC=8)
    ours.initialize()
    copy_params(ours, theirs)
    d_output = [numpy.random.default_rng(i).normal(size=(len(doc), 24)).astype("float32") for i, doc in enumerate(docs)]
    for batch in (docs, docs[::-1], docs[2:3]):
        a, back_a = ours.begin_update(batch)
        b, back_b = theirs.begin_update(batch)
        for x, y in zip(a, b):
            numpy.testing.assert_array_equal(x, y)
        grads = d_output if batch is docs else [d_output[docs.index(doc)] for doc in batch]
        back_a(grads), back_b(grads)
        numpy.testing.assert_array_equal(ours.get_grad("E"), theirs.get_grad("E"))
        assert ours.get_grad("E").any()
        ours.set_grad("E", ours.get_grad("E") * 0), theirs.set_grad("E", theirs.get_grad("E") * 0)
    assert len(ours.attrs["word_cache"].rows) == len({w for doc in docs for w in (t.text for t in doc)})
