"""Write outputs.msgpack: each released case's weights (``to_bytes``) and its
predictions; and signatures.json: each released registry name's settings
(names, order, kinds, defaults, types), which configs written for it rely on. Run from the repository root, ``python tests/released/generate.py``,
only to add a case for a new registry name (never to change an old one)."""
import sys
from pathlib import Path

import srsly

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from cases import CASES, build, outputs, signature  # noqa: E402

import spacy_lstm  # noqa: E402,F401  (registers the names)


def main() -> None:
    path = HERE / "outputs.msgpack"
    saved = srsly.read_msgpack(path) if path.exists() else {}
    for name in CASES:
        if name in saved:
            continue
        model, X = build(name)
        saved[name] = {"weights": model.to_bytes(), "outputs": [(list(y.shape), y.astype("<f4").tobytes()) for y in outputs(model, X)]}
        print("added", name)
    srsly.write_msgpack(path, saved)
    path = HERE / "signatures.json"
    signatures = srsly.read_json(path) if path.exists() else {}
    for name in sorted({"spacy_lstm." + case.split()[0] for case in CASES} | {"spacy_lstm.RawText.v1"}):
        if name not in signatures:
            signatures[name] = signature(name)
            print("added signature of", name)
    srsly.write_json(path, signatures)


if __name__ == "__main__":
    main()
