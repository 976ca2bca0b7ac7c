"""Spanish labels of the action payloads' fields, by field name: what a form shows a person.

One place for every payload field; `tests/console/test_forms.py` fails when an action gains a
field that has no label here, so no form ever shows an internal name.
"""

from __future__ import annotations

FIELD_LABELS: dict[str, str] = {
    "template_id": "Plantilla",
    "scope_notes": "Notas sobre el alcance acordado",
    "business_type": "Tipo de comercio",
    "content": "Contenido del producto",
    "products": "Productos",
    "image": "Imagen del producto (JPG)",
    "category": "Categoría",
    "name": "Nombre",
    "description": "Descripción (máximo 20 palabras)",
    "price_cop": "Precio (COP)",
    "business_description": "Descripción del negocio",
    "logo": "Logo (JPG)",
    "embed_code": "Código embed (mapa o redes: <iframe …> o enlace https://)",
    "in_onyx": "El cliente existe en ONYX",
    "in_rr": "El cliente existe en RR",
    "notes": "Observaciones",
    "onyx_id": "Identificador del cliente en ONYX",
    "contract_number": "Consecutivo del contrato",
    "documents": "Documentos",
    "kind": "Documento",
    "issued_on": "Fecha de expedición",
    "rejections": "Documentos rechazados",
    "reason": "Motivo",
    "plan_id": "Plan",
    "product_count": "Cantidad de productos",
    "work_order_number": "Número de la OT",
    "product_url": "URL del producto",
    "delivery_piece_url": "URL de la pieza de entrega",
    "support_channels_piece_url": "URL de la pieza de canales de soporte",
    "comment": "Comentario",
    "comments": "Correcciones solicitadas",
    "reached": "Se logró contactar al cliente",
    "support_channels_explained": "Se explicaron los canales de soporte",
    "post_sale_channels_explained": "Se explicaron los canales de posventa",
    "applications": "Validación de los aplicativos",
    "billing_start_date": "Fecha de inicio de facturación",
    "consultant": "Nuevo consultor",
    "id": "Usuario",
    "email": "Correo electrónico",
    "role": "Área",
    "member": "Miembro del área",
    "file": "Archivo (PDF, JPG o PNG)",
    "client": "Cliente",
    "legal_name": "Razón social o nombre",
    "document_type": "Tipo de documento",
    "document_number": "Número de documento (NIT con dígito de verificación)",
    "contact_name": "Persona de contacto",
    "phone": "Teléfono",
}

# Long free text: a textarea rather than a one-line input.
LONG_TEXT = frozenset(
    {"scope_notes", "business_description", "embed_code", "notes", "comments", "reason"}
)


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)
