"""Action forms generated from the typed action classes: fields, choices, payload, errors.

`build_form` walks the action's pydantic model (nested models become fieldsets, lists of models
repeated rows, files one upload field), labels every field in Spanish (`labels.py`) and takes
the choices from the sale (its plan's templates, the catalog). `read_form` turns the posted form
back into the action's JSON payload, and `place_errors` puts each refusal next to the field it
names (`content.products[0].description: ...`), so a new action needs no console code.
"""

from __future__ import annotations

import re
import types
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, HttpUrl

from mnd.console.labels import LONG_TEXT, field_label
from mnd.domain.actions import ActionInput
from mnd.domain.calls import ApplicationCheck
from mnd.domain.catalog import DELIVERED_APPLICATIONS, Catalog
from mnd.domain.documents import DOCUMENT_NAMES_ES, REGISTRY_KINDS, REQUIRED_KINDS, DocumentKind
from mnd.domain.parties import DocumentType
from mnd.domain.roles import ROLE_NAMES_ES, Role
from mnd.domain.sale import SaleState

# Fields a file upload fills (the upload's name, type, hash, size and reference).
_FILE_FIELDS = frozenset({"file_name", "content_type", "storage_ref", "sha256", "size_bytes"})
# Rows offered for a list of models without a natural key (products of a Tienda Digital).
_FREE_ROWS = 3
_ENUM_LABELS: dict[type[Enum], dict[str, str]] = {
    DocumentKind: {k.value: v for k, v in DOCUMENT_NAMES_ES.items()},
    Role: {k.value: v for k, v in ROLE_NAMES_ES.items()},
    ApplicationCheck: {"ok": "Funciona", "failed": "Falla"},
    DocumentType: {"NIT": "NIT", "CC": "Cédula de ciudadanía", "CE": "Cédula de extranjería"},
}
# Keys of a dict-valued field: the applications checked on the provisioning call.
_DICT_KEYS: dict[str, dict[str, str]] = {"applications": DELIVERED_APPLICATIONS}


@dataclass
class FormField:
    path: str  # the field's dotted path in the payload; the input's name
    label: str
    widget: str  # text, textarea, number, date, url, email, checkbox, select, file, fixed
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    accept: str = ""
    value: str = ""
    error: str | None = None


@dataclass
class FormGroup:
    path: str
    legend: str
    items: list[FormField | FormGroup]
    row: bool = False  # a row of a list: left out of the payload when nothing was filled
    error: str | None = None


@dataclass
class ActionForm:
    name: str  # the action's name (or `open_sale`)
    label: str  # its Spanish name, on the submit button
    items: list[FormField | FormGroup]
    errors: list[str] = field(default_factory=list)

    @property
    def multipart(self) -> bool:
        return any(f.widget == "file" for f in fields_of(self.items))


def fields_of(items: Iterable[FormField | FormGroup]) -> Iterable[FormField]:
    for item in items:
        if isinstance(item, FormGroup):
            yield from fields_of(item.items)
        else:
            yield item


@dataclass(frozen=True)
class Choices:
    """Where a form's choices come from: the sale's catalog and plan."""

    catalog: Catalog
    plan_id: str | None = None


def build_form(action: type[ActionInput], sale: SaleState) -> ActionForm:
    """The empty form of `action` for `sale`, with the sale's choices and current values."""
    items = _model_items(action, "", Choices(sale.catalog, sale.plan_id), skip={"actor"})
    items = _for_the_plan(items, sale)
    defaults = _defaults(sale)
    for f in fields_of(items):
        if not f.value and f.path in defaults:
            f.value = defaults[f.path]
    return ActionForm(action.name, action.label_es, items)


def build_model_form(
    model: type[BaseModel], name: str, label: str, choices: Choices, skip: Iterable[str] = ()
) -> ActionForm:
    """A form for any payload model (opening a sale), with the same widgets and errors."""
    return ActionForm(name, label, _model_items(model, "", choices, skip=skip))


def _for_the_plan(
    items: list[FormField | FormGroup], sale: SaleState
) -> list[FormField | FormGroup]:
    """The content form asks what the sale's plan requires: products, or description and logo."""
    plan = sale.catalog.plan(sale.plan_id)
    if plan is None:
        return items
    unused = {"products"} if not plan.requires_products else {"business_description", "logo"}
    out: list[FormField | FormGroup] = []
    for item in items:
        if isinstance(item, FormGroup):
            item.items = [i for i in item.items if i.path.rsplit(".", 1)[-1] not in unused]
        out.append(item)
    return out


def _model_items(
    model: type[BaseModel], prefix: str, ctx: Choices, skip: Iterable[str] = ()
) -> list[FormField | FormGroup]:
    items: list[FormField | FormGroup] = []
    names = model.model_fields
    if _FILE_FIELDS & set(names):
        items.append(_file_field(model, f"{prefix}.file" if prefix else "file"))
    for name, info in names.items():
        if name in skip or name in _FILE_FIELDS:
            continue
        path = f"{prefix}.{name}" if prefix else name
        kind, optional = _unwrap(info.annotation)
        required = info.is_required() and not optional
        items.append(_item(name, path, kind, required, ctx))
    return items


