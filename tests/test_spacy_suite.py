"""spaCy's own tests (the CI subset) pass with our architectures swapped in
for its CNN; tests/spacy_suite/run.py lists the few expected to differ and why."""
import sys

import pytest

from conftest import ROOT, run


def test_spacy_suite_fast_subset_passes_with_our_architectures(tmp_path):
    pytest.importorskip("hypothesis", reason="spaCy's tests need hypothesis (in the test extra)")
    result = run(
        [sys.executable, str(ROOT / "tests" / "spacy_suite" / "run.py"), "--fast"],
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout.splitlines()[-1]


def test_the_swap_really_puts_our_tok2vec_in_place():
    """Without this, the subset above could pass on spaCy's own CNN."""
    result = run(
        [sys.executable, str(ROOT / "tests" / "spacy_suite" / "run.py"), "--fast", "--all", "-x",
         "-k", "test_tok2vec_listener_overfitting or test_tok2vec_frozen_overfitting"],
    )
    # listed as expected to differ: they fail with the LSTM (and pass with spaCy's CNN)
    assert result.returncode == 1 and "FAILED" in result.stdout, result.stdout[-3000:]
