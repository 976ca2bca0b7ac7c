"""Plans, templates and business types (PROCESS.md, "Catalogs"). Configurable data with defaults."""

from __future__ import annotations

from pydantic import BaseModel, Field

PRODUCT_WEB = "https://claro.minegocio.digital/"
DELIVERED_APPLICATIONS: dict[str, str] = {
    "app": "App",
    "dash": "Dash",
    "admin_panel": "Panel de Administración",
}


class Template(BaseModel):
    id: str
    name: str
    scope: str = Field(description="Alcance de la plantilla, tal como se acuerda con el cliente")


class Plan(BaseModel):
    id: str
    name: str
    scope: str
    requires_products: bool = Field(
        description="True: the content package lists products (Tienda Digital)"
    )
    content_requirements: list[str]
    templates: list[Template]

    def template(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)


class Catalog(BaseModel):
    plans: list[Plan]
    business_types: dict[str, str] = Field(description="id -> nombre en español")

    def plan(self, plan_id: str) -> Plan | None:
        return next((p for p in self.plans if p.id == plan_id), None)


_PRODUCT_REQUIREMENTS = [
    "1 imagen JPG del producto o servicio",
    "Nombre de la categoría",
    "Nombre del producto o servicio",
    "Descripción del producto de no más de 20 palabras",
    "Precio de cada producto o servicio",
    "Código de enlace embed",
]

DEFAULT_CATALOG = Catalog(
    plans=[
        Plan(
            id="tienda_digital",
            name="Tienda Digital",
            scope="Tienda en línea con catálogo de productos, carrito y pasarela de pagos",
            requires_products=True,
            content_requirements=_PRODUCT_REQUIREMENTS,
            templates=[
                Template(id="td_moda", name="Moda", scope="Catálogo de hasta 50 productos"),
                Template(id="td_mercado", name="Mercado", scope="Catálogo de hasta 100 productos"),
                Template(id="td_servicios", name="Servicios", scope="Hasta 20 servicios"),
            ],
        ),
        Plan(
            id="posicionamiento",
            name="MND Posicionamiento",
            scope="Sitio web informativo con posicionamiento en buscadores",
            requires_products=False,
            content_requirements=[
                "Descripción del negocio",
                "Logo en JPG",
                "Código de enlace embed (mapa o redes sociales)",
            ],
            templates=[
                Template(id="pos_basico", name="Básico", scope="Sitio de una página"),
                Template(id="pos_corporativo", name="Corporativo", scope="Hasta 5 secciones"),
            ],
        ),
    ],
    business_types={
        "restaurante": "Restaurante",
        "tienda_ropa": "Tienda de ropa",
        "ferreteria": "Ferretería",
        "salud_belleza": "Salud y belleza",
        "servicios_profesionales": "Servicios profesionales",
        "otro": "Otro",
    },
)
