"""Released registry names compute what they computed when released.

Each case of tests/released/cases.py is built, given the weights it was
saved with (``outputs.msgpack``, written by the released code), and must:

* load them (same nodes, dims and parameter shapes) and write them back
  unchanged: every Thinc parameter, dim and attr, and every PyTorch tensor,
  bit for bit;
* predict what the released code predicted from them. Between CPUs the same
  float32 arithmetic rounds differently in its last bits (oneDNN and BLAS
  pick AVX2 or AVX-512 kernels with other summation orders), so outputs are
  compared to 1e-5: a changed computation (a layer added, moved or
  re-ordered, another dropout or size) is off by far more.

A refactor that fails this changed a released name: add a ``.vN+1`` instead.
"""
import io
import sys
from pathlib import Path

import numpy
import pytest
import srsly
import torch

HERE = Path(__file__).resolve().parent / "released"
sys.path.insert(0, str(HERE))
from cases import CASES, build, outputs  # noqa: E402

from spacy_lstm.layers.frozen import WEIGHTS_LOADED  # noqa: E402

SAVED = srsly.read_msgpack(HERE / "outputs.msgpack")


def _tensors(shim_bytes: bytes) -> dict:
    msg = srsly.msgpack_loads(shim_bytes)
    state = torch.load(io.BytesIO(msg["state"]), map_location="cpu", weights_only=True)
    return {key: value.numpy() for key, value in state.items()}


def _assert_same_weights(got: bytes, want: bytes) -> None:
    got_msg, want_msg = srsly.msgpack_loads(got), srsly.msgpack_loads(want)
    assert got_msg["nodes"] == want_msg["nodes"]
    # loading marks a tok2vec as loaded (layers/frozen.py): not part of what it computes
    got_attrs = [{k: v for k, v in attrs.items() if k != WEIGHTS_LOADED} for attrs in got_msg["attrs"]]
    assert got_attrs == want_msg["attrs"]
    assert len(got_msg["params"]) == len(want_msg["params"])
    for got_params, want_params in zip(got_msg["params"], want_msg["params"]):
        assert sorted(got_params) == sorted(want_params)
        for key in want_params:
            assert numpy.array_equal(got_params[key], want_params[key]), key
    assert len(got_msg["shims"]) == len(want_msg["shims"])
    for got_shims, want_shims in zip(got_msg["shims"], want_msg["shims"]):
        assert len(got_shims) == len(want_shims)
        for got_shim, want_shim in zip(got_shims, want_shims):
            got_t, want_t = _tensors(got_shim), _tensors(want_shim)
            assert sorted(got_t) == sorted(want_t)
            for key in want_t:
                assert numpy.array_equal(got_t[key], want_t[key]), key


def test_every_released_name_has_a_case():
    import spacy_lstm  # noqa: F401
    from spacy.util import registry

    released = {name for name in registry.architectures.get_all() if name.startswith("spacy_lstm.")}
    covered = {"spacy_lstm." + case.split()[0] for case in CASES}
    # TextCatReduce.v1 has weights of its own only through the tok2vec it wraps
    assert released - covered <= {"spacy_lstm.TextCatReduce.v1"} | NEW_NAMES


#: Names added after the fixture was written (they have cases of their own
#: in their tests); a new name is added here or gets a case.
NEW_NAMES: set = set()


@pytest.mark.parametrize("name", sorted(CASES))
def test_released_name_computes_what_it_computed(name):
    assert name in SAVED, f"no saved outputs for {name!r}: run python tests/released/generate.py"
    model, X = build(name)
    saved = SAVED[name]
    model.from_bytes(saved["weights"])
    _assert_same_weights(model.to_bytes(), saved["weights"])
    got = outputs(model, X)
    want = [numpy.frombuffer(data, dtype="<f4").reshape(shape) for shape, data in saved["outputs"]]
    assert [g.shape for g in got] == [w.shape for w in want]
    for g, w in zip(got, want):
        numpy.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


SIGNATURES = srsly.read_json(HERE / "signatures.json")


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_released_name_keeps_its_settings(name):
    """A config written for a released name stays valid and means the same:
    its settings keep their names, order, kinds, defaults and types."""
    from cases import signature

    assert signature(name) == SIGNATURES[name]
