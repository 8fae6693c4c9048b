"""LSTMTok2Vec and word dropout."""
import numpy
import pytest
import spacy
from thinc.api import fix_random_seed

from spacy_lstm import CompactEmbed, LSTMTok2Vec, LSTMTok2Vec_v2
from spacy_lstm.layers import word_dropout


def test_word_dropout_rate_and_gradient_mask():
    fix_random_seed(0)
    layer = word_dropout(0.25)
    Xs = [numpy.ones((4000, 3), "f"), numpy.ones((0, 3), "f"), numpy.ones((1000, 3), "f")]
    assert layer.predict(Xs) is Xs
    Ys, backprop = layer.begin_update(Xs)
    flat = numpy.concatenate(Ys)
    dropped = (flat == 0).all(axis=1)
    assert ((flat == 0) | (flat == 1)).all()  # whole rows, no rescaling
    assert abs(dropped.mean() - 0.25) < 0.03
    dXs = backprop([numpy.full_like(y, 2.0) for y in Ys])
    numpy.testing.assert_array_equal(numpy.concatenate(dXs) == 0, flat == 0)


def test_word_dropout_is_not_overwritten_by_training_dropout():
    from thinc.api import set_dropout_rate

    model = LSTMTok2Vec(width=16, include_static_vectors=False, word_dropout_rate=0.05)
    set_dropout_rate(model, 0.4)
    rates = {n.name: n.attrs.get("rate", n.attrs.get("dropout_rate")) for n in model.walk()
             if n.name in ("word_dropout", "dropout")}
    assert rates == {"word_dropout": 0.05, "dropout": 0.4}


@pytest.mark.parametrize("char_width", [0, 4])
@pytest.mark.parametrize("build", [LSTMTok2Vec, LSTMTok2Vec_v2])
def test_tok2vec_shapes_and_deterministic_prediction(build, char_width):
    nlp = spacy.blank("tl")
    docs = [nlp("Nagluto si Lito ng sinigang na baboy."), nlp(""), nlp("Salamat po!")]
    model = build(width=24, depth=1, include_static_vectors=False, char_width=char_width)
    model.initialize(X=docs)
    first = model.predict(docs)
    assert [y.shape for y in first] == [(len(d), 24) for d in docs]
    for a, b in zip(first, model.predict(docs)):
        numpy.testing.assert_array_equal(a, b)


def test_tok2vec_rejects_mismatched_rows():
    with pytest.raises(ValueError, match="attrs has 4 entries but rows has 2"):
        LSTMTok2Vec(width=16, rows=[100, 100])


def _vectors_nlp():
    nlp = spacy.blank("tl")
    rng = numpy.random.default_rng(0)
    for word in ["Nagluto", "si", "Lito", "ng", "sinigang", "na", "baboy", "."]:
        nlp.vocab.set_vector(word, rng.normal(size=6).astype("f"))
    return nlp


def test_compact_embed_mixes_narrow_tables_vectors_and_characters():
    nlp = _vectors_nlp()
    docs = [nlp("Nagluto si Lito ng sinigang na baboy."), nlp("")]
    model = CompactEmbed(width=10, attrs=["NORM", "SUFFIX"], rows=[100, 50], attr_widths=[6, 3],
                         vectors_width=4, char_width=2, char_count=4, maxout_pieces=2)
    model.initialize(X=docs)
    assert [y.shape for y in model.predict(docs)] == [(len(docs[0]), 10), (0, 10)]
    maxout = [n for n in model.walk() if n.name == "maxout"][0]
    assert maxout.get_dim("nI") == 6 + 3 + 4 + 2 * 4 and maxout.get_dim("nP") == 2
    tables = sorted(n.get_dim("nO") for n in model.walk() if n.name == "hashembed")
    assert tables == [3, 6]
    # The static vectors matter: changing one word's vector changes that token only.
    before = model.predict(docs)[0]
    nlp.vocab.set_vector("Lito", numpy.ones(6, "f"))
    after = model.predict(docs)[0]
    changed = ~numpy.isclose(before, after).all(axis=1)
    assert changed.tolist() == [t.text == "Lito" for t in docs[0]]


