"""Uploads: which bytes each purpose accepts, their `StoredFile` rows, and `file:<id>` references."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any, TypeGuard

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mnd.adapters.storage_local import LocalStorage
from mnd.auth.staff import Staff
from mnd.db.engine import read_session
from mnd.db.models import Document, Sale, StoredFile
from mnd.domain.fields import FILE_NAME_MAX

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
FILE_REF_PREFIX = "file:"
# Magic numbers: the declared content type is the sender's claim, the first bytes are the file.
_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_ALIASES = {"image/jpg": JPEG, "image/pjpeg": JPEG}
_UNDECLARED = {"", "application/octet-stream"}
_NAMES_ES = {PDF: "PDF", JPEG: "JPG", PNG: "PNG"}


class UploadPurpose(StrEnum):
    DOCUMENT = "document"
    PRODUCT_IMAGE = "product_image"


ALLOWED: dict[UploadPurpose, tuple[str, ...]] = {
    UploadPurpose.DOCUMENT: (PDF, JPEG, PNG),
    UploadPurpose.PRODUCT_IMAGE: (JPEG,),
}
_PURPOSE_ES = {UploadPurpose.DOCUMENT: "documentos", UploadPurpose.PRODUCT_IMAGE: "imágenes"}


class UploadRefused(Exception):
    """An upload that is not stored; `status` is the HTTP code, the message is Spanish."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class StoredFileView(BaseModel):
    """What the API answers for an upload, and what a `file:<id>` reference fills in."""

    id: str
    sha256: str
    size_bytes: int
    content_type: str
    file_name: str


def sniff(data: bytes) -> str | None:
    """The content type the bytes themselves show, among PDF, JPEG and PNG."""
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


def check_upload(data: bytes, file_name: str, declared: str, purpose: UploadPurpose) -> str:
    """The file's real content type, or `UploadRefused` (415 wrong kind, 422 inconsistent)."""
    if not data:
        raise UploadRefused(422, "El archivo está vacío.")
    found = sniff(data)
    allowed = ALLOWED[purpose]
    if found not in allowed:
        names = [_NAMES_ES[kind] for kind in allowed]
        listed = ", ".join(names[:-1]) + " o " + names[-1] if len(names) > 1 else names[0]
        raise UploadRefused(
            415, f"Tipo de archivo no permitido para {_PURPOSE_ES[purpose]}: solo {listed}."
        )
    claimed = declared.split(";")[0].strip().lower()
    claimed = _ALIASES.get(claimed, claimed)
    if claimed not in _UNDECLARED and claimed != found:
        raise UploadRefused(
            422,
            f"El contenido del archivo es {_NAMES_ES[found]}, pero se declaró como «{claimed}».",
        )
    if purpose is UploadPurpose.PRODUCT_IMAGE and not file_name.lower().endswith((".jpg", ".jpeg")):
        # The content package requires JPG file names; refusing now beats refusing at step 4.
        raise UploadRefused(422, f"El nombre de la imagen debe terminar en .jpg: «{file_name}».")
    return found


def clean_name(raw: str | None, content_type: str) -> str:
    """The base name the sender gave (never a path), or a neutral one."""
    name = PurePosixPath((raw or "").replace("\\", "/")).name.strip()[:FILE_NAME_MAX]
    return name or f"archivo.{_NAMES_ES[content_type].lower()}"


class FileStore:
    """Uploaded files: bytes in the storage adapter, one `StoredFile` row per upload."""

    def __init__(self, sessions: sessionmaker[Session], storage: LocalStorage) -> None:
        self._sessions = sessions
        self._storage = storage

    def save(
        self, data: bytes, file_name: str, content_type: str, uploaded_by: str
    ) -> StoredFileView:
        ref, sha = self._storage.put(data)
        row = StoredFile(
            id=uuid.uuid4().hex,
            sha256=sha,
            file_name=file_name,
            content_type=content_type,
            size_bytes=len(data),
            storage_ref=ref,
            uploaded_by=uploaded_by,
            uploaded_at=datetime.now(UTC),
        )
        with self._sessions.begin() as session:
            session.add(row)
        return _view(row)

    def get_many(self, ids: set[str]) -> dict[str, StoredFileView]:
        if not ids:
            return {}
        with read_session(self._sessions) as session:
            rows = session.scalars(select(StoredFile).where(StoredFile.id.in_(ids)))
            return {row.id: _view(row) for row in rows}

    def read(self, file_id: str, reader: Staff) -> tuple[StoredFileView, bytes] | None:
        """The upload's metadata and bytes, or None when no upload has this id or `reader` may
        not see it: a member who is only a consultant sees what they uploaded and the documents
        of their own sales (as with the sales themselves), the areas and supervisors everything.
        """
        with read_session(self._sessions) as session:
            row = session.get(StoredFile, file_id)
            if row is None:
                return None
            if not (
                reader.sees_every_sale
                or row.uploaded_by == reader.id
                or _in_own_sale(session, FILE_REF_PREFIX + file_id, reader.id)
            ):
                return None  # as if it did not exist: an id is no proof of a right to it
            view, ref = _view(row), row.storage_ref
        return view, self._storage.read(ref)


def _in_own_sale(session: Session, storage_ref: str, consultant_id: str) -> bool:
    # Through the consultant's sales (indexed), then their few documents.
    found = session.scalar(
        select(Document.id)
        .join(Sale, Sale.sale_id == Document.sale_id)
        .where(Sale.consultant_id == consultant_id, Document.storage_ref == storage_ref)
        .limit(1)
    )
    return found is not None


def _view(row: StoredFile) -> StoredFileView:
    return StoredFileView(
        id=row.id,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        content_type=row.content_type,
        file_name=row.file_name,
    )


Lookup = Callable[[set[str]], dict[str, StoredFileView]]


def file_refs(node: Any) -> set[str]:
    """Every `file:<id>` id in a JSON payload's `storage_ref` fields."""
    if isinstance(node, dict):
        ref = node.get("storage_ref")
        own = {ref.removeprefix(FILE_REF_PREFIX)} if _is_ref(ref) else set()
        return own.union(*(file_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(file_refs(v) for v in node))
    return set()


def resolve_file_refs(node: Any, files: dict[str, StoredFileView], where: str = "") -> list[str]:
    """Fills each referencing object from its upload (in place); Spanish lines for unknown ids.

    Only keys the object already has are filled (an image reference has no sha256), the real
    content type always wins over the declared one, and a file name the sender gave is kept.
    """
    errors: list[str] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            errors += resolve_file_refs(item, files, f"{where}[{i}]")
    elif isinstance(node, dict):
        ref = node.get("storage_ref")
        if _is_ref(ref):
            found = files.get(ref.removeprefix(FILE_REF_PREFIX))
            if found is None:
                errors.append(f"{where}.storage_ref: no existe el archivo subido «{ref}»")
            else:
                for key, value in found.model_dump(exclude={"id"}).items():
                    if key in node and (key != "file_name" or not node[key]):
                        node[key] = value
        for key, value in node.items():
            errors += resolve_file_refs(value, files, f"{where}.{key}" if where else key)
    return errors


def _is_ref(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(FILE_REF_PREFIX)
