"""Run one function in several forked worker processes and collect what each returns.

Forking shares the parent's parsed site with every worker for free (copy on
write), so only the small results travel back, pickled over a pipe. Each
worker gets its index; the function decides which share of the work is its
own: a share cut before forking, or tasks taken from a TaskQueue one at a
time, so that a worker whose files turn out cheaper simply does more of them.
A worker that fails sends its exception back as text, and the parent raises
it: nothing fails silently.
"""

from __future__ import annotations

import mmap
import os
import pickle
import selectors
import sys
import traceback

WAKE_EVERY = 0.1  # seconds between calls of while_waiting


class WorkerError(Exception):
    pass


def default_jobs() -> int:
    env = os.environ.get("DIGEST_JOBS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, min(len(os.sched_getaffinity(0)), 8))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, min(os.cpu_count() or 1, 8))


def run_in_workers(function, jobs: int, while_waiting=None, *, here: bool = False, meanwhile=None) -> list:
    """[function(0, jobs), ..., function(jobs-1, jobs)], each in its own forked process.

    `while_waiting`, when given, is called in the parent every WAKE_EVERY
    seconds until every worker has finished (to report progress, say).
    With `here`, the parent does job 0 itself once the others are forked: its
    answer needs no pickling and its core is not left idle (`while_waiting`
    starts when it is done). `meanwhile`, when given, is called once in the
    parent, after the workers are forked (and its own job is done) and before it
    waits for them: work of its own that needs nothing of theirs. Without
    workers it is called after the function.
    """
    if jobs <= 1 or not hasattr(os, "fork"):
        result = [function(0, 1)]
        if meanwhile is not None:
            meanwhile()
        return result
    sys.stdout.flush()
    sys.stderr.flush()
    children = [_fork(lambda index=index: function(index, jobs)) for index in range(1 if here else 0, jobs)]
    results = []
    try:
        if here:
            results.append(function(0, jobs))
        if meanwhile is not None:
            meanwhile()
    except BaseException:
        _read_all([fd for _, fd in children], None)  # the others finish, and are waited for, before it goes on
        for pid, _ in children:
            os.waitpid(pid, 0)
        raise
    payloads = _read_all([fd for _, fd in children], while_waiting)
    failure = None
    for (pid, _), data in zip(children, payloads):
        os.waitpid(pid, 0)
        kind, value = _answer(data, pid)
        if kind == "ok":
            results.append(value)
        else:
            failure = failure or value
    if failure is not None:
        raise failure
    return results


def start(function) -> "Started":
    """function() in a forked process, begun now; Started.wait() gives what it returned, or
    raises what it raised. For work this process's own does not wait on (writing a cache),
    done on a core that would otherwise sit idle. Never call it while other threads run."""
    sys.stdout.flush()
    sys.stderr.flush()
    return Started(*_fork(function))


class Started:
    """A function running in another process (see start)."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self._fd = pid, fd
        self._answer: tuple | None = None

    def wait(self):
        """What the function returned, once it has (raising what it raised, every time asked)."""
        self.join()
        kind, value = self._answer
        if kind != "ok":
            raise value
        return value

    def join(self) -> None:
        """Wait for the process to end; what the function raised (even a KeyboardInterrupt, when
        Ctrl-C reached both processes) is left for wait() to raise."""
        if self._answer is None:
            [data] = _read_all([self._fd], None)
            os.waitpid(self.pid, 0)
            self._answer = _answer(data, self.pid)


def _fork(call) -> tuple[int, int]:
    """A forked process that runs call() and sends back, pickled, ("ok", its answer) or
    ("error", what it raised), then exits; its pid, and the read end of the pipe."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        status = 0
        try:
            payload = pickle.dumps(("ok", call()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            payload = pickle.dumps(("error", _portable(exc)), protocol=pickle.HIGHEST_PROTOCOL)
            status = 1
        try:
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(status)
    os.close(write_fd)
    return pid, read_fd


def _answer(data: bytes, pid: int) -> tuple:
    if not data:
        return "error", WorkerError(f"worker {pid} died without a result")
    return pickle.loads(data)


class TaskQueue:
    """The numbers 0 to count - 1, each given to whichever process asks for the next one first.

    They are written into a pipe before forking, four bytes each, and the write end is
    closed; every process then reads four bytes per task until the pipe is empty. The kernel
    holds a pipe's lock for the whole of a read, so each number reaches exactly one reader,
    whole. All of them are written before anyone reads, so they must fit in the pipe's
    buffer: MAX_TASKS of them take 4 KiB, one page, the least Linux gives a pipe even when
    the user's allowance of pipe buffers is spent (a new pipe normally gets 64 KiB).
    """

    MAX_TASKS = 1024
    _SIZE = 4

    def __init__(self, count: int) -> None:
        if not 0 <= count <= self.MAX_TASKS:
            raise ValueError(f"a task queue holds 0 to {self.MAX_TASKS} tasks, not {count}")
        self._read, write = os.pipe()
        try:
            data = memoryview(b"".join(n.to_bytes(self._SIZE, "little") for n in range(count)))
            os.set_blocking(write, False)  # a buffer smaller than promised fails here, never hangs
            while data:
                data = data[os.write(write, data):]
        except BaseException:
            os.close(self._read)
            raise
        finally:
            os.close(write)

    def __iter__(self):
        """The tasks this process gets, in the order it gets them, until none is left."""
        while True:
            data = os.read(self._read, self._SIZE)
            if not data:
                return
            if len(data) != self._SIZE:  # pragma: no cover - a pipe read is never split
                raise WorkerError(f"task queue gave {len(data)} bytes")
            yield int.from_bytes(data, "little")

    def close(self) -> None:
        os.close(self._read)

    def __enter__(self) -> "TaskQueue":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


RUNS_PER_WORKER = 32  # work is handed out in runs of neighbours, about this many per worker,
LONGEST_RUN = 16  # and no longer than this: the last run any process takes is short, so they finish together


def chunks(items: list, workers: int, parts_per_worker: int = RUNS_PER_WORKER,
           largest: int = LONGEST_RUN) -> list[list]:
    """`items` cut into runs of neighbours, in order: about `parts_per_worker` runs per worker
    (more when that would make a run longer than `largest`), never more than a TaskQueue holds."""
    if not items:
        return []
    size = max(1, min(largest, -(-len(items) // (parts_per_worker * workers))))
    size = max(size, -(-len(items) // TaskQueue.MAX_TASKS))
    return [items[i:i + size] for i in range(0, len(items), size)]


class Counts:
    """A number per worker in memory shared across the fork: each worker sets its own, the parent sums them.

    For progress without a message per item: set before forking, read while waiting.
    """

    def __init__(self, workers: int) -> None:
        self.memory = mmap.mmap(-1, 8 * workers)  # anonymous, shared with the processes forked after this
        self.slots = memoryview(self.memory).cast("Q")

    def setter(self, job: int):
        slots = self.slots

        def set_count(value: int) -> None:
            slots[job] = value
        return set_count

    def total(self) -> int:
        return sum(self.slots)

    def close(self) -> None:
        self.slots.release()
        self.memory.close()


def _read_all(fds: list[int], while_waiting) -> list[bytes]:
    """Everything each pipe carries, until its worker closes it; the pipes are closed after."""
    if while_waiting is None:
        out = []
        for fd in fds:
            with os.fdopen(fd, "rb") as pipe:
                out.append(pipe.read())
        return out
    chunks: dict[int, list[bytes]] = {fd: [] for fd in fds}
    with selectors.DefaultSelector() as selector:
        for fd in fds:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            for key, _ in selector.select(WAKE_EVERY):
                chunk = os.read(key.fd, 1 << 20)
                if chunk:
                    chunks[key.fd].append(chunk)
                else:
                    selector.unregister(key.fd)
                    os.close(key.fd)
            while_waiting()
    return [b"".join(chunks[fd]) for fd in fds]


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it pickles, else a WorkerError with its traceback."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return WorkerError("".join(traceback.format_exception(exc)))
