"""Field types whose validation errors speak Spanish (every rule of PROCESS.md on a single value)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator

MAX_DESCRIPTION_WORDS = 20

# The longest free text the records keep in a column of its own (mnd/db/models.py sizes those
# columns from these). PostgreSQL refuses a longer one, and the sale's records would be stuck
# behind a batch that can never be written, so the entry points and the actions refuse it first.
LEGAL_NAME_MAX = 300
CONTRACT_NUMBER_MAX = 64
FILE_NAME_MAX = 300


def too_long(field: str, value: str, limit: int) -> list[str]:
    """The Spanish error for a text over its limit, naming the field, or none."""
    if len(value) <= limit:
        return []
    return [f"{field}: es demasiado largo ({len(value)} caracteres; máximo {limit})"]


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"correo electrónico no válido: «{value}»") from exc


class AddressListError(ValueError):
    """A list of addresses with none in it (`address` None), or with one that is not valid."""

    def __init__(self, address: str | None) -> None:
        self.address = address
        super().__init__(
            "indique al menos un correo electrónico, separados por comas"
            if address is None
            else f"correo electrónico no válido: «{address}»"
        )


def address_list(value: str) -> list[str]:
    """The comma-separated addresses of `value`, as written, each checked; `AddressListError`
    when there is none or one is not an email address."""
    addresses = [part.strip() for part in value.split(",") if part.strip()]
    if not addresses:
        raise AddressListError(None)
    for address in addresses:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError as exc:
            raise AddressListError(address) from exc
    return addresses


def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "CO")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"teléfono no válido: «{value}»") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"teléfono no válido para Colombia: «{value}»")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("no puede estar vacío")
    return value


def _short_description(value: str) -> str:
    words = len(value.split())
    if words > MAX_DESCRIPTION_WORDS:
        raise ValueError(
            f"la descripción tiene {words} palabras; el máximo es {MAX_DESCRIPTION_WORDS}"
        )
    return value


def _positive_price(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError(f"el precio debe ser mayor que 0 COP (recibido: {value})")
    return value


def _jpg_name(value: str) -> str:
    if not value.lower().endswith((".jpg", ".jpeg")):
        raise ValueError(f"la imagen debe ser JPG: «{value}»")
    return value


def _to_str(value: object) -> object:
    return str(value) if isinstance(value, int | float) else value


Email = Annotated[str, AfterValidator(_email)]
Phone = Annotated[str, BeforeValidator(_to_str), AfterValidator(_phone)]
NonBlank = Annotated[str, AfterValidator(_not_blank)]
ShortDescription = Annotated[str, AfterValidator(_not_blank), AfterValidator(_short_description)]
PriceCOP = Annotated[Decimal, AfterValidator(_positive_price)]
JpgFileName = Annotated[str, AfterValidator(_not_blank), AfterValidator(_jpg_name)]
