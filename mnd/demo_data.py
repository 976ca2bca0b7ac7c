"""Demo data: a valid Tienda Digital sale for a clothing shop, its content and documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from mnd.domain.clock import colombian_date
from mnd.domain.content import ContentPackage, ImageRef, Product
from mnd.domain.documents import Document, DocumentKind, DocumentSet
from mnd.domain.parties import Client, Consultant, DocumentType
from mnd.domain.profile import ProcessProfile
from mnd.domain.roles import Role
from mnd.domain.sale import OpenSaleInput

# Staff ids the autopilot acts as (the consultant's comes from the sale, as the rules require).
DEMO_STAFF: dict[Role, str] = {
    Role.DATA_MINING: "mineria.demo",
    Role.PROVISIONING: "aprovisionamiento.demo",
    Role.COMMERCIAL_SUPPORT: "soporte.comercial.demo",
    Role.PRODUCTION: "produccion.demo",
    Role.ALLY: "aliado.demo",
}


def demo_sale(sale_id: str, profile: ProcessProfile | None = None) -> OpenSaleInput:
    """A valid Tienda Digital sale for a clothing shop (NIT with a correct check digit)."""
    return OpenSaleInput(
        sale_id=sale_id,
        consultant=Consultant(id="cons-0042", name="Laura Gómez", email="laura.gomez@claro.com.co"),
        client=Client(
            legal_name="Confecciones La Esperanza S.A.S.",
            document_type=DocumentType.NIT,
            document_number="900.373.115-3",
            contact_name="Andrés Rodríguez",
            email="andres.rodriguez@laesperanza.com.co",
            phone="+57 310 555 1234",
        ),
        plan_id="tienda_digital",
        profile=profile or ProcessProfile(),
    )


def demo_content() -> ContentPackage:
    """Two products with JPG images and an embed code: what Tienda Digital requires."""
    return ContentPackage(
        products=[
            Product(
                image=ImageRef(file_name="camisa-lino.jpg"),
                category="Camisas",
                name="Camisa de lino blanca",
                description="Camisa de lino fresco, manga larga, ideal para clima cálido.",
                price_cop=Decimal("89900"),
            ),
            Product(
                image=ImageRef(file_name="jean-clasico.jpg"),
                category="Pantalones",
                name="Jean clásico azul",
                description="Jean de corte recto en algodón resistente, tallas 28 a 40.",
                price_cop=Decimal("129900"),
            ),
        ],
        embed_code='<iframe src="https://www.google.com/maps/embed?pb=laesperanza" width="600" height="450"></iframe>',
    )


def demo_documents(issued_on: date | None = None) -> DocumentSet:
    """Anexo, Contrato, Cláusulas, cédula and a RUT issued `issued_on` (default: today in Bogotá)."""
    # The Colombian date, as the rule that checks the 30 days reads it (after 19:00 in Bogotá
    # the UTC date is tomorrow, which the rule refuses as a future issue date).
    rut_date = issued_on or colombian_date(datetime.now(UTC))
    files = {
        DocumentKind.ANEXO: "anexo.pdf",
        DocumentKind.CONTRATO: "contrato.pdf",
        DocumentKind.CLAUSULAS: "clausulas.pdf",
        DocumentKind.CEDULA: "cedula-representante.pdf",
        DocumentKind.RUT: "rut.pdf",
    }
    return DocumentSet(
        documents=[
            Document(
                kind=kind,
                file_name=name,
                issued_on=rut_date if kind is DocumentKind.RUT else None,
            )
            for kind, name in files.items()
        ]
    )
