"""spaCy's own tests, run with spacy_lstm's architectures in place of its CNN.

    python tests/spacy_suite/run.py                   # the full list below, LSTMTok2Vec.v3
    python tests/spacy_suite/run.py --fast --tok2vec v4  # the subset .ci/run runs, with v4

spaCy ships its tests inside the installed package; ``swap.py`` (a pytest
plugin) re-registers ``spacy.HashEmbedCNN.v2`` and
``spacy.MaxoutWindowEncoder.v2`` as ours before they run. Tests known to
differ with an LSTM are listed below with the reason (:func:`expected_to_differ`)
and run as strict xfails: one that starts passing fails the run; nothing is
deselected, and everything else must pass. Needs ``hypothesis`` (spaCy's test
dependency; in the ``test`` extra).
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: spaCy test modules run (as ``--pyargs`` module names).
FULL = [
    "spacy.tests.pipeline.test_tok2vec",
    "spacy.tests.pipeline.test_tagger",
    "spacy.tests.pipeline.test_morphologizer",
    "spacy.tests.pipeline.test_edit_tree_lemmatizer",
    "spacy.tests.pipeline.test_textcat",
    "spacy.tests.parser.test_ner",
    "spacy.tests.parser.test_parse",
    "spacy.tests.serialize.test_serialize_config",
    "spacy.tests.test_models",
]
#: The subset for CI: the tok2vec, tagger and config round-trips.
FAST = [
    "spacy.tests.pipeline.test_tok2vec",
    "spacy.tests.pipeline.test_tagger",
    "spacy.tests.serialize.test_serialize_config",
]

#: test id (module::name, with its parametrisation where only some differ) -> why it differs with an
#: LSTM, whichever tok2vec is swapped in.
ALWAYS = {
    # nlp.initialize() does not redraw the LSTM's weights (thinc's PyTorch
    # wrapper initialises torch modules when they are built; spaCy's own
    # TorchBiLSTMEncoder behaves the same), so two initialize() calls do not
    # reset a model that was updated in between. Build the pipeline again
    # (spacy.blank / load_model_from_config) for fresh weights.
    "spacy/tests/test_models.py::test_models_update_consistently[0-0.2-build_simple_cnn_text_classifier-kwargs2-get_docs]":
        "no weight reset on initialize()",
}

#: Overfitting tests: train 50-100 updates on 1-4 sentences with drop=0 and
#: assert a loss below a threshold tuned for the CNN. With v2 and v3 the
#: LSTM's internal dropout and word dropout stay on at drop=0 (architecture
#: settings, not [training] dropout), so it reaches those losses after 2-4x
#: the updates.
DROPOUT_STAYS_ON = "overfitting threshold: the LSTM's own dropout stays on when spaCy updates with drop=0"
OVERFITTING = [
    "spacy/tests/pipeline/test_tok2vec.py::test_tok2vec_listener_overfitting",
    "spacy/tests/pipeline/test_tok2vec.py::test_tok2vec_frozen_overfitting",
    "spacy/tests/pipeline/test_tagger.py::test_incomplete_data",
    "spacy/tests/pipeline/test_tagger.py::test_overfitting_IO",
    "spacy/tests/pipeline/test_morphologizer.py::test_overfitting_IO",
    "spacy/tests/pipeline/test_edit_tree_lemmatizer.py::test_incomplete_data",
    "spacy/tests/pipeline/test_edit_tree_lemmatizer.py::test_overfitting_IO",
    "spacy/tests/parser/test_ner.py::test_overfitting_IO",
    "spacy/tests/parser/test_ner.py::test_beam_overfitting_IO",
]

#: With v4 spaCy's drop=0 turns every dropout off, and the NER overfitting
#: tests and the lemmatizer's incomplete-data test pass; these still end
#: 5-50x above a loss threshold tuned for the CNN (1e-4 to 1e-3 against 1e-5
#: or 1e-4, measured with spaCy 3.8): from a handful of tokens an LSTM
#: learns slower than a CNN.
LEARNS_SLOWER = "overfitting threshold: the loss ends 5-50x above the CNN's threshold (an LSTM learns slower from 1-4 sentences)"
V4_DIFFERS = {test_id: LEARNS_SLOWER for test_id in OVERFITTING[:5] + OVERFITTING[6:7]}


def expected_to_differ(tok2vec: str) -> dict:
    """Test id -> reason, for ``LSTMTok2Vec.{tok2vec}`` swapped in."""
    out = dict(ALWAYS)
    if tok2vec in ("v2", "v3"):
        out.update({test_id: DROPOUT_STAYS_ON for test_id in OVERFITTING})
    else:
        out.update(V4_DIFFERS)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fast", action="store_true", help="run the CI subset only")
    p.add_argument("--tok2vec", choices=("v2", "v3", "v4"), default="v3",
                   help="the spacy_lstm.LSTMTok2Vec version swapped in for spaCy's CNN (default v3, the configs')")
    args, pytest_args = p.parse_known_args()  # the rest goes to pytest (e.g. -x -k tagger)
    modules = FAST if args.fast else FULL
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "SPACY_LSTM_SUITE_TOK2VEC": args.tok2vec}
    import spacy

    site = Path(spacy.__file__).resolve().parents[1]  # test ids read spacy/tests/...py::name
    cmd = [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "tests.spacy_suite.swap", "-p", "no:cacheprovider",
           "-W", "ignore::pytest.PytestUnknownMarkWarning", f"--rootdir={site}",
           "--pyargs", *modules, *pytest_args]
    return subprocess.call(cmd, env=env, cwd=str(site))


if __name__ == "__main__":
    sys.exit(main())
