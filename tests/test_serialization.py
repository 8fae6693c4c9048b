"""Round trips of a trained pipeline keep its predictions: bytes, disk + a
fresh process, copy() and replace_listeners. Run for every tok2vec
architecture (the shared model test)."""
import json
import sys

import numpy
import pytest
import spacy
from spacy.training import Example
from thinc.api import fix_random_seed

from conftest import run

TOK2VECS = {
    "v1": {
        "@architectures": "spacy_lstm.LSTMTok2Vec.v1",
        "width": 32,
        "depth": 2,
        "dropout": 0.1,
        "word_dropout_rate": 0.05,
        "include_static_vectors": False,
        "rows": [500, 200, 200, 200],
        "char_width": 4,
    },
    "v2": {
        "@architectures": "spacy_lstm.LSTMTok2Vec.v2",
        "width": 32,
        "hidden_size": 24,
        "include_static_vectors": False,
        "rows": [500, 200, 200, 200],
        "char_width": 4,
    },
    "v3": {
        "@architectures": "spacy_lstm.LSTMTok2Vec.v3",
        "width": 32,
        "hidden_size": 24,
        "include_static_vectors": False,
        "rows": [500, 200, 200, 200],
        "char_width": 4,
    },
}
LISTENER = {"@architectures": "spacy.Tok2VecListener.v1", "width": 32, "upstream": "*"}
TEXTS = ["Kumain ang bata ng saging sa kusina.", "Bukas ay pupunta kami sa Maynila!", ""]


@pytest.fixture(scope="module", params=sorted(TOK2VECS))
def trained_nlp(request, sample_train_docs):
    fix_random_seed(0)
    nlp = spacy.blank("tl")
    nlp.add_pipe("tok2vec", config={"model": TOK2VECS[request.param]})
    nlp.add_pipe(
        "tagger",
        config={"model": {"@architectures": "spacy.Tagger.v2", "tok2vec": LISTENER}},
    )
    examples = [Example(nlp.make_doc(d.text), d) for d in sample_train_docs[:40]]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(3):
        nlp.update(examples, sgd=optimizer)
    return nlp


def outputs(nlp):
    docs = list(nlp.pipe(TEXTS))
    return [d.tensor.copy() for d in docs], [[t.tag_ for t in d] for d in docs]


def assert_same(a, b):
    tensors_a, tags_a = a
    tensors_b, tags_b = b
    assert tags_a == tags_b
    for x, y in zip(tensors_a, tensors_b):
        numpy.testing.assert_allclose(x, y, atol=1e-6, rtol=0)


def test_pipeline_predicts_and_trains(trained_nlp):
    tensors, tags = outputs(trained_nlp)
    assert tensors[0].shape == (len(tags[0]), 32)
    assert tensors[2].shape[0] == 0


def test_bytes_round_trip(trained_nlp):
    nlp2 = spacy.blank("tl").from_config(trained_nlp.config)
    nlp2.from_bytes(trained_nlp.to_bytes())
    assert_same(outputs(trained_nlp), outputs(nlp2))


def test_model_copy(trained_nlp):
    model = trained_nlp.get_pipe("tok2vec").model
    copied = model.copy()
    docs = [trained_nlp.make_doc(t) for t in TEXTS]
    for a, b in zip(model.predict(docs), copied.predict(docs)):
        numpy.testing.assert_array_equal(a, b)
    # The copy has its own torch parameters.
    torch_a = [n for n in model.walk() if n.shims][0].shims[0]._model
    torch_b = [n for n in copied.walk() if n.shims][0].shims[0]._model
    assert torch_a is not torch_b
    assert next(torch_a.parameters()).data_ptr() != next(torch_b.parameters()).data_ptr()


