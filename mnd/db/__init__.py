"""Persistence: the SQL record of every sale, step, document, work order and message."""
