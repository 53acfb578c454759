"""Where work runs: this process, local worker processes, or a Dask cluster — one place for all three.

The build (one task per input file) and the sweep (one task per (K, seed) fit) both hand their
tasks to :func:`run_tasks`. A task is ``function(shared, item)``: ``shared`` is sent to each
worker once (the build settings, the sweep's bag of words), ``item`` is one piece of work.
Results come back to the calling process, which alone writes caches and outputs, so where a
task ran can never change a result.

``workers`` and ``scheduler`` are the only settings (``[run]`` of an experiment, ``--workers`` and
``--scheduler`` on the command line):

* ``scheduler`` set: the tasks run on that Dask cluster (``tcp://host:8786``); workers there
  need the same package versions;
* else ``workers`` > 1 (0 = one per core) and more than one task: local worker processes
  (started with ``forkserver`` on Linux, ``spawn`` elsewhere: a fresh interpreter, no BLAS
  thread pools or locks inherited from this one);
* else the tasks run here, one after the other (no start-up cost, easiest to debug).

Examples
--------
>>> list(run_tasks(pow, [2, 3], shared=10, workers=1))   # 10**2, 10**3
[100, 1000]
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import select
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, TypeVar

from .errors import TopicsError

__all__ = ["Execution", "resolve_workers", "run_tasks", "start_workers_early"]

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Execution:
    """Where a batch of tasks ran (recorded in build reports and run manifests)."""

    backend: str  # "in-process", "processes" or "dask"
    workers: int
    scheduler: str | None = None

    def describe(self) -> str:
        if self.backend == "dask":
            return f"Dask cluster {self.scheduler}"
        if self.backend == "processes":
            return f"{self.workers} worker processes"
        return "the main process"


def resolve_workers(workers: int) -> int:
    """``0`` means one worker per CPU core."""
    return workers or os.cpu_count() or 1


def plan(n_tasks: int, workers: int = 1, scheduler: str = "") -> Execution:
    """Where :func:`run_tasks` would run ``n_tasks`` tasks with these settings."""
    if scheduler:
        return Execution("dask", 0, scheduler)
    workers = min(resolve_workers(workers), max(n_tasks, 1))
    return Execution("processes", workers) if workers > 1 else Execution("in-process", 1)


def run_tasks(function: Callable[[Any, Item], Result], items: Iterable[Item], shared: Any = None, *,
              workers: int = 1, scheduler: str = "", ordered: bool = True, n_items: int | None = None,
              chunksize: int = 1) -> Iterator[Result]:
    """Run ``function(shared, item)`` for every item; yield the results as they are ready.

    Parameters
    ----------
    function : a module-level function (it is sent to other processes by reference).
    items : the tasks' inputs; read lazily by the in-process backend.
    shared : sent once to each worker, not once per task.
    workers, scheduler : see the module docstring.
    ordered : yield in the order of ``items`` (else in the order tasks finish).
    n_items : the number of items, when ``items`` has no ``len``.
    chunksize : items per message to a local worker (larger for many small tasks).

    The iterator must be consumed or closed: closing it stops the workers.
    """
    if n_items is None:
        items = list(items)
        n_items = len(items)
    where = plan(n_items, workers, scheduler)
    if where.backend == "dask":
        yield from _on_dask(function, items, shared, where.scheduler, ordered)
    elif where.backend == "processes":
        yield from _on_processes(function, items, shared, where.workers, ordered, chunksize)
    else:
        for item in items:
            yield function(shared, item)


# -- local processes ------------------------------------------------------------------------------
_SHARED: Any = None
_FUNCTION: Callable | None = None


def _init_worker(function: Callable, shared: Any, main_pid: int) -> None:
    """Runs once in each worker process: keep the function and the shared value, and end with
    the main process."""
    global _SHARED, _FUNCTION
    _FUNCTION, _SHARED = function, shared
    _die_with_main(main_pid)


def _call(item: Any) -> Any:
    return _FUNCTION(_SHARED, item)


def _die_with_main(main_pid: int) -> None:
    """End this worker as soon as the main process ends, however it ends (killed, out of memory).

    A worker's parent is multiprocessing's fork server, not the main process, and the fork server
    lives as long as any worker does: the kernel's parent-death signal alone never fires, and a
    killed build would leave its workers running. So a thread waits for the main process to end
    (a pidfd on Linux, else a check every second) and ends this one.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: the parent too
        except (OSError, AttributeError):  # pragma: no cover - not glibc
            pass

    def wait_for_main() -> None:
        try:
            handle = os.pidfd_open(main_pid)
        except (AttributeError, OSError):  # not Linux ≥ 5.3, or the main process is already gone
            while _alive(main_pid):
                time.sleep(1.0)
        else:
            select.select([handle], [], [])  # readable once the process has ended
        os._exit(1)

    threading.Thread(target=wait_for_main, name="topics-wait-for-main", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - alive, someone else's
        return True
    return True


def start_workers_early(function: Callable, workers: int = 1, scheduler: str = "") -> None:
    """Get local worker processes for ``function`` ready while this process does other work.

    Local workers are forked from multiprocessing's fork server. Started here, the server imports
    ``function``'s module once, alongside whatever this process does next (the build hashes its
    inputs), and every worker a later :func:`run_tasks` starts is forked with that module already
    imported: a build's workers start at once instead of each importing the per-file stages
    (~1 CPU-s per worker). The server is a fresh interpreter that has only imported modules, so
    workers still inherit nothing of this process. Does nothing for Dask or in-process runs,
    off Linux, or when the fork server is already running (in a notebook, after the first pool).
    """
    if scheduler or resolve_workers(workers) < 2 or not sys.platform.startswith("linux"):
        return
    from multiprocessing import forkserver

    _context().set_forkserver_preload(["__main__", function.__module__])  # used only by a server not yet running
    forkserver.ensure_running()  # returns once the server is spawned; its imports run in the background


def _context() -> multiprocessing.context.BaseContext:
    method = "forkserver" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


class _Pool(multiprocessing.pool.Pool):
    """``multiprocessing.Pool`` whose worker-handler thread does not spin while results wait.

    CPython's handler (since 3.8, bpo-35493) also wakes when the result pipe is readable; while
    results wait there for the result-handler thread, each wake-up returns at once, and the loop
    takes the GIL and a core from this process (measured: 1.1 CPU-s of a 4.8 s build of 400 files,
    with the main process's own work slowed by the contention). Waking on the workers' exit and the
    pool's own notifier is all the handler needs: it starts new workers and notices the end.
    """

    def _get_sentinels(self):
        return [self._change_notifier._reader]


def _on_processes(function, items, shared, workers: int, ordered: bool, chunksize: int) -> Iterator[Any]:
    pool = _Pool(workers, initializer=_init_worker, initargs=(function, shared, os.getpid()), context=_context())
    try:
        results = (pool.imap if ordered else pool.imap_unordered)(_call, items, chunksize=chunksize)
        yield from results
        pool.close()
    finally:
        pool.terminate()
        pool.join()


# -- Dask -----------------------------------------------------------------------------------------
#: how long to keep trying to reach a Dask scheduler before giving up with one line
CONNECT_TIMEOUT = "20s"


def _on_dask(function, items, shared, address: str, ordered: bool) -> Iterator[Any]:
    """Submit the tasks a window at a time (``items`` is read lazily: a task's input may be a whole
    file's bytes), and yield their results in order or as they finish."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_as_completed
    except ImportError:  # pragma: no cover - distributed is a declared dependency
        raise TopicsError("a Dask scheduler is set but dask.distributed is not installed — pip install distributed") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        raise TopicsError(f"scheduler = {address!r}: cannot connect ({exc}) — start the Dask scheduler "
                          "(`dask scheduler`) or leave the scheduler empty") from None
    with client:
        remote = client.scatter(shared, broadcast=True)
        # enough tasks in flight to keep every worker thread busy, few enough that neither this
        # process nor the cluster holds more than a window of inputs and results
        window = max(8, 4 * sum(client.nthreads().values()))
        tag = f"{getattr(function, '__name__', 'task')}-{os.getpid()}-{time.time_ns()}"
        numbered = enumerate(items)
        pending: dict[int, Any] = {}  # index -> future

        def submit_next() -> Any:
            """Submit the next item's task; its future, or None when every item is submitted."""
            for index, item in numbered:
                pending[index] = client.submit(function, remote, item, pure=False, key=f"{tag}-{index}")
                return pending[index]
            return None

        try:
            for _ in range(window):
                if submit_next() is None:
                    break
            if ordered:
                index = 0
                while pending:
                    result = pending.pop(index).result()
                    index += 1
                    submit_next()
                    yield result
            else:
                finished = dask_as_completed(list(pending.values()))
                for future in finished:
                    result = future.result()
                    del pending[int(future.key.rsplit("-", 1)[1])]
                    added = submit_next()
                    if added is not None:
                        finished.add(added)
                    yield result
        finally:
            client.cancel(list(pending.values()))
