"""The README's layout table is true to the tree: every path it names exists, and every tracked
file falls under a path it names (so a new module or folder is described where newcomers look)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[2]
# Package markers and repository housekeeping: nothing to describe.
UNDESCRIBED = {"README.md", ".gitignore", ".dockerignore"}


def _layout_paths() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    paths: set[str] = set()
    for line in table.splitlines():
        cells = line.split("|")
        if len(cells) > 2:
            paths.update(re.findall(r"`([^`]+)`", cells[1]))
    return paths


def _tracked() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [p for p in out.splitlines() if (ROOT / p).exists()]


def test_every_path_in_the_layout_exists() -> None:
    missing = sorted(p for p in _layout_paths() if not (ROOT / p).exists())
    assert not missing, f"the README's layout names paths that do not exist: {missing}"


def test_every_tracked_file_is_under_a_described_path() -> None:
    described = {p.rstrip("/") for p in _layout_paths()}
    undescribed = sorted(
        path
        for path in _tracked()
        if Path(path).name not in ("__init__.py", "py.typed")
        and path not in UNDESCRIBED
        and not any(path == d or path.startswith(d + "/") for d in described)
    )
    assert not undescribed, f"not in the README's layout table: {undescribed}"
