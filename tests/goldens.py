"""Golden files: output compared with a copy kept under tests/golden/, rewritten with UPDATE_GOLDEN=1."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

UPDATE = os.environ.get("UPDATE_GOLDEN", "").lower() in ("1", "true", "yes")
TESTS = Path(__file__).parent


def check_golden(actual: str, golden: Path, output: str, test_file: str) -> None:
    """With UPDATE_GOLDEN=1, write `actual` as the golden file; otherwise compare (compare_with_golden)."""
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8", newline="")
    else:
        compare_with_golden(actual, golden, output, test_file)


def compare_with_golden(actual: str, golden: Path, output: str, test_file: str) -> None:
    """Fail with a unified diff when `actual` (the site's file `output`) differs from `golden`."""
    shown = f"tests/{golden.relative_to(TESTS).as_posix()}"
    assert golden.is_file(), f"{golden} is missing; create it with UPDATE_GOLDEN=1"
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), shown, f"site/{output}"))
        pytest.fail(f"{output} differs from {shown} (if intended: UPDATE_GOLDEN=1 pytest {test_file})\n{diff}",
                    pytrace=False)
