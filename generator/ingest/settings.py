"""The few site.yaml settings ingest needs: time zone, sections, jurisdictions, actions.

Read minimally with yaml.safe_load; the full site configuration is validated
by `digest check`. Problems come back as Diagnostics naming site.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.diagnostics import Diagnostic

SITE_PATH = "content/site.yaml"
DEFAULT_TIMEZONE = "Australia/Sydney"
DEFAULT_ACTION = "Monitor"


@dataclass(frozen=True)
class IngestSettings:
    timezone: ZoneInfo
    sections: tuple[str, ...] | None = None
    jurisdictions: tuple[str, ...] | None = None
    actions: tuple[str, ...] = (DEFAULT_ACTION,)

    @property
    def stub_action(self) -> str:
        """The action a stubbed implication uses: Monitor, or the last (mildest) site action."""
        return DEFAULT_ACTION if DEFAULT_ACTION in self.actions else self.actions[-1]


def load_settings(root: Path) -> tuple[IngestSettings | None, list[Diagnostic]]:
    path = Path(root) / SITE_PATH
    data: dict = {}
    if path.exists():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            return None, [Diagnostic(SITE_PATH, message=f"cannot read the file: {exc}")]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            return None, [Diagnostic(SITE_PATH, line, col, message=f"not valid YAML: {getattr(exc, 'problem', exc)}")]
        if loaded is not None and not isinstance(loaded, dict):
            return None, [Diagnostic(SITE_PATH, message="site.yaml must be a mapping of settings")]
        data = loaded or {}

    tz_name = data.get("timezone", DEFAULT_TIMEZONE)
    try:
        tz = ZoneInfo(str(tz_name))
    except (ZoneInfoNotFoundError, ValueError):
        return None, [Diagnostic(SITE_PATH, field="timezone", message=f"'{tz_name}' is not a known time zone",
                                 hint="use an IANA name such as Australia/Sydney")]

    def names(key: str) -> tuple[str, ...] | None:
        value = data.get(key)
        if not isinstance(value, list):
            return None
        return tuple(str(v) for v in value if isinstance(v, (str, int)))

    actions: tuple[str, ...] = ()
    for item in data.get("actions") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            actions += (item["name"],)
        elif isinstance(item, str):
            actions += (item,)
    return IngestSettings(tz, names("sections"), names("jurisdictions"), actions or (DEFAULT_ACTION,)), []
