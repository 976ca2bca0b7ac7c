"""Turns pydantic validation errors into Spanish lines, one per field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

_TEMPLATES: dict[str, str] = {
    "missing": "es obligatorio",
    "extra_forbidden": "no es un campo permitido",
    "string_type": "debe ser texto",
    "string_too_short": "es demasiado corto (mínimo {min_length})",
    "string_too_long": "es demasiado largo (máximo {max_length})",
    "too_short": "debe tener al menos {min_length} elemento(s)",
    "too_long": "admite como máximo {max_length} elemento(s)",
    "int_parsing": "debe ser un número entero",
    "int_type": "debe ser un número entero",
    "decimal_parsing": "debe ser un número",
    "decimal_type": "debe ser un número",
    "bool_parsing": "debe ser verdadero o falso",
    "bool_type": "debe ser verdadero o falso",
    "date_parsing": "debe ser una fecha AAAA-MM-DD",
    "date_from_datetime_parsing": "debe ser una fecha AAAA-MM-DD",
    "date_type": "debe ser una fecha AAAA-MM-DD",
    "datetime_parsing": "debe ser una fecha y hora ISO 8601",
    "enum": "debe ser uno de: {expected}",
    "literal_error": "debe ser uno de: {expected}",
    "greater_than": "debe ser mayor que {gt}",
    "greater_than_equal": "debe ser mayor o igual que {ge}",
    "less_than_equal": "debe ser menor o igual que {le}",
    "model_type": "debe ser un objeto",
    "model_attributes_type": "debe ser un objeto",
    "dict_type": "debe ser un objeto",
    "list_type": "debe ser una lista",
    "url_parsing": "debe ser una URL válida",
    "url_scheme": "debe ser una URL http o https",
    "url_type": "debe ser una URL válida",
    "json_invalid": "no es JSON válido",
    "json_type": "no es JSON válido",
    "float_parsing": "debe ser un número",
    "float_type": "debe ser un número",
    "int_from_float": "debe ser un número entero",
    "decimal_max_digits": "tiene demasiados dígitos",
    "finite_number": "debe ser un número finito",
    "string_pattern_mismatch": "no tiene el formato esperado",
    "datetime_type": "debe ser una fecha y hora ISO 8601",
    "datetime_from_date_parsing": "debe ser una fecha y hora ISO 8601",
    "timezone_aware": "debe incluir la zona horaria",
}


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "datos"


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind in {"value_error", "assertion_error"}:
        ctx: dict[str, Any] = dict(error.get("ctx") or {})
        return str(ctx.get("error", error["msg"]))
    template = _TEMPLATES.get(kind)
    if template is None:
        return f"valor no válido ({error['msg']})"
    ctx = dict(error.get("ctx") or {})
    if "expected" in ctx:
        # pydantic lists the choices in English: "'a', 'b' or 'c'".
        ctx["expected"] = str(ctx["expected"]).replace(" or ", " o ")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def spanish_lines(errors: Iterable[ErrorDetails]) -> list[str]:
    """`campo: mensaje` for each error dict (pydantic's, or FastAPI's request errors)."""
    return [f"{_location(tuple(e['loc']))}: {_message(e)}" for e in errors]


def spanish_errors(exc: ValidationError) -> list[str]:
    """`campo: mensaje` for every error, in the order pydantic found them."""
    return spanish_lines(exc.errors())


def spanish_summary(exc: ValidationError) -> str:
    lines = spanish_errors(exc)
    return "Datos no válidos. " + "; ".join(lines)
