"""The `mnd` command line for staff: one module per sub-app (outbox, and later sale, act, ...)."""
