"""File-system primitives shared by the folder adapters: safe names, locks and atomic writes."""

from __future__ import annotations

import fcntl
import os
import string
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SAFE_CHARS = frozenset(string.ascii_letters + string.digits + "-_")


def safe_name(text: str) -> str:
    """Percent-encodes every byte outside [A-Za-z0-9_-], so distinct ids never share a file name."""
    if not text:
        raise ValueError("an empty id cannot name a file")
    # Injective on purpose (unlike replacing with "_"): two message ids that differ only in
    # punctuation must not be taken for duplicates of each other. Dots are encoded too, so no
    # id can produce a hidden file or a path like "..".
    return "".join(
        c if c in _SAFE_CHARS else "".join(f"%{b:02X}" for b in c.encode()) for c in text
    )


@contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Holds an exclusive flock on `lock_path` (threads and processes alike) for the block."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    # flock belongs to the open file description: each caller opens its own, so worker
    # threads of one process exclude each other as well as separate worker processes.
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield  # closing the file releases the lock, even on an exception


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(directory: Path, name: str, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write(path: Path, data: bytes) -> None:
    """Replaces `path` with `data` in one step: readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path.parent, path.name, data)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def write_once(path: Path, data: bytes) -> bool:
    """Creates `path` with `data` unless it exists; True when this call created it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path.parent, path.name, data)
    try:
        # link() publishes the complete temp file and fails if the name is taken, in one
        # atomic step; os.replace would silently overwrite a concurrent delivery instead.
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return True
