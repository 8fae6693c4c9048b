"""Peak memory while ``spacy_lstm.RawText.v1`` streams a corpus, as ``spacy pretrain`` reads it.

    python bench/raw_text_memory.py RAW.txt --mark 80637

Prints the peak RSS after the first ``--mark`` documents (e.g. one copy of a
text the file repeats) and at the end: a streaming reader stays flat.
"""
import argparse
import resource
import time


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("raw_text", help="any RawText.v1 format")
    parser.add_argument("--mark", type=int, default=0, help="also report after this many documents")
    parser.add_argument("--min-length", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=300)
    parser.add_argument("--lang", default="tl")
    args = parser.parse_args()
    import spacy

    from spacy_lstm.pretraining.raw_text import create_raw_text_reader

    nlp = spacy.blank(args.lang)
    reader = create_raw_text_reader(args.raw_text, min_length=args.min_length, max_length=args.max_length)
    docs = words = 0
    start = time.perf_counter()
    for example in reader(nlp):
        docs += 1
        words += len(example.reference)
        if docs == args.mark:
            print(f"after {docs:,} docs: {words:,} words, peak RSS {peak_mb():,.0f} MB", flush=True)
    print(f"after {docs:,} docs: {words:,} words, peak RSS {peak_mb():,.0f} MB, "
          f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
