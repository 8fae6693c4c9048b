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
from typing import Any, Dict, Sequence

from ..errors import UsageError
from .inputs import is_line_input
from .plan import ShardPlan, shard_descriptors
from .shards import ShardWriter
from .worker import ShardAnnotator


# Ray Data's bookkeeping that annotate never reads; on a small machine it
# takes CPU from the actors.
_DATA_EXTRAS = ("enable_auto_log_stats", "enable_get_object_locations_for_metrics", "enable_per_node_metrics",
                "enable_stats_summary_collection", "enable_operator_progress_bars")


def _init_ray(ray: Any) -> None:
    """Connect to ``RAY_ADDRESS`` or a running cluster, or start a local one
    without the metrics collection a local run never reads."""
    options = dict(address=os.environ.get("RAY_ADDRESS"), include_dashboard=False, log_to_driver=False,
                   configure_logging=False)
    try:
        ray.init(**options, _system_config={"enable_metrics_collection": False})
    except ValueError:
        # an existing cluster: its settings are its own
        ray.init(**options)


def _quiet_data_context(context: Any, progress: bool) -> None:
    context.enable_progress_bars = progress
    for flag in _DATA_EXTRAS:
        if hasattr(context, flag):
            setattr(context, flag, False)


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
    max_chars: int = 0,
    mmap_threshold_mb: int = 0,
) -> Dict[str, Any]:
    """Annotate the inputs on a Ray cluster into ``writer``'s shards.

    max_chars: the pipeline's ``nlp.max_length`` (longer docs are bad lines),
    as the actors' pipeline has it. mmap_threshold_mb: each actor's
    :func:`.heap.set_mmap_threshold` (0: glibc's default)."""
    try:
        import ray
    except ImportError:
        raise UsageError("--engine ray needs Ray: pip install 'spacy-lstm[ray]'") from None
    not_lines = [str(p) for p in inputs if not is_line_input(p)]
    if not_lines:
        raise UsageError(f"--engine ray reads .txt and .jsonl inputs; convert or use --engine local for {', '.join(not_lines)}")
    plan = ShardPlan(inputs, writer, shard_size, limit, skip_bad, max_chars)
    descriptors = list(shard_descriptors(plan, inputs))
    written = []
    if descriptors:
        if not ray.is_initialized():
            _init_ray(ray)
        _quiet_data_context(ray.data.DataContext.get_current(), progress)
        dataset = ray.data.from_items(descriptors).map_batches(
            ShardAnnotator,
            fn_constructor_kwargs={"pipeline": str(Path(pipeline).resolve()) if Path(pipeline).exists() else pipeline, "inputs": [str(p) for p in inputs],
                                   "jsonl": writer.jsonl, "skip_bad": skip_bad, "batch_size": batch_size,
                                   "mmap_threshold_mb": mmap_threshold_mb},
            batch_size=1,
            # one shard at a time per actor: shards are long tasks, and a shard
            # queued behind a busy actor while another idles costs a whole
            # shard's time at the end of the run
            compute=ray.data.ActorPoolStrategy(size=actors, max_tasks_in_flight_per_actor=1),
            num_cpus=1,
            udf_modifying_row_count=False,
        )
        for row in dataset.iter_rows():
            data = {".spacy": bytes(row["spacy"])}
            if writer.jsonl:
                data[".jsonl"] = bytes(row["jsonl"])
            written.append(writer.write_serialized(int(row["shard"]), data, int(row["docs"]), int(row["words"]),
                                                   json.loads(row["sources"])))
    return writer.finish([*plan.done.values(), *written], plan.bad_lines)
