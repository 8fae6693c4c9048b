"""spaCy's own tests, run with spacy_lstm's architectures in place of its CNN.

    python tests/spacy_suite/run.py            # the full list below
    python tests/spacy_suite/run.py --fast     # the subset .ci/run runs

spaCy ships its tests inside the installed package; ``swap.py`` (a pytest
plugin) re-registers ``spacy.HashEmbedCNN.v2`` and
``spacy.MaxoutWindowEncoder.v2`` as ours before they run. Tests known to
differ with an LSTM are listed in ``EXPECTED_TO_DIFFER`` with the reason, and
deselected; everything else must pass. Needs ``hypothesis`` (spaCy's test
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

#: test id (module::name, parametrisation stripped) -> why it differs with an LSTM.
EXPECTED_TO_DIFFER = {
    # Overfitting tests: train 50-100 updates on 1-4 sentences and assert a
    # loss below a threshold tuned for the CNN. The LSTM reaches those losses
    # after 2-4x the updates: its internal dropout (0.1) and word dropout
    # (0.05) stay on when spaCy updates with drop=0 (they are architecture
    # settings, not [training] dropout; see README "Dropout"), and it learns
    # slower than a CNN from a handful of tokens.
    "spacy/tests/pipeline/test_tok2vec.py::test_tok2vec_listener_overfitting": "overfitting threshold",
    "spacy/tests/pipeline/test_tok2vec.py::test_tok2vec_frozen_overfitting": "overfitting threshold",
    "spacy/tests/pipeline/test_tagger.py::test_incomplete_data": "overfitting threshold",
    "spacy/tests/pipeline/test_tagger.py::test_overfitting_IO": "overfitting threshold",
    "spacy/tests/pipeline/test_morphologizer.py::test_overfitting_IO": "overfitting threshold",
    "spacy/tests/pipeline/test_edit_tree_lemmatizer.py::test_incomplete_data": "overfitting threshold",
    "spacy/tests/pipeline/test_edit_tree_lemmatizer.py::test_overfitting_IO": "overfitting threshold",
    "spacy/tests/parser/test_ner.py::test_overfitting_IO": "overfitting threshold",
    # nlp.initialize() does not redraw the LSTM's weights (thinc's PyTorch
    # wrapper initialises torch modules when they are built; spaCy's own
    # TorchBiLSTMEncoder behaves the same), so two initialize() calls do not
    # reset a model that was updated in between. Build the pipeline again
    # (spacy.blank / load_model_from_config) for fresh weights.
    "spacy/tests/test_models.py::test_models_update_consistently": "no weight reset on initialize()",
}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fast", action="store_true", help="run the CI subset only")
    p.add_argument("--all", action="store_true", help="do not deselect the tests expected to differ")
    args, pytest_args = p.parse_known_args()  # the rest goes to pytest (e.g. -x -k tagger)
    modules = FAST if args.fast else FULL
    deselect = [] if args.all else [
        f"--deselect={test_id}" for test_id in EXPECTED_TO_DIFFER
        if test_id.split("::")[0][: -len(".py")].replace("/", ".") in modules
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    import spacy

    site = Path(spacy.__file__).resolve().parents[1]  # test ids read spacy/tests/...py::name
    cmd = [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "tests.spacy_suite.swap", "-p", "no:cacheprovider",
           "-W", "ignore::pytest.PytestUnknownMarkWarning", f"--rootdir={site}",
           "--pyargs", *modules, *deselect, *pytest_args]
    return subprocess.call(cmd, env=env, cwd=str(site))


if __name__ == "__main__":
    sys.exit(main())
