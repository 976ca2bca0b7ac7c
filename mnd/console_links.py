"""Where the staff console shows a sale, on the API's public base URL (`settings.public_url`).

The console is served at these paths; the staff emails link to them. Built by the email
activity from its settings, never in workflow code, so a new or moved link changes no command.
"""

from __future__ import annotations

from urllib.parse import quote

# The document validation form, an anchor on the sale's page.
VALIDATION_ANCHOR = "validacion"


def sale_page_url(public_url: str, sale_id: str) -> str:
    """`<public url>/consola/ventas/<sale id>`: the sale's page in the console."""
    return f"{public_url.rstrip('/')}/consola/ventas/{quote(sale_id, safe='')}"


def validation_form_url(public_url: str, sale_id: str) -> str:
    """The sale's page at its document validation form (step 7)."""
    return f"{sale_page_url(public_url, sale_id)}#{VALIDATION_ANCHOR}"
