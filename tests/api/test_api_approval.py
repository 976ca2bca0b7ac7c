"""The client's emailed approval link: approve, corrections, and every way a link is refused."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import update

from mnd.auth.approval import ApprovalLinks
from mnd.db.dialect import utc
from mnd.db.models import ApprovalLink
from mnd.domain.clock import spanish_datetime
from mnd.domain.roles import Role
from mnd.domain.steps import StepId
from tests.api import flow
from tests.api.conftest import PUBLIC_URL, Api
from tests.api.flow import ApiSale
from tests.support import without_hanging

LINK = re.compile(re.escape(PUBLIC_URL) + r"(/aprobacion/[A-Za-z0-9_.\-]+)")


async def emailed_links(
    api: Api, sale_id: str, count: int, template: str = "delivery_welcome"
) -> list[str]:
    """The paths of the approval links in the sale's `template` emails, once `count` were sent."""
    for _ in range(200):
        bodies = [
            str(m.get_content())
            for m in await api.stack.mails(sale_id)
            if m["X-MND-Template"] == template
        ]
        found = [match.group(1) for body in bodies for match in LINK.finditer(body)]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} approval link(s) never emailed")


def nonce_of(api: Api, path: str) -> str:
    return links(api).check(path.rsplit("/", 1)[1]).nonce


def links(api: Api) -> ApprovalLinks:
    s = api.settings
    return ApprovalLinks(api.sessions, s.secret_key, timedelta(hours=1), s.public_url)


