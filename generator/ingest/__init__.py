"""Ingest: turn the monitored sources' RSS/Atom feeds into draft briefs.

One module per stage: registry (load sources.yaml) -> fetch (HTTP or an
explicit local file) -> parse (feedparser on bytes we fetched) -> sanitise
(nh3) -> to_markdown -> dedupe -> drafts (front matter via a YAML emitter)
-> report. `pipeline` wires them together; only generator.commands.ingest
prints.
"""