def test_tok2vec_v2_defaults_are_the_tuned_settings():
    model = LSTMTok2Vec_v2(include_static_vectors=False)
    assert model.get_dim("nO") == 256
    torch_lstm = [n for n in model.walk() if n.shims][0].shims[0]._model
    sizes = {p.shape for p in torch_lstm.parameters()}
    assert (4 * 256, 256) in sizes  # 256 hidden units per direction, fed 256 wide
    chars = [n for n in model.walk() if n.name == "charembed"]
    assert len(chars) == 1


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"attrs": ["NORM"], "rows": [10, 10], "attr_widths": [4]}, "one entry per attribute"),
        ({"attrs": ["NORM"], "rows": [10], "attr_widths": [0]}, "must be positive"),
        ({"attrs": [], "rows": [], "attr_widths": [], "include_static_vectors": False}, "nothing to embed"),
        ({"attrs": ["NORM"], "rows": [10], "attr_widths": [4], "char_width": -1}, "char_width must be >= 0"),
        ({"attrs": ["NORM"], "rows": [10], "attr_widths": [4], "window_size": -1}, "window_size must be >= 0"),
    ],
)
def test_compact_embed_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CompactEmbed(width=8, **kwargs)


@pytest.mark.parametrize("window_size", [0, 1])
def test_compact_embed_window_reaches_exactly_the_neighbours(window_size):
    nlp = _vectors_nlp()
    docs = [nlp("Nagluto si Lito ng sinigang na baboy."), nlp("Lito")]
    model = CompactEmbed(width=8, attrs=["NORM"], rows=[100], attr_widths=[4], vectors_width=4,
                         window_size=window_size)
    model.initialize(X=docs)
    before = model.predict(docs)
    nlp.vocab.set_vector("ng", numpy.ones(6, "f"))  # token 3 of the first doc only
    after = model.predict(docs)
    changed = ~numpy.isclose(before[0], after[0]).all(axis=1)
    assert changed.tolist() == [abs(i - 3) <= window_size for i in range(len(docs[0]))]
    numpy.testing.assert_array_equal(before[1], after[1])  # never across docs


@pytest.mark.parametrize("version", ["v1", "v2", "v3"])
def test_static_vectors_without_vectors_is_one_clear_error(version):
    import spacy
    from spacy.util import registry

    model = registry.resolve({"m": {"@architectures": f"spacy_lstm.LSTMTok2Vec.{version}", "width": 16}})["m"]
    nlp = spacy.blank("tl")
    with pytest.raises(ValueError) as info:
        model.initialize(X=[nlp.make_doc("Kumain ang bata")])
    message = str(info.value)
    assert "include_static_vectors" in message and "[initialize] vectors" in message
    assert len(message.splitlines()) == 1


@pytest.mark.parametrize("build", ["spacy_lstm.LSTMTok2Vec.v1", "spacy_lstm.LSTMTok2Vec.v2", "spacy_lstm.LSTMTok2Vec.v3"])
def test_training_dropout_reaches_every_embedding_node_and_never_the_lstm(build):
    """What the README says [training] dropout sets: the Dropout after the
    mixer and the dropout of every hash table, the static vectors and the
    Maxout layers (thinc's set_dropout_rate walks them all); not word dropout,
    not the dropout inside the PyTorch module."""
    from spacy.util import registry
    from thinc.api import set_dropout_rate

    model = registry.architectures.get(build)(width=16, include_static_vectors=True, char_width=4)
    set_dropout_rate(model, 0.4)
    reached = {n.name for n in model.walk() if "dropout_rate" in n.attrs and n.attrs["dropout_rate"] == 0.4}
    missed = {n.name for n in model.walk() if "dropout_rate" in n.attrs and n.attrs["dropout_rate"] != 0.4}
    assert not missed
    assert {"hashembed", "static_vectors", "dropout"} <= reached
    assert [n.attrs["rate"] for n in model.walk() if n.name == "word_dropout"] == [0.05]
    import torch

    encoders = [n for n in model.walk() if n.name in ("lstm_encoder", "bilm_encoder")]
    assert encoders
    for encoder in encoders:
        module = encoder.layers[0].shims[0]._model
        rates = {m.p for m in module.modules() if isinstance(m, torch.nn.Dropout)}
        assert rates == {encoder.attrs["dropout"]} and 0.4 not in rates


