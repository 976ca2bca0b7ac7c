"""The people on a sale: the client, the consultant, and whoever acts on a step."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from stdnum.co import nit
from stdnum.exceptions import ValidationError as StdnumError

from mnd.domain.fields import LEGAL_NAME_MAX, Email, NonBlank, Phone
from mnd.domain.roles import Role


class DocumentType(StrEnum):
    NIT = "NIT"
    CC = "CC"
    CE = "CE"


class Consultant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: NonBlank
    name: NonBlank
    email: Email


class Client(BaseModel):
    model_config = ConfigDict(extra="forbid")

    legal_name: NonBlank
    document_type: DocumentType
    document_number: NonBlank
    contact_name: NonBlank
    email: Email
    phone: Phone

    @model_validator(mode="after")
    def _check_document(self) -> Client:
        if self.document_type is DocumentType.NIT:
            try:
                self.document_number = nit.format(nit.validate(self.document_number))
            except StdnumError as exc:
                raise _field_error(
                    "document_number",
                    f"NIT no válido: «{self.document_number}» (revise el dígito de verificación)",
                    self.document_number,
                ) from exc
        elif not self.document_number.isdigit() or not 3 <= len(self.document_number) <= 15:
            raise _field_error(
                "document_number",
                f"número de documento {self.document_type.value} no válido: "
                f"«{self.document_number}» (solo dígitos)",
                self.document_number,
            )
        return self


class ClientEntry(Client):
    """The client as an entry point takes it in: also no longer than the records keep.

    A subclass, not a limit on `Client`: the workflow decodes `Client` from every recorded
    start, and a sale opened with a longer name before the limit must keep replaying.
    """

    legal_name: NonBlank = Field(max_length=LEGAL_NAME_MAX)


def _field_error(field: str, message: str, value: str) -> ValidationError:
    """An error naming the leaf field, so a form can mark it (`client.document_number`).

    The rule needs two fields (type and number), so it runs on the model; a plain ValueError
    there would name the whole model. pydantic prefixes this error's location with the model's.
    """
    error = PydanticCustomError("value_error", message)
    return ValidationError.from_exception_data(
        "Client", [InitErrorDetails(type=error, loc=(field,), input=value)]
    )


class Actor(BaseModel):
    """Who performs an action: a staff member (or the client) and the role they act in."""

    model_config = ConfigDict(extra="forbid")

    id: NonBlank
    role: Role
    name: str | None = None
