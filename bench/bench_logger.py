"""A spaCy training logger for the benchmarks: one JSON line per evaluation.

Loaded with ``spacy train ... --code bench/bench_logger.py``. Each line holds
the step, wall-clock seconds since training started (evaluation included, as
for every contender), words seen, and all scores.
"""
import json
import os
import time
from pathlib import Path

from spacy import registry
from spacy.util import import_file

# bench/accuracy.py --code FILE: FILE is loaded here too, so `spacy train`
# (which takes one --code file) sees its architectures.
if os.environ.get("SPACY_LSTM_BENCH_CODE"):
    import_file("bench_extra_code", os.environ["SPACY_LSTM_BENCH_CODE"])


@registry.loggers("spacy_lstm_bench.JsonlLogger.v1")
def jsonl_logger(path: str):
    def setup(nlp, stdout=None, stderr=None):
        start = time.perf_counter()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "w", encoding="utf8")

        def log_step(info):
            if info is None or info.get("score") is None:
                return
            row = {
                "step": info["step"],
                "seconds": time.perf_counter() - start,
                "words": info["words"],
                "score": info["score"],
                "scores": {k: v for k, v in info["other_scores"].items() if isinstance(v, (int, float))},
            }
            handle.write(json.dumps(row) + "\n")
            handle.flush()
            if stdout is not None:
                scores = row["scores"]
                stdout.write(
                    f"step {row['step']:>6} {row['seconds']:7.0f}s "
                    + " ".join(f"{k}={100 * scores[k]:.1f}" for k in ("tag_acc", "pos_acc", "dep_las", "ents_f", "cats_macro_f") if k in scores)
                    + "\n"
                )

        def finalize():
            handle.close()

        return log_step, finalize

    return setup
