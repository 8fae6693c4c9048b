"""Annotating whole shards away from the process that writes them.

The process that writes the output finds each unfinished shard's byte
ranges (:func:`.plan.shard_descriptors`, a cheap pass: decoding and JSON only); a
worker (a forked process of ``--n-process``, or a Ray actor) reads those
lines with the same strict reader, annotates them and returns the shard
serialized (:class:`ShardAnnotator`), so the writer only writes bytes.
"""
import json
from pathlib import Path
from typing import Any, Dict, List, Union

from spacy.language import Language

from .heap import set_mmap_threshold
from .inputs import read_segment
from .shards import serialize_shard


class ShardAnnotator:
    """Annotates shards given by their descriptors; loads the pipeline once."""

    def __init__(self, pipeline: Union[str, Language], inputs: List[str], jsonl: bool, skip_bad: bool,
                 batch_size: int, mmap_threshold_mb: int = 0) -> None:
        """pipeline: a loaded pipeline (the forked workers inherit it), or a
        package name or path that a Ray actor loads, with one torch thread.
        mmap_threshold_mb: :func:`.heap.set_mmap_threshold` for this process
        first (a worker's or actor's own; 0: unchanged)."""
        set_mmap_threshold(mmap_threshold_mb)
        if isinstance(pipeline, str):
            import spacy
            import torch

            torch.set_num_threads(1)
            pipeline = spacy.load(pipeline)
        self.nlp = pipeline
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
                                       self.skip_bad, self.nlp.max_length)
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
