"""Mail: the RFC 5322 message of a notification and its delivery over SMTP."""

from mnd.mail.errors import DeliveryError, PermanentDeliveryError, TemporaryDeliveryError
from mnd.mail.message import DEFAULT_SENDER, build_message, message_id_header
from mnd.mail.smtp import SmtpSender

__all__ = [
    "DEFAULT_SENDER",
    "DeliveryError",
    "PermanentDeliveryError",
    "SmtpSender",
    "TemporaryDeliveryError",
    "build_message",
    "message_id_header",
]
