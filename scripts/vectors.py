"""The project's vectors step: train our own, or take them from a pipeline.

    python scripts/vectors.py --source "" RAW.txt vectors/tl_sample --mode floret ...
    python scripts/vectors.py --source tl_calamancy_md RAW.txt vectors/tl_sample

With an empty ``--source`` (the project's default), the other arguments go to
``python -m spacy lstm train-vectors``. Otherwise SOURCE is an installed
spaCy pipeline package (e.g. calamanCy's ``tl_calamancy_md``) or the path of
a pipeline or vectors directory: its vectors (word or floret) and strings are
written to OUTPUT_DIR as a directory that ``[initialize] vectors`` loads,
through a temporary directory, and a directory that is not an earlier vectors
output is never replaced.
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

#: Files that make a directory an earlier output of this script.
MARKER = ("config.cfg", "vectors_source.json")
WRITTEN = ("config.cfg", "meta.json", "tokenizer", "vocab", "vectors_source.json")


def extract(source: str, output: Path, overwrite: bool) -> str:
    import spacy

    from spacy_lstm.errors import UsageError
    from spacy_lstm.safe_output import OutputRefused, atomic_directory, check_directory_target
    from spacy_lstm.vectors.export import MARKER as TRAINED_MARKER, WRITTEN as TRAINED_WRITTEN

    try:  # ours to replace: an earlier output of this script or of train-vectors
        check_directory_target(output, MARKER, WRITTEN, overwrite)
    except OutputRefused:
        check_directory_target(output, TRAINED_MARKER, TRAINED_WRITTEN, overwrite)
    try:
        nlp = spacy.load(source)
    except OSError as err:
        raise UsageError(f"vectors source {source!r}: not an installed pipeline package or a pipeline path ({err})")
    vectors = nlp.vocab.vectors
    if vectors.shape[0] == 0 or vectors.shape[1] == 0:
        raise UsageError(f"vectors source {source!r}: the pipeline has no vectors")
    out = spacy.blank(nlp.lang, vocab=nlp.vocab)
    with atomic_directory(output) as tmp:
        out.to_disk(tmp)
        info = {"source": source, "shape": list(vectors.shape), "keys": vectors.n_keys, "mode": vectors.mode,
                "lang": nlp.lang}
        (tmp / "vectors_source.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf8")
    return f"{vectors.mode} vectors {tuple(vectors.shape)} from {source} -> {output}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", default="", help="pipeline package or path to take vectors from; empty: train our own")
    args, rest = p.parse_known_args()
    if not args.source.strip():
        return subprocess.call([sys.executable, "-m", "spacy", "lstm", "train-vectors", *rest])
    positional = [a for a in rest if not a.startswith("-")]
    if len(positional) < 2:
        p.error("give RAW_TEXT OUTPUT_DIR after --source (RAW_TEXT is not read when a source is given)")
    from spacy_lstm.errors import UsageError

    try:
        print(extract(args.source, Path(positional[1]), "--overwrite" in rest))
    except UsageError as err:
        print(f"\u2718 {err}", file=sys.stderr)
        return UsageError.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
