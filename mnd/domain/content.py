"""The content package of step 4: what the ally needs to build the product."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mnd.domain.fields import JpgFileName, NonBlank, PriceCOP, ShortDescription


class ImageRef(BaseModel):
    """A stored image; the bytes live in the storage adapter, never in workflow history."""

    model_config = ConfigDict(extra="forbid")

    file_name: JpgFileName
    content_type: str = "image/jpeg"
    storage_ref: str | None = None

    @field_validator("content_type")
    @classmethod
    def _jpeg(cls, value: str) -> str:
        if value.lower() not in {"image/jpeg", "image/jpg"}:
            raise ValueError(f"la imagen debe ser JPG (tipo recibido: {value})")
        return value


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image: ImageRef
    category: NonBlank
    name: NonBlank
    description: ShortDescription
    price_cop: PriceCOP


class ContentPackage(BaseModel):
    """Tienda Digital lists products; every plan carries the embed link code."""

    model_config = ConfigDict(extra="forbid")

    products: list[Product] = Field(default_factory=list)
    business_description: NonBlank | None = None
    logo: ImageRef | None = None
    embed_code: NonBlank

    @field_validator("embed_code")
    @classmethod
    def _embed(cls, value: str) -> str:
        if not (value.lstrip().lower().startswith("<iframe") or value.startswith("https://")):
            raise ValueError("el código embed debe ser un <iframe ...> o un enlace https://")
        return value


def plan_content_errors(package: ContentPackage, requires_products: bool) -> list[str]:
    """What the plan requires and the package lacks, one Spanish line per field."""
    errors: list[str] = []
    if requires_products and not package.products:
        errors.append("products: la Tienda Digital requiere al menos un producto")
    if not requires_products:
        if package.business_description is None:
            errors.append("business_description: es obligatoria para este plan")
        if package.logo is None:
            errors.append("logo: el plan requiere el logo en JPG")
    return errors
