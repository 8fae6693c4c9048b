"""Put a vectors table into a saved pipeline (``spacy assemble`` does not copy it).

    python scripts/add_vectors.py training/assembled vectors/tl_sample

Components trained with static vectors need the same table at prediction
time; the pipeline is rewritten in place through a temporary directory.
"""
import argparse
import os
import shutil
import tempfile
from pathlib import Path

import spacy
from spacy.training.initialize import load_vectors_into_model


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("model", type=Path)
    p.add_argument("vectors", type=Path)
    args = p.parse_args()
    nlp = spacy.load(args.model)
    load_vectors_into_model(nlp, str(args.vectors))
    tmp = Path(tempfile.mkdtemp(prefix=f".{args.model.name}.", dir=args.model.parent))
    try:
        nlp.to_disk(tmp)
        old = args.model.with_name(f".{args.model.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(args.model, old)
        os.replace(tmp, args.model)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{args.model}: vectors {nlp.vocab.vectors.shape} ({nlp.vocab.vectors.mode}) from {args.vectors}")


if __name__ == "__main__":
    main()
