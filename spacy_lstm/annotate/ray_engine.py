"""Annotate on a Ray cluster (``--engine ray``; ``pip install 'spacy-lstm[ray]'``).

The driver reads the inputs once without annotating (cheap: decoding and
JSON only) to find each unfinished shard's byte ranges, and makes a Ray
dataset of those small descriptors. ``map_batches`` runs them on a pool of
actors that each load the pipeline once, read their shard's lines with the
same strict reader, annotate and serialize it; the driver writes the shards
and manifests exactly as the local engine does, so the output is the same.

Inputs must be .txt or .jsonl files at the same path on every node (a shared
or mounted file system). ``RAY_ADDRESS`` (or ``ray.init``'s default) picks
the cluster; without one, a local cluster is started on this machine.
"""
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Sequence

from ..errors import UsageError
from .inputs import LINE_FORMATS, read_segment
from .local import ShardPlan, source_ranges
from .shards import ShardWriter, serialize_shard


class ShardAnnotator:
    """A Ray actor: loads the pipeline once, annotates one shard per row."""

    def __init__(self, pipeline: str, inputs: List[str], jsonl: bool, skip_bad: bool, batch_size: int) -> None:
        import spacy
        import torch

        torch.set_num_threads(1)
        self.nlp = spacy.load(pipeline)
        self.inputs = [Path(p) for p in inputs]
        self.jsonl, self.skip_bad, self.batch_size = jsonl, skip_bad, batch_size

    def __call__(self, batch: Dict[str, Any]) -> Dict[str, List[Any]]:
        out: Dict[str, List[Any]] = {"shard": [], "spacy": [], "jsonl": [], "docs": [], "words": [], "sources": []}
        for shard, sources_json in zip(batch["shard"], batch["sources"]):
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
            data = serialize_shard(docs, self.jsonl)
            out["shard"].append(int(shard))
            out["spacy"].append(data[".spacy"])
            out["jsonl"].append(data.get(".jsonl", b""))
            out["docs"].append(len(docs))
            out["words"].append(sum(len(d) for d in docs))
            out["sources"].append(sources_json)
        return out


def annotate_ray(
    pipeline: str,
    inputs: Sequence[Path],
    writer: ShardWriter,
    shard_size: int,
    actors: int = 2,
    batch_size: int = 64,
    limit: int = 0,
    skip_bad: bool = False,
    progress: bool = True,
) -> Dict[str, Any]:
    """Annotate the inputs on a Ray cluster into ``writer``'s shards."""
    try:
        import ray
    except ImportError:
        raise UsageError("--engine ray needs Ray: pip install 'spacy-lstm[ray]'") from None
    not_lines = [str(p) for p in inputs if p.suffix not in LINE_FORMATS]
    if not_lines:
        raise UsageError(f"--engine ray reads .txt and .jsonl inputs; convert or use --engine local for {', '.join(not_lines)}")
    plan = ShardPlan(inputs, writer, shard_size, limit, skip_bad)
    descriptors, records, current = [], [], None
    for record, index in plan.todo():
        if index != current and records:
            descriptors.append({"shard": current, "sources": json.dumps(source_ranges(records, inputs))})
            records = []
        current = index
        records.append(record)
    if records:
        descriptors.append({"shard": current, "sources": json.dumps(source_ranges(records, inputs))})
    written = []
    if descriptors:
        if not ray.is_initialized():
            ray.init(address=os.environ.get("RAY_ADDRESS"), include_dashboard=False, log_to_driver=False,
                     configure_logging=False)
        ray.data.DataContext.get_current().enable_progress_bars = progress
        dataset = ray.data.from_items(descriptors).map_batches(
            ShardAnnotator,
            fn_constructor_kwargs={"pipeline": str(Path(pipeline).resolve()) if Path(pipeline).exists() else pipeline, "inputs": [str(p) for p in inputs],
                                   "jsonl": writer.jsonl, "skip_bad": skip_bad, "batch_size": batch_size},
            batch_size=1,
            concurrency=actors,
            num_cpus=1,
        )
        for row in dataset.iter_rows():
            data = {".spacy": bytes(row["spacy"])}
            if writer.jsonl:
                data[".jsonl"] = bytes(row["jsonl"])
            written.append(writer.write_serialized(int(row["shard"]), data, int(row["docs"]), int(row["words"]),
                                                   json.loads(row["sources"])))
    return writer.finish([*plan.done.values(), *written], plan.bad_lines)
