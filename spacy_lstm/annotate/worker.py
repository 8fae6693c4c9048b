"""Annotating whole shards away from the process that writes them.

The process that writes the output finds each unfinished shard's byte
ranges (:func:`shard_descriptors`, a cheap pass: decoding and JSON only); a
worker (a forked process of ``--n-process``, or a Ray actor) reads those
lines with the same strict reader, annotates them and returns the shard
serialized (:class:`ShardAnnotator`), so the writer only writes bytes.
"""
import json
from pathlib import Path
from typing import Any, Dict, Iterator, List, Sequence

from spacy.language import Language

from .inputs import read_segment
from .local import ShardPlan, source_ranges
from .shards import serialize_shard


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


class ShardAnnotator:
    """Annotates shards given by their descriptors; loads the pipeline once."""

    def __init__(self, pipeline: str, inputs: List[str], jsonl: bool, skip_bad: bool, batch_size: int) -> None:
        import spacy
        import torch

        torch.set_num_threads(1)
        self.setup(spacy.load(pipeline), inputs, jsonl, skip_bad, batch_size)

    @classmethod
    def from_nlp(cls, nlp: Language, inputs: List[str], jsonl: bool, skip_bad: bool,
                 batch_size: int) -> "ShardAnnotator":
        annotator = cls.__new__(cls)
        annotator.setup(nlp, inputs, jsonl, skip_bad, batch_size)
        return annotator

    def setup(self, nlp: Language, inputs: List[str], jsonl: bool, skip_bad: bool, batch_size: int) -> None:
        self.nlp = nlp
        self.inputs = [Path(p) for p in inputs]
        self.jsonl, self.skip_bad, self.batch_size = jsonl, skip_bad, batch_size

    def annotate(self, shard: int, sources_json: str) -> Dict[str, Any]:
        """One shard: its files by suffix, docs and words."""
        sources = json.loads(sources_json)
        records = [
            record
            for source in sources
            for record in read_segment(self.inputs.index(Path(source["input"])), Path(source["input"]),
                                       source["start_byte"], source["end_byte"], source["first_line"],
                                       self.skip_bad)
        ]
        docs = list(self.nlp.pipe((r.text for r in records), batch_size=self.batch_size))
        for doc, record in zip(docs, records):
            doc.user_data.update(record.meta)
        return {"shard": int(shard), "data": serialize_shard(docs, self.jsonl), "docs": len(docs),
                "words": sum(len(d) for d in docs), "sources": sources}

    def __call__(self, batch: Dict[str, Any]) -> Dict[str, List[Any]]:
        """Ray Data's ``map_batches`` interface: columns in, columns out."""
        out: Dict[str, List[Any]] = {"shard": [], "spacy": [], "jsonl": [], "docs": [], "words": [], "sources": []}
        for shard, sources_json in zip(batch["shard"], batch["sources"]):
            result = self.annotate(shard, sources_json)
            out["shard"].append(result["shard"])
            out["spacy"].append(result["data"][".spacy"])
            out["jsonl"].append(result["data"].get(".jsonl", b""))
            out["docs"].append(result["docs"])
            out["words"].append(result["words"])
            out["sources"].append(sources_json)
        return out
