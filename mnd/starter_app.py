"""Opening a sale from the command line (step 1): its `SaleWorkflow` from a JSON file or the demo.

`starter.py` is the entry point; tests call `main(argv, client=...)` here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from mnd.demo_data import demo_sale
from mnd.domain.messages import spanish_errors
from mnd.domain.sale import NewSaleInput, OpenSaleInput, workflow_id_for
from mnd.opening import new_sale_id, open_sale
from mnd.settings import ProfileName, Settings, get_settings
from mnd.temporal_client import connect

EXIT_INVALID = 2
EXIT_DUPLICATE = 3


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="starter.py", description="Abre una venta Mi Negocio Digital (paso 1)."
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="JSON con los campos de OpenSaleInput")
    source.add_argument("--demo", action="store_true", help="usar los datos de demostración")
    parser.add_argument("--sale-id", help="identificador de la venta (si falta, se genera)")
    parser.add_argument(
        "--profile", choices=["seed", "fast"], help="perfil de tiempos (por defecto MND_PROFILE)"
    )
    return parser.parse_args(argv)


def _read_json(path: Path) -> dict[str, Any]:
    """The file's object, or a Spanish `ValueError` saying what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"No existe el archivo {path}.") from exc
    except OSError as exc:
        raise ValueError(f"No se pudo leer el archivo {path} ({exc.strerror}).") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = (
            f"línea {exc.lineno}, columna {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else "codificación"
        )
        raise ValueError(f"El archivo {path} no es JSON válido ({where}).") from exc
    if not isinstance(data, dict):
        raise ValueError(
            f"El archivo {path} debe contener un objeto JSON con los datos de la venta."
        )
    return data


def build_input(args: argparse.Namespace, settings: Settings) -> OpenSaleInput:
    """The sale to open; raises `ValueError` or pydantic's `ValidationError` when invalid."""
    profile_name: ProfileName | None = args.profile
    if args.demo:
        sale_id = args.sale_id or new_sale_id()
        return demo_sale(sale_id, settings.process_profile(profile_name))
    data = _read_json(args.file)
    if args.sale_id:
        data["sale_id"] = args.sale_id
    data.setdefault("sale_id", new_sale_id())
    # The flag (or MND_PROFILE) wins over the file only when the file names no profile.
    if profile_name is not None or "profile" not in data:
        data["profile"] = settings.process_profile(profile_name).model_dump(mode="json")
    return NewSaleInput.model_validate(data)


async def main(argv: list[str] | None = None, client: Client | None = None) -> int:
    """Opens the sale and prints where to follow it; returns the process exit code."""
    args = parse_args(argv)
    settings = get_settings()
    try:
        inp = build_input(args, settings)
    except ValidationError as exc:
        print("Los datos de la venta no son válidos:", file=sys.stderr)
        for line in spanish_errors(exc):
            print(f"  - {line}", file=sys.stderr)
        return EXIT_INVALID
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    client = client or await connect(settings)
    try:
        handle = await open_sale(client, inp, settings.task_queue)
    except WorkflowAlreadyStartedError:
        print(
            f"La venta {inp.sale_id} ya fue abierta (workflow {workflow_id_for(inp.sale_id)}); "
            "no se abrió de nuevo y la venta existente no cambió.",
            file=sys.stderr,
        )
        return EXIT_DUPLICATE
    print(f"Venta {inp.sale_id} abierta: workflow {handle.id} (perfil {inp.profile.name}).")
    return 0
