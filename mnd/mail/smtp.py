"""Delivery over SMTP with the standard library, sorting failures into permanent and temporary."""

from __future__ import annotations

import smtplib
import ssl
from email.utils import parseaddr
from typing import TYPE_CHECKING, Literal

from mnd.mail.errors import PermanentDeliveryError, TemporaryDeliveryError
from mnd.mail.message import DEFAULT_SENDER, build_message, sender_domain

if TYPE_CHECKING:
    from mnd.settings import Settings

Security = Literal["none", "starttls", "ssl"]
_QP = "quoted-printable"


class SmtpSender:
    """Sends each message in its own SMTP session (notifications are few; no pool to go stale)."""

    def __init__(
        self,
        host: str,
        port: int,
        security: Security = "none",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        sender: str = DEFAULT_SENDER,
    ) -> None:
        sender_domain(sender)  # refuses a sender without an address now, not at the first mail
        self._host = host
        self._port = port
        self._security = security
        self._username = username
        self._password = password
        self._timeout = timeout
        self._sender = sender

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSender | None:
        """The sender the settings describe; None when no SMTP host is configured."""
        if not settings.smtp_host:
            return None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_security,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_timeout_seconds,
            settings.mail_sender,
        )

    def send(
        self,
        message_id: str,
        sale_id: str,
        template: str,
        to: list[str],
        reply_to: list[str],
        subject: str,
        body: str,
    ) -> list[str]:
        """Sends the message; returns the recipients refused while others accepted it."""
        # Quoted-printable travels through any relay, 8BITMIME or not; readers decode it.
        message = build_message(
            self._sender, message_id, sale_id, template, to, reply_to, subject, body, cte=_QP
        )
        try:
            smtp = self._open()
            try:
                refused = smtp.send_message(message, parseaddr(self._sender)[1], to)
            finally:
                _quit_quietly(smtp)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _all_refused(exc.recipients) from exc
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused) as exc:
            # Our credentials or our sender address: a configuration fault, the same for every
            # message. Marking each message failed would lose them; retrying waits for the fix.
            raise TemporaryDeliveryError(_reply(exc.smtp_code, exc.smtp_error)) from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, _reply(exc.smtp_code, exc.smtp_error)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Refused or dropped connections, timeouts, TLS failures, a server without STARTTLS
            # or AUTH: nothing said "never", so the activity retries until it is fixed.
            raise TemporaryDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        return [f"{address} ({_reply(code, text)})" for address, (code, text) in refused.items()]

    def _open(self) -> smtplib.SMTP:
        if self._security == "ssl":
            context = ssl.create_default_context()
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self._host, self._port, timeout=self._timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        try:
            if self._security == "starttls":
                # Raises when the server does not offer STARTTLS: never fall back to clear text.
                smtp.starttls(context=ssl.create_default_context())
            if self._username:
                smtp.login(self._username, self._password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    # Once DATA is accepted the message is the server's; a failed QUIT must not turn that
    # success into an error (and a retry that would send it again).
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _reply(code: int, text: bytes | str) -> str:
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {decoded}".strip()


def _by_code(code: int, reason: str) -> PermanentDeliveryError | TemporaryDeliveryError:
    if 500 <= code < 600:
        return PermanentDeliveryError(reason)
    return TemporaryDeliveryError(reason)


def _all_refused(
    recipients: dict[str, tuple[int, bytes]],
) -> PermanentDeliveryError | TemporaryDeliveryError:
    reason = "all recipients refused: " + "; ".join(
        f"{address} ({_reply(code, text)})" for address, (code, text) in recipients.items()
    )
    # One deferred (4xx) recipient is worth a retry; the refused ones are refused again then.
    permanent = all(500 <= code < 600 for code, _ in recipients.values())
    return PermanentDeliveryError(reason) if permanent else TemporaryDeliveryError(reason)
