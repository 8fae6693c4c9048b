"""The released registry names, each built with fixed settings and fed fixed
inputs: what tests/test_released_names.py checks against
``outputs.msgpack`` (written once by ``generate.py`` from the code that
released them; regenerate only to *add* a case, never to change one).

Every input here is deterministic on any CPU: the words are fixed, and the
static vectors and encoder inputs come from numpy's seeded ``RandomState``.
"""
from typing import Callable, Dict, List, Tuple

import numpy
import spacy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, fix_random_seed

WORDS = [
    ["Kumain", "ang", "bata", "ng", "saging", "sa", "kusina", "."],
    ["Bukas", "ay", "pupunta", "kami", "sa", "Maynila", "!"],
    ["Oo"],
    [],
    ["Ang", "mga", "guro", "ay", "nagtuturo", "ng", "matematika", "at", "agham", "sa", "paaralan", "."],
]
EMBED = {"rows": [300, 200, 200, 200], "char_width": 4, "vectors_width": 8}


def docs() -> List[Doc]:
    nlp = spacy.blank("tl")
    vocab = nlp.vocab
    words = sorted({w for ws in WORDS for w in ws})
    table = numpy.random.RandomState(0).uniform(-1, 1, (len(words), 16)).astype("float32")
    for word, row in zip(words, table):
        vocab.set_vector(word, row)
    return [Doc(vocab, words=ws) for ws in WORDS]


def arrays(width: int) -> List[numpy.ndarray]:
    state = numpy.random.RandomState(1)
    return [state.uniform(-1, 1, (len(ws), width)).astype("float32") for ws in WORDS]


def _arch(name: str, **kwargs) -> Model:
    return registry.architectures.get(name)(**kwargs)


def _resolved(config: dict) -> Model:
    return registry.resolve({"model": config})["model"]


#: spacy_lstm.Tok2Vec.v1 from blocks: the blocks LSTMTok2Vec.v3 is made of
#: with refine_depth 1 and window_size 1 (tests/test_tok2vec.py checks the two agree).
BLOCKS = {
    "@architectures": "spacy_lstm.Tok2Vec.v1",
    "word_dropout_rate": 0.05,
    "lm_learn_rate_scale": 0.3,
    "embed": {"@architectures": "spacy_lstm.CompactEmbed.v1", "width": 20, "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
              "rows": [300, 200, 200, 200], "attr_widths": [10, 5, 5, 5], "vectors_width": 8, "char_width": 4},
    "encode": {"@architectures": "spacy_lstm.LSTMEncoder.v2", "width": 20, "depth": 2, "dropout": 0.2, "hidden_size": 12},
    "refine": {"@architectures": "spacy_lstm.Refine.v1", "width": 20, "depth": 1, "hidden_size": 8, "window_size": 1},
}


def _objective(name: str, **kwargs) -> Model:
    tok2vec = _arch("spacy_lstm.LSTMTok2Vec.v3", width=20, hidden_size=12, include_static_vectors=True, **EMBED)
    X = docs()
    tok2vec.initialize(X=X)  # as the pipeline does before spacy pretrain builds the objective
    return registry.architectures.get(name)(**kwargs)(X[0].vocab, tok2vec)


