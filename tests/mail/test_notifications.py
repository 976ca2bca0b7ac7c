"""The email activity with real parts (Jinja2 templates, the SQL outbox, a real SMTP server):
what no retry can fix fails for good with a Spanish message and writes nothing twice; what is
transient stays retryable, on SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.failures import FailureKind
from activities.inputs import EmailResult, Recipient, SendEmailInput
from activities.notifications import NotificationActivities
from mnd.adapters.outbox_sql import SqlOutbox
from mnd.db.engine import make_engine, session_factory
from mnd.domain.roles import Role
from mnd.mail import SmtpSender, TemporaryDeliveryError
from mnd.notify import JinjaRenderer, StaticDirectory
from mnd.notify.render import TEMPLATES_DIR
from tests.mail.smtp_server import SmtpServer
from tests.unit.test_render import BASE, EXTRA

TEMPLATE = "work_order_issued"
CONSULTANT = "andres.rojas@claro.com.co"


def _message(to: list[Recipient] | None = None, **context: object) -> SendEmailInput:
    return SendEmailInput(
        message_id=f"MND-1:0001:{TEMPLATE}",
        sale_id="MND-1",
        template=TEMPLATE,
        to=[Recipient(role=Role.CONSULTANT, email=CONSULTANT)] if to is None else to,
        context={**BASE, **context},
    )


def _activities(
    outbox: SqlOutbox,
    renderer: JinjaRenderer | None = None,
    directory: StaticDirectory | None = None,
) -> NotificationActivities:
    return NotificationActivities(
        renderer or JinjaRenderer(), directory or StaticDirectory(), outbox
    )


def _send(activities: NotificationActivities, message: SendEmailInput) -> EmailResult:
    result: EmailResult = ActivityEnvironment().run(activities.send_email, message)
    return result


def _fails_for_good(
    activities: NotificationActivities, message: SendEmailInput, kind: FailureKind
) -> str:
    """Sends twice (a retry, were there one): the same non-retryable error both times."""
    messages = []
    for _ in range(2):
        with pytest.raises(ApplicationError) as raised:
            _send(activities, message)
        assert (raised.value.type, raised.value.non_retryable) == (kind.value, True)
        messages.append(raised.value.message)
    assert messages[0] == messages[1]
    return messages[0]


def _templates_with(tmp_path: Path, broken: str | None) -> JinjaRenderer:
    """The real templates, with `TEMPLATE` missing (broken=None) or replaced by `broken`."""
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, folder)
    (folder / f"{TEMPLATE}.j2").unlink()
    if broken is not None:
        (folder / f"{TEMPLATE}.j2").write_text(broken)
    return JinjaRenderer(folder)


def test_missing_template_fails_for_good_and_stores_nothing(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    outbox = SqlOutbox(sessions, None)
    activities = _activities(outbox, renderer=_templates_with(tmp_path, None))
    text = _fails_for_good(activities, _message(), FailureKind.UNKNOWN_TEMPLATE)
    assert text == f"no existe la plantilla de correo «{TEMPLATE}»."
    assert outbox.list_messages() == []


@pytest.mark.parametrize(
    "broken", ["{% block subject %}{{ sale_id {% endblock %}", "{% block body %}x{% endblock %}"]
)
def test_template_that_cannot_render_fails_for_good(
    sessions: sessionmaker[Session], tmp_path: Path, broken: str
) -> None:
    outbox = SqlOutbox(sessions, None)
    activities = _activities(outbox, renderer=_templates_with(tmp_path, broken))
    text = _fails_for_good(activities, _message(), FailureKind.TEMPLATE_ERROR)
    assert text.startswith(f"la plantilla de correo «{TEMPLATE}» no se pudo generar")
    assert outbox.list_messages() == []


def test_context_missing_a_key_fails_for_good(sessions: sessionmaker[Session]) -> None:
    outbox = SqlOutbox(sessions, None)
    message = _message()
    del message.context["ot_number"]
    text = _fails_for_good(_activities(outbox), message, FailureKind.TEMPLATE_ERROR)
    assert "ot_number" in text
    assert outbox.list_messages() == []


def test_bad_recipients_fail_for_good(sessions: sessionmaker[Session]) -> None:
    outbox = SqlOutbox(sessions, None)
    no_ally = StaticDirectory({Role.ALLY: []})
    activities = _activities(outbox, directory=no_ally)
    cases = [
        ([Recipient(role=Role.CLIENT, email="no-es-correo")], FailureKind.INVALID_ADDRESS),
        ([Recipient(role=Role.ALLY)], FailureKind.NO_MAILBOX),
        ([], FailureKind.NO_RECIPIENTS),
    ]
    texts = [_fails_for_good(activities, _message(to), kind) for to, kind in cases]
    assert texts == [
        "la dirección «no-es-correo» de Cliente no es un correo válido.",
        "Aliado no tiene buzón de correo configurado.",
        "el correo no tiene destinatarios.",
    ]
    assert outbox.list_messages() == []


def test_refused_by_every_recipient_fails_for_good_and_is_sent_once(
    sessions: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    smtp_server.handler.rcpt_replies[CONSULTANT] = "550 5.1.1 Mailbox does not exist"
    outbox = SqlOutbox(sessions, SmtpSender("127.0.0.1", smtp_server.port, timeout=5))
    text = _fails_for_good(_activities(outbox), _message(), FailureKind.MAIL_REFUSED)
    assert CONSULTANT in text and "mnd outbox show MND-1:0001:work_order_issued" in text
    [row] = outbox.list_messages()
    assert (row.status, row.attempts) == ("failed", 1)  # the retry did not try again
    assert "550 5.1.1" in (row.last_error or "")


def test_smtp_deferral_or_outage_stays_retryable_then_sends_once(
    sessions: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    smtp_server.handler.data_replies.append("451 4.3.0 Try again later")
    outbox = SqlOutbox(sessions, SmtpSender("127.0.0.1", smtp_server.port, timeout=5))
    activities = _activities(outbox)
    with pytest.raises(TemporaryDeliveryError):  # a plain error: Temporal retries it
        _send(activities, _message())
    assert _send(activities, _message()).status == "sent"
    assert _send(activities, _message()).status == "duplicate"
    assert len(smtp_server.handler.received) == 1


def test_database_down_stays_retryable() -> None:
    # Nothing listens on port 1: the outbox cannot store the message, which a retry can fix.
    engine = make_engine("postgresql+psycopg://mnd:x@127.0.0.1:1/mnd")
    try:
        activities = _activities(SqlOutbox(session_factory(engine), None))
        with pytest.raises(OperationalError):
            _send(activities, _message())
    finally:
        engine.dispose()


CLIENT = Recipient(role=Role.CLIENT, email="jorge@laespiga.com.co")
ME = Recipient(role=Role.CONSULTANT, email=CONSULTANT)
SALE_PAGE = "https://mnd.test/consola/ventas/MND-1"


@pytest.mark.parametrize(
    ("template", "to", "linked"),
    [
        ("work_order_issued", [ME], True),
        ("documents_for_validation", [Recipient(role=Role.COMMERCIAL_SUPPORT)], True),
        ("production_order", [Recipient(role=Role.ALLY)], True),
        ("sale_cancelled", [ME, Recipient(role=Role.PROVISIONING)], True),
        # One message for the areas and the client: the client must not get the console.
        ("sale_cancelled", [ME, CLIENT], False),
        ("client_closure_notice", [CLIENT], False),
        ("content_request", [CLIENT], False),
    ],
)
def test_console_links_go_to_staff_only(
    sessions: sessionmaker[Session], template: str, to: list[Recipient], linked: bool
) -> None:
    """The activity builds the links from its public URL; the workflow sends none."""
    outbox = SqlOutbox(sessions, None)
    activities = NotificationActivities(
        JinjaRenderer(), StaticDirectory(), outbox, public_url="https://mnd.test/"
    )
    message = SendEmailInput(
        message_id=f"MND-1:0001:{template}",
        sale_id="MND-1",
        template=template,
        to=to,
        # Whatever the workflow's context says, the activity decides the links.
        context={**BASE, **EXTRA[template], "validation_url": "https://otro.example/"},
    )
    _send(activities, message)
    [row] = outbox.list_messages()
    if linked:
        assert f"Ver la venta en la consola: {SALE_PAGE}\n" in row.body
    else:
        assert "consola" not in row.body and "otro.example" not in row.body
    if template == "documents_for_validation":
        assert f"{SALE_PAGE}#validacion\n" in row.body


def test_without_a_public_url_there_are_no_console_links(sessions: sessionmaker[Session]) -> None:
    outbox = SqlOutbox(sessions, None)
    _send(_activities(outbox), _message())
    [row] = outbox.list_messages()
    assert "consola" not in row.body
