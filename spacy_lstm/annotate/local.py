"""Annotate on one machine into shards: ``nlp.pipe`` in this process, or
with ``n_process`` > 1 a pool of worker processes (:mod:`.pool`) that each
load the pipeline, annotate and serialize whole shards (the writing process
then only writes bytes; with .conllu/.spacy inputs, ``nlp.pipe(n_process=N)``)."""
import time
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

from spacy.language import Language

from ..progress import progress_bar
from .heap import set_mmap_threshold
from .inputs import is_line_input
from .plan import ShardPlan, shard_descriptors, source_ranges
from .pool import annotate_in_workers
from .shards import ShardWriter


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
    source: Optional[str] = None,
    mmap_threshold_mb: int = 0,
) -> Dict[str, Any]:
    """Annotate the inputs into ``writer``'s shards; returns the final manifest.

    source: where ``nlp`` was loaded from (a package name or directory); with
    ``n_process`` > 1 and .txt/.jsonl inputs, worker processes load it
    (:mod:`.pool`).
    mmap_threshold_mb: :func:`.heap.set_mmap_threshold` in the processes
    that annotate (this one too where it annotates; 0: glibc's default)."""
    plan = ShardPlan(inputs, writer, shard_size, limit, skip_bad, nlp.max_length)
    if n_process > 1 and source is not None and all(is_line_input(p) for p in inputs):
        return _annotate_in_pool(source, inputs, writer, plan, n_process, batch_size, skip_bad, progress,
                                 mmap_threshold_mb)
    set_mmap_threshold(mmap_threshold_mb)  # nlp.pipe's own worker processes fork from this one
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


def _annotate_in_pool(
    source: str,
    inputs: Sequence[Path],
    writer: ShardWriter,
    plan: ShardPlan,
    n_process: int,
    batch_size: int,
    skip_bad: bool,
    progress: bool,
    mmap_threshold_mb: int = 0,
) -> Dict[str, Any]:
    """``n_process`` workers (:mod:`.pool`) annotate and serialize whole shards; written in order."""
    written: Dict[int, Dict[str, Any]] = {}
    start, words = time.perf_counter(), 0
    results = annotate_in_workers(source, inputs, writer.jsonl, skip_bad, batch_size, n_process,
                                  shard_descriptors(plan, inputs), mmap_threshold_mb=mmap_threshold_mb)
    with progress_bar(desc="Annotating", unit="doc", disable=not progress) as bar:
        for result in results:
            written[result["shard"]] = writer.write_serialized(
                result["shard"], result["data"], result["docs"], result["words"], result["sources"]
            )
            words += result["words"]
            bar.update(result["docs"])
            bar.set_postfix_str(f"{words / max(time.perf_counter() - start, 1e-9):,.0f} words/s", refresh=False)
    return writer.finish([*plan.done.values(), *written.values()], plan.bad_lines)
