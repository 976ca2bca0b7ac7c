"""Request bodies: each action's payload without `actor` (the token says who acts), and the opening.

Documents and images may point at an upload (`storage_ref: "file:<id>"`); the API then fills
the name, type, size and hash from the upload, so those fields become optional here. The
domain models validate the completed payload again inside the workflow.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from mnd.api.files import FILE_REF_PREFIX
from mnd.domain.actions import ActionInput
from mnd.domain.catalog import DEFAULT_CATALOG
from mnd.domain.content import ContentPackage, ImageRef, Product
from mnd.domain.documents import Document, DocumentSet
from mnd.domain.fields import JpgFileName, NonBlank
from mnd.domain.parties import ClientEntry, Consultant

_REF_HELP = "`file:<id>` de `POST /api/files` para completar nombre, tipo, tamaño y hash"


def _named_or_uploaded(file_name: str | None, storage_ref: str | None) -> None:
    if file_name is None and not (storage_ref or "").startswith(FILE_REF_PREFIX):
        raise ValueError("file_name es obligatorio, salvo con storage_ref «file:<id>»")


class DocumentUpload(Document):
    """Un documento del contrato; con `storage_ref` = `file:<id>` basta indicar `kind`."""

    file_name: NonBlank | None = None  # type: ignore[assignment]
    storage_ref: str | None = Field(default=None, description=_REF_HELP)

    @model_validator(mode="after")
    def _named(self) -> Self:
        _named_or_uploaded(self.file_name, self.storage_ref)
        return self


class DocumentSetUpload(DocumentSet):
    documents: list[DocumentUpload]  # type: ignore[assignment]


class ImageUpload(ImageRef):
    """Una imagen JPG; con `storage_ref` = `file:<id>` el nombre sale del archivo subido."""

    file_name: JpgFileName | None = None  # type: ignore[assignment]
    storage_ref: str | None = Field(default=None, description=_REF_HELP)

    @model_validator(mode="after")
    def _named(self) -> Self:
        _named_or_uploaded(self.file_name, self.storage_ref)
        return self


class ProductUpload(Product):
    image: ImageUpload


class ContentUpload(ContentPackage):
    products: list[ProductUpload] = Field(default_factory=list)  # type: ignore[assignment]
    logo: ImageUpload | None = None


# The fields that accept uploads, per action; every other field keeps the domain's type.
_UPLOAD_FIELDS: dict[str, dict[str, type[BaseModel]]] = {
    "submit_documents": {"documents": DocumentSetUpload},
    "submit_content": {"content": ContentUpload},
}


def action_body(spec: type[ActionInput]) -> type[BaseModel]:
    """The action's payload model minus `actor`, named `<Action>Body` for the OpenAPI page."""
    overrides = _UPLOAD_FIELDS.get(spec.name, {})
    fields: dict[str, Any] = {}
    for name, field in spec.model_fields.items():
        if name == "actor":
            continue
        # The FieldInfo carries the default and the validators (NonBlank...) along.
        fields[name] = (overrides.get(name, field.annotation), field)
    model_name = spec.__name__.removesuffix("Input") + "Body"
    model: type[BaseModel] = create_model(
        model_name,
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"Datos de «{spec.label_es}»; quién actúa sale del token.",
        **fields,
    )
    return model


class OpenSaleRequest(BaseModel):
    """Apertura de una venta (paso 1)."""

    model_config = ConfigDict(extra="forbid")

    sale_id: str | None = Field(
        default=None, description="Si falta, se genera uno (MND-<año>-<6 dígitos>)"
    )
    consultant: Consultant | None = Field(
        default=None, description="Si falta, el consultor es quien abre la venta"
    )
    client: ClientEntry
    plan_id: str = Field(description="tienda_digital o posicionamiento")
    profile: Literal["seed", "fast"] | None = Field(
        default=None, description="Perfil de tiempos; por omisión el configurado (seed)"
    )

    @field_validator("plan_id")
    @classmethod
    def _known_plan(cls, value: str) -> str:
        if DEFAULT_CATALOG.plan(value) is None:
            known = ", ".join(plan.id for plan in DEFAULT_CATALOG.plans)
            raise ValueError(f"plan desconocido: «{value}» (planes: {known})")
        return value
