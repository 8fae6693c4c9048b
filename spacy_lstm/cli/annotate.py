"""``python -m spacy lstm annotate``: a trained pipeline over whole corpora."""
import sys
from pathlib import Path
from typing import List

from spacy.cli._util import Arg, Opt
from wasabi import msg

from ..documents import FORMATS_HELP
from ..annotate.heap import DEFAULT_MMAP_THRESHOLD_MB, MAX_MMAP_THRESHOLD_MB
from ..errors import UsageError
from ._app import lstm_app, run_and_exit


@lstm_app.command("annotate")
def annotate_cli(
    # fmt: off
    pipeline: str = Arg(..., help="Trained pipeline: an installed package name or a directory", show_default=False),
    inputs: List[Path] = Arg(..., help=f"Input files: {FORMATS_HELP}. A .jsonl record's other fields are kept as user_data", show_default=False),
    output_dir: Path = Arg(..., help="Directory of shards and manifest.json; a rerun with the same settings resumes it, anything else existing is refused", show_default=False),
    shard_size: int = Opt(1000, "--shard-size", help="Documents per shard (memory grows with it, not with the corpus)"),
    n_process: int = Opt(1, "--n-process", "-n", help="Processes on this machine (nlp.pipe n_process)"),
    batch_size: int = Opt(64, "--batch-size", "-b", help="Documents per nlp.pipe batch"),
    threads_per_process: int = Opt(1, "--threads-per-process", help="Torch CPU threads per process (more than 1 only with --n-process 1: worker processes run one thread)"),
    gpu_id: int = Opt(-1, "--gpu-id", "-g", help="GPU id; -1 for CPU"),
    limit: int = Opt(0, "--limit", help="Annotate only the first N documents; 0 = all"),
    skip_bad: bool = Opt(False, "--skip-bad", help="Skip (count and list in manifest.json) lines that cannot be read instead of stopping"),
    jsonl: bool = Opt(False, "--jsonl", help="Also write each shard as JSONL (tokens, POS, lemma, head, dep, entities, cats)"),
    engine: str = Opt("local", "--engine", help="'local' (this machine) or 'ray' (a Ray cluster: pip install 'spacy-lstm[ray]'; RAY_ADDRESS or a local cluster)"),
    actors: int = Opt(2, "--actors", help="--engine ray: actors, each loading the pipeline once"),
    mmap_threshold_mb: int = Opt(DEFAULT_MMAP_THRESHOLD_MB, "--mmap-threshold-mb", help=f"glibc only: in the processes that annotate, blocks of at least this many MB (0-{MAX_MMAP_THRESHOLD_MB}) come from mmap and go back to the system when freed, so the largest batches' buffers are not kept; 0 = glibc's default"),
    quiet: bool = Opt(False, "--quiet", "-q", help="No progress output"),
    # fmt: on
) -> None:
    """Annotate whole corpora with a trained pipeline into resumable DocBin shards."""

    def body() -> None:
        from ..annotate.inputs import check_inputs, file_identity
        from ..annotate.shards import ShardWriter

        for name, value, least in (("--shard-size", shard_size, 1), ("--n-process", n_process, 1),
                                   ("--batch-size", batch_size, 1), ("--threads-per-process", threads_per_process, 1),
                                   ("--limit", limit, 0), ("--actors", actors, 1)):
            if value < least:
                raise UsageError(f"{name} must be >= {least}, got {value}")
        if not 0 <= mmap_threshold_mb <= MAX_MMAP_THRESHOLD_MB:
            raise UsageError(f"--mmap-threshold-mb must be 0-{MAX_MMAP_THRESHOLD_MB}, got {mmap_threshold_mb}")
        if engine not in ("local", "ray"):
            raise UsageError(f"--engine must be 'local' or 'ray', got {engine!r}")
        if threads_per_process > 1 and n_process > 1:
            raise UsageError("--threads-per-process > 1 needs --n-process 1 (worker processes run torch with one thread)")
        if gpu_id >= 0 and n_process > 1:
            raise UsageError("--gpu-id with --n-process > 1 is not supported; use one process per GPU")
        paths = check_inputs(inputs)
        nlp = _load(pipeline, gpu_id, threads_per_process)  # fails before any output is written
        settings = {
            "pipeline": {"name": f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}", "version": nlp.meta.get("version"),
                         "source": pipeline, "components": nlp.pipe_names},
            "inputs": [file_identity(p) for p in paths],
            "shard_size": shard_size,
            "limit": limit,
            "skip_bad": skip_bad,
            "jsonl": jsonl,
        }
        writer = ShardWriter(output_dir, settings, jsonl=jsonl)
        try:
            resuming = writer.prepare()
            if writer.rebuilt:
                print(f"\u26a0 {writer.rebuilt}", file=sys.stderr, flush=True)  # one line, unwrapped
            if resuming:
                msg.info(f"Resuming {output_dir}: finished shards are kept, the others redone")
            if engine == "ray":
                from ..annotate.ray_engine import annotate_ray

                manifest = annotate_ray(pipeline, paths, writer, shard_size, actors, batch_size, limit, skip_bad,
                                        progress=not quiet, max_chars=nlp.max_length,
                                        mmap_threshold_mb=mmap_threshold_mb)
            else:
                from ..annotate.local import annotate_local

                source = str(Path(pipeline).resolve()) if Path(pipeline).exists() else pipeline
                manifest = annotate_local(nlp, paths, writer, shard_size, n_process, batch_size, limit, skip_bad,
                                          progress=not quiet, source=source,
                                          mmap_threshold_mb=mmap_threshold_mb)
        finally:
            writer.close()  # the lock on OUT (the end of the process releases it too)
        bad = f"; {len(manifest['bad_lines'])} bad lines skipped (listed in manifest.json)" if manifest["bad_lines"] else ""
        msg.good(f"Annotated {manifest['docs']:,} docs ({manifest['words']:,} words) into "
                 f"{len(manifest['shards'])} shards in {output_dir}{bad}")

    run_and_exit(body, interrupted="interrupted: finished shards are kept; run the same command again to resume")


def _load(pipeline: str, gpu_id: int, threads: int):
    import spacy
    import torch

    torch.set_num_threads(threads)
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    try:
        return spacy.load(pipeline)
    except (OSError, IOError) as err:
        raise UsageError(f"pipeline {pipeline!r}: cannot load it ({err})") from None
    except ValueError as err:  # a damaged meta.json or config.cfg: name the file
        broken = next((f for f in ("meta.json", "config.cfg") if (Path(pipeline) / f).is_file()
                       and not _readable(Path(pipeline) / f)), None)
        where = f"{Path(pipeline) / broken}: " if broken else ""
        detail = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise UsageError(f"pipeline {pipeline!r}: cannot load it ({where}{detail})") from None


def _readable(path: Path) -> bool:
    """Whether a pipeline's meta.json (JSON) or config.cfg parses."""
    try:
        if path.suffix == ".json":
            import json

            json.loads(path.read_text(encoding="utf8"))
        else:
            from thinc.api import Config

            Config().from_disk(path, interpolate=False)
        return True
    except Exception:
        return False
