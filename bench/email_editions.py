#!/usr/bin/env python3
"""Time the weekly email editions alone, in one process.

    python bench/email_editions.py CORPUS [--rounds 3] [--profile OUT.prof] [--out DIR]

Loads and plans the corpus as a build does, renders every brief page first
(which makes the fragments the editions are put together from, as in a cold
build), then renders only the email-html and email-text files, `rounds`
times with a fresh renderer each time, and prints the seconds each kind took
(best round, CPU time of this process). --profile runs one more round under
cProfile; --out writes the files of the last round there, to compare bytes.
The printed digest of all the files' bytes tells whether two checkouts give
the same editions: PYTHONPATH=<other checkout> times that checkout's code.
Nothing here is part of the test suite.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after PYTHONPATH and the installed package

from generator.assemble import assemble
from generator.build import check_site
from generator.plan import make_plan
from generator.render import FragmentStore, Renderer
from generator.templates import make_environment


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    checked = check_site(args.corpus)
    assert checked.config is not None, checked.diagnostics
    site = assemble(checked.content, checked.config)
    env = make_environment(args.corpus)
    store = FragmentStore()
    renderer = Renderer(site, env, store=store)
    plan = make_plan(site, "key", renderer.fingerprints, collections.defaultdict(str), {})
    for f in plan.of_kind("brief"):
        renderer.render(f)
    emails = list(plan.of_kind("email-html", "email-text"))

    def one_round() -> tuple[dict[str, float], dict[str, bytes]]:
        r = Renderer(site, env, fingerprints=renderer.fingerprints, store=store)
        took: dict[str, float] = collections.defaultdict(float)
        out = {}
        for f in emails:
            started = time.process_time()
            out[f.dest] = r.render(f)
            took[f.kind] += time.process_time() - started
        return took, out

    best: dict[str, float] = {}
    for _ in range(args.rounds):
        took, out = one_round()
        for k, v in took.items():
            best[k] = min(best.get(k, v), v)
    total = sum(best.values())
    digest = hashlib.sha256(b"".join(d.encode() + b"\0" + out[d] for d in sorted(out))).hexdigest()[:16]
    print(f"{len(emails)} files: " + ", ".join(f"{k} {v:.3f} s" for k, v in sorted(best.items()))
          + f", total {total:.3f} s (best of {args.rounds}); bytes {digest}")
    if args.out:
        for dest, data in out.items():
            path = args.out / dest
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(one_round)
        profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
