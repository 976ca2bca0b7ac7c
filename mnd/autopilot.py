"""The autopilot's decisions: which action a sale waits for now, and the payload to send."""

from __future__ import annotations

from mnd.demo_data import DEMO_STAFF, demo_content, demo_documents
from mnd.domain import actions as a
from mnd.domain.catalog import DELIVERED_APPLICATIONS
from mnd.domain.clock import colombian_date
from mnd.domain.parties import Actor
from mnd.domain.roles import Role
from mnd.domain.sale import CrmRoute, SaleState, WorkOrderStatus
from mnd.domain.steps import StepId

NextAction = tuple[str, a.ActionInput]


def _actor(state: SaleState, role: Role) -> Actor:
    if role is Role.CONSULTANT:
        return Actor(id=state.consultant.id, role=role, name=state.consultant.name)
    if role is Role.CLIENT:
        return Actor(id=state.client.email, role=role, name=state.client.contact_name)
    return Actor(id=DEMO_STAFF[role], role=role)


def next_action(state: SaleState, in_onyx: bool = True, in_rr: bool = True) -> NextAction | None:
    """The action the sale waits for now, with the payload a diligent staff member would send."""
    s, step = state, state.step
    c = _actor(s, Role.CONSULTANT)
    if step is StepId.TEMPLATE_SELECTION and s.template_id is None:
        return "select_template", a.SelectTemplateInput(actor=c, template_id="td_moda")
    if step is StepId.BUSINESS_TYPE and s.business_type is None:
        return "confirm_business_type", a.ConfirmBusinessTypeInput(
            actor=c, business_type="tienda_ropa"
        )
    if step is StepId.PRODUCT_INFORMATION and s.content is None:
        return "submit_content", a.SubmitContentInput(actor=c, content=demo_content())
    if step is StepId.CLIENT_VERIFICATION:
        return _verification(s, c, in_onyx, in_rr)
    if step is StepId.CONTRACT:
        return _contract(s, c)
    return _after_contract(s, c)


def _verification(s: SaleState, c: Actor, in_onyx: bool, in_rr: bool) -> NextAction | None:
    if s.crm is None:
        return "record_crm_lookup", a.RecordCrmLookupInput(actor=c, in_onyx=in_onyx, in_rr=in_rr)
    if s.crm.route is CrmRoute.CREATE_IN_ONYX and s.crm.onyx_id is None:
        actor = _actor(s, Role.DATA_MINING)
        return "confirm_onyx_creation", a.ConfirmOnyxCreationInput(
            actor=actor, onyx_id="ONYX-778899"
        )
    return None


def _contract(s: SaleState, c: Actor) -> NextAction | None:
    if s.contract_number is None:
        actor = _actor(s, Role.PROVISIONING)
        number = f"CTO-{s.sale_id}"
        return "assign_contract_number", a.AssignContractNumberInput(
            actor=actor, contract_number=number
        )
    if s.documents is None:
        # Issued the day the sale opened (Colombian date): within the 30 days, never ahead.
        issued = colombian_date(s.opened_at)
        return "submit_documents", a.SubmitDocumentsInput(actor=c, documents=demo_documents(issued))
    return None


def _after_contract(s: SaleState, c: Actor) -> NextAction | None:
    step, ot = s.step, s.work_order
    if step is StepId.DOCUMENT_VALIDATION and s.current_round and s.current_round.approved is None:
        return "approve_documents", a.ApproveDocumentsInput(
            actor=_actor(s, Role.COMMERCIAL_SUPPORT)
        )
    if step is StepId.PURCHASE_FORM and s.purchase_form_at is None and ot is not None:
        return "submit_purchase_form", a.SubmitPurchaseFormInput(
            actor=c,
            plan_id=s.plan_id,
            template_id=s.template_id or "",
            business_type=s.business_type or "",
            product_count=len(s.content.products) if s.content else 0,
            work_order_number=ot.number,
        )
    if step is StepId.PIECE_DELIVERY and s.delivery is None:
        return "deliver_piece", _delivery(s)
    if step is StepId.CLIENT_APPROVAL and s.delivery is not None and s.approved_at is None:
        return "approve_product", a.ApproveProductInput(actor=_actor(s, Role.CLIENT))
    if step is StepId.PROVISIONING_CALL and s.successful_call is None:
        return "record_call", a.RecordCallInput(
            actor=_actor(s, Role.PRODUCTION),
            reached=True,
            support_channels_explained=True,
            post_sale_channels_explained=True,
            applications=dict.fromkeys(DELIVERED_APPLICATIONS, a.ApplicationCheck.OK),
        )
    if step is StepId.WORK_ORDER_CLOSURE and ot is not None and ot.status is WorkOrderStatus.ISSUED:
        # Billing starts the day the OT was issued: the earliest date the rules accept.
        return "confirm_work_order_closure", a.ConfirmWorkOrderClosureInput(
            actor=_actor(s, Role.PROVISIONING),
            work_order_number=ot.number,
            billing_start_date=colombian_date(ot.issued_at),
        )
    return None


def _delivery(s: SaleState) -> a.DeliverPieceInput:
    slug = s.sale_id.lower()
    return a.DeliverPieceInput.model_validate(
        {
            "actor": _actor(s, Role.ALLY).model_dump(),
            "product_url": f"https://claro.minegocio.digital/tiendas/{slug}",
            "delivery_piece_url": f"https://claro.minegocio.digital/piezas/{slug}/entrega.pdf",
            "support_channels_piece_url": f"https://claro.minegocio.digital/piezas/{slug}/soporte.pdf",
        }
    )
