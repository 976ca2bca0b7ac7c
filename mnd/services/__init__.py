"""Service layer: what the API and the CLI do, over Temporal and the records."""