def test_replace_listeners_then_source(trained_nlp):
    expected = outputs(trained_nlp)[1]
    nlp = spacy.blank("tl").from_config(trained_nlp.config)
    nlp.from_bytes(trained_nlp.to_bytes())
    nlp.replace_listeners("tok2vec", "tagger", ["model.tok2vec"])
    nlp.remove_pipe("tok2vec")
    assert [[t.tag_ for t in d] for d in nlp.pipe(TEXTS)] == expected
    # calamanCy's assemble step sources such a component into a new pipeline.
    assembled = spacy.blank("tl")
    assembled.add_pipe("tagger", source=nlp)
    assert [[t.tag_ for t in d] for d in assembled.pipe(TEXTS)] == expected


def test_disk_round_trip_in_fresh_process(trained_nlp, tmp_path):
    trained_nlp.to_disk(tmp_path / "pipeline")
    script = f"""
import json, sys
import spacy
nlp = spacy.load({str(tmp_path / "pipeline")!r})
assert "spacy_lstm" in sys.modules  # found through the entry point
docs = list(nlp.pipe(json.loads({json.dumps(TEXTS)!r})))
print(json.dumps({{"tensors": [d.tensor.tolist() for d in docs],
                  "tags": [[t.tag_ for t in d] for d in docs]}}))
"""
    out = run([sys.executable, "-c", script])
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    tensors = [numpy.asarray(t, dtype="float32").reshape(-1, 32) for t in loaded["tensors"]]
    assert_same(outputs(trained_nlp), (tensors, loaded["tags"]))


def test_refs_and_copy_keep_the_structure(trained_nlp):
    model = trained_nlp.get_pipe("tok2vec").model
    assert model.get_ref("embed") is model.layers[0]
    assert model.get_ref("encode") is model.layers[-1]
    assert model.get_dim("nO") == 32
    copied = model.copy()
    assert type(copied) is type(model)
    assert copied.get_ref("embed") is copied.layers[0] and copied.get_ref("encode") is copied.layers[-1]
    assert copied.get_ref("embed") is not model.get_ref("embed")


def test_truncated_weights_name_the_architecture(trained_nlp, tmp_path):
    trained_nlp.to_disk(tmp_path / "pipeline")
    weights = tmp_path / "pipeline" / "tok2vec" / "model"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError) as info:
        spacy.load(tmp_path / "pipeline")
    message = str(info.value)
    assert "spacy_lstm tok2vec" in message and "`model` file" in message and "truncated" in message
    assert len(message.splitlines()) == 1


def test_empty_weights_file_says_it_is_empty(trained_nlp, tmp_path):
    """A 0-byte weights file (what a run killed by a full disk leaves) says so."""
    trained_nlp.to_disk(tmp_path / "pipeline")
    (tmp_path / "pipeline" / "tok2vec" / "model").write_bytes(b"")
    with pytest.raises(ValueError) as info:
        spacy.load(tmp_path / "pipeline")
    message = str(info.value)
    assert "spacy_lstm tok2vec" in message and "empty (0 bytes)" in message
    assert len(message.splitlines()) == 1


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_pickle_and_copy_after_one_doc_predictions(trained_nlp, precision):
    """``nlp(text)`` keeps frozen prediction copies (their LSTM weights
    packed for oneDNN, which cannot be pickled); a pickle or deep copy of
    the pipeline made afterwards (``nlp.pipe(n_process=...)`` with spawn,
    ``copy.deepcopy``) starts without them and predicts the same."""
    import copy
    import pickle

    config = trained_nlp.config.copy()
    config["components"]["tok2vec"]["model"]["inference_precision"] = precision
    nlp = spacy.blank("tl").from_config(config)
    nlp.from_bytes(trained_nlp.to_bytes())
    text = TEXTS[0]
    expected = nlp(text).tensor  # one doc: the copies are made
    for other in (pickle.loads(pickle.dumps(nlp)), copy.deepcopy(nlp)):
        numpy.testing.assert_array_equal(other(text).tensor, expected)
    model = nlp.get_pipe("tok2vec").model
    doc = nlp.make_doc(text)
    numpy.testing.assert_array_equal(model.copy().predict([doc])[0], model.predict([doc])[0])
