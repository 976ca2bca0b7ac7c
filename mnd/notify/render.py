"""Renders the Spanish mail templates of `mnd/templates/` into (subject, body)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    TemplateSyntaxError,
    meta,
)
from jinja2.exceptions import UndefinedError

from mnd.domain.clock import spanish_date

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
SUFFIX = ".j2"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # partials start with "_" and are not messages
_BLANK_RUNS = re.compile(r"\n{3,}")


class RenderError(ValueError):
    """A message could not be rendered; retrying will not help (a code or data bug).

    A ValueError (and `UnknownTemplateError` a LookupError): that is how the activity's
    `MessageRenderer` protocol names a permanent failure, so the activity needs no Jinja2 import.
    """


class UnknownTemplateError(RenderError, LookupError):
    """No message template has this name."""


class TemplateContextError(RenderError):
    """The context lacks a key the template uses."""


class JinjaRenderer:
    """Implements `MessageRenderer`: each template defines a `subject` and a `body` block."""

    def __init__(self, directory: Path = TEMPLATES_DIR) -> None:
        self._env = Environment(
            loader=FileSystemLoader(directory),
            undefined=StrictUndefined,  # a missing key fails the render instead of mailing blanks
            autoescape=False,  # plain-text mail: nothing is HTML
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,  # an included partial ends its last line itself
        )
        # Dates travel as ISO text in the activity input; a person reads them in Spanish.
        self._env.filters["spanish_date"] = _spanish_date

    def template_names(self) -> list[str]:
        """Every message template, by name (without the `.j2` suffix)."""
        names = self._env.list_templates(filter_func=lambda n: n.endswith(SUFFIX))
        return sorted(n.removesuffix(SUFFIX) for n in names if _NAME.match(n.removesuffix(SUFFIX)))

    def template_variables(self, template: str) -> set[str]:
        """The context keys a template reads, its included partials counted."""
        return self._variables(self._file(template), set())

    def render(self, template: str, context: dict[str, Any]) -> tuple[str, str]:
        """Returns (subject, body): a one-line subject and a body ending in a newline."""
        tmpl = self._load(template)
        try:
            subject = self._block(tmpl, "subject", context)
            body = self._block(tmpl, "body", context)
        except UndefinedError as exc:
            raise TemplateContextError(f"template {template!r}: {exc.message}") from exc
        except TemplateSyntaxError as exc:  # in a partial, loaded only when included
            raise RenderError(f"template {exc.name!r}, line {exc.lineno}: {exc.message}") from exc
        body = _BLANK_RUNS.sub("\n\n", body).strip("\n")
        return " ".join(subject.split()), body + "\n"

    def _file(self, template: str) -> str:
        if not _NAME.match(template):
            raise UnknownTemplateError(f"not a message template name: {template!r}")
        return template + SUFFIX

    def _load(self, template: str) -> Template:
        try:
            tmpl = self._env.get_template(self._file(template))
        except TemplateNotFound as exc:
            known = ", ".join(self.template_names())
            raise UnknownTemplateError(
                f"unknown message template {template!r}; known: {known}"
            ) from exc
        except TemplateSyntaxError as exc:
            raise RenderError(f"template {template!r}, line {exc.lineno}: {exc.message}") from exc
        missing = {"subject", "body"} - set(tmpl.blocks)
        if missing:
            raise RenderError(f"template {template!r} lacks block(s): {', '.join(sorted(missing))}")
        return tmpl

    @staticmethod
    def _block(tmpl: Template, name: str, context: dict[str, Any]) -> str:
        return "".join(tmpl.blocks[name](tmpl.new_context(context)))

    def _variables(self, file_name: str, seen: set[str]) -> set[str]:
        seen.add(file_name)
        assert self._env.loader is not None
        source, _, _ = self._env.loader.get_source(self._env, file_name)
        ast = self._env.parse(source)
        found = set(meta.find_undeclared_variables(ast))
        for partial in meta.find_referenced_templates(ast):
            if partial is not None and partial not in seen:
                found |= self._variables(partial, seen)
        return found


def _spanish_date(value: date | str | None) -> str:
    """`2026-12-03` (or a date) → `3 de diciembre de 2026`; empty stays empty."""
    if not value:
        return ""
    return spanish_date(value if isinstance(value, date) else date.fromisoformat(value))
