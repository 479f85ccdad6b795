"""digest serve --site DIR: serve a built site (a preview artifact, a copy of site/) under its base path."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
import webbrowser

from generator.urls import is_loopback_host
from generator.serve.static_site import StaticSiteServer, open_built_site


def run(args: argparse.Namespace) -> int:
    site, problem = open_built_site(args.site)
    if site is None:
        _err(f"digest serve: error: {problem}")
        return 1
    if not 0 <= args.port < 65536:
        _err(f"digest serve: error: --port must be between 0 and 65535, got {args.port}")
        return 2
    try:
        server = StaticSiteServer((args.host, args.port), site)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            _err(f"digest serve: error: port {args.port} on {args.host} is already in use; "
                 f"stop that program or choose another port, e.g. --port {args.port + 1}")
        else:
            _err(f"digest serve: error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
        return 1
    if not is_loopback_host(args.host):
        _err(f"warning: listening on {args.host}, not loopback: other computers on the network can see this site. "
             "Use --host 127.0.0.1 to keep it to this computer.")
    stop = threading.Event()
    previous_sigterm = signal.signal(signal.SIGTERM, lambda *_: stop.set()) \
        if threading.current_thread() is threading.main_thread() else None
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="digest-http", daemon=True)
    try:
        thread.start()
        host = f"[{args.host}]" if ":" in args.host else args.host
        url = f"http://{host}:{server.server_address[1]}{site.base_path}"
        _out(f"serving {url} (the site built in {site.folder} for {site.base_url}; Ctrl-C to stop)")
        if args.open:
            webbrowser.open(url)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        if previous_sigterm is not None:
            signal.signal(signal.SIGTERM, previous_sigterm)
    _out("stopped")
    return 0


def _out(line: str) -> None:
    print(line, flush=True)


def _err(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
