"""How a delivery failed: for good (the message is marked failed) or for now (retry)."""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be delivered; `reason` says why, in the server's words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PermanentDeliveryError(DeliveryError):
    """The server refused the message for good (a 5xx reply): retrying cannot help."""


class TemporaryDeliveryError(DeliveryError):
    """The server was unreachable or deferred the message (4xx, timeout): retry later."""
