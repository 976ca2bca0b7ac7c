"""A failure no retry can fix shows on the sale as an alert, is recorded, and the sale goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.testing import WorkflowEnvironment

from mnd import worker_app
from mnd.domain.sale import SaleStatus
from mnd.notify import JinjaRenderer
from mnd.notify.render import TEMPLATES_DIR
from tests import factories as f
from tests.scenarios import happy_path
from tests.support import Sale, running_worker

MISSING = "content_request"  # the sale's first email (step 4)


async def test_missing_template_alerts_and_the_sale_completes(
    skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    (templates / f"{MISSING}.j2").unlink()
    # The real worker, whose renderer reads a template directory without that template.
    monkeypatch.setattr(worker_app, "JinjaRenderer", lambda: JinjaRenderer(templates))
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("ALERT-1"))
        await happy_path(sale, skipping_env)  # ends with the run's result: it did not fail
        state = await sale.state()
        assert state.status is SaleStatus.COMPLETED
        [alert] = state.alerts
        assert alert.message == (
            f"No se pudo enviar el correo «{MISSING}»: "
            f"no existe la plantilla de correo «{MISSING}»."
        )
        # The Temporal UI's current details of the sale (its user metadata) show it too.
        meta = await sale.handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        assert f"⚠ Alerta: {alert.message}" in meta.current_details.split("  \n")
        alerts = [e for e in stack.records.events("ALERT-1") if e.kind == "alert"]
        assert [e.message for e in alerts] == [alert.message]
        sent = stack.templates_sent_now("ALERT-1")
        assert MISSING not in sent and "contract_number_request" in sent