async def test_corrections_then_approval_and_refused_links(api: Api) -> None:
    sale = await ApiSale.open(api)
    await flow.to_client_approval(sale)
    [first] = await emailed_links(api, sale.sale_id, 1)
    page = await api.http.get(first)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert flow.URL in page.text and "Solicitar correcciones" in page.text

    # Corrections need comments; the link stays usable until they are given.
    blank = await api.http.post(f"{first}/correcciones", data={"comments": "  "})
    assert blank.status_code == 422 and "Escriba las correcciones" in blank.text
    done = await api.http.post(
        f"{first}/correcciones", data={"comments": "El logo va a la izquierda"}
    )
    # Post/redirect/get: the result is a GET page, so a refresh sends nothing again.
    assert done.status_code == 303 and done.headers["location"] == first
    for _ in range(2):  # the page, then a refresh
        result = await api.http.get(first)
        assert result.status_code == 200 and "Usted solicitó correcciones" in result.text
        assert "(hora de Colombia)" in result.text and 'class="ok"' in result.text
    # The redirect came after the sale's answer: it has already gone back to the ally.
    state = await sale.state()
    assert state.step is StepId.PIECE_DELIVERY and state.waiting_on == [Role.ALLY]
    assert state.corrections[0].comments == "El logo va a la izquierda"
    assert state.corrections[0].requested_by == "cliente:900.373.115-3"

    # A link of the first delivery (never used) is refused once the second one is out.
    stale = links(api).issue(sale.sale_id, 1, f"{sale.sale_id}:extra").removeprefix(PUBLIC_URL)
    await sale.act_to(
        StepId.CLIENT_APPROVAL, "deliver_piece", flow.delivery(2), flow.member(Role.ALLY)
    )
    second = (await emailed_links(api, sale.sale_id, 2))[1]
    response = await api.http.get(stale)
    assert response.status_code == 410 and "corresponde a una entrega anterior" in response.text

    # An expired link of the current delivery is refused, on the page and on a decision.
    expired = links(api).issue(sale.sale_id, 2, f"{sale.sale_id}:expired").removeprefix(PUBLIC_URL)
    with api.sessions.begin() as session:
        session.execute(
            update(ApprovalLink)
            .where(ApprovalLink.nonce == nonce_of(api, expired))
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    for response in (await api.http.get(expired), await api.http.post(f"{expired}/aprobar")):
        assert response.status_code == 410 and "venció" in response.text

    # The current link approves; the page says so; the link never works again.
    second_nonce = nonce_of(api, second)
    approved = await api.http.post(f"{second}/aprobar", data={"comment": "¡Quedó lindo!"})
    assert approved.status_code == 303 and approved.headers["location"] == second
    state = await sale.state()  # the redirect came after the sale's answer
    assert state.step is StepId.PROVISIONING_CALL
    assert state.approved_by == "cliente:900.373.115-3"
    # Reopened (or the form sent again), the used link says what was decided, when, and whom
    # to write to; the second decision is not sent.
    again = await api.http.post(f"{second}/aprobar")
    assert again.status_code == 303 and again.headers["location"] == second
    page = await api.http.get(second)
    assert page.status_code == 200 and "Usted aprobó su producto" in page.text
    with api.sessions() as session:  # when the link was used (the wall clock, not the test's)
        row = session.get(ApprovalLink, second_nonce)
        assert row is not None and row.used_at is not None
        assert spanish_datetime(utc(row.used_at)) in page.text
    assert state.consultant.email in page.text and state.consultant.name in page.text
    assert 'class="error"' not in page.text
    assert len((await sale.state()).log) == len(state.log)


async def test_a_refused_decision_releases_the_link(api: Api) -> None:
    sale = await ApiSale.open(api)
    await flow.to_client_approval(sale)
    [path] = await emailed_links(api, sale.sale_id, 1)
    # Producción records the approval first (by phone); the client's click comes too late.
    await sale.act_to(StepId.PROVISIONING_CALL, "approve_product", {}, flow.member(Role.PRODUCTION))
    response = await api.http.post(f"{path}/aprobar")
    assert response.status_code == 409 and "No se registró" in response.text
    assert "corresponde al paso 10. Aprobación del cliente" in response.text
    assert nonce_of(api, path)  # released: the link checks as unused again
    page = await api.http.get(path)  # nothing pending is news, not an error
    assert page.status_code == 200 and "ya no espera su aprobación" in page.text
    assert 'class="info"' in page.text


async def test_the_reminder_carries_the_rounds_link_and_replies_to_the_consultant(
    api: Api,
) -> None:
    sale = await ApiSale.open(api)
    state = await flow.to_client_approval(sale)
    [welcome] = await emailed_links(api, sale.sale_id, 1)
    await api.env.sleep(state.profile.client_approval_reminder_every + timedelta(minutes=1))
    [reminder] = await emailed_links(api, sale.sale_id, 1, "approval_reminder")
    # One link per delivery round (same nonce, freshly signed): used through either, used.
    assert nonce_of(api, reminder) == nonce_of(api, welcome)
    [mail] = [
        m for m in await api.stack.mails(sale.sale_id) if m["X-MND-Template"] == "approval_reminder"
    ]
    assert mail["Reply-To"] == state.consultant.email
    approved = await api.http.post(f"{reminder}/aprobar")
    assert approved.status_code == 303
    assert (await sale.state()).step is StepId.PROVISIONING_CALL  # redirected after the answer


async def test_forged_links_are_refused(api: Api) -> None:
    other = URLSafeTimedSerializer("otro-secreto", salt="mnd-client-approval")
    forged = other.dumps({"n": "0" * 32, "s": "API-1"})
    for token in ("inventado", forged):
        for response in (
            await api.http.get(f"/aprobacion/{token}"),
            await api.http.post(f"/aprobacion/{token}/aprobar"),
            await api.http.post(f"/aprobacion/{token}/correcciones", data={"comments": "x"}),
        ):
            assert response.status_code == 404
            assert "El enlace de aprobación no es válido." in response.text


async def test_a_decision_whose_answer_was_lost_is_sent_again_and_applied_once(api: Api) -> None:
    """The link's nonce is the Update's id: a second submit of the same link, after the sale took
    the first one and its answer was lost, answers as accepted and changes nothing more."""
    sale = await ApiSale.open(api)
    await flow.to_client_approval(sale)
    [path] = await emailed_links(api, sale.sale_id, 1)
    nonce = nonce_of(api, path)
    lost = api.answers.lose(f"approval:{nonce}")
    first = asyncio.create_task(api.http.post(f"{path}/aprobar", data={"comment": "Perfecto"}))
    await without_hanging(lost.wait(), "the lost answer")
    assert not first.done()
    first.cancel()  # the client's browser gave up waiting
    with pytest.raises(asyncio.CancelledError):
        await first
    # The page never said it was recorded, so the link was released: it may be used again.
    assert nonce_of(api, path) == nonce
    again = await api.http.post(f"{path}/aprobar", data={"comment": "Perfecto"})
    assert again.status_code == 303 and again.headers["location"] == path
    page = await api.http.get(path)
    assert page.status_code == 200 and "Usted aprobó su producto" in page.text
    state = await sale.state()
    assert state.step is StepId.PROVISIONING_CALL
    assert [e.action for e in state.log].count("approve_product") == 1
    await api.stack.settled(sale.sale_id)
    events = [e for e in api.stack.records.events(sale.sale_id) if e.kind == "action"]
    assert [e.data.get("action") for e in events].count("approve_product") == 1
    assert (await api.stack.templates_sent(sale.sale_id)).count("product_approved") == 1
