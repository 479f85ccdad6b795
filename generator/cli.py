"""The `digest` command line. The only module that prints or exits.

Each subcommand lives in its own module under generator.commands and exposes
`add_arguments(parser)` and `run(args) -> int`. Exit codes: 0 success,
1 content errors (or a failed operation), 2 usage errors.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from generator import __version__
from generator.environment import help_text as environment_help
from generator.commands.common import resolve_root

# name -> (module, one-line help). Modules are imported lazily so that
# `digest build` does not pay for watchdog, feedparser or the HTTP server.
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("generator.commands.build", "build the site into site/"),
    "check": ("generator.commands.check", "validate content/ without writing anything"),
    "new": ("generator.commands.new", "write a new brief or weekly editorial from a stub"),
    "serve": ("generator.commands.serve", "preview the site with live reload"),
    "ingest": ("generator.commands.ingest", "draft briefs from the sources' RSS/Atom feeds"),
    "draft": ("generator.commands.draft", "fill ingested drafts with a language model's first draft, for review"),
    "verify": ("generator.commands.verify", "check a built site against its build-manifest.json"),
    "init": ("generator.commands.init", "write a new site: settings, an example brief, workflows"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2, as argparse does, with a hint
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only `command`'s module is imported (all of them when None)."""
    parser = _Parser(prog="digest", description="Build and preview the AI digest site.",
                     epilog=environment_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ai-digest {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=environment_help(name),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        if command is None or name == command:
            module = importlib.import_module(module_name)
            module.add_arguments(p)
            p.set_defaults(_module=module)
    return parser


def _command_in(argv: list[str]) -> str | None:
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = _command_in(argv)
    parser = make_parser(command) if command else make_parser("__none__")
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        resolve_root(args)  # --root not given: look upwards from here for the site, as git does
        return int(args._module.run(args) or 0)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except Exception as exc:  # a bug in digest itself, never a content problem
        if os.environ.get("DIGEST_DEBUG"):
            raise
        sys.stderr.write(f"digest: internal error: {type(exc).__name__}: {exc}\n"
                         "This is a bug in digest, not in your content. Run again with DIGEST_DEBUG=1 "
                         "for the traceback and report it.\n")
        return 70


def run() -> None:
    """The `digest` command (and `python -m generator`): main(), then exit_now()."""
    exit_now(main())


def exit_now(code: int) -> None:
    """Exit with `code` as Python would, without then tearing the interpreter down.

    At exit Python runs the atexit callbacks, flushes stdout and stderr, and then frees
    every module and object one by one: after a build, 40-55 ms of freeing memory the
    operating system takes back at once anyway. This does the first two and leaves at
    once. Anything unusual gets Python's own exit: another thread still running (Python
    waits for it), a stream that cannot be flushed (Python reports it), no atexit runner.
    """
    import atexit
    import threading

    run_callbacks = getattr(atexit, "_run_exitfuncs", None)
    if run_callbacks is None or threading.active_count() > 1:
        sys.exit(code)
    run_callbacks()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)
