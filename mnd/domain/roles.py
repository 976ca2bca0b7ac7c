"""Who acts on a sale (PROCESS.md, "Roles")."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CONSULTANT = "consultant"
    DATA_MINING = "data_mining"
    PROVISIONING = "provisioning"
    COMMERCIAL_SUPPORT = "commercial_support"
    PRODUCTION = "production"
    ALLY = "ally"
    CLIENT = "client"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


ROLE_NAMES_ES: dict[Role, str] = {
    Role.CONSULTANT: "Consultor",
    Role.DATA_MINING: "Minería de Datos",
    Role.PROVISIONING: "Aprovisionamiento",
    Role.COMMERCIAL_SUPPORT: "Soporte Comercial",
    Role.PRODUCTION: "Producción MND",
    Role.ALLY: "Aliado",
    Role.CLIENT: "Cliente",
    Role.SUPERVISOR: "Supervisor",
    Role.SYSTEM: "Sistema",
}

# The areas staffed by several people behind one mailbox: a member takes a sale for the area
# (`take_sale`), and while they have it only they act on it in that role.
AREA_ROLES: frozenset[Role] = frozenset(
    {
        Role.DATA_MINING,
        Role.PROVISIONING,
        Role.COMMERCIAL_SUPPORT,
        Role.PRODUCTION,
        Role.ALLY,
    }
)

# The seed's mailboxes; entry points may override them through settings.
DEFAULT_MAILBOXES: dict[Role, tuple[str, ...]] = {
    Role.DATA_MINING: ("mineriadedatos@claro.com.co",),
    Role.PROVISIONING: ("soportemno@claro.com.co",),
    Role.COMMERCIAL_SUPPORT: ("validacion.co@claro.com.co",),
    Role.PRODUCTION: ("produccionmno@claro.com.co",),
    Role.ALLY: ("aliado@minegocio.digital",),
    Role.SUPERVISOR: ("supervisor.mnd@claro.com.co",),
}

# Where the client sends approvals (seed step 10), quoted in the delivery email.
CLIENT_APPROVAL_MAILBOXES: tuple[str, ...] = (
    "produccionmno@claro.com.co",
    "misitioweb@micorreoclaro.co",
)