def _file_field(model: type[BaseModel], path: str) -> FormField:
    image_only = "image" in model.__name__.lower()
    return FormField(
        path=path,
        label="Imagen (JPG)" if image_only else field_label("file"),
        widget="file",
        required=True,
        accept="image/jpeg" if image_only else "application/pdf,image/jpeg,image/png",
    )


def _item(name: str, path: str, kind: Any, required: bool, ctx: Choices) -> FormField | FormGroup:
    label = field_label(name)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        if set(kind.model_fields) - {"content_type"} <= _FILE_FIELDS:
            only = _file_field(kind, path)  # an image reference: just its upload
            only.label, only.required = label, required
            return only
        return FormGroup(path, label, _model_items(kind, path, ctx))
    origin = get_origin(kind)
    if origin is list:
        (inner,) = get_args(kind)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return FormGroup(path, label, _rows(inner, path, ctx))
    if origin is dict:
        _, value_kind = get_args(kind)
        keys = _DICT_KEYS.get(name, {})
        entries: list[FormField | FormGroup] = []
        for key, key_label in keys.items():
            entry = _item(key, f"{path}.{key}", value_kind, required, ctx)
            if isinstance(entry, FormField):
                entry.label = key_label
            entries.append(entry)
        return FormGroup(path, label, entries)
    widget, choices = _widget(name, kind, ctx)
    return FormField(path, label, widget, required and widget != "checkbox", choices)


def _rows(inner: type[BaseModel], path: str, ctx: Choices) -> list[FormField | FormGroup]:
    """A list of models: one row per document kind when the model has one, else free rows."""
    rows: list[FormField | FormGroup] = []
    if "kind" in inner.model_fields:
        for i, kind in enumerate(DocumentKind):
            row_path = f"{path}.{i}"
            items = _model_items(inner, row_path, ctx)
            for f in fields_of(items):
                if f.path == f"{row_path}.kind":
                    f.widget, f.value = "fixed", kind.value
                else:
                    f.required = False  # a row nobody fills is left out
            rows.append(FormGroup(row_path, _document_legend(kind), items, row=True))
        return rows
    for i in range(_FREE_ROWS):
        row_path = f"{path}.{i}"
        items = _model_items(inner, row_path, ctx)
        for f in fields_of(items):
            f.required = False  # a row nobody fills is left out; the model says what it lacks
        rows.append(FormGroup(row_path, f"{i + 1}", items, row=True))
    return rows


def _document_legend(kind: DocumentKind) -> str:
    """The row's name and whether the set needs it, so nobody learns it from a refusal."""
    name = DOCUMENT_NAMES_ES[kind]
    if kind in REQUIRED_KINDS:
        return f"{name} (obligatorio)"
    if kind in REGISTRY_KINDS:
        other = next(k for k in REGISTRY_KINDS if k is not kind)
        return f"{name} (obligatorio si no envía {DOCUMENT_NAMES_ES[other]}; expedido hace 30 días o menos)"
    return f"{name} (opcional)"


def _widget(name: str, kind: Any, ctx: Choices) -> tuple[str, list[tuple[str, str]]]:
    choices = _sale_choices(name, ctx)
    if choices:
        return "select", choices
    if kind is bool:
        return "checkbox", []  # unticked means false: never a required field
    if kind in (int, Decimal, float):
        return "number", []
    if kind is date:
        return "date", []
    if kind is HttpUrl:
        return "url", []
    if isinstance(kind, type) and issubclass(kind, Enum):
        labels = _ENUM_LABELS.get(kind, {})
        return "select", [(str(m.value), labels.get(str(m.value), str(m.value))) for m in kind]
    if get_origin(kind) is Literal:
        return "select", [(str(v), str(v)) for v in get_args(kind)]
    if name == "email":
        return "email", []
    return ("textarea" if name in LONG_TEXT else "text"), []


def _sale_choices(name: str, ctx: Choices) -> list[tuple[str, str]]:
    plan = ctx.catalog.plan(ctx.plan_id) if ctx.plan_id else None
    if name == "template_id" and plan:
        return [(t.id, f"{t.name}: {t.scope}") for t in plan.templates]
    if name == "business_type":
        return sorted(ctx.catalog.business_types.items(), key=lambda kv: kv[1])
    if name == "plan_id":
        return [(p.id, p.name) for p in ctx.catalog.plans]
    return []


def _defaults(sale: SaleState) -> dict[str, str]:
    """What the sale already knows, offered as the field's value (the purchase form, the OT)."""
    known = {
        "plan_id": sale.plan_id,
        "template_id": sale.template_id,
        "business_type": sale.business_type,
        "product_count": str(len(sale.content.products)) if sale.content else None,
        "work_order_number": sale.work_order.number if sale.work_order else None,
    }
    return {k: v for k, v in known.items() if v}


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The field's base type (Annotated and `| None` removed) and whether None is allowed."""
    kind, optional = annotation, False
    while True:
        if get_origin(kind) is Annotated:
            kind = get_args(kind)[0]
            continue
        if get_origin(kind) in (Union, types.UnionType):
            args = [a for a in get_args(kind) if a is not type(None)]
            optional = optional or len(args) < len(get_args(kind))
            kind = args[0] if len(args) == 1 else str
            continue
        return kind, optional


