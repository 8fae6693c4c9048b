"""Annotate on one machine into shards: ``nlp.pipe`` in this process, or
with ``n_process`` > 1 a pool of forked processes that each annotate and
serialize whole shards (the writing process then only writes bytes; with
.conllu/.spacy inputs or without ``fork``, ``nlp.pipe(n_process=N)``)."""
import multiprocessing
import signal
import time
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

from spacy.language import Language

from ..progress import progress_bar
from .inputs import LINE_FORMATS
from .plan import ShardPlan, shard_descriptors, source_ranges
from .shards import ShardWriter
from .worker import ShardAnnotator


def annotate_local(
    nlp: Language,
    inputs: Sequence[Path],
    writer: ShardWriter,
    shard_size: int,
    n_process: int = 1,
    batch_size: int = 64,
    limit: int = 0,
    skip_bad: bool = False,
    progress: bool = True,
) -> Dict[str, Any]:
    """Annotate the inputs into ``writer``'s shards; returns the final manifest."""
    plan = ShardPlan(inputs, writer, shard_size, limit, skip_bad)
    if n_process > 1 and "fork" in multiprocessing.get_all_start_methods() and all(
        p.suffix in LINE_FORMATS for p in inputs
    ):
        return _annotate_in_pool(nlp, inputs, writer, plan, n_process, batch_size, skip_bad, progress)
    written: Dict[int, Dict[str, Any]] = {}
    current: Optional[int] = None
    docs, records = [], []
    start, words = time.perf_counter(), 0

    def flush() -> None:
        if current is not None and docs:
            written[current] = writer.write(current, docs, source_ranges(records, inputs))

    stream = ((record.text, (record, index)) for record, index in plan.todo())
    with progress_bar(desc="Annotating", unit="doc", disable=not progress) as bar:
        for doc, (record, index) in nlp.pipe(stream, as_tuples=True, n_process=n_process, batch_size=batch_size):
            if index != current:
                flush()
                current, docs, records = index, [], []
            doc.user_data.update(record.meta)
            docs.append(doc)
            records.append(record)
            words += len(doc)
            bar.update(1)
            bar.set_postfix_str(f"{words / max(time.perf_counter() - start, 1e-9):,.0f} words/s", refresh=False)
        flush()
    return writer.finish([*plan.done.values(), *written.values()], plan.bad_lines)


#: The forked workers' annotator (inherited from the parent at fork).
_ANNOTATOR = None


def _ignore_interrupts() -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent
    # handles it (and terminates the pool); the workers must not each print
    # a KeyboardInterrupt traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _annotate_shard(descriptor: Dict[str, Any]) -> Dict[str, Any]:
    return _ANNOTATOR.annotate(descriptor["shard"], descriptor["sources"])


def _annotate_in_pool(
    nlp: Language,
    inputs: Sequence[Path],
    writer: ShardWriter,
    plan: ShardPlan,
    n_process: int,
    batch_size: int,
    skip_bad: bool,
    progress: bool,
) -> Dict[str, Any]:
    """``n_process`` forked workers annotate and serialize whole shards, in order."""
    global _ANNOTATOR
    _ANNOTATOR = ShardAnnotator(nlp, [str(p) for p in inputs], writer.jsonl, skip_bad, batch_size)
    written: Dict[int, Dict[str, Any]] = {}
    start, words = time.perf_counter(), 0
    try:
        with multiprocessing.get_context("fork").Pool(n_process, initializer=_ignore_interrupts) as pool, \
                progress_bar(desc="Annotating", unit="doc", disable=not progress) as bar:
            for result in pool.imap(_annotate_shard, shard_descriptors(plan, inputs)):
                written[result["shard"]] = writer.write_serialized(
                    result["shard"], result["data"], result["docs"], result["words"], result["sources"]
                )
                words += result["words"]
                bar.update(result["docs"])
                bar.set_postfix_str(f"{words / max(time.perf_counter() - start, 1e-9):,.0f} words/s", refresh=False)
    finally:
        _ANNOTATOR = None
    return writer.finish([*plan.done.values(), *written.values()], plan.bad_lines)
