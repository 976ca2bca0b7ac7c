"""Temporal workflows: one long-running `SaleWorkflow` per Mi Negocio Digital sale."""