@pytest.mark.parametrize("build", ["spacy_lstm.LSTMTok2Vec.v1", "spacy_lstm.LSTMTok2Vec.v2", "spacy_lstm.LSTMTok2Vec.v3"])
def test_a_batch_of_empty_docs_gives_empty_arrays(build):
    from spacy.util import registry

    nlp = spacy.blank("tl")
    model = registry.architectures.get(build)(width=16, depth=1, include_static_vectors=False, char_width=4)
    model.initialize(X=[nlp("isang salita")])
    assert [y.shape for y in model.predict([nlp(""), nlp("")])] == [(0, 16), (0, 16)]
    Ys, backprop = model.begin_update([nlp("")])
    assert [y.shape for y in Ys] == [(0, 16)] and backprop(Ys) == []


def test_v3_refine_hidden_size_sizes_the_task_bilstm_and_defaults_to_width():
    """refine_hidden_size = None is what v3 always built (hidden = width); a
    number sizes only the refine layer's LSTM, the output stays width wide."""
    from spacy_lstm import LSTMTok2Vec_v3

    nlp = spacy.blank("tl")
    docs = [nlp("Nagluto si Lito ng sinigang na baboy."), nlp("Salamat po!")]
    sizes = {}
    for hidden in (None, 8):
        model = LSTMTok2Vec_v3(width=24, depth=1, include_static_vectors=False, refine_depth=1,
                               refine_hidden_size=hidden)
        model.initialize(X=docs)
        assert [y.shape for y in model.predict(docs)] == [(len(d), 24) for d in docs]
        refine = model.get_ref("refine")
        sizes[hidden] = refine.attrs["hidden_size"]
        assert model.get_ref("encode").attrs["hidden_size"] == 24  # the language model is not touched
    assert sizes == {None: 24, 8: 8}
    with pytest.raises(ValueError, match="refine_hidden_size must be >= 1"):
        LSTMTok2Vec_v3(width=24, refine_depth=1, refine_hidden_size=0)


def test_tok2vec_from_blocks_is_the_v3_preset_of_the_same_settings():
    """LSTMTok2Vec.v3 is a preset of the registered blocks: spacy_lstm.Tok2Vec.v1
    with the blocks it names builds the same model (same nodes, refs and
    weights from the same seed) and predicts the same, bit for bit."""
    import sys
    from pathlib import Path

    from spacy.util import registry

    sys.path.insert(0, str(Path(__file__).resolve().parent / "released"))
    from cases import BLOCKS, docs

    def built(make):
        fix_random_seed(0)
        model = make()
        X = docs()
        model.initialize(X=X)
        return model, X

    blocks, X = built(lambda: registry.resolve({"m": BLOCKS})["m"])
    preset, _ = built(lambda: registry.architectures.get("spacy_lstm.LSTMTok2Vec.v3")(
        width=20, hidden_size=12, refine_depth=1, refine_hidden_size=8, window_size=1, lm_learn_rate_scale=0.3,
        rows=[300, 200, 200, 200], char_width=4, vectors_width=8))
    assert sorted(blocks.ref_names) == sorted(preset.ref_names) == ["embed", "encode", "lm", "refine"]
    assert blocks.to_bytes() == preset.to_bytes()
    for a, b in zip(blocks.predict(X), preset.predict(X)):
        assert numpy.array_equal(a, b)


def test_refine_block_needs_something_to_refine():
    from spacy_lstm.layers.refine import Refine

    with pytest.raises(ValueError, match="nothing to refine"):
        Refine(16, depth=0, window_size=0)
