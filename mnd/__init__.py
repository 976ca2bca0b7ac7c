"""Mi Negocio Digital sale orchestrator: domain, adapters and entry-point helpers."""
