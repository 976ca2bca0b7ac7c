"""Notification activities: render a Spanish template and hand it to the outbox, once per message id."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol

from email_validator import EmailNotValidError, validate_email
from temporalio import activity

from activities.failures import FailureKind, permanent
from activities.inputs import EmailResult, Recipient, SendEmailInput
from mnd.console_links import sale_page_url, validation_form_url
from mnd.domain.roles import ROLE_NAMES_ES, Role

# The outbox's status for a message the mail server refused for good (every recipient, 5xx).
REFUSED = "failed"
# Emails to the client that carry the single-use approval link of the current delivery round.
_WITH_APPROVAL_LINK = frozenset({"delivery_welcome", "approval_reminder"})


class MessageRenderer(Protocol):
    def render(self, template: str, context: dict[str, Any]) -> tuple[str, str]:
        """Returns (subject, body); raises LookupError for an unknown template and ValueError
        when the template cannot be rendered with this context (a retry renders the same)."""
        ...


class MailDirectory(Protocol):
    def mailboxes(self, role: Role) -> list[str]:
        """The role's addresses; raises LookupError when the role has none."""
        ...


class Outbox(Protocol):
    def deliver(
        self,
        message_id: str,
        sale_id: str,
        template: str,
        to: list[str],
        reply_to: list[str],
        subject: str,
        body: str,
    ) -> str:
        """Stores and delivers the message unless `message_id` was already delivered; returns its
        status, `REFUSED` (each time it is asked) when the server refused it for good."""
        ...


class ApprovalLinkIssuer(Protocol):
    def issue(self, sale_id: str, delivery_round: int, seed: str) -> str:
        """The URL of a single-use approval link for the client."""
        ...


class NotificationActivities:
    """Sends every notification of PROCESS.md; dependencies come through the constructor."""

    def __init__(
        self,
        renderer: MessageRenderer,
        directory: MailDirectory,
        outbox: Outbox,
        links: ApprovalLinkIssuer | None = None,
        public_url: str | None = None,
    ) -> None:
        self._renderer = renderer
        self._directory = directory
        self._outbox = outbox
        self._links = links
        # The base of the staff console's links (`settings.public_url`); None: no links.
        self._public_url = public_url

    def _context(self, inp: SendEmailInput) -> dict[str, Any]:
        context = {**inp.context, "sale_id": inp.sale_id}
        if inp.template in _WITH_APPROVAL_LINK:
            context["approval_url"] = self._approval_url(inp, context.get("delivery_round"))
        # Made here, from the settings, and always set (whatever the workflow sent): the
        # templates' StrictUndefined then catches a template that forgot to guard it.
        context["console_url"] = context["validation_url"] = None
        if self._public_url and _staff_only(inp.to):
            context["console_url"] = sale_page_url(self._public_url, inp.sale_id)
            context["validation_url"] = validation_form_url(self._public_url, inp.sale_id)
        return context

    def _approval_url(self, inp: SendEmailInput, delivery_round: Any) -> str | None:
        # Made here, not in the workflow: the link is signed with a secret that must never
        # reach the workflow's history. One link per delivery round, seeded by the round, so a
        # retry and every reminder of that round carry the same link: once used, used in all.
        if self._links is None or delivery_round is None:
            return None  # a reminder queued before reminders knew their round: no link
        round_ = int(delivery_round)
        return self._links.issue(inp.sale_id, round_, f"{inp.sale_id}:delivery:{round_}")

    def _addresses(self, recipients: list[Recipient]) -> list[str]:
        found: list[str] = []
        for r in recipients:
            for address in [r.email] if r.email else self._mailboxes(r.role):
                _check_address(address, r.role)
                if address not in found:
                    found.append(address)
        return found

    def _mailboxes(self, role: Role) -> list[str]:
        try:
            return self._directory.mailboxes(role)
        except LookupError as exc:
            raise permanent(
                f"{ROLE_NAMES_ES[role]} no tiene buzón de correo configurado.",
                FailureKind.NO_MAILBOX,
            ) from exc

    def _render(self, inp: SendEmailInput) -> tuple[str, str]:
        context = self._context(inp)
        # Rendering is pure: what fails now fails on every retry, until someone fixes the code.
        try:
            return self._renderer.render(inp.template, context)
        except LookupError as exc:
            raise permanent(
                f"no existe la plantilla de correo «{inp.template}».",
                FailureKind.UNKNOWN_TEMPLATE,
            ) from exc
        except ValueError as exc:
            raise permanent(
                f"la plantilla de correo «{inp.template}» no se pudo generar ({exc}).",
                FailureKind.TEMPLATE_ERROR,
            ) from exc

    @activity.defn
    def send_email(self, inp: SendEmailInput) -> EmailResult:
        """Renders the template and delivers it; a retry of a delivered message sends nothing."""
        # Everything that can fail for good is checked before the outbox stores anything.
        to = self._addresses(inp.to)
        if not to:
            raise permanent("el correo no tiene destinatarios.", FailureKind.NO_RECIPIENTS)
        reply_to = self._addresses(inp.reply_to)
        subject, body = self._render(inp)
        status = self._outbox.deliver(
            inp.message_id, inp.sale_id, inp.template, to, reply_to, subject, body
        )
        if status == REFUSED:
            raise permanent(
                "el servidor de correo lo rechazó para todos los destinatarios "
                f"({', '.join(to)}); el motivo está en `mnd outbox show {inp.message_id}`.",
                FailureKind.MAIL_REFUSED,
            )
        return EmailResult(message_id=inp.message_id, status=status, recipients=to, subject=subject)


def _staff_only(recipients: list[Recipient]) -> bool:
    """The console is for staff: a message that also goes to the client carries no link to it
    (the cancellation notice once the client was engaged: one message for everyone)."""
    return all(r.role is not Role.CLIENT for r in recipients)


def _check_address(address: str, role: Role) -> None:
    # The same check as the domain's `Email` fields: a server would refuse such an address for
    # good (or, with no server configured, the outbox would keep a message nobody can receive).
    problem = _address_problem(address)
    if problem is not None:
        raise permanent(
            f"la dirección «{address}» de {ROLE_NAMES_ES[role]} no es un correo válido.",
            FailureKind.INVALID_ADDRESS,
        ) from problem


@lru_cache(maxsize=4096)
def _address_problem(address: str) -> EmailNotValidError | None:
    # The same few mailboxes are checked on every email: the syntax check runs once each.
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return exc.with_traceback(None)  # kept as the cause, without the frames
    return None
