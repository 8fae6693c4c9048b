"""Build the embedded sample's NER, textcat and raw-text files from team-written sources.

    python assets/src/build_samples.py

Inputs (all written by the team): ner_sentences.txt (entity markup
``[surface](LABEL)``), textcat_reviews.csv, raw_lexicon.py (a small lexicon
and sentence frames for the raw-text file and extra review sentences), ud_sentences.txt. Every fifth
record goes to dev. Output is deterministic.
"""
import csv
import random
import re
import sys
from pathlib import Path

import spacy

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent
MARKUP = re.compile(r"\[([^\]]+)\]\((PER|ORG|LOC)\)")


def ner_records(nlp):
    for number, line in enumerate((HERE / "ner_sentences.txt").read_text(encoding="utf8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        text, spans, pos = "", [], 0
        for m in MARKUP.finditer(line):
            text += line[pos : m.start()]
            spans.append((len(text), len(text) + len(m.group(1)), m.group(2)))
            text += m.group(1)
            pos = m.end()
        text += line[pos:]
        doc = nlp.make_doc(text)
        ents = []
        for start, end, label in spans:
            span = doc.char_span(start, end, label=label)
            if span is None:
                sys.exit(f"ner_sentences.txt line {number}: entity {text[start:end]!r} is not token-aligned")
            ents.append(span)
        doc.ents = ents
        yield doc


def write_iob(docs, path: Path):
    lines = []
    for doc in docs:
        for token in doc:
            tag = "O" if token.ent_iob_ == "O" else f"{token.ent_iob_}-{token.ent_type_}"
            lines.append(f"{token.text}\t{tag}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf8")


def split(records):
    train = [r for i, r in enumerate(records) if i % 5 != 4]
    dev = [r for i, r in enumerate(records) if i % 5 == 4]
    return train, dev


def build_ner(nlp):
    train, dev = split(list(ner_records(nlp)))
    write_iob(train, ASSETS / "ner" / "tl_sample-ner-train.iob")
    write_iob(dev, ASSETS / "ner" / "tl_sample-ner-dev.iob")
    return [d.text for d in train + dev]


def build_textcat():
    with (HERE / "textcat_reviews.csv").open(encoding="utf8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sys.path.insert(0, str(HERE))
    from raw_lexicon import reviews

    seen = {r["text"] for r in rows}
    for text, label in reviews(random.Random(11), 400):
        if text not in seen:
            seen.add(text)
            rows.append({"text": text, "label": label})
    by_label = {}
    for row in rows:
        by_label.setdefault(row["label"], []).append(row)
    out = {"train": [], "dev": []}
    for label in sorted(by_label):
        train, dev = split(by_label[label])
        out["train"] += train
        out["dev"] += dev
    for name, subset in out.items():
        path = ASSETS / "textcat" / f"tl_sample-textcat-{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["text", "label"], lineterminator="\n")
            writer.writeheader()
            writer.writerows(subset)
    return [r["text"] for r in rows]


def build_raw(extra):
    sys.path.insert(0, str(HERE))
    from raw_lexicon import sentences

    rng = random.Random(7)
    lines = list(sentences(rng, 3000)) + extra
    rng.shuffle(lines)
    path = ASSETS / "raw" / "tl_sample-raw.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return len(lines)


def main():
    nlp = spacy.blank("tl")
    ner_texts = build_ner(nlp)
    textcat_texts = build_textcat()
    ud_texts = [l for l in (HERE / "ud_sentences.txt").read_text(encoding="utf8").splitlines() if l.strip()]
    n = build_raw(ner_texts + textcat_texts + ud_texts)
    print(f"NER {len(ner_texts)} sentences, textcat {len(textcat_texts)} rows, raw {n} lines")


if __name__ == "__main__":
    main()
