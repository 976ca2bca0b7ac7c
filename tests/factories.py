"""Valid inputs for every staff action, so each test changes only what it is about."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from mnd.domain import actions as a
from mnd.domain.content import ContentPackage, ImageRef, Product
from mnd.domain.documents import Document, DocumentKind, DocumentSet
from mnd.domain.parties import Actor, Client, Consultant
from mnd.domain.profile import ProcessProfile, fast_profile
from mnd.domain.roles import Role
from mnd.domain.sale import OpenSaleInput

CONSULTANT = Consultant(id="c-100", name="Laura Gómez", email="laura.gomez@claro.com.co")


def actor(role: Role, actor_id: str | None = None) -> Actor:
    default = CONSULTANT.id if role is Role.CONSULTANT else f"{role.value}-1"
    return Actor(id=actor_id or default, role=role)


def quick_profile(
    minimum: timedelta = timedelta(seconds=0.2), name: str = "quick"
) -> ProcessProfile:
    """The fast profile with every minimum (steps 5, 6 and 7) at `minimum`: for runs on the dev
    server's real clock that go through the minimums without being about them (the fast
    profile spends 7 s of wall clock in them)."""
    return fast_profile().model_copy(
        update={
            "name": name,
            "client_verification_min": minimum,
            "contract_number_min": minimum,
            "document_validation_min": minimum,
        }
    )


def open_input(
    sale_id: str, profile: ProcessProfile | None = None, plan_id: str = "tienda_digital"
) -> OpenSaleInput:
    return OpenSaleInput(
        sale_id=sale_id,
        consultant=CONSULTANT,
        client=Client(
            legal_name="Panadería La Espiga S.A.S.",
            document_type="NIT",
            document_number="900373115-3",
            contact_name="Jorge Pérez",
            email="jorge@laespiga.com.co",
            phone="3001234567",
        ),
        plan_id=plan_id,
        profile=profile or ProcessProfile(),
    )


def product(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "image": {"file_name": "pan.jpg"},
        "category": "Panes",
        "name": "Pan de bono",
        "description": "Pan de bono horneado cada mañana con queso costeño",
        "price_cop": "2500",
    }
    return {**data, **over}


def content() -> ContentPackage:
    return ContentPackage(
        products=[Product.model_validate(product())],
        embed_code='<iframe src="https://maps.google.com/embed?pb=1"></iframe>',
    )


def posicionamiento_content() -> ContentPackage:
    return ContentPackage(
        business_description="Panadería de barrio con 20 años de tradición",
        logo=ImageRef(file_name="logo.jpg"),
        embed_code="https://www.instagram.com/laespiga",
    )


def documents(registry_issued: date) -> DocumentSet:
    kinds = [DocumentKind.ANEXO, DocumentKind.CONTRATO, DocumentKind.CLAUSULAS, DocumentKind.CEDULA]
    docs = [Document(kind=k, file_name=f"{k.value}.pdf") for k in kinds]
    docs.append(Document(kind=DocumentKind.RUT, file_name="rut.pdf", issued_on=registry_issued))
    return DocumentSet(documents=docs)


def call(reached: bool = True, failing: tuple[str, ...] = ()) -> a.RecordCallInput:
    apps = {k: ("failed" if k in failing else "ok") for k in ("app", "dash", "admin_panel")}
    return a.RecordCallInput(
        actor=actor(Role.PRODUCTION),
        reached=reached,
        support_channels_explained=reached,
        post_sale_channels_explained=reached,
        applications=apps if reached else {},
    )
