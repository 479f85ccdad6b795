"""Every environment variable digest reads, with what it does: shown by `digest --help`, listed in the README.

tests/test_cli_options.py fails when the code reads a variable that is not here.
"""

from __future__ import annotations

import textwrap

# name -> (commands that read it, what it does)
VARIABLES: dict[str, tuple[str, str]] = {
    "SOURCE_DATE_EPOCH": ("build", "seconds since 1970 (UTC) recorded as the build time in build-manifest.json; "
                                   "unset, the manifest has no time"),
    "DIGEST_JOBS": ("build, serve", "worker processes for rendering when --jobs is not given "
                                    "(default: one per core, at most 8)"),
    "GITHUB_ACTIONS": ("check, build, ingest, verify", "when 'true' (as in GitHub Actions), problems are also printed as ::error annotations"),
    "PAGEFIND_BINARY_PATH": ("build, serve", "the Pagefind program to index with, instead of the one "
                                             "installed with the pagefind package"),
    "DIGEST_SEARCH_SHARD_PAGES": ("build, serve", "pages in the smallest full search-index shard (default: 256); "
                                                  "larger shards are powers of two of it, up to 8 of it (more once a "
                                                  "site has over 8 shards of the largest size)"),
    "NO_COLOR": ("all", "when set (to anything), errors and warnings are never coloured"),
    "FORCE_COLOR": ("all", "when set, errors and warnings are coloured even when stderr is not a terminal"),
    "TERM": ("all", "'dumb' turns colour off, and the progress line of build and ingest"),
    "DIGEST_LLM_API_KEY": ("draft", "the key sent as Authorization: Bearer to the drafting endpoint; read from nowhere else"),
    "DIGEST_SYNC_DELETE": ("build", "when set, the replaced site is deleted before the build exits, not in the background"),
    "DIGEST_DEBUG": ("all", "when set, an internal error shows its traceback instead of a one-line message"),
    "https_proxy": ("ingest", "proxy for https feeds (also HTTPS_PROXY), read by Python's standard library"),
    "http_proxy": ("ingest", "proxy for http feeds (also HTTP_PROXY)"),
    "no_proxy": ("ingest", "comma-separated hosts to reach without the proxy (also NO_PROXY)"),
}


def help_text(command: str | None = None, width: int = 100) -> str:
    """The epilog of `digest --help` (every variable) or `digest COMMAND --help` (those it reads)."""
    chosen = {name: (commands, meaning) for name, (commands, meaning) in VARIABLES.items()
              if command is None or command in commands.split(", ") or commands == "all"}
    column = max(len(name) for name in chosen) + 4
    lines = ["environment variables:"]
    for name, (commands, meaning) in chosen.items():
        text = meaning if command is not None else f"{commands}: {meaning}"
        wrapped = textwrap.wrap(text, width - column, break_on_hyphens=False)
        lines.append(f"  {name:<{column - 2}}{wrapped[0]}")
        lines += [" " * column + more for more in wrapped[1:]]
    return "\n".join(lines)
