"""JSON input of the staff commands: a file (or `-`, standard input) and `--set campo=valor`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from mnd.cli.common import EXIT_INVALID, fail


def read_json(path: Path | None, what: str) -> dict[str, Any]:
    """The object in the file (`-`: standard input; None: empty); exit 2 when it is not one."""
    if path is None:
        return {}
    name = "la entrada estándar" if str(path) == "-" else f"el archivo {path}"
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        fail(f"No existe el archivo {path}.", EXIT_INVALID)
    except OSError as exc:
        fail(f"No se pudo leer {name} ({exc.strerror}).", EXIT_INVALID)
    except json.JSONDecodeError as exc:
        fail(
            f"{name.capitalize()} no es JSON válido (línea {exc.lineno}, columna {exc.colno}).",
            EXIT_INVALID,
        )
    except UnicodeDecodeError:
        fail(f"{name.capitalize()} no está en UTF-8.", EXIT_INVALID)
    if not isinstance(data, dict):
        fail(f"{name.capitalize()} debe contener un objeto JSON con {what}.", EXIT_INVALID)
    return data


def apply_sets(data: dict[str, Any], assignments: list[str]) -> dict[str, Any]:
    """Applies `campo=valor` (dotted paths, list indexes: `documents.documents.4.issued_on=...`).

    The value is read as JSON when it parses (`true`, `2`, `{"a": 1}`), else kept as text.
    """
    for assignment in assignments:
        key, sep, raw = assignment.partition("=")
        if not sep or not key.strip():
            fail(f"--set espera campo=valor; recibido «{assignment}».", EXIT_INVALID)
        parts = key.strip().split(".")
        target: Any = data
        for part in parts[:-1]:
            target = _child(target, part, assignment)
        _put(target, parts[-1], _value(raw), assignment)
    return data


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _child(target: Any, part: str, assignment: str) -> Any:
    if isinstance(target, list) and part.isdigit() and int(part) < len(target):
        return target[int(part)]
    if isinstance(target, dict):
        return target.setdefault(part, {})
    fail(f"--set «{assignment}»: «{part}» no existe en el JSON.", EXIT_INVALID)


def _put(target: Any, part: str, value: Any, assignment: str) -> None:
    if isinstance(target, list) and part.isdigit() and int(part) < len(target):
        target[int(part)] = value
    elif isinstance(target, dict):
        target[part] = value
    else:
        fail(f"--set «{assignment}»: «{part}» no existe en el JSON.", EXIT_INVALID)
