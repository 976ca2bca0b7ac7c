"""Notification activities: render a Spanish template and hand it to the outbox, once per message id."""

from __future__ import annotations

from typing import Any, Protocol

from temporalio import activity

from activities.inputs import EmailResult, Recipient, SendEmailInput
from mnd.domain.roles import Role


class MessageRenderer(Protocol):
    def render(self, template: str, context: dict[str, Any]) -> tuple[str, str]:
        """Returns (subject, body)."""
        ...


class MailDirectory(Protocol):
    def mailboxes(self, role: Role) -> list[str]: ...


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
        """Stores and delivers the message unless `message_id` was already delivered; returns its status."""
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
    ) -> None:
        self._renderer = renderer
        self._directory = directory
        self._outbox = outbox
        self._links = links

    def _context(self, inp: SendEmailInput) -> dict[str, Any]:
        context = {**inp.context, "sale_id": inp.sale_id}
        if inp.template == "delivery_welcome":
            # Made here, not in the workflow: the link is signed with a secret that must never
            # reach the workflow's history. Seeded by the message id, so a retry reuses it.
            round_ = int(context.get("delivery_round", 1))
            links = self._links
            context["approval_url"] = (
                links.issue(inp.sale_id, round_, inp.message_id) if links else None
            )
        return context

    def _addresses(self, recipients: list[Recipient]) -> list[str]:
        found: list[str] = []
        for r in recipients:
            for address in [r.email] if r.email else self._directory.mailboxes(r.role):
                if address not in found:
                    found.append(address)
        return found

    @activity.defn
    def send_email(self, inp: SendEmailInput) -> EmailResult:
        """Renders the template and delivers it; a retry of a delivered message sends nothing."""
        to = self._addresses(inp.to)
        reply_to = self._addresses(inp.reply_to)
        subject, body = self._renderer.render(inp.template, self._context(inp))
        status = self._outbox.deliver(
            inp.message_id, inp.sale_id, inp.template, to, reply_to, subject, body
        )
        return EmailResult(message_id=inp.message_id, status=status, recipients=to, subject=subject)