# --- the posted form back to a payload --------------------------------------------------------

Store = Callable[[str, Any], Awaitable[dict[str, Any]]]


class UploadProblem(Exception):
    """An upload refused (wrong type, too large): the message goes next to its field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


class UploadsRefused(Exception):
    """The form's refused uploads, once every other value was read (and kept on the form)."""

    def __init__(self, problems: list[UploadProblem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems

    def lines(self) -> list[str]:
        return [f"{problem.path}: {problem.message}" for problem in self.problems]


async def read_form(form: ActionForm, data: Any, store: Store) -> dict[str, Any]:
    """The payload the form describes, from the posted `data` (a Starlette FormData).

    Every posted value is kept on the form (shown again if the action is refused); uploads go
    through `store(path, upload)`, which returns the file reference or raises `UploadProblem`.
    A refused upload does not stop the reading: the fields after it keep what was typed, and
    `UploadsRefused` names every refused upload at the end.
    """
    problems: list[UploadProblem] = []
    payload, _ = await _read_items(form.items, data, store, problems)
    if problems:
        raise UploadsRefused(problems)
    return payload


async def _read_items(
    items: list[FormField | FormGroup], data: Any, store: Store, problems: list[UploadProblem]
) -> tuple[dict[str, Any], bool]:
    out: dict[str, Any] = {}
    filled = False
    for item in items:
        key = item.path.rsplit(".", 1)[-1]
        if isinstance(item, FormGroup):
            value, any_filled = await _read_items(item.items, data, store, problems)
            if item.row and not any_filled:
                continue
            filled = filled or any_filled
            out[key] = value
            continue
        raw = data.get(item.path)
        if item.widget == "file":
            if raw is not None and getattr(raw, "filename", None):
                try:
                    ref = await store(item.path, raw)
                except UploadProblem as problem:
                    problems.append(problem)
                    continue
                if key == "file":
                    out.update(ref)  # a document: the upload fills its model's own fields
                else:
                    out[key] = ref  # an image reference (product image, logo): the field holds it
                filled = True
            continue
        if item.widget == "checkbox":
            out[key] = raw is not None
            continue
        text = raw.strip() if isinstance(raw, str) else ""
        if item.widget == "fixed":
            out[key] = item.value
            continue
        item.value = text
        if text:
            out[key] = text
            filled = True
        elif item.required:
            out[key] = text  # refused by the model as missing, next to this field
    return _nest_lists(out), filled


def _nest_lists(node: dict[str, Any]) -> dict[str, Any]:
    """Rows were read as {"0": {...}, "2": {...}}: the payload wants a list, in order."""
    for key, value in node.items():
        if isinstance(value, dict) and value and all(k.isdigit() for k in value):
            node[key] = [value[k] for k in sorted(value, key=int)]
    return node


# --- refusals next to their fields ------------------------------------------------------------

_SEGMENT = re.compile(r"^(?P<path>[A-Za-z_][\w.\[\]]*): (?P<message>.+)$", re.S)


def place_errors(form: ActionForm, lines: Iterable[str]) -> None:
    """Each `campo: mensaje` line goes to the field (or fieldset) it names; the rest on top."""
    targets: dict[str, FormField | FormGroup] = {}
    _index(form.items, targets)
    for line in lines:
        match = _SEGMENT.match(line.strip())
        target = _target(targets, match["path"]) if match else None
        if target is None or match is None:
            form.errors.append(line.strip())
            continue
        message = match["message"]
        target.error = f"{target.error}; {message}" if target.error else message


def refusal_lines(message: str) -> list[str]:
    """The workflow's refusal split into its `campo: mensaje` parts."""
    text = message.removeprefix("Acción rechazada: ").removeprefix("Datos no válidos. ")
    return [part for part in text.split("; ") if part.strip()]


def _index(items: Iterable[FormField | FormGroup], out: dict[str, FormField | FormGroup]) -> None:
    for item in items:
        out[item.path] = item
        if isinstance(item, FormGroup):
            _index(item.items, out)


def _target(
    targets: dict[str, FormField | FormGroup], raw_path: str
) -> FormField | FormGroup | None:
    path = re.sub(r"\[(\d+)\]", r".\1", raw_path)
    while path:
        # Exact, or the field the message names relative to a nested model (`products` is
        # `content.products` in the payload).
        found = targets.get(path) or next(
            (t for p, t in targets.items() if p.endswith("." + path)), None
        )
        if found is None and path + ".file" in targets:
            found = targets[path + ".file"]
        if found is not None:
            return found
        path = path.rpartition(".")[0]  # an upload's inner field: the upload itself
    return None
