"""The sale's domain: models and rules. Imports nothing but the standard library and pydantic."""
