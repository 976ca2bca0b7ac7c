"""The staff actions of a sale as Temporal Updates (with validators) and Signals, plus the query.

Every action of `mnd.domain.actions.ACTIONS` gets an Update and a Signal of the same name. Both
take the payload as a plain JSON object and validate it here, so a bad payload becomes a Spanish
refusal (or a refused entry in the sale's log, for a signal) instead of a decoding failure that
the SDK would report in English or drop silently.
"""

from __future__ import annotations

from typing import Any, Protocol

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from mnd.domain.actions import ACTIONS
    from mnd.domain.errors import ActionRefused
    from mnd.domain.recording import apply
    from mnd.domain.rules import check
    from mnd.domain.sale import LogEntry, SaleState


class _Actions(Protocol):
    """What the generated handlers call; defined first so their type hints resolve."""

    def _accept(self, name: str, payload: Any, via: str) -> SaleState: ...
    def _check_or_raise(self, name: str, payload: Any) -> Any: ...
    def _accept_signal(self, name: str, payload: Any) -> None: ...


def _update(name: str) -> Any:
    spec = ACTIONS[name]

    def handler(self: _Actions, payload: dict[str, Any]) -> SaleState:
        return self._accept(name, payload, via="update")

    def validator(self: _Actions, payload: dict[str, Any]) -> None:
        self._check_or_raise(name, payload)

    handler.__name__ = handler.__qualname__ = name
    method = workflow.update(name=name, description=spec.label_es)(handler)
    method.validator(validator)
    return method


def _signal(name: str) -> Any:
    def handler(self: _Actions, payload: Any) -> None:
        self._accept_signal(name, payload)

    handler.__name__ = handler.__qualname__ = f"{name}_signal"
    return workflow.signal(name=name, description=ACTIONS[name].label_es)(handler)


class SaleActionHandlers:
    """Handlers shared by the sale workflow; `SaleWorkflow` supplies the state and the hooks."""

    _s: SaleState

    def _after_action(self, entry: LogEntry, payload: dict[str, Any]) -> None:
        """Hook: the workflow refreshes what the UI shows and records the event."""
        raise NotImplementedError

    def _check_or_raise(self, name: str, payload: Any) -> Any:
        try:
            return check(self._s, name, payload, workflow.now())
        except ActionRefused as refusal:
            # A non-retryable ApplicationError carries the kind to the client as `.type`.
            raise ApplicationError(
                refusal.message, type=refusal.kind.value, non_retryable=True
            ) from None

    def _accept(self, name: str, payload: Any, via: str) -> SaleState:
        # Checked again: state may have moved between the validator and the handler.
        parsed = self._check_or_raise(name, payload)
        message = apply(self._s, name, parsed, workflow.now())
        entry = LogEntry(
            at=workflow.now(),
            action=name,
            actor=parsed.actor.id,
            role=parsed.actor.role,
            via=via,
            message=message,
        )
        self._s.log.append(entry)
        current = self._s.steps[-1] if self._s.steps else None
        if current is not None and parsed.actor.id not in current.actors:
            current.actors.append(parsed.actor.id)
        # The record keeps what was submitted (metadata only: files live in storage).
        self._after_action(entry, parsed.model_dump(mode="json", exclude={"actor"}))
        return self._s

    def _accept_signal(self, name: str, payload: Any) -> None:
        try:
            self._accept(name, payload, via="signal")
        except ApplicationError as refused:
            actor = payload.get("actor") if isinstance(payload, dict) else None
            entry = LogEntry(
                at=workflow.now(),
                action=name,
                actor=str(actor.get("id")) if isinstance(actor, dict) else None,
                via="signal",
                accepted=False,
                message=f"[{refused.type}] {refused.message}",
            )
            self._s.log.append(entry)
            workflow.logger.warning("Señal rechazada %s: %s", name, refused.message)
            self._after_action(entry, {})

    @workflow.query
    def state(self) -> SaleState:
        """The whole state of the sale."""
        return self._s

    select_template = _update("select_template")
    confirm_business_type = _update("confirm_business_type")
    submit_content = _update("submit_content")
    record_crm_lookup = _update("record_crm_lookup")
    confirm_onyx_creation = _update("confirm_onyx_creation")
    assign_contract_number = _update("assign_contract_number")
    submit_documents = _update("submit_documents")
    approve_documents = _update("approve_documents")
    reject_documents = _update("reject_documents")
    submit_purchase_form = _update("submit_purchase_form")
    deliver_piece = _update("deliver_piece")
    approve_product = _update("approve_product")
    request_corrections = _update("request_corrections")
    record_call = _update("record_call")
    confirm_work_order_closure = _update("confirm_work_order_closure")
    record_post_sale_request = _update("record_post_sale_request")
    cancel_sale = _update("cancel_sale")
    reassign_consultant = _update("reassign_consultant")

    select_template_signal = _signal("select_template")
    confirm_business_type_signal = _signal("confirm_business_type")
    submit_content_signal = _signal("submit_content")
    record_crm_lookup_signal = _signal("record_crm_lookup")
    confirm_onyx_creation_signal = _signal("confirm_onyx_creation")
    assign_contract_number_signal = _signal("assign_contract_number")
    submit_documents_signal = _signal("submit_documents")
    approve_documents_signal = _signal("approve_documents")
    reject_documents_signal = _signal("reject_documents")
    submit_purchase_form_signal = _signal("submit_purchase_form")
    deliver_piece_signal = _signal("deliver_piece")
    approve_product_signal = _signal("approve_product")
    request_corrections_signal = _signal("request_corrections")
    record_call_signal = _signal("record_call")
    confirm_work_order_closure_signal = _signal("confirm_work_order_closure")
    record_post_sale_request_signal = _signal("record_post_sale_request")
    cancel_sale_signal = _signal("cancel_sale")
    reassign_consultant_signal = _signal("reassign_consultant")
