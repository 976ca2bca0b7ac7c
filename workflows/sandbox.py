"""The sandbox every worker and replayer runs `SaleWorkflow` in."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# These validation libraries import submodules and data lazily, at first use (email_validator
# inside `validate_email`, phonenumbers per region, holidays per country). Those imports would
# happen inside the sandbox while a payload is decoded; passing the libraries through keeps them
# deterministic pure-Python code loaded once, outside the sandbox.
PASSED_THROUGH = ("email_validator", "idna", "phonenumbers", "stdnum", "holidays", "dateutil")


def sale_workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    )
