"""Which documents go into which shard, and which shards are still to do.

Document k of the inputs (in order, bad lines excluded) belongs to shard
``k // shard_size``; a shard an earlier run finished is skipped when its
sidecar verifies: its data has the recorded SHA-256 and it came from the
very lines this plan puts in it (so a rebuilt manifest, or any other
mismatch, can only cause a shard to be redone, never a wrong one kept). The local
engine annotates the records of :meth:`ShardPlan.todo` itself; the worker
pool and the Ray engine get :func:`shard_descriptors` (a shard's byte
ranges) and read the lines themselves.
"""
import json
from pathlib import Path
from typing import Any, Dict, Iterator, List, Sequence, Tuple

from .inputs import BadLine, Record, iter_records
from .shards import ShardWriter


def source_ranges(records: Sequence[Record], inputs: Sequence[Path]) -> List[Dict[str, Any]]:
    """Where a shard's docs come from: per input file, first/last line and byte range."""
    out: List[Dict[str, Any]] = []
    for record in records:
        if out and out[-1]["input"] == str(inputs[record.input]):
            out[-1]["last_line"] = record.line
            out[-1]["end_byte"] = record.end
        else:
            out.append({"input": str(inputs[record.input]), "first_line": record.line, "last_line": record.line,
                        "start_byte": record.start, "end_byte": record.end})
    return out


class ShardPlan:
    """Numbers the documents, groups them into shards of ``shard_size``, and
    keeps only those of shards not yet finished (collecting bad lines)."""

    def __init__(self, inputs: Sequence[Path], writer: ShardWriter, shard_size: int, limit: int, skip_bad: bool,
                 max_chars: int = 0):
        self.inputs, self.writer, self.shard_size = inputs, writer, shard_size
        self.limit, self.skip_bad, self.max_chars = limit, skip_bad, max_chars
        self.done: Dict[int, Dict[str, Any]] = {}  # shards finished by an earlier run
        self.bad_lines: List[Dict[str, Any]] = []
        self.n_docs = 0

    def todo(self) -> Iterator[Tuple[Record, int]]:
        """(record, shard index) of every document of an unfinished shard, in order."""
        current, records = -1, []
        for item in iter_records(self.inputs, self.skip_bad, self.max_chars):
            if isinstance(item, BadLine):
                self.bad_lines.append({"input": str(self.inputs[item.input]), "line": item.line, "error": item.error})
                continue
            if self.limit and self.n_docs >= self.limit:
                break
            index = self.n_docs // self.shard_size
            self.n_docs += 1
            if index != current:
                yield from self._unless_done(current, records)
                current, records = index, []
            records.append(item)
        yield from self._unless_done(current, records)

    def _unless_done(self, index: int, records: List[Record]) -> Iterator[Tuple[Record, int]]:
        if not records:
            return
        info = self.writer.finished(index)
        if info is not None and info.get("sources") == json.loads(json.dumps(source_ranges(records, self.inputs))):
            self.done[index] = info
            return
        for record in records:
            yield record, index


def shard_descriptors(plan: ShardPlan, inputs: Sequence[Path]) -> Iterator[Dict[str, Any]]:
    """``{"shard": k, "sources": JSON}`` for each unfinished shard, in order (lazily)."""
    records, current = [], None
    for record, index in plan.todo():
        if index != current and records:
            yield {"shard": current, "sources": json.dumps(source_ranges(records, inputs))}
            records = []
        current = index
        records.append(record)
    if records:
        yield {"shard": current, "sources": json.dumps(source_ranges(records, inputs))}
