"""How long the README's test command takes from a fresh clone, and whether it passes.

Clones the repository's committed HEAD into a temporary folder, runs `make .venv` there (the
install, timed on its own), then the command (`make test` unless told otherwise) and reports,
per run, the wall time of each, the command's exit status, pytest's summary lines and the load
average at the end. Every run starts from a fresh clone: a cold mypy cache, no `.venv`.
`--busy` keeps one core busy with a CPU-bound process while the command runs (the "under load"
runs of issue 10).

    .venv/bin/python -m benchmarks.suite_time                                # make test, once
    .venv/bin/python -m benchmarks.suite_time --runs 3 --command .ci/run --busy  # CI, loaded
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.common import ROOT, save_json

# pytest's closing line: "=== 661 passed in 95.00s (0:01:35) ===" (or "1 failed, 660 passed").
SUMMARY = re.compile(r"^=+ (.*\bin [0-9.]+s.*?) =+$", re.MULTILINE)
BURNER = "while True: pass"


@dataclass(frozen=True)
class Run:
    install_s: float
    command_s: float
    exit_status: int
    summaries: list[str]
    load_average: float

    def line(self, number: int) -> str:
        verdict = "passed" if self.exit_status == 0 else f"FAILED (exit {self.exit_status})"
        total = self.install_s + self.command_s
        pytest = "; ".join(self.summaries) or "no pytest summary"
        return (
            f"run {number}: {verdict}; install {self.install_s:.0f} s, command "
            f"{self.command_s:.0f} s, both {total:.0f} s ({int(total // 60)}:{int(total % 60):02d}); "
            f"{pytest}; load average {self.load_average:.2f}"
        )


@contextmanager
def busy(on: bool) -> Iterator[None]:
    """A process spinning on one core for the duration, when `on`."""
    if not on:
        yield
        return
    burner = subprocess.Popen([sys.executable, "-c", BURNER])
    try:
        yield
    finally:
        burner.kill()
        burner.wait()


def timed(argv: list[str], cwd: Path, log: Path) -> tuple[float, int]:
    started = time.monotonic()
    with log.open("ab") as out:
        status = subprocess.run(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT).returncode
    return time.monotonic() - started, status


def one_run(command: list[str], loaded: bool, keep: bool, number: int) -> Run:
    folder = Path(tempfile.mkdtemp(prefix="mnd-suite-"))
    clone = folder / "clone"
    log = folder / "output.log"
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        install_s, status = timed(["make", ".venv"], clone, log)
        if status != 0:
            return Run(install_s, 0.0, status, [], os.getloadavg()[0])
        with busy(loaded):
            command_s, status = timed(command, clone, log)
        output = log.read_text(errors="replace")
        if status != 0:
            print(output[-3000:], file=sys.stderr)
        return Run(install_s, command_s, status, SUMMARY.findall(output), os.getloadavg()[0])
    finally:
        if keep:
            print(f"run {number}: the clone and its output are in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="fresh clones, one after the other")
    parser.add_argument("--command", default="make test", help="what to run in each clone")
    parser.add_argument("--busy", action="store_true", help="one core kept busy meanwhile")
    parser.add_argument("--keep", action="store_true", help="leave each clone and its output")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if dirty:
        print("Uncommitted changes are not in the clone: commit them first.", file=sys.stderr)
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(f"{args.command} on fresh clones of {head}, {os.cpu_count()} cores, busy={args.busy}")
    runs = []
    for number in range(1, args.runs + 1):
        run = one_run(shlex.split(args.command), args.busy, args.keep, number)
        runs.append(run)
        print(run.line(number), flush=True)
    save_json(
        args.json,
        {
            "command": args.command,
            "head": head,
            "busy": args.busy,
            "runs": [asdict(r) for r in runs],
        },
    )
    if any(run.exit_status != 0 for run in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
