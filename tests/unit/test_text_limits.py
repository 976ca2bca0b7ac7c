"""Free text is held to what the records keep, at the entry points and in the actions, while the
sales opened before the limits keep decoding and replaying as they were."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import String

from mnd.db import models
from mnd.domain.actions import admit
from mnd.domain.errors import ActionRefused, RefusalKind
from mnd.domain.fields import CONTRACT_NUMBER_MAX, FILE_NAME_MAX, LEGAL_NAME_MAX
from mnd.domain.messages import spanish_errors
from mnd.domain.roles import Role
from mnd.domain.sale import NewSaleInput, OpenSaleInput
from mnd.domain.steps import StepId
from tests import factories as f
from tests.unit.test_rules_gaps import NOW, sale_state


def _length(column: object) -> int | None:
    kind = getattr(column, "type", None)
    return kind.length if isinstance(kind, String) else None


def test_the_record_columns_are_sized_from_the_domain_limits() -> None:
    assert _length(models.Sale.__table__.c.client_name) == LEGAL_NAME_MAX
    assert _length(models.Sale.__table__.c.contract_number) == CONTRACT_NUMBER_MAX
    assert _length(models.WorkOrder.__table__.c.contract_number) == CONTRACT_NUMBER_MAX
    assert _length(models.Document.__table__.c.file_name) == FILE_NAME_MAX


def test_an_entry_point_refuses_a_long_name_the_workflow_still_decodes() -> None:
    data = f.open_input("LIM-1").model_dump(mode="json")
    data["client"]["legal_name"] = "N" * (LEGAL_NAME_MAX + 1)
    with pytest.raises(ValidationError) as refused:
        NewSaleInput.model_validate(data)
    assert spanish_errors(refused.value) == [
        f"client.legal_name: es demasiado largo (máximo {LEGAL_NAME_MAX})"
    ]
    # What a recorded start holds is decoded without the limit: such a sale keeps replaying.
    assert OpenSaleInput.model_validate(data).client.legal_name == data["client"]["legal_name"]
    data["client"]["legal_name"] = "N" * LEGAL_NAME_MAX
    assert NewSaleInput.model_validate(data).client.legal_name == data["client"]["legal_name"]


@pytest.mark.parametrize("limits", [True, False])
def test_a_long_contract_number_is_refused_on_sales_with_the_limits(limits: bool) -> None:
    state = sale_state(StepId.CONTRACT)
    state.text_limits = limits
    payload = {
        "actor": f.actor(Role.PROVISIONING).model_dump(),
        "contract_number": "C" * (CONTRACT_NUMBER_MAX + 1),
    }
    if not limits:
        # A sale started before the limits: its recorded action passes again on replay.
        admit(state, "assign_contract_number", payload, NOW)
        return
    with pytest.raises(ActionRefused) as refused:
        admit(state, "assign_contract_number", payload, NOW)
    assert refused.value.kind is RefusalKind.INVALID_PAYLOAD
    assert f"máximo {CONTRACT_NUMBER_MAX}" in refused.value.message
    payload["contract_number"] = "C" * CONTRACT_NUMBER_MAX
    admit(state, "assign_contract_number", payload, NOW)
