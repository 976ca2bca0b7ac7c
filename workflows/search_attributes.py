"""Custom search attributes the sale upserts, so operations can filter sales in the Temporal UI.

Registered by the dev stack, the tests and the production setup from this one list.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

STEP = SearchAttributeKey.for_keyword("MndStep")
WAITING_ON = SearchAttributeKey.for_keyword_list("MndWaitingOn")
CONSULTANT = SearchAttributeKey.for_keyword("MndConsultant")
CLIENT_DOCUMENT = SearchAttributeKey.for_keyword("MndClientDocument")
PLAN = SearchAttributeKey.for_keyword("MndPlan")
CRM_ROUTE = SearchAttributeKey.for_keyword("MndCrmRoute")
DUE_DATE = SearchAttributeKey.for_datetime("MndDueDate")
STATUS = SearchAttributeKey.for_keyword("MndStatus")

ALL_KEYS: tuple[SearchAttributeKey, ...] = (  # type: ignore[type-arg]
    STEP,
    WAITING_ON,
    CONSULTANT,
    CLIENT_DOCUMENT,
    PLAN,
    CRM_ROUTE,
    DUE_DATE,
    STATUS,
)
