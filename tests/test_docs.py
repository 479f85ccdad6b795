"""The README cannot drift from the code: every command, option, field and setting is documented."""

from __future__ import annotations

import re

from conftest import REPO
from generator.cli import COMMANDS, make_parser
from generator.config import FIELDS as SITE_FIELDS
from generator.validate import BRIEF_FIELDS, SOURCE_FIELDS

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme():
    for name in COMMANDS:
        assert f"digest {name}" in README, f"README.md does not mention `digest {name}`"


def test_every_option_of_every_command_is_in_the_readme():
    for name in COMMANDS:
        parser = make_parser(name)
        sub = next(a for a in parser._actions if a.dest == "command").choices[name]
        for action in sub._actions:
            for option in action.option_strings:
                if option in ("-h", "--help") or not option.startswith("--"):
                    continue
                assert option in README, f"README.md does not mention {option} of `digest {name}`"


def test_every_brief_field_is_in_the_readme_table():
    table = {m.group(1) for m in re.finditer(r"^\| `([a-z_.]+)` \|", README, re.M)}
    for field in BRIEF_FIELDS:
        if field == "source":
            assert {f"source.{f}" for f in SOURCE_FIELDS} <= table
        else:
            assert field in table, f"brief field {field!r} is missing from the README's table"


def test_every_site_setting_is_in_the_readme_example():
    example = README.split("### `content/site.yaml`", 1)[1].split("```", 2)[1]
    for field in SITE_FIELDS:
        assert re.search(rf"^\s*{field}:", example, re.M), f"site.yaml setting {field!r} is missing from the README"


def test_the_readme_screenshot_exists():
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (REPO / image).is_file(), image
