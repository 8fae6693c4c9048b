"""Accuracy of one trained pipeline predicting in fp32 and in bf16.

Loads PIPELINE twice, with ``[components.tok2vec.model] inference_precision``
"fp32" and "bf16" (spacy_lstm tok2vecs), evaluates both on the same gold
file (.spacy, or .conllu read by the package's reader), and prints every
score side by side, the largest difference, and how many tokens got a
different tag, POS, morph, lemma, head or dependency label.

    python bench/bf16_accuracy.py UD_RUN/ours/model-best UD_RUN/dev.spacy
"""
import argparse
import json
import sys
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.training import Example


def gold_docs(path: Path, nlp):
    if path.suffix == ".conllu":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from spacy_lstm.convert.conllu import read_conllu_docs

        return read_conllu_docs(path)
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def flat_scores(scores: dict) -> dict:
    return {k: v for k, v in scores.items() if isinstance(v, float)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pipeline", help="a trained pipeline directory with a spacy_lstm tok2vec")
    p.add_argument("gold", type=Path, help="gold docs: .spacy or .conllu")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", type=Path, help="write the scores, the largest difference and the changed tokens here too")
    args = p.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    results, predictions = {}, {}
    for precision in ("fp32", "bf16"):
        nlp = spacy.load(args.pipeline, config={"components": {"tok2vec": {"model": {"inference_precision": precision}}}})
        docs = gold_docs(args.gold, nlp)
        examples = [Example(nlp.make_doc(d.text), d) for d in docs]
        results[precision] = flat_scores(nlp.evaluate(examples))
        predictions[precision] = list(nlp.pipe(d.text for d in docs))
    changed = sum(
        (a.tag_, a.pos_, str(a.morph), a.lemma_, a.head.i, a.dep_, a.ent_iob_, a.ent_type_)
        != (b.tag_, b.pos_, str(b.morph), b.lemma_, b.head.i, b.dep_, b.ent_iob_, b.ent_type_)
        for x, y in zip(predictions["fp32"], predictions["bf16"]) for a, b in zip(x, y)
    )
    n_tokens = sum(len(d) for d in predictions["fp32"])
    print("| score | fp32 | bf16 | bf16 - fp32 |\n|---|---:|---:|---:|")
    worst = 0.0
    for key in sorted(results["fp32"]):
        a, b = 100 * results["fp32"][key], 100 * results["bf16"].get(key, float("nan"))
        if key == "speed" or key.endswith("_per_sec"):
            continue
        worst = max(worst, abs(b - a))
        print(f"| {key} | {a:.2f} | {b:.2f} | {b - a:+.2f} |")
    print(f"largest |difference|: {worst:.2f} points; tokens with any annotation changed: {changed} of {n_tokens}")
    if args.json:
        args.json.write_text(json.dumps({"pipeline": args.pipeline, "gold": str(args.gold), "scores": results,
                                         "largest_difference_points": worst, "changed_tokens": changed,
                                         "tokens": n_tokens}, indent=1), encoding="utf8")


if __name__ == "__main__":
    main()
