"""Adapters: the side effects the activities need (SQL records, SQL outbox with SMTP)."""
