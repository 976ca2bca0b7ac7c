"""Notifications: rendering the Spanish templates and resolving each role's mailboxes."""

from mnd.notify.directory import NoMailboxError, StaticDirectory
from mnd.notify.render import JinjaRenderer, RenderError, TemplateContextError, UnknownTemplateError

__all__ = [
    "JinjaRenderer",
    "NoMailboxError",
    "RenderError",
    "StaticDirectory",
    "TemplateContextError",
    "UnknownTemplateError",
]
