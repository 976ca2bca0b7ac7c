"""Uploaded bytes on the local disk, content-addressed by SHA-256 (documents and images)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class LocalStorage:
    """Stores each distinct content once under `<root>/<sha[:2]>/<sha>`; refs are relative paths."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def put(self, data: bytes) -> tuple[str, str]:
        """Stores `data` (once per content); returns (storage ref, sha256 hex)."""
        sha = hashlib.sha256(data).hexdigest()
        ref = f"{sha[:2]}/{sha}"
        path = self._root / ref
        if path.exists():
            return ref, sha  # same bytes already stored: content addressing makes this a no-op
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed: a reader never sees a half-written file, and
        # two concurrent uploads of the same bytes both end with one complete file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return ref, sha

    def read(self, ref: str) -> bytes:
        """The bytes stored under `ref`."""
        return self._path(ref).read_bytes()

    def exists(self, ref: str) -> bool:
        return self._path(ref).is_file()

    def _path(self, ref: str) -> Path:
        path = (self._root / ref).resolve()
        # A ref comes from our own rows, but never let one point outside the storage root.
        if not path.is_relative_to(self._root.resolve()):
            raise ValueError(f"storage ref outside the root: {ref!r}")
        return path
