"""The worker processes of ``annotate --n-process N``.

Three rules make the pool safe under real use:

* **Workers start from a state that holds no lock.** They are not forked
  from the command's process (whose threads, torch's thread pool, the
  progress bar's monitor, may hold a lock at the moment of ``fork``, which
  the child then waits on forever): they come from Python's ``forkserver``
  (a clean single-threaded process; ``spawn`` where there is none) and load
  the pipeline themselves, with one torch thread each.
* **A worker that does not start is reported, not waited for.** Each
  worker reports ready once its pipeline is loaded; if not all have within
  :data:`START_TIMEOUT` seconds (``SPACY_LSTM_WORKER_START_TIMEOUT``), or a
  worker dies, the run stops with one line and its workers are killed.
* **Workers die with the command.** On Linux each asks the kernel for
  SIGKILL when its parent (the forkserver, which exits with the command)
  goes; everywhere, a watchdog thread ends the worker within a second of
  the command's process disappearing.
"""
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional

#: Seconds every worker has to load the pipeline and report ready.
START_TIMEOUT = float(os.environ.get("SPACY_LSTM_WORKER_START_TIMEOUT", "600"))
#: How often a worker's watchdog looks for the command's process.
WATCH_EVERY = 0.5

#: The worker's annotator (a :class:`.worker.ShardAnnotator`), set when it starts.
_ANNOTATOR = None


class WorkerError(ValueError):
    """A worker process did not start or died; the run stopped (one line,
    exit status 1, like bad input)."""


def _die_with(parent_pid: int) -> None:
    """End this worker when ``parent_pid`` (the command) is gone."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: when the forkserver exits
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while True:
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # alive, another user's: cannot be ours
                pass
            time.sleep(WATCH_EVERY)

    threading.Thread(target=watch, name="spacy-lstm-parent-watch", daemon=True).start()


def _start(parent_pid: int, ready: Any, pipeline: str, inputs: List[str], jsonl: bool, skip_bad: bool,
           batch_size: int, mmap_threshold_mb: int) -> None:
    """A worker's initializer: quiet on Ctrl-C (the command handles it),
    bound to the command's life, the pipeline loaded, then ready."""
    global _ANNOTATOR
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent_pid)
    from .worker import ShardAnnotator

    _ANNOTATOR = ShardAnnotator(pipeline, inputs, jsonl, skip_bad, batch_size, mmap_threshold_mb)
    ready.put(os.getpid())


def _annotate(descriptor: Dict[str, Any]) -> Dict[str, Any]:
    return _ANNOTATOR.annotate(descriptor["shard"], descriptor["sources"])


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        # the imports once, in the server; each worker forks from it
        context.set_forkserver_preload(["spacy_lstm", "spacy", "torch"])
    return context


def _kill(executor: ProcessPoolExecutor) -> None:
    processes = list((getattr(executor, "_processes", None) or {}).values())
    manager = getattr(executor, "_executor_manager_thread", None)  # shutdown() forgets it
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)
    # let the executor's manager thread finish closing its pipes now: at
    # interpreter exit concurrent.futures wakes every manager thread, and one
    # still closing its wake-up pipe then prints "Exception ignored ... Bad
    # file descriptor" under our one-line error
    if manager is not None:
        manager.join(timeout=10)
        if not manager.is_alive():
            # nothing left to wake: CPython's exit hook would still write to
            # its wake-up pipe, whose descriptor can be gone by then (3.11)
            from concurrent.futures import process as futures_process

            getattr(futures_process, "_threads_wakeups", {}).pop(manager, None)


def _wait_until_ready(executor: ProcessPoolExecutor, ready: Any, pipeline: str, n_workers: int,
                      timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = n_workers
    while waiting:
        try:
            ready.get(timeout=min(0.5, max(0.0, deadline - time.monotonic())))
            waiting -= 1
            continue
        except queue.Empty:
            pass
        processes = (getattr(executor, "_processes", None) or {}).values()
        if getattr(executor, "_broken", False) or any(p.exitcode is not None for p in processes):
            raise WorkerError(f"annotate: a worker process failed to load {pipeline!r}; stopped")
        if time.monotonic() >= deadline:
            raise WorkerError(
                f"annotate: {waiting} of {n_workers} worker processes did not load {pipeline!r} within "
                f"{timeout:g} s (SPACY_LSTM_WORKER_START_TIMEOUT); stopped, finished shards are kept"
            )


def annotate_in_workers(
    pipeline: str,
    inputs: Iterable[Path],
    jsonl: bool,
    skip_bad: bool,
    batch_size: int,
    n_process: int,
    descriptors: Iterable[Dict[str, Any]],
    start_timeout: Optional[float] = None,
    mmap_threshold_mb: int = 0,
) -> Iterator[Dict[str, Any]]:
    """Annotate the shards of ``descriptors`` in ``n_process`` workers; yields
    each shard's result (:meth:`.worker.ShardAnnotator.annotate`) in order.

    pipeline: a package name or directory each worker loads.
    mmap_threshold_mb: each worker's :func:`.heap.set_mmap_threshold` (0: glibc's default).
    Raises :class:`WorkerError` (one line) if a worker does not start within
    ``start_timeout`` (default :data:`START_TIMEOUT`) seconds or dies.
    """
    timeout = START_TIMEOUT if start_timeout is None else start_timeout
    context = _context()
    ready = context.Queue()
    executor = ProcessPoolExecutor(
        n_process, mp_context=context, initializer=_start,
        initargs=(os.getpid(), ready, pipeline, [str(p) for p in inputs], jsonl, skip_bad, batch_size,
                  mmap_threshold_mb),
    )
    pending: List[Future] = []
    todo = iter(descriptors)
    try:
        for descriptor in todo:
            pending.append(executor.submit(_annotate, descriptor))
            if len(pending) >= 2 * n_process:
                break
        _wait_until_ready(executor, ready, pipeline, min(n_process, len(pending)), timeout)
        while pending:
            try:
                result = pending.pop(0).result()
            except BrokenProcessPool:
                raise WorkerError("annotate: a worker process died (killed, or out of memory?); stopped, "
                                  "finished shards are kept; run the same command again to resume") from None
            for descriptor in todo:
                pending.append(executor.submit(_annotate, descriptor))
                break
            yield result
    finally:
        _kill(executor)
        ready.close()
