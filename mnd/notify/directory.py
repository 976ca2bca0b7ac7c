"""A fixed role → mailboxes directory, defaulting to the seed's mailboxes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mnd.domain.roles import DEFAULT_MAILBOXES, Role


class NoMailboxError(LookupError):
    """No mailbox is configured for a role."""


class StaticDirectory:
    """Implements `MailDirectory` from a mapping given once (settings or the seed's defaults)."""

    def __init__(self, mailboxes: Mapping[Role, Sequence[str]] = DEFAULT_MAILBOXES) -> None:
        # Copied, so later changes to the caller's mapping cannot redirect mail mid-run.
        self._mailboxes = {role: list(boxes) for role, boxes in mailboxes.items() if boxes}

    def mailboxes(self, role: Role) -> list[str]:
        """The role's addresses; the consultant and the client have none (their email is per sale)."""
        boxes = self._mailboxes.get(role)
        if not boxes:
            raise NoMailboxError(
                f"no mailbox configured for role {role.value!r}; "
                "give the recipient's email explicitly or configure the role's mailbox"
            )
        return list(boxes)
