"""The document set of step 6 and Soporte Comercial's verdict on it (step 7)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mnd.domain.clock import spanish_date
from mnd.domain.fields import NonBlank

MAX_REGISTRY_AGE = timedelta(days=30)
ALLOWED_CONTENT_TYPES = {"application/pdf", "image/jpeg", "image/png"}


class DocumentKind(StrEnum):
    ANEXO = "anexo"
    CONTRATO = "contrato"
    CLAUSULAS = "clausulas"
    CEDULA = "cedula"
    RUT = "rut"
    CAMARA_COMERCIO = "camara_comercio"


DOCUMENT_NAMES_ES: dict[DocumentKind, str] = {
    DocumentKind.ANEXO: "Anexo",
    DocumentKind.CONTRATO: "Contrato",
    DocumentKind.CLAUSULAS: "Cláusulas",
    DocumentKind.CEDULA: "Fotocopia de cédula",
    DocumentKind.RUT: "RUT",
    DocumentKind.CAMARA_COMERCIO: "Cámara de Comercio",
}
REQUIRED_KINDS = (
    DocumentKind.ANEXO,
    DocumentKind.CONTRATO,
    DocumentKind.CLAUSULAS,
    DocumentKind.CEDULA,
)
REGISTRY_KINDS = (DocumentKind.RUT, DocumentKind.CAMARA_COMERCIO)


class Document(BaseModel):
    """A stored document: metadata only, the bytes live in the storage adapter."""

    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind
    file_name: NonBlank
    content_type: str = "application/pdf"
    storage_ref: str | None = None
    sha256: str | None = None
    size_bytes: int | None = Field(default=None, ge=1)
    issued_on: date | None = None

    @model_validator(mode="after")
    def _check(self) -> Document:
        if self.content_type not in ALLOWED_CONTENT_TYPES:
            raise ValueError(
                f"{DOCUMENT_NAMES_ES[self.kind]}: debe ser PDF o imagen (recibido: {self.content_type})"
            )
        if self.kind in REGISTRY_KINDS and self.issued_on is None:
            raise ValueError(f"{DOCUMENT_NAMES_ES[self.kind]}: falta la fecha de expedición")
        return self


class DocumentSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[Document]


def document_set_errors(documents: DocumentSet, submitted_on: date) -> list[str]:
    """The four fixed documents plus a RUT or Cámara de Comercio at most 30 days old."""
    kinds = {d.kind for d in documents.documents}
    errors = [
        f"falta el documento: {DOCUMENT_NAMES_ES[kind]}"
        for kind in REQUIRED_KINDS
        if kind not in kinds
    ]
    registries = [d for d in documents.documents if d.kind in REGISTRY_KINDS]
    if not registries:
        errors.append("falta el RUT o el certificado de Cámara de Comercio")
    fresh = [
        d
        for d in registries
        if d.issued_on is not None
        and submitted_on - MAX_REGISTRY_AGE <= d.issued_on <= submitted_on
    ]
    if registries and not fresh:
        errors.extend(
            f"{DOCUMENT_NAMES_ES[d.kind]}: expedido el {_day(d.issued_on)}; debe tener como "
            f"máximo 30 días al momento del envío ({spanish_date(submitted_on)})"
            for d in registries
        )
    return errors


class DocumentRejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind
    reason: NonBlank


def _day(day: date | None) -> str:
    return spanish_date(day) if day else "(sin fecha)"
