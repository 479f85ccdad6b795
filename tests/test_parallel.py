"""Forked workers (generator.parallel): work handed out as they ask for it, every task to
exactly one worker and more to the quicker; the parent's own share and its own work meanwhile.

The build cuts each batch of pages into short runs of neighbours and lets each
worker take the next run when it is ready (generator.parallel.TaskQueue), so
that no worker sits idle while another still has a fixed share to finish. The
parent meanwhile does work of its own (writing the caches), while they run.

Runs that fork are their own Python process: a pytest process may hold
threads from other tests' servers, and a fork must not copy those.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

from conftest import REPO
from generator.parallel import TaskQueue, chunks

SHARED = r"""
import os, sys, time
from generator.parallel import Counts, TaskQueue, run_in_workers

tasks, workers = int(sys.argv[1]), int(sys.argv[2])
taken = Counts(workers)  # tasks taken by each worker, seen by all

def work(job, jobs):
    mine = []
    for task in queue:
        mine.append(task)
        taken.setter(job)(len(mine))
        if task == 0:  # whoever takes the first task stalls after it, until the others have taken the rest
            deadline = time.monotonic() + 60
            while taken.total() < tasks and time.monotonic() < deadline:
                time.sleep(0.005)
    return mine

with TaskQueue(tasks) as queue:
    print(run_in_workers(work, workers))
"""


def share_out(tasks: int, workers: int) -> list[list[int]]:
    done = subprocess.run([sys.executable, "-c", SHARED, str(tasks), str(workers)], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stdout)


def test_each_task_reaches_exactly_one_worker_and_a_stalled_worker_takes_no_more():
    tasks = 300
    shares = share_out(tasks, 3)
    assert sorted(t for share in shares for t in share) == list(range(tasks))  # none lost, none twice
    [stalled] = [share for share in shares if 0 in share]
    assert stalled == [0]  # stalled after its first task: the other two took all the rest
    for share in shares:
        assert share == sorted(share)  # each worker meets the tasks in the order they were queued


def test_one_process_takes_every_task_in_order():
    with TaskQueue(5) as queue:
        assert list(queue) == [0, 1, 2, 3, 4]
        assert list(queue) == []  # taken once only
    with TaskQueue(0) as queue:
        assert list(queue) == []


def test_a_queue_holds_no_more_than_its_pipe_can_take_before_anyone_reads():
    with TaskQueue(TaskQueue.MAX_TASKS) as queue:
        assert sum(1 for _ in queue) == TaskQueue.MAX_TASKS
    with pytest.raises(ValueError, match="1024"):
        TaskQueue(TaskQueue.MAX_TASKS + 1)


def test_a_full_queue_fits_a_pipe_of_one_page_and_a_larger_one_fails_rather_than_hangs(monkeypatch):
    """Linux gives a new pipe one page when the user's allowance of pipe buffers is spent."""
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        pytest.skip("pipes cannot be resized here (not Linux)")
    real_pipe = os.pipe

    def one_page_pipe():
        read, write = real_pipe()
        fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, 4096)
        return read, write

    monkeypatch.setattr(os, "pipe", one_page_pipe)
    with TaskQueue(TaskQueue.MAX_TASKS) as queue:
        assert list(queue) == list(range(TaskQueue.MAX_TASKS))
    monkeypatch.setattr(TaskQueue, "MAX_TASKS", 2 * TaskQueue.MAX_TASKS)
    with pytest.raises(BlockingIOError):
        TaskQueue(TaskQueue.MAX_TASKS)


@pytest.mark.parametrize("count, per_worker, workers, largest, sizes", [
    (100, 4, 2, 16, [13] * 7 + [9]),  # 100 / (4 * 2) rounded up
    (10_000, 32, 2, 16, [16] * 625),  # capped at `largest`
    (5, 32, 2, 16, [1] * 5),  # never empty runs
    (50_000, 32, 2, 4, [49] * 1020 + [20]),  # longer than `largest` rather than more runs than a queue holds
    (0, 32, 2, 16, []),
])
def test_runs_cover_every_item_once_in_order(count, per_worker, workers, largest, sizes):
    items = list(range(count))
    runs = chunks(items, workers, per_worker, largest)
    assert [len(r) for r in runs] == sizes
    assert [i for r in runs for i in r] == items
    assert len(runs) <= TaskQueue.MAX_TASKS