#: name -> (builder, input maker). The builder's settings cover each
#: released name's branches (widths odd and even, every optional part on).
CASES: Dict[str, Tuple[Callable[[], Model], Callable[[], list]]] = {
    "LSTMEncoder.v1 bidirectional": (lambda: _arch("spacy_lstm.LSTMEncoder.v1", width=16, depth=2, dropout=0.1),
                                     lambda: arrays(16)),
    "LSTMEncoder.v1 odd width": (lambda: _arch("spacy_lstm.LSTMEncoder.v1", width=15, depth=1, dropout=0.1),
                                 lambda: arrays(15)),
    "LSTMEncoder.v1 one direction": (lambda: _arch("spacy_lstm.LSTMEncoder.v1", width=16, depth=2, dropout=0.1,
                                                   bidirectional=False, hidden_size=12), lambda: arrays(16)),
    "LSTMEncoder.v2": (lambda: _arch("spacy_lstm.LSTMEncoder.v2", width=17, depth=2, dropout=0.1, hidden_size=10),
                       lambda: arrays(17)),
    "CompactEmbed.v1": (lambda: _arch("spacy_lstm.CompactEmbed.v1", width=16, attrs=["NORM", "PREFIX", "SUFFIX", "SHAPE"],
                                      attr_widths=[8, 4, 4, 4], include_static_vectors=True, window_size=1, **EMBED),
                        docs),
    "LSTMTok2Vec.v1": (lambda: _arch("spacy_lstm.LSTMTok2Vec.v1", width=16, depth=2, rows=[300, 200, 200, 200],
                                     char_width=4, include_static_vectors=True), docs),
    "LSTMTok2Vec.v2": (lambda: _arch("spacy_lstm.LSTMTok2Vec.v2", width=16, hidden_size=12, window_size=1,
                                     include_static_vectors=True, **EMBED), docs),
    "LSTMTok2Vec.v3": (lambda: _arch("spacy_lstm.LSTMTok2Vec.v3", width=20, hidden_size=12,
                                     include_static_vectors=True, **EMBED), docs),
    "LSTMTok2Vec.v3 refine + window": (lambda: _arch("spacy_lstm.LSTMTok2Vec.v3", width=20, hidden_size=12,
                                                     refine_depth=1, refine_hidden_size=8, window_size=1,
                                                     lm_learn_rate_scale=0.3, include_static_vectors=True, **EMBED),
                                       docs),
    "LSTMTok2Vec.v3 frozen": (lambda: _arch("spacy_lstm.LSTMTok2Vec.v3", width=20, hidden_size=12, freeze_lm=True,
                                            window_size=1, include_static_vectors=True, **EMBED), docs),
    "Tok2Vec.v1 blocks": (lambda: _resolved(BLOCKS), docs),
    "Refine.v1": (lambda: _arch("spacy_lstm.Refine.v1", width=16, depth=1, hidden_size=8, window_size=1),
                  lambda: arrays(16)),
    "LSTMEncoder.v3": (lambda: _arch("spacy_lstm.LSTMEncoder.v3", width=16, depth=2, dropout=0.1), lambda: arrays(16)),
    "LSTMEncoder.v3 language model": (lambda: _arch("spacy_lstm.LSTMEncoder.v3", width=17, depth=2, dropout=0.1,
                                                    language_model=True, hidden_size=10), lambda: arrays(17)),
    "LSTMTok2Vec.v4": (lambda: _arch("spacy_lstm.LSTMTok2Vec.v4", width=20, hidden_size=12, refine_depth=1,
                                     refine_hidden_size=8, window_size=1, include_static_vectors=True, **EMBED), docs),
    "PretrainBiLM.v1 words": (lambda: _objective("spacy_lstm.PretrainBiLM.v1", hidden_size=8, embedding_rows=100),
                              docs),
    "PretrainBiLM.v2 characters": (lambda: _objective("spacy_lstm.PretrainBiLM.v2", target="characters",
                                                      hidden_size=8), docs),
    "PretrainBiLM.v3 words": (lambda: _objective("spacy_lstm.PretrainBiLM.v3", hidden_size=8, embedding_rows=100),
                              docs),
}


def build(name: str) -> Tuple[Model, list]:
    """The case's model, initialised (seed 0) on its inputs, and the inputs."""
    make, inputs = CASES[name]
    fix_random_seed(0)
    model = make()
    X = inputs()
    model.initialize(X=X)
    return model, X


def signature(name: str) -> List[List[str]]:
    """A registered name's settings as plain strings: name, kind, default and
    type of each, in order (what ``inspect.signature`` shows spaCy's config
    validation)."""
    import inspect

    for registry_name in ("architectures", "readers"):
        if registry.has(registry_name, name):
            func = registry.get(registry_name, name)
            break
    else:
        raise KeyError(name)
    return [[p.name, p.kind.name, repr(p.default), str(p.annotation)] for p in inspect.signature(func).parameters.values()]


def outputs(model: Model, X: list) -> List[numpy.ndarray]:
    """Every float array the model predicts for ``X``, flattened into a list."""
    Y = model.predict(X)
    found: List[numpy.ndarray] = []

    def collect(value):
        if isinstance(value, numpy.ndarray):
            if value.dtype.kind == "f":
                found.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)

    collect(Y)
    return found
