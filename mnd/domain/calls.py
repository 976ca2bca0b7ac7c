"""Step 11: what a provisioning call reports, and when it counts as done."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from mnd.domain.catalog import DELIVERED_APPLICATIONS


class ApplicationCheck(StrEnum):
    OK = "ok"
    FAILED = "failed"


class CallReport(BaseModel):
    """The call as Producción records it: reached, channels explained, each application checked."""

    reached: bool
    support_channels_explained: bool = False
    post_sale_channels_explained: bool = False
    applications: dict[str, ApplicationCheck] = Field(default_factory=dict)
    notes: str | None = None

    @property
    def failed_applications(self) -> list[str]:
        return [name for name, check in self.applications.items() if check != "ok"]


def call_succeeded(call: CallReport) -> bool:
    """Reached, both channel explanations given, and every delivered application validated."""
    return (
        call.reached
        and call.support_channels_explained
        and call.post_sale_channels_explained
        and all(call.applications.get(app) == "ok" for app in DELIVERED_APPLICATIONS)
    )
