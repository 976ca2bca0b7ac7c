"""The sandbox every worker and replayer runs `SaleWorkflow` in."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# These validation libraries import submodules and data lazily, at first use (email_validator
# inside `validate_email`, phonenumbers per region, holidays per country). Those imports would
# happen inside the sandbox while a payload is decoded; passing the libraries through keeps them
# deterministic pure-Python code loaded once, outside the sandbox.
PASSED_THROUGH = ("email_validator", "idna", "phonenumbers", "stdnum", "holidays", "dateutil")

# The workflow's own collaborators: classes with no module-level state, which reach the running
# sale only through `temporalio.workflow` calls made inside it (that module is passed through
# too). The sandbox re-imports every module it does not pass through for each new run and each
# replay; these modules were 40 % of a replay's CPU. `workflows.sale`, which defines the workflow,
# is passed through as well: it holds no module-level state either (the sale lives in the
# instance), and running it again per run built its ~60 Update and Signal handlers and the
# workflow definition each time (about 20 ms of CPU per new run or replay).
WORKFLOW_HELPERS = (
    "workflows.audit",
    "workflows.changes",
    "workflows.effects",
    "workflows.ledger",
    "workflows.notices",
    "workflows.path",
    "workflows.progress",
    "workflows.reminders",
    "workflows.retries",
    "workflows.sale",
    "workflows.search_attributes",
    "workflows.visibility",
)


def sale_workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(
            *PASSED_THROUGH, *WORKFLOW_HELPERS
        )
    )
