"""Opening a sale from the console (step 1): the consultant records the client and the plan."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from mnd.api.deps import ContextDep, SaleServiceDep
from mnd.console.forms import ActionForm, Choices, build_model_form, place_errors, read_form
from mnd.console.web import Member, PageRefused, PostingMember, render, see_other
from mnd.domain.catalog import DEFAULT_CATALOG
from mnd.domain.messages import spanish_errors
from mnd.domain.parties import ClientEntry, Consultant
from mnd.domain.roles import Role
from mnd.domain.sale import OpenSaleInput
from mnd.opening import new_sale_id
from mnd.services.sales import SaleAlreadyExists

router = APIRouter(prefix="/consola", include_in_schema=False)


class OpenSaleForm(BaseModel):
    """What the consultant fills in; the sale id, the consultant and the profile come from here."""

    client: ClientEntry
    plan_id: str


def _consultant(member: Member) -> None:
    if Role.CONSULTANT not in member.staff.roles:
        raise PageRefused(403, "Solo consultores", "Solo un consultor abre ventas.")


def _form() -> ActionForm:
    return build_model_form(OpenSaleForm, "open_sale", "Abrir venta", Choices(DEFAULT_CATALOG))


def _page(request: Request, form: ActionForm, sale_id: str, status: int = 200) -> Response:
    return render(request, "open_sale.html", status, form=form, sale_id=sale_id)


@router.get("/ventas/nueva")
def open_page(request: Request, member: Member) -> Response:
    _consultant(member)
    # The id is fixed when the form is shown: sending the form twice opens one sale.
    return _page(request, _form(), new_sale_id())


@router.post("/ventas/nueva")
async def open_sale(
    request: Request,
    member: PostingMember,
    ctx: ContextDep,
    service: SaleServiceDep,
    sale_id: Annotated[str, Form()],
) -> Response:
    _consultant(member)
    form = _form()
    payload = await read_form(form, await request.form(), _no_uploads)
    staff = member.staff
    try:
        inp = OpenSaleInput(
            sale_id=sale_id,
            consultant=Consultant(id=staff.id, name=staff.name, email=staff.email),
            profile=ctx.settings.process_profile(),
            **payload,
        )
    except ValidationError as invalid:
        place_errors(form, spanish_errors(invalid))
        return _page(request, form, sale_id, 422)
    # The same form sent again finds the sale it opened: one sale, the same page.
    with suppress(SaleAlreadyExists):
        await service.open(inp)
    return see_other(f"/consola/ventas/{sale_id}?hecho=open_sale")


async def _no_uploads(path: str, upload: object) -> dict[str, object]:
    raise AssertionError("the opening form has no uploads")