# What each script below starts with: raised(call, kind) runs a call that must fail, and says
# what it raised and whether every worker had been waited for before it was raised.
PRELUDE = r"""
import os, sys, time
from pathlib import Path
from generator.parallel import run_in_workers

parent = os.getpid()

def raised(call, kind):
    try:
        call()
    except kind as exc:
        try:
            os.waitpid(-1, os.WNOHANG)
            left = "a worker was left behind"
        except ChildProcessError:
            left = "every worker waited for"
        return f"raised: {exc}; {left}"
    return "nothing raised"
"""

HERE = PRELUDE + r"""
print(run_in_workers(lambda job, jobs: (job, jobs, os.getpid() == parent), 3, here=True))
def failing(job, jobs):
    if job == 0:
        raise ValueError("the share done here failed")
    return job
print(raised(lambda: run_in_workers(failing, 3, here=True), ValueError))
"""


def test_the_parent_can_do_a_share_itself():
    done = subprocess.run([sys.executable, "-c", HERE], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[(0, 3, True), (1, 3, False), (2, 3, False)]",
                                        "raised: the share done here failed; every worker waited for"]


MEANWHILE = PRELUDE + r"""
flag = Path(sys.argv[1])

def work(job, jobs):  # each worker waits for the parent's own work to show, or gives up after a minute
    deadline = time.monotonic() + 60
    while not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    return (job, os.getpid() != parent, flag.exists())

def meanwhile():
    assert os.getpid() == parent
    flag.write_text("done by the parent")

print(run_in_workers(work, 2, meanwhile=meanwhile))
flag.unlink()
calls = []
print(run_in_workers(lambda job, jobs: calls.append("function") or job, 1, meanwhile=lambda: calls.append("meanwhile")), calls)

def failing():
    raise OSError("the parent's own work failed")
print(raised(lambda: run_in_workers(lambda job, jobs: job, 2, meanwhile=failing), OSError))
"""


def test_the_parent_does_its_own_work_while_the_workers_run(tmp_path):
    done = subprocess.run([sys.executable, "-c", MEANWHILE, str(tmp_path / "flag")], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[(0, True, True), (1, True, True)]",  # both workers saw the parent's work while they ran
        "[0] ['function', 'meanwhile']",  # without workers: after the function, in this process
        "raised: the parent's own work failed; every worker waited for",
    ]


STARTED = PRELUDE + r"""
from generator.parallel import WorkerError, start
flag = Path(sys.argv[1])

def helper():  # waits for this process to go on past start(), then answers
    deadline = time.monotonic() + 60
    while not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    return (os.getpid() != parent, flag.exists())

running = start(helper)
flag.write_text("this process went on")
print(running.wait(), running.wait())

def failing():
    raise OSError(28, "No space left on device")
failed = start(failing)
print(raised(failed.wait, OSError), raised(failed.wait, OSError))
print(raised(start(lambda: os._exit(3)).wait, WorkerError))

def interrupted():
    raise KeyboardInterrupt
stopped = start(interrupted)
stopped.join()  # waits, raises nothing
print("joined;", raised(stopped.wait, KeyboardInterrupt))
"""


def test_a_started_helper_runs_beside_this_process_and_gives_back_its_answer_or_its_error(tmp_path):
    done = subprocess.run([sys.executable, "-c", STARTED, str(tmp_path / "flag")], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "(True, True) (True, True)"  # in another process, while this one went on; asked twice
    assert lines[1] == ("raised: [Errno 28] No space left on device; every worker waited for "
                        "raised: [Errno 28] No space left on device; every worker waited for")
    assert lines[2].startswith("raised: worker ") and lines[2].endswith("died without a result; every worker waited for")
    assert lines[3] == "joined; raised: ; every worker waited for"  # Ctrl-C in the helper: join() leaves it to wait()
