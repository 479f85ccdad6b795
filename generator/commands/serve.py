"""digest serve: build into a temporary folder, serve it, update it on every save, update the browser's page."""

from __future__ import annotations

import argparse
import errno
import shutil
import signal
import sys
import tempfile
import threading
import webbrowser
from pathlib import Path

from generator.urls import is_loopback_host
from generator.commands.common import add_root
from generator.config import load_config
from generator.diagnostics import errors_in, summary_line
from generator.serve.rebuild import RebuildResult, SearchIndexer
from generator.serve.server import PreviewServer
from generator.serve.session import Session
from generator.serve.status import ServeState
from generator.serve.watch import Debouncer, start_watching
from generator.templates import layout_dirs

DEBOUNCE_SECONDS = 0.01  # saves closer together than this are one change (a file being written waits for its close)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_root(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the site in the default web browser")
    p.add_argument("--no-drafts", dest="drafts", action="store_false",
                   help="leave out briefs marked draft: true (shown by default, with a DRAFT badge)")
    p.add_argument("--site", type=Path, default=None, metavar="DIR",
                   help="serve this already built site (e.g. a pull request's preview) under the base path "
                        "it was built for, without building or watching anything")


def run(args: argparse.Namespace) -> int:
    if args.site is not None:
        from generator.commands import serve_site

        return serve_site.run(args)
    root: Path = args.root.resolve()
    if not (root / "content").is_dir():
        _err(f"digest serve: error: no content/ folder in {root}; pass the site root with --root DIR")
        return 1
    if not 0 <= args.port < 65536:  # 0: any free port
        _err(f"digest serve: error: --port must be between 0 and 65535, got {args.port}")
        return 2
    config, _ = load_config(root)
    state = ServeState(config.base_path if config is not None else "/")
    try:
        server = PreviewServer((args.host, args.port), state)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            _err(f"digest serve: error: port {args.port} on {args.host} is already in use "
                 f"(another digest serve?); stop that program or choose another port, e.g. --port {args.port + 1}")
        else:
            _err(f"digest serve: error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
        return 1
    if not is_loopback_host(args.host):
        _err(f"warning: listening on {args.host}, not loopback: other computers on the network can see "
             "this preview, drafts included. Use --host 127.0.0.1 to keep it to this computer.")

    workdir = Path(tempfile.mkdtemp(prefix="digest-serve-"))
    stop = threading.Event()
    observer = indexer = session = None
    threads: list[threading.Thread] = []
    previous_sigterm = signal.signal(signal.SIGTERM, lambda *_: stop.set()) \
        if threading.current_thread() is threading.main_thread() else None
    try:
        session = Session(root, workdir, state, drafts=args.drafts)
        # The first build may render in worker processes: no thread has started yet.
        _report(session.full_build("first build", jobs=0))
        indexer = SearchIndexer(session, workdir, on_error=lambda m: _err(f"warning: {m}")) \
            if _search_available() else None
        if indexer is not None:
            session.after_publish = indexer.request
        debouncer = Debouncer(delay=DEBOUNCE_SECONDS, on_add=session.wake)
        observer = start_watching(root, layout_dirs(root), debouncer)
        threads = [
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="digest-http", daemon=True),
            threading.Thread(target=session.work, args=(debouncer, stop, _report), name="digest-rebuild", daemon=True),
        ]
        for t in threads:
            t.start()
        host = f"[{args.host}]" if ":" in args.host else args.host
        url = f"http://{host}:{server.server_address[1]}{state.current().base_path}"
        drafts = "drafts shown" if args.drafts else "drafts hidden"
        _out(f"serving {url} ({drafts}; watching {root}/content and layouts; Ctrl-C to stop)")
        if args.open:
            webbrowser.open(url)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if session is not None:
            session.stop()
        if observer is not None:
            observer.stop()
        state.wake_all()
        server.shutdown() if threads else None
        server.server_close()
        if indexer is not None:
            indexer.stop()
        _finish_build_in_progress(threads)
        if observer is not None:
            observer.join(timeout=5)
        shutil.rmtree(workdir, ignore_errors=True)
        if previous_sigterm is not None:
            signal.signal(signal.SIGTERM, previous_sigterm)
    _out(f"stopped; removed {workdir}")
    return 0


def _finish_build_in_progress(threads: list[threading.Thread]) -> None:
    """A rebuild cannot be cut short safely: wait for it, unless Ctrl-C is pressed again."""
    rebuild = next((t for t in threads if t.name == "digest-rebuild"), None)
    if rebuild is None:
        return
    rebuild.join(timeout=0.5)
    if rebuild.is_alive():
        _out("stopping: waiting for the build in progress to finish (Ctrl-C again to quit at once)")
        try:
            rebuild.join()
        except KeyboardInterrupt:
            pass


def _search_available() -> bool:
    try:
        from generator.search import pagefind_command

        pagefind_command()
    except Exception:  # noqa: BLE001 - no Pagefind: the preview works without search
        return False
    return True


_shown_warnings: set = set()


def _report(result: RebuildResult) -> None:
    """One terminal line per save; diagnostics above it when it failed, and warnings not shown before."""
    if result.ok:
        verb = "built" if result.reason == "first build" else "rebuilt"
        line = f"{verb} in {result.seconds:.2f} s ({result.reason})"
        warnings = result.warnings
        if warnings:
            n = len(warnings)
            line += f"; {n} warning{'s' if n != 1 else ''}"
            new = [d for d in warnings if d.format() not in _shown_warnings]
            if new:
                _err("\n".join(d.format() for d in new))
        _shown_warnings.clear()
        _shown_warnings.update(d.format() for d in warnings)
        _out(line)
        return
    _err("\n".join(d.format() for d in result.diagnostics))
    files = len({d.path for d in result.diagnostics})
    counts = summary_line(list(result.diagnostics), files) if errors_in(result.diagnostics) else "failed"
    kept = "still serving the last good build" if result.serving else "nothing to serve until it builds"
    _err(f"build failed after {result.seconds:.2f} s ({result.reason}): {counts}; {kept}; the browser shows the problems")


def _out(line: str) -> None:
    print(line, flush=True)


def _err(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
