"""The executor shared by the build and the sweep: same results in this process, in worker processes
and on a Dask cluster; ordered and unordered; shared values sent once."""

from __future__ import annotations

import os

import pytest

from topics.executor import plan, resolve_workers, run_tasks


def scaled(shared: dict, item: int) -> tuple[int, int]:
    return item, item * shared["factor"]


def process_id(shared, item: int) -> int:
    return os.getpid()


def test_in_process_runs_lazily_in_order():
    seen = []
    items = iter(range(5))
    results = run_tasks(lambda shared, item: seen.append(item) or item + shared, items, shared=10, workers=1,
                        n_items=5)
    assert next(results) == 10 and seen == [0]  # nothing runs before it is asked for
    assert list(results) == [11, 12, 13, 14]


def test_processes_give_the_same_results_ordered_and_unordered():
    items = list(range(20))
    here = list(run_tasks(scaled, items, shared={"factor": 3}, workers=1))
    ordered = list(run_tasks(scaled, items, shared={"factor": 3}, workers=2, chunksize=3))
    unordered = list(run_tasks(scaled, items, shared={"factor": 3}, workers=2, ordered=False))
    assert ordered == here
    assert sorted(unordered) == here


def test_tasks_really_run_in_other_processes():
    pids = set(run_tasks(process_id, range(8), workers=2))
    assert os.getpid() not in pids


def test_plan_says_where_tasks_run():
    assert plan(10, workers=1).backend == "in-process"
    assert plan(1, workers=4).backend == "in-process"  # one task: no pool to start
    assert plan(10, workers=2).describe() == "2 worker processes"
    assert plan(3, workers=8).workers == 3
    assert plan(10, scheduler="tcp://h:1").describe() == "Dask cluster tcp://h:1"
    assert resolve_workers(0) == (os.cpu_count() or 1)


def test_a_failing_task_raises_in_the_caller():
    def boom(shared, item):
        raise ValueError(f"bad item {item}")

    with pytest.raises(ValueError, match="bad item 0"):
        list(run_tasks(boom, [0, 1], workers=1))


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as running:
        yield running


@pytest.mark.slow
def test_dask_cluster_gives_the_same_results(cluster):
    items = list(range(12))
    on_dask = list(run_tasks(scaled, items, shared={"factor": 5}, scheduler=cluster.scheduler_address))
    unordered = list(run_tasks(scaled, items, shared={"factor": 5}, scheduler=cluster.scheduler_address,
                               ordered=False))
    assert on_dask == list(run_tasks(scaled, items, shared={"factor": 5}, workers=1))
    assert sorted(unordered) == on_dask


@pytest.mark.slow
@pytest.mark.parametrize("ordered", [True, False])
def test_dask_reads_the_items_a_window_at_a_time(cluster, ordered):
    read = []

    def items():  # a build sends whole files: they must not all be read before the first result
        for item in range(60):
            read.append(item)
            yield item

    results = run_tasks(scaled, items(), shared={"factor": 2}, scheduler=cluster.scheduler_address,
                        ordered=ordered, n_items=60)
    first = next(results)
    assert len(read) <= 9  # the window (8 for two worker threads) and the one submitted after the first result
    rest = list(results)
    assert sorted([first, *rest]) == [(i, 2 * i) for i in range(60)]
    if ordered:
        assert [first, *rest] == sorted([first, *rest])


def test_unreachable_scheduler_is_one_clear_error(monkeypatch):
    import topics.executor
    from topics.errors import TopicsError

    monkeypatch.setattr(topics.executor, "CONNECT_TIMEOUT", "2s")  # the default 20 s, shortened for the suite

    with pytest.raises(TopicsError, match=r"scheduler = 'tcp://127.0.0.1:9': cannot connect .* start the Dask scheduler"):
        list(run_tasks(scaled, [1], shared={"factor": 1}, scheduler="tcp://127.0.0.1:9"))


KILLED_BUILD = '''
import os, sys, time
from pathlib import Path
from topics.executor import run_tasks

def linger(folder, item):
    Path(folder, f"{os.getpid()}.pid").write_text("")
    time.sleep(120)
    return item

if __name__ == "__main__":
    list(run_tasks(linger, range(4), shared=sys.argv[1], workers=2))
'''


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return not any(line.startswith("State:") and "Z" in line for line in status)  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc (Linux)")
def test_worker_processes_end_when_the_main_process_is_killed(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "killed_build.py"
    script.write_text(KILLED_BUILD)
    pids = tmp_path / "pids"
    pids.mkdir()
    main = subprocess.Popen([sys.executable, str(script), str(pids)])
    try:
        deadline = time.monotonic() + 60
        while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = [int(p.stem) for p in pids.iterdir()]
        assert len(workers) == 2 and all(map(_running, workers))
    finally:
        main.send_signal(signal.SIGKILL)  # as the out-of-memory killer or a closed terminal would
        main.wait()
    deadline = time.monotonic() + 10
    while any(map(_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_running, workers)), "worker processes outlived the killed main process"


def parent_has_mapped(shared, name: str) -> bool:
    """In a worker: has its parent (the fork server) loaded a shared library whose path holds ``name``?"""
    with open(f"/proc/{os.getppid()}/maps", encoding="utf-8", errors="replace") as handle:
        return name in handle.read()


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs Linux's /proc")
@pytest.mark.parametrize("early", [True, False])
def test_workers_started_early_are_forked_from_a_server_that_imported_the_task_module(early):
    """start_workers_early: the fork server imports the build's per-file stages (which load jieba-rs)
    once, so workers start with them; without it the server has imported nothing of topics."""
    import subprocess
    import sys
    from pathlib import Path

    code = "\n".join([
        "import sys",
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})",
        "from topics.executor import run_tasks, start_workers_early",
        "import test_executor",
        *(["from topics.build.stages import process_file", "start_workers_early(process_file, workers=2)"]
          if early else []),
        "print(list(run_tasks(test_executor.parent_has_mapped, ['rjieba'] * 2, workers=2)))",
    ])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([early, early])


def big_result(shared, item: int) -> bytes:
    return bytes(2_000_000)


def _thread_cpu_seconds(native_id: int) -> float:
    with open(f"/proc/self/task/{native_id}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux's /proc")
def test_the_pool_does_not_spin_while_results_wait():
    """CPython's Pool wakes its worker-handler thread whenever the result pipe is readable, so while
    this process is busy and results wait, that thread loops and takes CPU and the GIL from it
    (1.1 CPU-s in a 400-file build). topics.executor's pool leaves the result pipe out of its wait."""
    import threading
    import time

    results = run_tasks(big_result, range(40), workers=2, chunksize=1)
    next(results)  # the pool is running
    [handler] = [t for t in threading.enumerate() if "_handle_workers" in t.name]
    before = _thread_cpu_seconds(handler.native_id)
    for _ in range(30):  # busy between results, as the build is: results wait in the pipe meanwhile
        next(results)
        deadline = time.process_time() + 0.05
        while time.process_time() < deadline:
            pass
    spent = _thread_cpu_seconds(handler.native_id) - before  # the thread ends with the pool
    results.close()
    assert spent < 0.2
